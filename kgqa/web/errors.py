"""Errors of the HTTP service, and the one JSON envelope every error response uses.

    ApiError (fastapi.HTTPException)   an error response: status, snake_case code, message
    └── RequestTooLargeError           the request body passed ``max_request_bytes``

Every error the app returns, whatever raised it, has the body
``{"error": {"status": int, "code": "snake_case", "message": "…"}}``.

>>> e = api_error(404, "entity_not_found", "no entity kgr:x; search with /api/entities?q=")
>>> e.status_code, envelope(e.status_code, e.code, e.message)["error"]["code"]
(404, 'entity_not_found')
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg import GraphError, QuerySyntaxError, StoreError, UnsafeQueryError

__all__ = ["ApiError", "RequestTooLargeError", "api_error", "envelope", "error_response", "install_handlers",
           "from_graph_error", "ERROR_RESPONSES"]

log = logging.getLogger("kgqa.web")

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          406: "not_acceptable", 409: "conflict", 413: "request_too_large", 415: "unsupported_media_type",
          422: "invalid_request", 429: "too_many_requests", 500: "internal_error", 503: "unavailable"}


class ApiError(HTTPException):
    """An error response; raise it from any route (``api_error`` builds one)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail={"status": status, "code": code, "message": message},
                         headers=headers)
        self.code = code
        self.message = message


class RequestTooLargeError(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "request_too_large",
                         f"the request body is larger than {limit} bytes (setting KGQA_MAX_REQUEST_BYTES)")


def api_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> ApiError:
    """The error to raise from a route: ``raise api_error(404, "document_not_found", "…")``."""
    return ApiError(status, code, message, headers)


def envelope(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(envelope(status, code, message), status_code=status, headers=headers)


def from_graph_error(exc: GraphError) -> ApiError:
    """Map an error of the graph layer to its HTTP error."""
    import kg.errors as kge

    timeout = getattr(kge, "QueryTimeoutError", None)
    unavailable = getattr(kge, "StoreUnavailableError", None)
    if timeout is not None and isinstance(exc, timeout):
        return api_error(503, "query_timeout", f"the query was stopped at the time limit: {exc}; "
                                               "make it more selective (bound IRIs, LIMIT)")
    if unavailable is not None and isinstance(exc, unavailable):
        return api_error(503, "store_unavailable", f"the graph store is not answering: {exc}")
    if isinstance(exc, UnsafeQueryError):
        return api_error(403, "query_not_allowed", str(exc))
    if isinstance(exc, QuerySyntaxError):
        return api_error(400, "malformed_query", str(exc))
    if isinstance(exc, StoreError):
        return api_error(503, "store_error", str(exc))
    return api_error(400, "graph_error", str(exc))


def install_handlers(app: FastAPI) -> None:
    """Make every error, including FastAPI's own and unexpected ones, answer in the envelope."""

    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.detail, dict) and {"status", "code", "message"} <= exc.detail.keys():
            d = exc.detail
            return error_response(d["status"], d["code"], d["message"], exc.headers)
        code = _CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.method} {request.url.path}; the API is described at /docs"
        return error_response(exc.status_code, code, message, exc.headers)

    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return error_response(422, "invalid_request", "; ".join(parts) or "invalid request")

    async def on_graph(request: Request, exc: GraphError) -> JSONResponse:
        e = from_graph_error(exc)
        return error_response(e.status_code, e.code, e.message)

    async def on_any(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", f"unexpected {type(exc).__name__}; see the server log")

    app.add_exception_handler(StarletteHTTPException, on_http)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(GraphError, on_graph)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, on_any)


_ENVELOPE_SCHEMA = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "malformed request (e.g. SPARQL that does not parse)", "content": _ENVELOPE_SCHEMA},
    413: {"description": "request body too large", "content": _ENVELOPE_SCHEMA},
    422: {"description": "invalid request body or parameters", "content": _ENVELOPE_SCHEMA},
    503: {"description": "the store is unavailable or the query hit the time limit", "content": _ENVELOPE_SCHEMA},
}
