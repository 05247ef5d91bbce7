"""The ``kgqa`` command line: a thin shell over kgqa.service and qa."""
from __future__ import annotations

import json
import re
import sys
import threading
from pathlib import Path
from typing import Annotated, Optional

import typer

from .settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Knowledge-graph question answering over business news.")

def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"kgqa {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="print the version and exit")] = False) -> None:
    """Knowledge-graph question answering over business news."""


DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="data directory (default: $KGQA_DATA_DIR "
                                                 "or ~/.local/share/kgqa)")]


def _settings(data_dir: Path | None) -> Settings:
    try:
        return Settings(data_dir=data_dir) if data_dir else Settings()
    except Exception as exc:  # pydantic ValidationError: bad configuration must fail loudly
        _fail(f"invalid configuration: {exc}")
        raise


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _store(settings: Settings, read_only: bool = False, *, create: bool = False,  # type: ignore[no-untyped-def]
           documents: bool = False):
    """The data directory's store; only ``create`` (ingest, load) makes a new one, ``documents`` needs one filled."""
    from kg import StoreError

    from .service import open_store, require_documents

    try:
        store = open_store(settings, read_only=read_only, create=create)
    except StoreError as exc:
        _fail(str(exc))
    if documents:
        try:
            require_documents(store, settings)
        except StoreError as exc:
            store.close()
            _fail(str(exc))
    return store


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="files (.txt .md .html) or folders")],
           date: Annotated[Optional[str], typer.Option(help="document date YYYY-MM-DD (anchors 上季, last quarter)")] = None,
           source: Annotated[Optional[str], typer.Option(help="source URL; the document's identity")] = None,
           title: Annotated[Optional[str], typer.Option(help="document title")] = None,
           llm: Annotated[bool, typer.Option("--llm", help="also ask the chat model of KGQA_LLM for facts; only those "
                                             "whose quote, figure, metric and entities check out are added; "
                                             "documents already stored are read again")] = False,
           workers: Annotated[int, typer.Option("--workers", "-w", min=1,
                                                help="processes analysing documents (one writes)")] = 1,
           force: Annotated[bool, typer.Option("--force", help="re-read documents already stored with the same "
                                               "content (by default they are skipped)")] = False,
           quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar, no line per document")] = False,
           data_dir: DataDir = None) -> None:
    """Read articles into the graph; re-ingesting a changed document replaces what came from it.

    Documents already stored with the same content are skipped, so an interrupted run
    (Ctrl-C) resumes where it stopped when run again.
    """
    from ingestion import iter_document_paths
    from kg import GraphError

    from .service import ingest_paths

    settings = _settings(data_dir)
    files = list(iter_document_paths(paths))
    if not files:
        _fail("no documents found (.txt .md .html) in " + ", ".join(map(str, paths)))
    if llm and workers > 1:
        _fail("--llm runs in one process; drop --workers")
    refused = _refused_by_name(files)
    if len(refused) == len(files):  # nothing to read: say why, and leave the data directory as it was
        for message in refused:
            typer.echo(f"error: {message}", err=True)
        typer.echo(f"0 documents ingested, {len(refused)} failed; nothing was written")
        raise typer.Exit(1)
    extractor = _llm_extractor(settings) if llm else None
    store = _store(settings, create=True)
    bar = None
    if len(files) > 1 and not quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="doc", desc="ingesting", file=sys.stderr, leave=False)

    def done(path: Path, outcome: object) -> None:  # a line per document as it is written
        from ingestion import IngestError

        err = isinstance(outcome, IngestError)
        if not quiet or err:
            line = f"error: {outcome}" if err else _ingested_line(outcome)
            if bar is not None:
                bar.write(line, file=sys.stderr if err else sys.stdout)
            else:
                typer.echo(line, err=err)
        if bar is not None:
            bar.update()

    try:
        report = ingest_paths(store, settings, files, title=title, source=source, date=date, progress=done,
                              llm_extractor=extractor, workers=workers,
                              force=force or llm)  # --llm: stored documents are read again
    except RuntimeError as exc:  # a worker process died; what was written is complete
        _fail(str(exc))
    except GraphError as exc:  # the documents are stored; the fact index could not be updated
        _fail(f"{exc} (the documents are stored; run `kgqa ingest` again once this is fixed)")
    finally:
        if bar is not None:
            bar.close()
        store.close()
    total_obs = sum(r.observations for r in report.results)
    typer.echo(f"{len(report.results) - report.skipped} documents ingested, {len(report.errors)} failed; "
               f"{total_obs} observations"
               + (f"; {report.skipped} skipped (already stored with the same content)" if report.skipped else ""))
    if report.interrupted:
        finished = len(report.results) + len(report.errors)
        typer.echo(f"interrupted after {finished} of {len(files)} documents; every document written is complete; "
                   "run the same command again to resume", err=True)
        raise typer.Exit(130)
    if report.errors:
        raise typer.Exit(1)


