"""Service functions shared by the CLI, the HTTP app and the MCP server (the shells stay thin)."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ingestion import IngestError, IngestResult, Ingestor, delete_document, iter_document_paths
from ingestion import LLMExtractor
from kg import (KGO, OxigraphStore, SparqlServerStore, Store, StoreError, StoreLockedError, document_graph,
                ensure_reference_graphs)
from kg.namespaces import KGM, KGP, KGU, REFERENCE_GRAPHS, SKOS

from .settings import Settings

if TYPE_CHECKING:
    from kg.oxserver import OxigraphServer
    from qa import QA

__all__ = ["open_store", "served_store", "store_server", "require_documents", "register_server", "registered_server",
           "IngestReport", "ingest_paths", "ingest_bytes", "delete", "documents", "stats", "sample_fact", "validate",
           "export", "ValidationReport", "make_qa", "update_fact_index", "sparql_answer", "LoadReport", "load_file",
           "LOAD_SUFFIXES"]


def open_store(settings: Settings, *, read_only: bool = False, create: bool = True) -> Store:
    """The store kgqa works on, with reference graphs loaded (unless ``read_only``).

    A SPARQL server when ``settings.sparql_endpoint`` is set; else the server of a live
    ``kgqa serve`` on this data directory (recorded in ``server.json``), so that commands run
    beside it go through it; else the embedded on-disk store. With ``create=False`` a data
    directory holding no store is ``NoStoreError`` (nothing is created), not a new empty store.
    """
    from .errors import NoStoreError

    store: Store
    if settings.sparql_endpoint:
        from kg.remote import http_auth

        auth = http_auth(settings.sparql_auth.get_secret_value()) if settings.sparql_auth else None
        store = SparqlServerStore(settings.sparql_endpoint, settings.sparql_update_endpoint,
                                  settings.graph_store_endpoint, timeout=settings.query_timeout_s + 20, auth=auth)
    elif (record := registered_server(settings)) is not None:
        path = settings.data_dir / SERVER_FILE
        store = SparqlServerStore.for_oxigraph(
            str(record["oxigraph_url"]), timeout=settings.query_timeout_s + 20,
            name=f"the store of the `kgqa serve` recorded in {path} (pid {record['pid']}); if no `kgqa serve` "
                 "is running on this data directory, remove that file")
    else:
        if not create and not settings.store_path.is_dir():
            raise NoStoreError(settings.data_dir)
        store = _open_embedded(settings, read_only)
    if not read_only:
        try:
            ensure_reference_graphs(store)
        except BaseException:
            store.close()
            raise
    return store


def require_documents(store: Store, settings: Settings) -> None:
    """Raise ``EmptyGraphError`` (saying how to fill it) when the store holds no document."""
    from .errors import EmptyGraphError

    if not store.ask(f"ASK {{ ?d a <{KGO}Document> }}"):
        raise EmptyGraphError(settings.data_dir)


SERVER_FILE = "server.json"


def _open_embedded(settings: Settings, read_only: bool) -> OxigraphStore:
    """The on-disk store; a lock still held by a dying store server (its `kgqa serve` was killed a
    moment ago) is waited for a few seconds rather than reported."""
    import time

    deadline = time.monotonic() + 10
    while True:
        try:
            return OxigraphStore(settings.store_path, read_only=read_only)
        except StoreLockedError:
            if time.monotonic() > deadline or not _orphan_store_servers(settings):
                raise
            time.sleep(0.1)


def _orphan_store_servers(settings: Settings) -> bool:
    """Whether an ``oxigraph serve`` on this data directory's store is still alive (being torn down)."""
    target = str(settings.store_path)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if len(argv) > 2 and argv[0].endswith(b"oxigraph") and target.encode() in argv:
            return True
    return False


