"""The SPARQL 1.1 Protocol endpoint: ``GET|POST /sparql`` (read-only) and ``POST /update`` (token).

The query path is kept lean: check the query (read-only, SERVICE allow-list, no file
IRIs), pass it to the store in the format the client accepts, and return the bytes as
they come. Results are only re-serialised when the row limit cuts them, or for a graph
format the store was not asked for (graph results are fetched as N-Triples so that
triples can be counted).

>>> negotiate("text/csv;q=0.5, application/sparql-results+json", SELECT_MEDIA)
'application/sparql-results+json'
>>> negotiate("text/html", SELECT_MEDIA) is None
True
>>> limit_rows(b'?s\\n<a>\\n<b>\\n<c>\\n', "tsv", 2)
(b'?s\\n<a>\\n<b>\\n', True)
>>> cap_rows("SELECT * WHERE { ?s ?p ?o } # all", 10)
'SELECT * WHERE { ?s ?p ?o } # all\\nLIMIT 11'
>>> cap_rows("SELECT * WHERE { ?s ?p '}' } ORDER BY ?s LIMIT 500 OFFSET 2", 10)
"SELECT * WHERE { ?s ?p '}' } ORDER BY ?s LIMIT 11 OFFSET 2"
"""
from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import threading
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pyoxigraph import (Literal, NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Triple,
                        parse, serialize)

from kg import PREFIXES, GraphError, QuerySyntaxError, Store, check_read_only
from kg.sparql import blank_literals, check_update as _check_update

from ..sparql_errors import explain_syntax_error
from .deps import get_settings, get_store, require_token
from .errors import ERROR_RESPONSES, api_error, from_graph_error

__all__ = ["router", "negotiate", "limit_rows", "cap_rows", "check_update", "run_query", "run_update",
           "SELECT_MEDIA", "GRAPH_MEDIA"]

router = APIRouter(tags=["SPARQL"])

# media type the client may ask for -> (format key, media type we answer with)
SELECT_MEDIA: dict[str, tuple[str, str]] = {
    "application/sparql-results+json": ("json", "application/sparql-results+json"),
    "application/json": ("json", "application/sparql-results+json"),
    "application/sparql-results+xml": ("xml", "application/sparql-results+xml"),
    "application/xml": ("xml", "application/sparql-results+xml"),
    "text/xml": ("xml", "application/sparql-results+xml"),
    "text/csv": ("csv", "text/csv; charset=utf-8"),
    "text/tab-separated-values": ("tsv", "text/tab-separated-values; charset=utf-8"),
}
GRAPH_MEDIA: dict[str, tuple[str, str]] = {
    "text/turtle": ("turtle", "text/turtle; charset=utf-8"),
    "application/turtle": ("turtle", "text/turtle; charset=utf-8"),
    "application/x-turtle": ("turtle", "text/turtle; charset=utf-8"),
    "text/n3": ("turtle", "text/turtle; charset=utf-8"),
    "application/n-triples": ("ntriples", "application/n-triples"),
    "text/plain": ("ntriples", "application/n-triples"),
    "application/ld+json": ("jsonld", "application/ld+json"),
    "application/x-json+ld": ("jsonld", "application/ld+json"),
    "application/json": ("jsonld", "application/ld+json"),
    "application/rdf+xml": ("rdfxml", "application/rdf+xml"),
    "application/xml": ("rdfxml", "application/rdf+xml"),
}
_RESULT_FORMATS = {"json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
                   "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}
_RDF_FORMATS = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
                "rdfxml": RdfFormat.RDF_XML}
_UPSTREAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
             "csv": "text/csv", "tsv": "text/tab-separated-values", "ntriples": "application/n-triples"}
TRUNCATED_HEADER = "KGQA-Result-Truncated"


# -- content negotiation -------------------------------------------------------------------
def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        ranges.append((bits[0].lower(), q))
    return ranges


def negotiate(accept: str | None, offers: dict[str, tuple[str, str]]) -> str | None:
    """The offered media type the ``Accept`` header prefers (the first offer when anything goes)."""
    if not accept or not accept.strip():
        return next(iter(offers))
    ranges = _accept_ranges(accept)
    best: tuple[float, int, int, str] | None = None  # (q, specificity, -position, offer)
    for offer_pos, offer in enumerate(offers):
        otype = offer.split("/")[0]
        for pos, (rng, q) in enumerate(ranges):
            if rng == offer:
                spec = 2
            elif rng == otype + "/*":
                spec = 1
            elif rng == "*/*":
                spec = 0
            else:
                continue
            # an exact range decides; wildcard ranges rank offers in our order
            key = (q, spec, -pos if spec == 2 else -offer_pos, offer)
            if q > 0 and (best is None or key[:3] > best[:3]):
                best = key
    return best[3] if best else None