def _refused_by_name(files: list[Path]) -> list[str]:
    """The files that cannot be documents by their name or absence (checked again, per file, while ingesting)."""
    from ingestion import IngestError
    from ingestion.document import check_document_name

    refused = []
    for f in files:
        try:
            if not f.exists():
                refused.append(f"{f}: no such file")
                continue
            check_document_name(str(f))
        except IngestError as exc:
            refused.append(str(exc))
    return refused


def _ingested_line(r) -> str:  # type: ignore[no-untyped-def]
    if r.skipped:
        return f"{r.path}: skipped (already stored with the same content)"
    what = "unchanged" if r.unchanged else "replaced" if r.replaced else "added"
    line = (f"{r.path}: {what}; {r.observations} observations, {r.relations} relations, "
            f"{r.new_entities} new entities ({r.encoding}"
            + (f", {r.garbled_spans} garbled spans skipped" if r.garbled_spans else "") + ")")
    return "\n".join([line, *(f"  {message}" for message in r.messages)])


def _llm_extractor(settings: Settings):  # type: ignore[no-untyped-def]
    """The LLM extractor for ``ingest --llm``, from the configured chat model."""
    if not settings.llm:
        _fail("--llm needs a chat model: set KGQA_LLM, e.g. llamacpp:/path/model.gguf or openai:MODEL@BASE_URL")
    from ingestion import LLMExtractor
    from qa.llm import LLMError, load_chat_model

    try:  # JSON facts for a passage need more room than a phrased answer
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        model = load_chat_model(settings.llm, max_tokens=1024, timeout=settings.llm_timeout_s, api_key=key)
    except LLMError as exc:
        _fail(str(exc))
    return LLMExtractor(model, timeout_s=settings.llm_timeout_s)


@app.command()
def load(file: Annotated[Path, typer.Argument(help="an RDF dump: .nq .trig .ttl .nt")],
         format: Annotated[Optional[str], typer.Option("--format", "-f", help="nquads, trig, turtle or ntriples "
                                                       "(default: from the file name)")] = None,
         graph: Annotated[Optional[str], typer.Option("--graph", help="graph IRI for a triple format "
                                                      "(default: the default graph)")] = None,
         data_dir: DataDir = None) -> None:
    """Bulk-load an RDF dump; a malformed file is refused whole, naming the line."""
    from kg import StoreError

    from .service import load_file

    store = _store(_settings(data_dir), create=True)
    try:
        report = load_file(store, file, fmt=format, graph=graph)
    except StoreError as exc:
        _fail(str(exc))
    finally:
        store.close()
    rate = report.added / report.seconds if report.seconds else 0.0
    typer.echo(f"{report.path}: loaded {report.added:,} new quads ({report.format}"
               + (f" into <{report.graph}>" if report.graph else "")
               + f") in {report.seconds:.1f} s ({rate:,.0f}/s); the store holds {report.quads_after:,}")


@app.command()
def delete(document: Annotated[str, typer.Argument(help="document IRI, source, file name or hash prefix")],
           data_dir: DataDir = None) -> None:
    """Remove a document and everything derived from it."""
    from ingestion import IngestError
    from kg import GraphError

    from .service import delete as delete_doc

    settings = _settings(data_dir)
    store = _store(settings)
    try:
        doc = delete_doc(store, document, settings)
    except (IngestError, GraphError) as exc:
        _fail(str(exc))
    finally:
        store.close()
    if doc is None:
        _fail(f"no document matches {document!r}; `kgqa documents` lists what is stored")
    typer.echo(f"deleted {doc}")