def _process_start(pid: int) -> str | None:
    """The start time of a live process (clock ticks since boot), None if it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
        return None
    return fields[19]


def _pid_alive(pid: int, started: object = None) -> bool:
    """Whether ``pid`` is a live process (and the same one, when its recorded start time is given)."""
    if Path("/proc/self/stat").exists():
        now = _process_start(pid)
        return now is not None and (started is None or str(started) == now)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def registered_server(settings: Settings) -> dict[str, object] | None:
    """The live ``kgqa serve`` recorded for this data directory, or None.

    A record whose process is gone is stale: it is removed and None returned.
    """
    path = settings.data_dir / SERVER_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        pid = int(record["pid"])
        str(record["oxigraph_url"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path} is not a kgqa server record ({exc}); remove it if no `kgqa serve` "
                         "is running") from None
    if not _pid_alive(pid, record.get("pid_start")):
        path.unlink(missing_ok=True)  # its server was killed: the record is stale
        return None
    return record  # type: ignore[no-any-return]


@contextlib.contextmanager
def register_server(settings: Settings, oxigraph_url: str, http_url: str) -> Iterator[Path]:
    """Record (in ``DATA_DIR/server.json``) that this process serves the data directory.

    While the record exists, ``open_store`` in other processes goes through ``oxigraph_url``.
    Refuses when another live server is recorded; the record is removed on exit.
    """
    other = registered_server(settings)
    if other is not None and int(str(other["pid"])) != os.getpid():
        raise StoreLockedError(f"{settings.data_dir} is already served by another kgqa process (pid {other['pid']}, "
                               f"{other.get('http_url')}: `kgqa serve` or `kgqa mcp`); stop it first")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / SERVER_FILE
    record = {"pid": os.getpid(), "pid_start": _process_start(os.getpid()), "oxigraph_url": oxigraph_url,
              "http_url": http_url, "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the owner's only
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(record, indent=2) + "\n")
    os.replace(tmp, path)
    try:
        yield path
    finally:
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink()
        except (OSError, ValueError):
            pass


def store_server(settings: Settings) -> "OxigraphServer":
    """The child Oxigraph server for the data directory's store, with the configured limits."""
    from kg.oxserver import OxigraphServer

    return OxigraphServer(settings.store_path, timeout_s=settings.query_timeout_s,
                          isolated=settings.store_isolation == "namespace", memory_limit_mb=settings.store_memory_mb)


@contextlib.contextmanager
def served_store(settings: Settings, *, reference_graphs: bool = True, register_as: str | None = None,
                 supervise: bool = True) -> Iterator[Store]:
    """The data directory's store behind a child Oxigraph server, so every limit holds: the query
    time limit (a query the server fails to stop gets it restarted), the memory limit, and no
    network for the store (``KGQA_STORE_ISOLATION``). ``kgqa serve``, ``kgqa mcp`` and
    ``kgqa sparql`` all use it. With ``KGQA_SPARQL_ENDPOINT``, or a running ``kgqa serve`` on the
    data directory, the store is that server's (whose limits are its own). ``register_as`` (the
    HTTP URL of this process) records the server in ``server.json`` for other commands.
    ``supervise=False`` (one-shot commands) does not start a server that died again.
    """
    import threading

    from kg.oxserver import EXIT_MEMORY

    if register_as is None and (settings.sparql_endpoint or registered_server(settings) is not None):
        store = open_store(settings, read_only=not reference_graphs)
        try:
            yield store
        finally:
            store.close()
        return
    if register_as is not None:
        other = registered_server(settings)
        if other is not None and int(str(other["pid"])) != os.getpid():
            raise StoreLockedError(f"{settings.data_dir} is already served by `kgqa serve` (pid {other['pid']}, "
                                   f"{other.get('http_url')}); stop it first")
    server = store_server(settings)
    server.restart_on_exit = supervise
    server.start()
    try:
        restarting = threading.Lock()

        def restart_once() -> None:
            if restarting.acquire(blocking=False):  # one restart at a time; others ride on it
                try:
                    server.restart()
                finally:
                    restarting.release()

        def restart() -> None:  # the client gave up on a query the server did not stop: get the CPU back
            threading.Thread(target=restart_once, name="kgqa-store-restart", daemon=True).start()

        store = SparqlServerStore.for_oxigraph(server.url, timeout=settings.query_timeout_s + 5,
                                               name="the graph store", on_timeout=restart)
        try:
            if reference_graphs:
                ensure_reference_graphs(store)
            if register_as is None:
                yield store
            else:
                with register_server(settings, server.url, register_as):
                    yield store
        except StoreError:
            if server.last_exit == EXIT_MEMORY:
                raise StoreError(f"the query took more memory than the store may use "
                                 f"({settings.store_memory_mb:g} MB, setting KGQA_STORE_MEMORY_MB) and was "
                                 "stopped; make it more selective (bound IRIs, LIMIT)") from None
            raise
        finally:
            store.close()
    finally:
        server.stop()


