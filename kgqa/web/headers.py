"""ASGI middleware that puts the security headers on every response, and the offline API page.

``Content-Security-Policy`` lets the page load its own scripts, styles and data only (no
inline script, no other origin, no framing); ``X-Content-Type-Options: nosniff`` keeps
browsers from reading a SPARQL result or an uploaded text as HTML; ``X-Frame-Options: DENY``
for browsers that predate ``frame-ancestors``.
"""
from __future__ import annotations

import html
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders", "SECURITY_HEADERS", "api_page"]

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}
_RAW = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [(k, v) for k, v in _RAW if k not in present]
            await send(message)

        await self.app(scope, receive, with_headers)


def api_page(schema: dict[str, Any]) -> str:
    """The API described from the OpenAPI schema as a plain page (kgqa runs offline: no Swagger UI from a CDN).

    >>> "POST /ask" in api_page({"info": {"title": "t"}, "paths": {"/ask": {"post": {"summary": "Ask"}}}})
    True
    """
    rows = []
    for path, ops in schema.get("paths", {}).items():
        for method, op in ops.items():
            rows.append(f"<tr><td><code>{html.escape(method.upper())} {html.escape(path)}</code></td>"
                        f"<td>{html.escape(op.get('summary', ''))}</td>"
                        f"<td>{html.escape(op.get('description', '') or '').replace(chr(10), '<br>')}</td></tr>")
    info = schema.get("info", {})
    return ("<!doctype html><html lang=en><meta charset=utf-8><title>kgqa API</title>"
            f"<h1>{html.escape(info.get('title', 'API'))} {html.escape(str(info.get('version', '')))}</h1>"
            "<p>The full description is the OpenAPI document at <a href=openapi.json>/openapi.json</a>.</p>"
            "<table><tr><th>route</th><th>summary</th><th>description</th></tr>" + "".join(rows) + "</table>")