@app.command()
def documents(data_dir: DataDir = None,
              as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False) -> None:
    """The stored documents: name, title, date, source, facts, and the IRI `kgqa delete` takes."""
    from .service import documents as run

    store = _store(_settings(data_dir))
    try:
        docs = run(store)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(docs, ensure_ascii=False, indent=2))
        return
    for d in docs:
        head = " · ".join(str(x) for x in (d["name"], d["date"], d["title"]) if x)
        typer.echo(f"{head}\n  {d['observations']} observations, {d['relations']} relations; {d['iri']}"
                   + (f"\n  source: {d['source']}" if d["source"] else ""))
    typer.echo(f"{len(docs)} documents")


@app.command()
def sparql(query: Annotated[str, typer.Argument(help="a read-only SPARQL query (or @FILE)")],
           format: Annotated[str, typer.Option("--format", "-f", help="table, json, csv, tsv, xml, turtle")] = "table",
           data_dir: DataDir = None) -> None:
    """Run a read-only SPARQL query over all graphs (prefixes kgo: kgr: kgm: … are predefined)."""
    from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

    from kg import GraphError, check_read_only, term_value

    if query.startswith("@"):
        query = Path(query[1:]).read_text(encoding="utf-8")
    from kg import QuerySyntaxError

    from .sparql_errors import explain_syntax_error

    settings = _settings(data_dir)
    try:
        check_read_only(query, allow_service=tuple(settings.service_allowlist))
    except QuerySyntaxError as exc:
        from .sparql_errors import parser_message

        _fail(parser_message(query) or str(exc))
    except GraphError as exc:
        _fail(str(exc))
    from .service import served_store

    if not settings.sparql_endpoint and not settings.store_path.is_dir():
        from .errors import NoStoreError

        _fail(str(NoStoreError(settings.data_dir)))  # a mistyped --data-dir is not created by a query

    # through a child store server, so the time and memory limits of `kgqa serve` hold here too
    try:
        served = served_store(settings, reference_graphs=False, supervise=False)
        store = served.__enter__()
    except GraphError as exc:
        _fail(str(exc))
    try:
        res = store.raw_query(query)
        out = sys.stdout.buffer
        if isinstance(res, QueryBoolean):
            typer.echo(json.dumps({"boolean": bool(res)}) if format == "json" else str(bool(res)).lower())
        elif isinstance(res, QuerySolutions):
            if format == "table":
                from rich.console import Console
                from rich.table import Table

                names = [v.value for v in res.variables]
                table = Table()
                for name in names:  # long values wrap, never cut to "…"
                    table.add_column(name, overflow="fold")
                n = 0
                for sol in res:
                    table.add_row(*[_cell(sol[v]) for v in names])
                    n += 1
                Console().print(table)
                typer.echo(f"{n} rows")
            else:
                fmts = {"json": QueryResultsFormat.JSON, "csv": QueryResultsFormat.CSV,
                        "tsv": QueryResultsFormat.TSV, "xml": QueryResultsFormat.XML}
                if format not in fmts:
                    _fail(f"unknown format {format!r} for SELECT results: json, csv, tsv, xml or table")
                res.serialize(out, fmts[format])
                out.flush()
        else:
            fmts_rdf = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
                        "table": RdfFormat.TURTLE}
            res.serialize(out, fmts_rdf.get(format, RdfFormat.TURTLE))
            out.flush()
    except QuerySyntaxError as exc:
        _fail(explain_syntax_error(str(exc), query))
    except GraphError as exc:
        try:
            served.__exit__(type(exc), exc, exc.__traceback__)
        except GraphError as told:  # the served store says what happened (e.g. the memory limit)
            exc = told
        _fail(str(exc))
    else:
        served.__exit__(None, None, None)


def _cell(term: object) -> str:
    """A table cell: IRIs as prefixed names (kgr:baidu, kgm:Revenue), literals as their value."""
    from pyoxigraph import NamedNode

    from kg import compact, term_value

    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact(term.value)
    return str(term_value(term))