@dataclass
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    interrupted: bool = False  # stopped by Ctrl-C between two documents; every one written is complete

    @property
    def ok(self) -> bool:
        return not self.errors and not self.interrupted

    @property
    def skipped(self) -> int:
        return sum(r.skipped for r in self.results)


def ingest_paths(store: Store, settings: Settings, paths: Iterable[str | Path], *, title: str | None = None,
                 source: str | None = None, date: str | dt.date | None = None,
                 progress: Callable[[Path, IngestResult | IngestError], None] | None = None,
                 llm_extractor: LLMExtractor | None = None, workers: int = 1, force: bool = False,
                 update_index: bool = True) -> IngestReport:
    """Ingest files and folders; one bad file is reported and the others still go in.

    ``workers`` > 1 analyses documents in that many processes while this one writes, with
    the same result as one process. A document already stored with the same content is
    skipped unless ``force``; so a run stopped by Ctrl-C (``report.interrupted``) resumes
    where it stopped. With ``llm_extractor`` a chat model's checked facts are added to the
    rule facts (one process only). ``progress`` hears of each document as it is written.
    Then (``update_index``, unless interrupted) the persisted fact index is brought up to date.
    """
    from ingestion import ingest_in_order

    if llm_extractor is not None and workers > 1:
        raise ValueError("LLM extraction runs in one process: use workers=1 with an LLM extractor")
    ingestor = Ingestor(store, max_bytes=settings.max_document_bytes, validate_shacl=settings.validate_shacl,
                        llm_extractor=llm_extractor, force=force)
    report = IngestReport()
    files = list(iter_document_paths(paths))
    try:
        for path, outcome in ingest_in_order(ingestor, files, workers=workers, title=title, source=source,
                                             date=date):
            if isinstance(outcome, IngestError):
                report.errors.append(outcome)
            else:
                report.results.append(outcome)
            if progress:
                progress(path, outcome)
    except KeyboardInterrupt:
        report.interrupted = True
    if update_index and not report.interrupted:
        update_fact_index(store, settings)
    return report


def ingest_bytes(store: Store, settings: Settings, data: bytes, name: str, *, title: str | None = None,
                 source: str | None = None, date: str | dt.date | None = None) -> IngestResult:
    """Ingest one uploaded document given as bytes and a file name (.txt .md .html); raises IngestError."""
    from ingestion import DocumentReadError, parse_document
    from ingestion.decode import decode_bytes
    from ingestion.document import check_document_name

    check_document_name(name)

    if len(data) > settings.max_document_bytes:
        raise DocumentReadError(name, f"too large ({len(data)} bytes; the limit is {settings.max_document_bytes}, "
                                      "setting KGQA_MAX_DOCUMENT_BYTES)")
    decoded = decode_bytes(data, name)
    doc = parse_document(decoded.text, name=name, encoding=decoded.encoding, title=title, source=source, date=date,
                         is_html=name.lower().endswith((".html", ".htm")))
    ingestor = Ingestor(store, max_bytes=settings.max_document_bytes, validate_shacl=settings.validate_shacl)
    return ingestor.ingest_document(doc)


