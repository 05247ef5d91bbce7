"""What routes take from the app: settings, store, QA engine, sessions, and the bearer-token check."""
from __future__ import annotations

import secrets

from fastapi import Request

from kg import Store
from qa import QA

from ..settings import Settings
from .errors import api_error
from .sessions import SessionStore

__all__ = ["get_settings", "get_store", "get_qa", "get_sessions", "require_token"]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def get_qa(request: Request) -> QA:
    return request.app.state.qa  # type: ignore[no-any-return]


def get_sessions(request: Request) -> SessionStore:
    return request.app.state.sessions  # type: ignore[no-any-return]


def require_token(request: Request) -> None:
    """Writes need ``Authorization: Bearer <KGQA_API_TOKEN>``; with no token configured they are off."""
    settings = get_settings(request)
    if settings.api_token is None or not settings.api_token.get_secret_value():
        raise api_error(403, "writes_disabled", "updates and uploads are off on this server; "
                                                "start it with KGQA_API_TOKEN set to enable them")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise api_error(401, "unauthorized", "this endpoint needs the header `Authorization: Bearer <token>`",
                        headers={"WWW-Authenticate": 'Bearer realm="kgqa"'})
    if not secrets.compare_digest(given.strip().encode(), settings.api_token.get_secret_value().encode()):
        raise api_error(401, "invalid_token", "the bearer token is not valid",
                        headers={"WWW-Authenticate": 'Bearer realm="kgqa", error="invalid_token"'})