@app.command()
def validate(data_dir: DataDir = None) -> None:
    """Check the graph against the SHACL shapes and every quote against its document; exit 1 if not."""
    from .service import validate as run

    store = _store(_settings(data_dir))
    try:
        report = run(store)
    finally:
        store.close()
    for p in report.problems[:50]:
        typer.echo(p)
    typer.echo(f"{'conforms' if report.conforms else 'does not conform'} "
               f"({report.checked_mentions} mentions checked, {len(report.problems)} problems)")
    if not report.conforms:
        raise typer.Exit(1)


@app.command()
def export(format: Annotated[str, typer.Option("--format", "-f", help="nquads, trig, turtle, ntriples, graphml")] = "nquads",
           output: Annotated[Optional[Path], typer.Option("--output", "-o", help="file (default: stdout)")] = None,
           data_dir: DataDir = None) -> None:
    """Write the whole graph (or the entity graph as GraphML)."""
    from kg import FORMATS

    from .service import export as run

    if format not in FORMATS and format != "graphml":
        _fail(f"unknown format {format!r}: {', '.join(list(FORMATS) + ['graphml'])}")
    store = _store(_settings(data_dir))
    try:
        if output:
            with open(output, "wb") as f:
                run(store, f, format)
        else:
            run(store, sys.stdout.buffer, format)
            sys.stdout.buffer.flush()
    finally:
        store.close()


@app.command()
def stats(data_dir: DataDir = None,
          as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False,
          sample: Annotated[bool, typer.Option(help="also print one answer-ready fact with its source")] = False) -> None:
    """Counts of documents, facts, entities and triples."""
    from .service import sample_fact, stats as run

    store = _store(_settings(data_dir))
    try:
        s = run(store)
        fact = sample_fact(store) if sample else None
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({**s, "sample": fact}, ensure_ascii=False, indent=2))
        return
    for k, v in s.items():
        if k != "metrics":
            typer.echo(f"{k:20s} {v}")
    typer.echo("observations by metric: " + ", ".join(f"{m} {n}" for m, n in s["metrics"].items()))  # type: ignore[union-attr]
    if fact:
        typer.echo(f"sample fact: {fact['subject']} {fact['metric']} {fact['period'] or ''} = {fact['value']} "
                   f"{fact['unit']}\n  source: «{fact['quote']}» ({fact['document']} "
                   f"[{fact['start']}:{fact['end']}])")


def _qa(settings: Settings, store):  # type: ignore[no-untyped-def]
    """The question answerer, with the chat model of KGQA_LLM when one is configured."""
    from qa.llm import LLMError

    from .service import make_qa

    try:
        return make_qa(settings, store)
    except LLMError as exc:  # a missing extra or a malformed spec: say so and stop, never answer silently offline
        _fail(f"{exc} (KGQA_LLM={settings.llm})")


def _print_answer(ans, show_sparql: bool = False, show_text: bool = True) -> None:  # type: ignore[no-untyped-def]
    if show_text:
        typer.echo(ans.answer)
    if ans.facts:
        typer.echo("Sources:")
        seen = set()
        for i, f in enumerate(ans.facts, 1):
            src = f.source
            if src is None or (src.document, src.start) in seen:
                continue
            seen.add((src.document, src.start))
            where = src.title or src.document.rsplit("/", 1)[-1]
            typer.echo(f"  [{i}] «{src.quote}» ({where} [{src.start}:{src.end}])")
    if show_sparql and ans.sparql:
        typer.echo("SPARQL:\n" + ans.sparql)


