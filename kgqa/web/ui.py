"""The web page and its read-only views: ``/``, ``/entities/{id}``, ``/documents/{id}``,
``/api/entities?q=``, ``/api/vocabulary``, ``/api/series`` (a metric over periods),
``/api/graph`` (an entity graph with expanded nodes) and ``/static/*``.

Entity and document routes answer JSON by default and the page when the client prefers
``text/html`` (a browser following a link), so every view has a shareable address.
The routes only translate; the payloads come from ``kgqa.web.views``.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kg import Store

from . import views
from .deps import get_store
from .errors import api_error
from .series import UnknownMetricError, series_view

__all__ = ["router", "prefers_html", "static_dir"]

router = APIRouter(tags=["page"])

_LANG_PATTERN = "^(zh-Hant|zh-Hans|en)$"


def static_dir() -> Path:
    """Where the page's files are installed (package data ``kgqa/web/static``)."""
    return Path(__file__).with_name("static")


def _media_ranges(accept: str) -> list[tuple[str, float, int]]:
    out = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q, i))
    return out


def prefers_html(accept: str | None) -> bool:
    """True when the Accept header asks for ``text/html`` more than for JSON.

    >>> prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    True
    >>> prefers_html("*/*"), prefers_html(None), prefers_html("application/json, text/html;q=0.5")
    (False, False, False)
    """
    if not accept:
        return False
    ranges = _media_ranges(accept)

    def best(types: tuple[str, ...]) -> tuple[float, int]:
        hits = [(q, -i) for t, q, i in ranges if t in types]
        return max(hits) if hits else (0.0, -10_000)

    html = best(("text/html", "application/xhtml+xml"))
    data = best(("application/json", "application/*", "*/*"))
    return html[0] > 0 and html > data


def _page(request: Request) -> HTMLResponse:
    html = (static_dir() / "index.html").read_text(encoding="utf-8")
    root = request.scope.get("root_path", "").rstrip("/")
    return HTMLResponse(html.replace("{{root}}", root), headers={"Cache-Control": "no-cache", "Vary": "Accept"})


@router.get("/", include_in_schema=False)
def page(request: Request) -> HTMLResponse:
    """The single-page app: chat, SPARQL, entity and document panes."""
    return _page(request)