# -- the row limit ----------------------------------------------------------------------------
def limit_rows(body: bytes, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    """Cut a result body to ``max_rows`` rows (triples for N-Triples); say whether it was cut.

    A cheap upper bound on the row count is taken first, so results under the limit are
    returned untouched without being parsed.
    """
    if fmt in ("tsv", "ntriples"):
        lines = body.split(b"\n")
        header = 1 if fmt == "tsv" else 0
        rows = [ln for ln in lines[header:] if ln.strip()]
        if len(rows) <= max_rows:
            return body, False
        return b"\n".join(lines[:header] + rows[:max_rows]) + b"\n", True
    if fmt == "csv":
        if body.count(b"\n") <= max_rows + 1:
            return body, False
        reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        cut = False
        for i, row in enumerate(reader):
            if i > max_rows:
                cut = True
                break
            writer.writerow(row)
        return (out.getvalue().encode("utf-8"), True) if cut else (body, False)
    if fmt == "xml":
        if body.count(b"<result>") <= max_rows:
            return body, False
        pos = 0
        for _ in range(max_rows):
            pos = body.index(b"</result>", pos) + len(b"</result>")
        return body[:pos] + b"</results></sparql>", True
    if fmt == "json":
        if body.count(b"{") <= max_rows + 2:
            return body, False
        doc = json.loads(body)
        bindings = doc.get("results", {}).get("bindings")
        if bindings is None or len(bindings) <= max_rows:
            return body, False
        doc["results"]["bindings"] = bindings[:max_rows]
        return json.dumps(doc, ensure_ascii=False).encode("utf-8"), True
    return body, False


def cap_rows(query: str, max_rows: int) -> str:
    """The query with a top-level ``LIMIT`` of at most ``max_rows + 1``, so the store never makes more.

    One row over the limit still comes back, so a cut can be told apart from an exact fit.
    A query ending in a VALUES block is left alone (its output is still cut afterwards).
    """
    blank = blank_literals(query)  # same positions, no strings/IRIs/comments
    end = blank.rfind("}")
    if end < 0:
        return query
    tail = blank[end + 1:]
    if re.search(r"\bVALUES\b", tail, re.I):
        return query
    cap = max_rows + 1
    m = re.search(r"\bLIMIT\s+(\d+)", tail, re.I)
    if m is None:
        return query + f"\nLIMIT {cap}"
    if int(m.group(1)) <= cap:
        return query
    return query[:end + 1 + m.start(1)] + str(cap) + query[end + 1 + m.end(1):]


# -- running queries and updates --------------------------------------------------------------
def run_query(store: Store, query: str, upstream: str) -> bytes:
    """The store's answer to ``query`` in ``upstream`` format (json, xml, csv, tsv, ntriples)."""
    query_bytes = getattr(store, "query_bytes", None)
    if query_bytes is not None:
        body, _ctype = query_bytes(query, _UPSTREAM[upstream])
        return body  # type: ignore[no-any-return]
    res = store.raw_query(query)
    if isinstance(res, (QuerySolutions, QueryBoolean)):
        if upstream == "ntriples":
            raise QuerySyntaxError("expected a CONSTRUCT or DESCRIBE query")
        return res.serialize(format=_RESULT_FORMATS[upstream])  # type: ignore[no-any-return]
    if upstream == "ntriples":
        return res.serialize(format=RdfFormat.N_TRIPLES)  # type: ignore[no-any-return]
    raise QuerySyntaxError("expected a SELECT or ASK query")


def check_update(update: str, *, allow_service: tuple[str, ...] = ()) -> None:
    """Raise unless the update stays on the local graph: no LOAD, no file IRIs, SERVICE only if allowed."""
    _check_update(update, allow_service=allow_service)


def run_update(store: Store, update: str) -> None:
    upd = getattr(store, "update", None)
    if upd is not None:
        upd(update)
        return
    inner = getattr(store, "_store", None)  # the embedded OxigraphStore keeps its pyoxigraph store here
    if inner is None:
        raise api_error(501, "updates_unsupported", f"{type(store).__name__} does not take SPARQL updates")
    try:
        inner.update(update, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc).splitlines()[0]) from None