@app.command()
def ask(question: Annotated[Optional[str], typer.Argument(help="the question (omit with --jsonl)")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print the answer object")] = False,
        jsonl: Annotated[bool, typer.Option("--jsonl", help="read {id, question, session} lines on stdin")] = False,
        show_sparql: Annotated[bool, typer.Option("--sparql", help="also print the SPARQL that ran")] = False,
        data_dir: DataDir = None) -> None:
    """Answer a question from the graph, with the facts and source quotes it rests on."""
    from kg import GraphError

    settings = _settings(data_dir)
    store = _store(settings, documents=True)
    try:
        qa = _qa(settings, store)
        if jsonl:
            for line in sys.stdin:
                if not line.strip():
                    continue
                try:
                    req = json.loads(line)
                    q, sid, rid = req.get("question", ""), req.get("session"), req.get("id")
                except (json.JSONDecodeError, AttributeError):
                    q, sid, rid = None, None, _id_of_broken_line(line)  # the answer still says which request
                ans = qa.ask(q, sid if isinstance(sid, str) else None) if q is not None else None
                obj = ans.to_dict() if ans else {"status": "error", "answer": "invalid JSON request line",
                                                 "question": line[:200], "facts": [], "language": "en"}
                if rid is not None:
                    obj["id"] = rid
                sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
                sys.stdout.flush()
            return
        if question is None:
            _fail("give a question, or --jsonl to read questions from stdin")
        ans = qa.ask(question)
        if as_json:
            typer.echo(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
        else:
            _print_answer(ans, show_sparql)
        if ans.status == "error":
            raise typer.Exit(2)
    except GraphError as exc:  # the store went away or stopped a query: say so, no traceback
        _fail(str(exc))
    finally:
        store.close()


_ID = re.compile(r'"id"\s*:\s*("(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?)')


def _id_of_broken_line(line: str) -> object:
    """The ``"id"`` of a request line that is not valid JSON, when it can still be read; else None."""
    m = _ID.search(line)
    if m is None:
        return None
    try:
        return json.loads(m.group(1))
    except json.JSONDecodeError:
        return None


@app.command()
def chat(data_dir: DataDir = None,
         show_sparql: Annotated[bool, typer.Option("--sparql", help="also print the SPARQL that ran")] = False) -> None:
    """An interactive session: follow-ups such as "那阿里雲呢?" or "and its revenue?" are understood."""
    from qa import Answer, Session

    settings = _settings(data_dir)
    store = _store(settings, documents=True)
    try:
        qa = _qa(settings, store)
    except BaseException:
        store.close()
        raise
    threading.Thread(target=qa.warm, name="kgqa-warm", daemon=True).start()  # index and model while the user types
    session = Session(id="cli")
    typer.echo("kgqa chat: ask about the companies and figures in the graph (empty line or Ctrl-D to quit).")
    try:
        while True:
            try:
                q = input("> ")
            except EOFError:
                break
            if not q.strip():
                break
            for item in qa.ask_stream(q, session):  # with an LLM, verified sentences as they come
                if isinstance(item, Answer):
                    typer.echo("")
                    _print_answer(item, show_sparql, show_text=False)
                else:
                    typer.echo(item, nl=False)
    finally:
        qa.close()
        store.close()


@app.command()
def mcp(http: Annotated[bool, typer.Option("--http", help="streamable HTTP at http://HOST:PORT/mcp instead of stdio")] = False,
        host: Annotated[str, typer.Option(help="address to bind with --http")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="port with --http")] = 8765,
        data_dir: DataDir = None) -> None:
    """An MCP server (tools ask, sparql, describe_entity, search_entities) for research assistants; stdio by default."""
    from kg import StoreError
    from qa.llm import LLMError

    settings = _settings(data_dir)
    try:
        from .mcp_server import serve
    except ImportError as exc:
        _fail(str(exc))
    try:
        serve(settings, http=http, host=host, port=port)
    except StoreError as exc:
        _fail(str(exc))
    except LLMError as exc:  # a configured model that cannot be used: say so, never serve silently without it
        _fail(f"{exc} (KGQA_LLM={settings.llm})")


@app.command()
def serve(host: Annotated[Optional[str], typer.Option(help="address to listen on (default: $KGQA_HOST or 127.0.0.1)")] = None,
          port: Annotated[Optional[int], typer.Option(help="port (default: $KGQA_PORT or 8000; 0: any free port)")] = None,
          data_dir: DataDir = None) -> None:
    """Serve the HTTP API, the SPARQL endpoint and the web page (writes need KGQA_API_TOKEN)."""
    from kg import GraphError

    from .web.server import serve as run

    settings = _settings(data_dir)
    updates = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    if updates:
        settings = settings.model_copy(update=updates)
    try:
        run(settings, echo=lambda line: typer.echo(line), warn=lambda line: typer.echo(line, err=True))
    except (OSError, RuntimeError, GraphError) as exc:
        _fail(str(exc))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
