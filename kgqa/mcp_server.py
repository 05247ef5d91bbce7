"""kgqa as an MCP server (the official ``mcp`` package), for research assistants.

Four read-only tools, each returning the answer object of DESIGN.md as structured output
(and the same object as JSON text, for clients that read text only):

- ``ask(question, session=None)``: a question in Chinese or English, answered from graph facts;
  a session id keeps the conversation, so follow-ups ("那阿里雲呢?") are understood;
- ``sparql(query)``: a read-only SPARQL query (prefixes ``kgo: kgr: kgm:`` … predefined);
  the answer object carries ``variables`` and ``rows``;
- ``describe_entity(name_or_iri)``: what the graph says about one company, product or person;
- ``search_entities(text, limit=10)``: entities whose names match, in either Chinese script or English;
  the answer object carries ``entities``.

A refused or failed call (an update or SERVICE in ``sparql``, an empty question) returns the answer
object with ``status: "error"`` and a message, marked as a tool error. Run it with ``kgqa mcp``
(stdio) or ``kgqa mcp --http --port N`` (streamable HTTP at ``http://127.0.0.1:N/mcp``).

>>> from kg.store import OxigraphStore
>>> server = build_server(OxigraphStore.in_memory())
>>> import anyio
>>> sorted(t.name for t in anyio.run(server.list_tools))
['ask', 'describe_entity', 'search_entities', 'sparql']
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import Field

from kg import GraphError, QuerySyntaxError, Store, StoreLockedError, UnsafeQueryError
from kg.text import script_of
from qa import QA

from .schema import AnswerModel
from .sparql_errors import explain_syntax_error
from .settings import Settings

try:
    from mcp.server.mcpserver import MCPServer
    from mcp.types import CallToolResult, TextContent, ToolAnnotations
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError('the MCP server needs the `mcp` package: pip install "kgqa[mcp]"') from exc

__all__ = ["AnswerObject", "build_server", "serve"]

INSTRUCTIONS = (
    "A knowledge graph of business news (Traditional/Simplified Chinese, English). Answers come only from "
    "graph facts; every fact carries its source quote, document and character offsets. status 'not_found' "
    "means the graph does not say: do not guess. Use search_entities to find names, describe_entity for an "
    "overview, ask for questions, sparql for anything else (read-only)."
)


AnswerObject = AnswerModel  # the answer object; the tools add ``rows``, ``entities`` … as extra fields

ToolResult = Annotated[CallToolResult, AnswerObject]
_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


def _result(obj: dict[str, Any]) -> CallToolResult:
    """The answer object as structured content and JSON text; an error status marks a tool error."""
    text = json.dumps(obj, ensure_ascii=False, default=str)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=obj,
                          is_error=obj.get("status") == "error")


def _error(question: str, message: str) -> CallToolResult:
    return _result({"question": question[:2000], "status": "error", "answer": message,
                    "language": script_of(question) if question else "en", "mode": "template", "facts": [],
                    "sparql": None, "confidence": 0.0, "kind": None})


def _entities_answer(text: str, lang: str, hits: list[dict[str, Any]]) -> dict[str, Any]:
    """Entity search hits in the answer object's shape (``entities``; confidence from how well the best matched)."""
    from kg.text import to_script

    found = (", " if lang == "en" else "、").join(f"{h['label']} <{h['iri']}>" for h in hits)
    if lang == "en":
        answer = f"{len(hits)} matching entities: {found}" if hits else f"No entity matches {text!r}."
    else:
        answer = f"找到{len(hits)}個實體：{found}" if hits else f"沒有名稱符合「{text}」的實體。"
        answer = to_script(answer, "zh-Hans") if lang == "zh-Hans" else answer
    confidence = {"exact": 1.0, "prefix": 0.8, "contains": 0.6}.get(hits[0].get("matched", ""), 0.5) if hits else 0.0
    return {"question": text, "status": "answered" if hits else "not_found", "answer": answer, "language": lang,
            "mode": "retrieval", "facts": [], "sparql": None, "confidence": confidence, "kind": "search",
            "entities": hits}