# -- request parsing --------------------------------------------------------------------------
def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise api_error(400, "bad_request", f"give one `{name}` parameter, not {len(values)}")
    return values[0]


async def _read_operation(request: Request, field: str, direct_type: str) -> str | None:
    """The query or update text from the query string, a form, or a direct POST body."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "GET":
        text = _one(params, field)
    else:
        mtype = _media_type(request)
        body = await request.body()
        try:
            raw = body.decode("utf-8")
        except UnicodeDecodeError:
            raise api_error(400, "bad_encoding", "the request body is not UTF-8") from None
        if mtype == "application/x-www-form-urlencoded":
            params = {**params, **parse_qs(raw, keep_blank_values=True)}
            text = _one(params, field)
        elif mtype == direct_type:
            text = raw
        else:
            raise api_error(415, "unsupported_media_type",
                            f"send the {field} as {direct_type} or application/x-www-form-urlencoded "
                            f"(got {mtype or 'no Content-Type'})")
    for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
        if params.get(name):
            raise api_error(400, "unsupported_parameter",
                            f"`{name}` is not supported; name graphs in the {field} (FROM, GRAPH, USING)")
    return text


# -- routes -----------------------------------------------------------------------------------
_QUERY_PARAM = [{"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "a read-only SPARQL query; without it the service description is returned",
                 "examples": {"labels": {"value": "SELECT ?e ?label WHERE { ?e skos:prefLabel ?label } LIMIT 5"}}}]
_QUERY_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "SELECT/ASK results (JSON, XML, CSV, TSV) or CONSTRUCT/DESCRIBE triples "
                         "(Turtle, N-Triples, JSON-LD, RDF/XML), by the Accept header",
          "content": {"application/sparql-results+json": {"example": {
              "head": {"vars": ["e", "label"]},
              "results": {"bindings": [{"e": {"type": "uri", "value": "https://kgqa.example/r/baidu"},
                                        "label": {"type": "literal", "value": "百度", "xml:lang": "zh-Hant"}}]}}},
              "application/sparql-results+xml": {}, "text/csv": {}, "text/tab-separated-values": {},
              "text/turtle": {}, "application/n-triples": {}, "application/ld+json": {}}},
    403: {"description": "the query is not allowed (update, SERVICE not on the allow-list, file IRIs)",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}},
    406: {"description": "no result format matches the Accept header",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}},
    415: {"description": "unsupported Content-Type",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}},
    **ERROR_RESPONSES,
}
_QUERY_BODY = {"requestBody": {"required": False, "content": {
    "application/sparql-query": {"schema": {"type": "string"},
                                 "example": "ASK { ?s a <https://kgqa.example/o/Observation> }"},
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"query": {"type": "string"}},
                                                     "required": ["query"]},
                                          "example": {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}}}}}


@router.get("/sparql", summary="SPARQL query (GET)", responses=_QUERY_RESPONSES,
            openapi_extra={"parameters": _QUERY_PARAM})
async def sparql_get(request: Request) -> Response:
    """Run a read-only SPARQL query given as `?query=`; without one, describe the service."""
    return await _answer(request)


@router.post("/sparql", summary="SPARQL query (POST)", responses=_QUERY_RESPONSES, openapi_extra=_QUERY_BODY)
async def sparql_post(request: Request) -> Response:
    """Run a read-only SPARQL query sent as `application/sparql-query` or a `query=` form field."""
    return await _answer(request)


async def _answer(request: Request) -> Response:
    settings = get_settings(request)
    query = await _read_operation(request, "query", "application/sparql-query")
    if query is None:
        if request.method == "POST":
            raise api_error(400, "missing_query", "no `query` given")
        return _service_description(request)
    try:
        form = check_read_only(query, allow_service=tuple(settings.service_allowlist))
    except GraphError as exc:
        raise from_graph_error(exc) from None
    accept = request.headers.get("accept")
    offers = GRAPH_MEDIA if form in ("CONSTRUCT", "DESCRIBE") else SELECT_MEDIA
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise api_error(406, "not_acceptable", f"no {form} result format matches Accept: {accept}; "
                                               f"offered: {', '.join(offers)}")
    fmt, media = offers[chosen]
    upstream = "ntriples" if offers is GRAPH_MEDIA else fmt
    store = get_store(request)
    sent = query if form == "ASK" else cap_rows(query, settings.max_result_rows)
    try:
        # the store stops queries at the limit; this deadline also covers queries it fails to stop
        body = await asyncio.wait_for(run_in_threadpool(run_query, store, sent, upstream),
                                      settings.query_timeout_s + 2)
    except asyncio.TimeoutError:
        # the store server did not stop it: restart it (in the background) so the query stops burning CPU
        restart = getattr(request.app.state, "restart_store", None)
        if restart is not None:
            threading.Thread(target=restart, name="kgqa-store-restart", daemon=True).start()
        raise api_error(503, "query_timeout", f"the query ran past the time limit ({settings.query_timeout_s:g} s); "
                                              "make it more selective (bound IRIs, LIMIT)") from None
    except QuerySyntaxError as exc:
        raise from_graph_error(QuerySyntaxError(explain_syntax_error(str(exc), query))) from None
    except GraphError as exc:
        raise from_graph_error(exc) from None
    headers = {}
    if form != "ASK":
        body, cut = limit_rows(body, upstream, settings.max_result_rows)
        if cut:
            headers[TRUNCATED_HEADER] = str(settings.max_result_rows)
    if upstream != fmt:
        body = serialize(parse(body, RdfFormat.N_TRIPLES), format=_RDF_FORMATS[fmt],
                         prefixes=PREFIXES if fmt == "turtle" else None)
    return Response(body, media_type=media, headers=headers)


def _service_description(request: Request) -> Response:
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    me = NamedNode(str(request.url.replace(query="")))
    triples = [Triple(me, rdf_type, NamedNode(sd + "Service")),
               Triple(me, NamedNode(sd + "endpoint"), me),
               Triple(me, NamedNode(sd + "supportedLanguage"), NamedNode(sd + "SPARQL11Query")),
               Triple(me, NamedNode(sd + "feature"), NamedNode(sd + "UnionDefaultGraph")),
               Triple(me, NamedNode("http://purl.org/dc/terms/description"),
                      Literal("kgqa: business-news knowledge graph; read-only SPARQL 1.1 query endpoint"))]
    for iri in ("http://www.w3.org/ns/formats/SPARQL_Results_JSON", "http://www.w3.org/ns/formats/SPARQL_Results_XML",
                "http://www.w3.org/ns/formats/SPARQL_Results_CSV", "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
                "http://www.w3.org/ns/formats/Turtle", "http://www.w3.org/ns/formats/N-Triples",
                "http://www.w3.org/ns/formats/JSON-LD", "http://www.w3.org/ns/formats/RDF_XML"):
        triples.append(Triple(me, NamedNode(sd + "resultFormat"), NamedNode(iri)))
    chosen = negotiate(request.headers.get("accept"), GRAPH_MEDIA) or "text/turtle"
    fmt, media = GRAPH_MEDIA[chosen]
    return Response(serialize(triples, format=_RDF_FORMATS[fmt], prefixes={"sd": sd} if fmt == "turtle" else None),
                    media_type=media)


_UPDATE_BODY = {"requestBody": {"required": True, "content": {
    "application/sparql-update": {"schema": {"type": "string"},
                                  "example": "INSERT DATA { GRAPH <https://kgqa.example/g/notes> "
                                             "{ <https://kgqa.example/r/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" } }"},
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"update": {"type": "string"}},
                                                     "required": ["update"]}}}}}


@router.post("/update", summary="SPARQL update (bearer token)", openapi_extra=_UPDATE_BODY,
             responses={200: {"description": "the update was applied",
                              "content": {"application/json": {"example": {"status": "ok"}}}},
                        401: {"description": "no or wrong bearer token"},
                        403: {"description": "updates are off (no token configured) or the update is not allowed"},
                        415: {"description": "unsupported Content-Type"}, **ERROR_RESPONSES})
async def sparql_update(request: Request) -> dict[str, str]:
    """Apply a SPARQL 1.1 update; needs `Authorization: Bearer <token>`. LOAD and file IRIs are refused."""
    require_token(request)
    settings = get_settings(request)
    update = await _read_operation(request, "update", "application/sparql-update")
    if update is None:
        raise api_error(400, "missing_update", "no `update` given")
    try:
        check_update(update, allow_service=tuple(settings.service_allowlist))
        await run_in_threadpool(run_update, get_store(request), update)
    except GraphError as exc:
        if isinstance(exc, QuerySyntaxError):
            exc = QuerySyntaxError(explain_syntax_error(str(exc), update))
        e = from_graph_error(exc)
        if e.code == "query_not_allowed":
            raise api_error(403, "update_not_allowed", e.message) from None
        if e.code == "malformed_query":
            raise api_error(400, "malformed_update", e.message) from None
        raise e from None
    return {"status": "ok"}