# File name endings of the RDF dumps ``load_file`` reads, and their formats.
LOAD_SUFFIXES = {".nq": "nquads", ".nquads": "nquads", ".trig": "trig", ".ttl": "turtle", ".turtle": "turtle",
                 ".nt": "ntriples", ".ntriples": "ntriples", ".rdf": "rdfxml", ".owl": "rdfxml"}


@dataclass
class LoadReport:
    path: str
    format: str
    graph: str | None
    quads_before: int
    quads_after: int
    seconds: float

    @property
    def added(self) -> int:
        return self.quads_after - self.quads_before


def load_file(store: Store, path: str | Path, *, fmt: str | None = None, graph: str | None = None) -> LoadReport:
    """Bulk-load an RDF dump (N-Quads, TriG, Turtle, N-Triples) into the store.

    The format comes from the file name unless given; a triple format goes into ``graph``
    (default: the default graph). The whole file is parsed before anything is written, so
    a malformed file raises ``StoreError`` naming the file and line, and nothing is loaded.
    """
    import time

    from kg import FORMATS

    p = Path(path).expanduser()
    if fmt is None:
        fmt = LOAD_SUFFIXES.get(p.suffix.lower())
        if fmt is None:
            raise StoreError(f"{p}: cannot tell the RDF format from the name; give --format "
                             f"({', '.join(sorted(set(LOAD_SUFFIXES.values())))})")
    elif fmt not in FORMATS:
        raise StoreError(f"unknown format {fmt!r}: {', '.join(FORMATS)}")
    if not p.is_file():
        raise StoreError(f"{p}: no such file")
    before = store.count()
    t0 = time.perf_counter()
    try:
        with open(p, "rb") as f:
            store.load(f, fmt, graph)
    except StoreError as exc:
        exc.args = (f"{p}: {exc}",)  # name the file, keep the kind of error
        raise
    except OSError as exc:
        raise StoreError(f"{p}: cannot be read ({exc.strerror})") from None
    seconds = time.perf_counter() - t0
    return LoadReport(str(p), fmt, graph, before, store.count(), seconds)


def delete(store: Store, ref: str, settings: Settings | None = None) -> str | None:
    """Delete a document (see ``ingestion.delete_document``); with ``settings``, update the fact index after."""
    doc = delete_document(store, ref)
    if doc is not None and settings is not None:
        update_fact_index(store, settings)
    return doc


def documents(store: Store) -> list[dict[str, object]]:
    """Every stored document: ``iri``, ``name`` (file name), ``title``, ``date``, ``source``, fact counts."""
    from kg.namespaces import DCTERMS, RDFS

    rows = store.select(f"""SELECT ?d ?name ?t ?date ?src WHERE {{ ?d a <{KGO}Document> .
        OPTIONAL {{ ?d <{RDFS}label> ?name }} OPTIONAL {{ ?d <{DCTERMS}title> ?t }}
        OPTIONAL {{ ?d <{DCTERMS}date> ?date }} OPTIONAL {{ ?d <{DCTERMS}source> ?src }} }} ORDER BY ?name ?d""")
    counts: dict[tuple[str, str], int] = {}
    for kind in ("Observation", "Assertion"):
        for d, n in store.select(f"""SELECT ?d (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{KGO}{kind}> ;
                <http://www.w3.org/ns/prov#wasDerivedFrom>/<{KGO}document> ?d }} GROUP BY ?d"""):
            counts[(kind, d)] = int(n)
    out: dict[str, dict[str, object]] = {}
    for d, name, title, date, src in rows:
        out.setdefault(d, {"iri": d, "name": name, "title": title, "date": None if date is None else str(date),
                           "source": src, "observations": counts.get(("Observation", d), 0),
                           "relations": counts.get(("Assertion", d), 0)})
    return list(out.values())


