"""The FastAPI application: SPARQL endpoint, ask and chat, documents, health, and the web page.

>>> from kg import OxigraphStore
>>> from kgqa.settings import Settings
>>> app = create_app(Settings(data_dir="/tmp/kgqa-doctest"), OxigraphStore.in_memory())
>>> [p for p in app.openapi()["paths"] if p in ("/ask", "/chat", "/sparql", "/update", "/health")]
['/ask', '/chat', '/sparql', '/update', '/health']
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from kg import Store
from qa import QA

from .. import service
from ..settings import Settings
from . import chat, documents, sparql_endpoint, ui
from .errors import api_error, install_handlers
from .headers import SecurityHeaders, api_page
from .limits import BodySizeLimit
from .models import ErrorEnvelope, HealthModel
from .sessions import SessionStore

__all__ = ["create_app"]

_DESCRIPTION = """Questions about business news answered from a knowledge graph, with the facts and
source quotes behind every answer, and the graph itself as a SPARQL 1.1 endpoint.

* `POST /ask`, `POST /chat` (server-sent events): answers grounded in graph facts.
* `GET|POST /sparql`: read-only SPARQL 1.1 Protocol; results by `Accept`.
* `POST /update`, `POST /documents`, `DELETE /documents/{id}`: writes, with `Authorization: Bearer <token>`
  (off unless the server has `KGQA_API_TOKEN`).

Every error has the body `{"error": {"status": int, "code": "snake_case", "message": "…"}}`.
"""


def create_app(settings: Settings, store: Store | None = None, qa: QA | None = None) -> FastAPI:
    """The HTTP application over ``store`` (the data directory's store when None, closed on shutdown)."""
    owned = store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # build the question index in the background now, not inside the first questions
        # (seconds on a large graph); questions that arrive meanwhile wait for this one build
        asyncio.get_running_loop().run_in_executor(None, _warm, app.state.qa)
        yield
        app.state.qa.close()  # shutdown (SIGTERM, Ctrl-C): background indexing and questions under way stop
        if owned:
            app.state.store.close()

    if store is None:
        store = service.open_store(settings)
    # no Swagger UI or ReDoc: they load their code from a CDN, and kgqa runs offline (see /docs below)
    app = FastAPI(title="kgqa", version="0.1.0", description=_DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  openapi_tags=[{"name": "Questions", "description": "answers from graph facts"},
                                {"name": "SPARQL", "description": "SPARQL 1.1 Protocol"},
                                {"name": "Documents", "description": "ingest and delete articles"},
                                {"name": "Service", "description": "health"}])
    app.state.settings = settings
    app.state.store = store
    app.state.qa = qa if qa is not None else service.make_qa(settings, store)
    app.state.sessions = SessionStore(settings.session_ttl_s)
    install_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(api_page(app.openapi()))

    app.include_router(chat.router)
    app.include_router(sparql_endpoint.router)
    app.include_router(documents.router)

    @app.get("/health", tags=["Service"], summary="Liveness and store check", response_model=HealthModel,
             responses={503: {"description": "the store does not answer", "model": ErrorEnvelope}})
    async def health(request: Request) -> dict[str, str]:
        """`ok` when the app and its store answer; 503 in the error envelope otherwise."""
        s = request.app.state.store
        try:
            await run_in_threadpool(s.ask, "ASK { }")
        except Exception as exc:
            logging.getLogger("kgqa.web").warning("health: the store does not answer: %s", exc)
            raise api_error(503, "store_unavailable", "the store does not answer; it is being started again "
                                                      "if it stopped, try again in a few seconds") from None
        return {"status": "ok", "store": type(s).__name__}

    app.include_router(ui.router)  # the web page, entity and document views (kgqa/web/ui.py)

    _add_envelope_schema(app)
    return app


def _add_envelope_schema(app: FastAPI) -> None:
    """Put ErrorEnvelope into the OpenAPI components so error responses can refer to it."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorEnvelope,):
            defs = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in defs.pop("$defs", {}).items():
                comps.setdefault(name, sub)
            comps.setdefault(model.__name__, defs)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _warm(qa: QA) -> None:
    try:
        qa.warm()  # the label index now; the fact index and the embedding model in a background thread
    except Exception:  # noqa: BLE001 - the first question will meet the same error and report it
        logging.getLogger("kgqa.web").warning("could not build the question index at startup", exc_info=True)