@router.api_route("/static/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
def static(path: str) -> FileResponse:
    base = static_dir().resolve()
    target = (base / path).resolve()
    if base not in target.parents or not target.is_file():
        raise api_error(404, "static_not_found", f"no static file {path!r}")
    media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if target.suffix in (".js", ".css", ".html", ".svg"):
        media += "; charset=utf-8"
    return FileResponse(target, media_type=media, headers={"Cache-Control": "no-cache"})


def _json_example(example: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI 200 response with an example body."""
    return {"description": "JSON (or the web page when the client prefers text/html)",
            "content": {"application/json": {"example": example}}}


_FACT_EXAMPLE = {"subject": "https://w3id.org/kgqa/resource/acme", "subject_label": "Acme", "metric": "revenue",
                 "period": "2025Q1", "value": 32450000000, "unit": "CNY", "as_written": "324.5億元",
                 "source": {"document": "https://w3id.org/kgqa/resource/doc-0123456789abcdef", "start": 120,
                            "end": 151, "quote": "Acme 2025年Q1營收達324.5億元"}}


@router.get("/entities/{entity_id:path}", summary="An entity: labels, facts, relations, neighbourhood graph",
            responses={200: _json_example({
                "iri": "https://w3id.org/kgqa/resource/acme", "label": "Acme",
                "labels": {"en": "Acme", "zh-Hant": "艾克米", "zh-Hans": "艾克米"}, "types": ["Organization"],
                "facts": [_FACT_EXAMPLE], "relations": [], "documents": [],
                "graph": {"nodes": [{"id": "https://w3id.org/kgqa/resource/acme", "label": "Acme",
                                     "type": "Organization", "x": 0.0, "y": 0.0}], "edges": []}}),
                       404: {"description": "no such entity"}})
async def entity(request: Request, entity_id: str, lang: str = Query("en", pattern=_LANG_PATTERN),
                 store: Store = Depends(get_store)) -> Response:
    """What the graph says about one entity. ``entity_id`` is its short id (``kgr:`` local
    name), its full IRI or one of its labels. JSON unless the client prefers ``text/html``."""
    if prefers_html(request.headers.get("accept")):
        return _page(request)

    def build() -> dict[str, Any] | None:
        iri = views.resolve_entity(store, entity_id)
        return views.entity_view(store, iri, lang=lang) if iri else None

    payload = await run_in_threadpool(build)
    if payload is None:
        raise api_error(404, "entity_not_found",
                        f"no entity {entity_id!r} in the graph; search for it with /api/entities?q=…")
    return JSONResponse(payload, headers={"Vary": "Accept"})


@router.get("/documents/{document_id:path}", summary="A document: text, entity mentions and facts",
            responses={200: _json_example({
                "iri": "https://w3id.org/kgqa/resource/doc-0123456789abcdef", "title": "Acme results",
                "source": "https://example.com/acme", "date": "2025-05-20", "language": "zh-Hant",
                "text": "Acme 2025年Q1營收達324.5億元。",
                "mentions": [{"start": 0, "end": 4, "entity": "https://w3id.org/kgqa/resource/acme",
                              "label": "Acme", "type": "Organization"}], "facts": [_FACT_EXAMPLE]}),
                       404: {"description": "no such document"}, 409: {"description": "ambiguous reference"}})
async def document(request: Request, document_id: str, lang: str | None = Query(None, pattern=_LANG_PATTERN),
                   store: Store = Depends(get_store)) -> Response:
    """One ingested document with its text, mentions (offsets into ``text``) and facts.
    ``document_id`` is its IRI, short id, source, file name or a content-hash prefix."""
    if prefers_html(request.headers.get("accept")):
        return _page(request)
    try:
        payload = await run_in_threadpool(views.document_view, store, document_id, lang=lang)
    except ValueError as exc:
        raise api_error(409, "ambiguous_document", str(exc)) from None
    if payload is None:
        raise api_error(404, "document_not_found",
                        f"no document {document_id!r}; list documents with /sparql or ingest it with `kgqa ingest`")
    return JSONResponse(payload, headers={"Vary": "Accept"})


@router.get("/api/entities", summary="Search entities by label or alias, in any script",
            responses={200: _json_example({"query": "艾克", "results": [
                {"iri": "https://w3id.org/kgqa/resource/acme", "label": "Acme", "type": "Organization"}]})})
async def search(q: str = Query(..., min_length=1, max_length=200, description="text in a label or alias"),
                 limit: int = Query(10, ge=1, le=100), lang: str = Query("en", pattern=_LANG_PATTERN),
                 store: Store = Depends(get_store)) -> dict[str, Any]:
    """Entities whose names contain ``q`` (Traditional, Simplified or English, any case)."""
    results = await run_in_threadpool(views.search_entities, store, q, limit, lang=lang)
    return {"query": q, "results": results}


@router.get("/api/vocabulary", summary="Metric names in three scripts, for displaying facts",
            responses={200: _json_example({"metrics": {"Revenue": {"en": "revenue", "zh-Hant": "營收",
                                                                   "zh-Hans": "营收"}}})})
async def vocabulary(store: Store = Depends(get_store)) -> dict[str, Any]:
    """Every metric of the ontology with its preferred label in English, Traditional and Simplified Chinese."""
    return {"metrics": await run_in_threadpool(views.metric_labels, store)}


def _entity_or_404(store: Store, ref: str) -> str:
    iri = views.resolve_entity(store, ref)
    if iri is None:
        raise api_error(404, "entity_not_found", f"no entity {ref!r} in the graph; search for it with /api/entities?q=…")
    return iri


@router.get("/api/series", summary="A metric of an entity over periods, with the facts behind each point",
            responses={200: _json_example({
                "entity": "https://w3id.org/kgqa/resource/acme", "label": "Acme", "metric": "Revenue",
                "metrics": [{"metric": "Revenue", "labels": {"en": "revenue"}, "facts": 2}],
                "series": [{"granularity": "quarter", "unit": "CNY", "qualifier": None, "points": [
                    {"period": "2025-Q1", "period_label": "Q1 2025", "value": 32450000000, "as_written": "324.5億元",
                     "source": _FACT_EXAMPLE["source"], "more_sources": []}]}]}),
                       404: {"description": "no such entity or metric"}})
async def series(entity: str = Query(..., min_length=1, max_length=500, description="short id, IRI or label"),
                 metric: str | None = Query(None, min_length=1, max_length=200, pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$",
                                            description="metric local name, e.g. Revenue; default: the most observed"),
                 lang: str = Query("en", pattern=_LANG_PATTERN), store: Store = Depends(get_store)) -> dict[str, Any]:
    """The entity's dated figures of one metric, grouped into series of one period granularity,
    unit and qualifier, in calendar order; each point cites the sentence it was read from."""
    def build() -> dict[str, Any]:
        return series_view(store, _entity_or_404(store, entity), metric, lang=lang)

    try:
        return await run_in_threadpool(build)
    except UnknownMetricError:
        raise api_error(404, "metric_not_found",
                        f"no metric {metric!r} in the ontology; /api/vocabulary lists the metrics") from None


@router.get("/api/graph", summary="An entity's neighbourhood grown by the neighbourhoods of other nodes",
            responses={200: _json_example({
                "centre": "https://w3id.org/kgqa/resource/acme", "expanded": ["https://w3id.org/kgqa/resource/acme-cloud"],
                "truncated": False, "nodes": [{"id": "https://w3id.org/kgqa/resource/acme", "label": "Acme",
                                               "type": "Organization", "x": 0.0, "y": 0.0, "centre": True,
                                               "expanded": True}], "edges": []}),
                       404: {"description": "no such entity"}, 422: {"description": "too many expansions"}})
async def graph(entity: str = Query(..., min_length=1, max_length=500, description="the centre: short id or IRI"),
                expand: list[str] = Query([], max_length=views.MAX_EXPANDED,
                                          description="short ids or IRIs of nodes whose neighbours to add"),
                lang: str = Query("en", pattern=_LANG_PATTERN), store: Store = Depends(get_store)) -> dict[str, Any]:
    """The graph drawn on an entity page after the reader expanded some of its nodes, laid out anew."""
    def build() -> dict[str, Any]:
        centre = _entity_or_404(store, entity)
        return views.graph_view(store, centre, [_entity_or_404(store, e) for e in expand], lang=lang)

    return await run_in_threadpool(build)