def stats(store: Store) -> dict[str, object]:
    def count(q: str) -> int:
        rows = store.select(q)
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    metrics = store.select(f"""SELECT ?m (COUNT(?o) AS ?n) WHERE {{ ?o a <{KGO}Observation> ; <{KGO}metric> ?m }}
                               GROUP BY ?m ORDER BY DESC(?n) ?m""")
    return {
        "documents": count(f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a <{KGO}Document> }}"),
        "observations": count(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{KGO}Observation> }}"),
        "relations": count(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{KGO}Assertion> }}"),
        "mentions": count(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{KGO}Mention> }}"),
        "entities_mentioned": count(f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e <{KGO}mentionedIn> ?d }}"),
        "catalog_entities": count(f"""SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
            GRAPH <{REFERENCE_GRAPHS['catalog']}> {{ ?e <{SKOS}prefLabel> ?l }} }}"""),
        "triples": store.count(),
        "graphs": len(store.graphs()),
        "metrics": {m[len(KGM):]: int(n) for m, n in metrics},
    }


def sample_fact(store: Store) -> dict[str, object] | None:
    """One observation with a value, its subject's label and its source quote."""
    rows = store.select(f"""
        SELECT ?o ?label ?m ?v ?u ?p ?q ?doc ?start ?end WHERE {{
          ?o a <{KGO}Observation> ; <{KGO}subject> ?s ; <{KGO}metric> ?m ; <{KGO}value> ?v ; <{KGO}unit> ?u ;
             <http://www.w3.org/ns/prov#wasDerivedFrom> ?men .
          ?men <{KGO}quote> ?q ; <{KGO}document> ?doc ; <{KGO}start> ?start ; <{KGO}end> ?end .
          ?s <{SKOS}prefLabel> ?label . FILTER(LANG(?label) = "en")
          OPTIONAL {{ ?o <{KGO}period> ?p }}
        }} ORDER BY DESC(BOUND(?p)) DESC(?v) LIMIT 1""")
    if not rows:
        return None
    o, label, m, v, u, p, q, doc, start, end = rows[0]
    return {"fact": o, "subject": label, "metric": m[len(KGM):], "value": v, "unit": u[len(KGU):],
            "period": p[len(KGP):] if p else None, "quote": q, "document": doc, "start": start, "end": end}


@dataclass
class ValidationReport:
    conforms: bool
    problems: list[str]
    checked_mentions: int


def validate(store: Store) -> ValidationReport:
    """SHACL over every document graph, and every mention's quote against its document's text."""
    import rdflib

    from ingestion.validate import shacl_problems

    problems: list[str] = []
    g = rdflib.Graph()
    docs = [d for (d,) in store.select(f"SELECT DISTINCT ?d WHERE {{ ?d a <{KGO}Document> }}")]
    texts = {d: t for d, t in store.select(f"SELECT ?d ?t WHERE {{ ?d <{KGO}text> ?t }}")}
    for d in docs:
        for q in store.quads(document_graph(d)):
            g.add(_to_rdflib(q))
    checked = 0
    for m, d, a, b, quote in store.select(f"""SELECT ?m ?d ?a ?b ?q WHERE {{ ?m a <{KGO}Mention> ;
            <{KGO}document> ?d ; <{KGO}start> ?a ; <{KGO}end> ?b ; <{KGO}quote> ?q }}"""):
        checked += 1
        text = texts.get(d)
        if text is None or text[a:b] != quote:
            problems.append(f"mention {m}: text[{a}:{b}] does not equal its quote")
    if len(g):
        problems.extend(shacl_problems(data=g))
    return ValidationReport(not problems, problems, checked)