def build_server(store: Store, qa: QA | None = None, *, settings: Settings | None = None,
                 max_rows: int = 1000) -> MCPServer:
    """An MCP server whose tools answer from ``store`` (through ``qa`` when given)."""
    from . import service

    if qa is None:
        qa = service.make_qa(settings, store) if settings is not None else QA(store)
    lock = threading.Lock()  # tools run on worker threads; QA keeps caches and sessions

    def _guarded(question: str, run: Callable[[], dict[str, Any]]) -> CallToolResult:
        """One call at a time; what the graph layer refuses or fails to do becomes an error answer object."""
        try:
            with lock:
                return _result(run())
        except QuerySyntaxError as exc:
            return _error(question, f"query refused: {explain_syntax_error(str(exc), question)}")
        except UnsafeQueryError as exc:
            return _error(question, f"query refused: {exc}")
        except GraphError as exc:  # the store is unreachable, locked, or stopped a query at its time limit
            return _error(question, f"the graph store failed: {exc}")

    from . import __version__

    # WARNING: no log line per request (the mcp package logs each at INFO, httpx each store call)
    server: MCPServer = MCPServer("kgqa", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING")

    @server.tool(annotations=_READ_ONLY)
    def ask(question: Annotated[str, Field(description="the question, in Chinese or English")],
            session: Annotated[str | None, Field(description="a conversation id; follow-ups in the same "
                                                             "session are understood")] = None) -> ToolResult:
        """Answer a question from the knowledge graph, with the facts, source quotes and SPARQL it rests on.

        status 'answered' with facts, 'not_found' when the graph does not say (do not guess), or 'error'.
        """
        return _guarded(question, lambda: qa.ask(question, session).to_dict())

    @server.tool(annotations=_READ_ONLY)
    def sparql(query: Annotated[str, Field(description="a read-only SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, "
                                                       "DESCRIBE); prefixes kgo: kgr: kgm: kgp: skos: prov: "
                                                       "are predefined")]) -> ToolResult:
        """Run a read-only SPARQL query over every graph; rows come back in the answer object's `rows`.

        Facts are kgo:Observation nodes (kgo:subject, kgo:metric, kgo:period, kgo:value, kgo:unit,
        kgo:asWritten, prov:wasDerivedFrom a kgo:Mention with kgo:quote, kgo:document, kgo:start, kgo:end)
        and kgo:Assertion nodes (kgo:subject, kgo:predicate, kgo:object). Updates and SERVICE are refused.
        """
        return _guarded(query, lambda: service.sparql_answer(store, query, max_rows=max_rows))

    @server.tool(annotations=_READ_ONLY)
    def describe_entity(name_or_iri: Annotated[str, Field(description="a name in any script or alias "
                                                                      "(騰訊, 腾讯, Tencent), or an entity IRI")]
                        ) -> ToolResult:
        """What the graph says about one company, product, lab or person: its figures and relations, cited."""
        return _guarded(name_or_iri, lambda: qa.describe(name_or_iri).to_dict())

    @server.tool(annotations=_READ_ONLY)
    def search_entities(text: Annotated[str, Field(description="a name or part of one, in any script")],
                        limit: Annotated[int, Field(ge=1, le=100, description="at most this many")] = 10
                        ) -> ToolResult:
        """Find entities by name or alias, in Traditional or Simplified Chinese or English (exact, prefix, contained).

        The matches are in the answer object's `entities` (iri, label, labels, type, matched, name,
        documents: how many documents mention it), best first.
        """
        from .web.views import search_entities as search  # the same search as the web page's

        if not text.strip():
            return _error(text, "empty search text: give a name or part of one")
        lang = script_of(text)
        return _guarded(text, lambda: _entities_answer(text, lang, search(store, text, limit, lang=lang)))

    return server


def serve(settings: Settings, *, http: bool = False, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the tools of the data directory's graph over stdio (default) or streamable HTTP; blocks.

    The store runs behind a child Oxigraph server with the limits of ``kgqa serve``
    (``service.served_store``). The first long-lived process on a data directory records that
    server (``server.json``), so a second ``kgqa mcp``, or ``kgqa ask`` and ``kgqa ingest``
    beside it, go through it instead of failing on the store's lock; beside a running
    ``kgqa serve`` (or another ``kgqa mcp``) it goes through that one. A directory with no
    store, or a graph with no document, is an error saying how to fill it. The fact index and
    the model warm up in the background.
    """
    import signal

    from .errors import NoStoreError
    from .service import make_qa, registered_server, require_documents, served_store

    previous = signal.signal(signal.SIGTERM, _exit_on_signal)  # the finally blocks stop the child server
    try:
        if settings.sparql_endpoint or registered_server(settings) is not None:
            served = served_store(settings)
        else:
            if not settings.store_path.is_dir():
                raise NoStoreError(settings.data_dir)
            served = served_store(settings, register_as=f"http://{host}:{port}/mcp" if http else "mcp over stdio")
        with served as store:
            require_documents(store, settings)
            qa: QA | None = None
            try:
                qa = make_qa(settings, store)
                threading.Thread(target=qa.warm, name="kgqa-warm", daemon=True).start()
                server = build_server(store, qa, settings=settings)
                if http:
                    server.run("streamable-http", host=host, port=port)
                else:
                    server.run("stdio")
            finally:
                if qa is not None:
                    qa.close()
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)
