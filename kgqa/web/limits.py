"""ASGI middleware that refuses request bodies over ``max_request_bytes`` with a 413 envelope."""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import RequestTooLargeError, error_response

__all__ = ["BodySizeLimit"]


class BodySizeLimit:
    """Refuse by ``Content-Length`` before reading; count streamed (chunked) bodies as they arrive."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    err = RequestTooLargeError(self.max_bytes) if declared > 0 else None
                    response = (error_response(413, err.code, err.message) if err else
                                error_response(400, "bad_request", "invalid Content-Length header"))
                    # answer at once; uvicorn discards whatever of the body the client still sends
                    await response(scope, receive, send)
                    return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise RequestTooLargeError(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)