def _to_rdflib(q: object):  # type: ignore[no-untyped-def]
    import rdflib
    from pyoxigraph import BlankNode, Literal, NamedNode

    def conv(t: object):  # type: ignore[no-untyped-def]
        if isinstance(t, NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, BlankNode):
            return rdflib.BNode(t.value)
        if isinstance(t, Literal):
            if t.language:
                return rdflib.Literal(t.value, lang=t.language)
            return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
        raise TypeError(t)

    return conv(q.subject), conv(q.predicate), conv(q.object)  # type: ignore[attr-defined]


def export(store: Store, out: IO[bytes], fmt: str) -> None:
    if fmt == "graphml":
        import networkx as nx

        from kg.graphview import entity_graph

        g = entity_graph(store)
        for _, _, data in g.edges(data=True):
            data["fact"] = data.get("fact") or ""
        nx.write_graphml(g, out)
        return
    store.export(out, fmt)


# -- for the MCP server and the integrations (engineer "mcp") ---------------------------------
def make_qa(settings: Settings, store: Store) -> "QA":
    """The question answerer for a store, configured from settings (an LLM only when ``settings.llm`` names one)."""
    from qa import QA

    kwargs: dict[str, object] = {}
    if settings.llm:
        from qa.llm import load_chat_model  # type: ignore[import-not-found,unused-ignore]

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        kwargs["llm"] = load_chat_model(settings.llm, timeout=settings.llm_timeout_s, api_key=key)
    return QA(store, max_question_chars=settings.max_question_chars, embedding_model=settings.embedding_model,
              llm_timeout_s=settings.llm_timeout_s, llm_max_repairs=settings.llm_max_repairs,
              index_dir=settings.index_path, answer_timeout_s=settings.answer_timeout_s,
              **kwargs)  # type: ignore[arg-type]


def update_fact_index(store: Store, settings: Settings) -> None:
    """Bring the persisted fact index up to date after documents were added or deleted: facts are
    verbalised again, only new ones embedded (with ``settings.embedding_model``), removed ones dropped.

    Run by ``kgqa ingest`` and ``kgqa delete``; the server updates it in the background after uploads.
    """
    from kg.factindex import FactIndexer

    FactIndexer(store, settings.embedding_model, settings.index_path).update()


def sparql_answer(store: Store, query: str, *, max_rows: int = 1000) -> dict[str, object]:
    """Run a read-only SPARQL query; the result in the answer object's shape, with ``variables`` and ``rows``.

    Raises ``kg.GraphError`` (``UnsafeQueryError``, ``QuerySyntaxError``, ``StoreError``) when refused or failed.
    """
    from pyoxigraph import QueryBoolean, QuerySolutions

    from kg import check_read_only, term_value

    form = check_read_only(query)
    res = store.raw_query(query)
    out: dict[str, object] = {"question": query, "language": "en", "mode": "sparql", "facts": [],
                              "sparql": query, "kind": form.lower()}
    if isinstance(res, QueryBoolean):
        return {**out, "status": "answered", "answer": str(bool(res)).lower(), "boolean": bool(res),
                "variables": [], "rows": [], "truncated": False, "confidence": 1.0}
    rows: list[dict[str, object]] = []
    truncated = False
    if isinstance(res, QuerySolutions):
        names = [v.value for v in res.variables]
        for sol in res:
            if len(rows) >= max_rows:
                truncated = True
                break
            rows.append({n: term_value(sol[n]) for n in names})
    else:  # CONSTRUCT / DESCRIBE: triples
        names = ["subject", "predicate", "object"]
        for t in res:
            if len(rows) >= max_rows:
                truncated = True
                break
            rows.append({"subject": term_value(t.subject), "predicate": term_value(t.predicate),
                         "object": term_value(t.object)})
    n = len(rows)
    text = f"{n}{'+' if truncated else ''} {'row' if n == 1 else 'rows'}" + (f" (first {max_rows} shown)" if truncated else "")
    return {**out, "status": "answered" if rows else "not_found", "answer": text, "variables": names,
            "rows": rows, "truncated": truncated, "confidence": 1.0 if rows else 0.0}
