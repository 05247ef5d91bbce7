"""Parallel ingestion: worker processes run the text stages, one writer stores the graphs.

Workers read, decode and analyse documents (``prepare_document``) and send back each
document's quads as N-Quads; the parent process, the only writer, commits every
document's graph in one transaction, in input order, through the same ``Ingestor`` steps
a one-process run uses. So the store ends up exactly as ``workers=1`` leaves it:

- entities a document introduces join the lexicon for the documents after it. Each job
  carries the lexicon additions its worker has not seen yet; a document analysed before
  an addition that could change it (one of the new names occurs in its text, or it
  proposed an entity that has since been added) is analysed again by the parent;
- a document already stored with the same content is skipped (workers check a snapshot
  of the store taken at the start, the parent checks the store itself before writing).

Workers ignore Ctrl-C; the parent stops between two documents, so every document written
is complete, and a later run skips them.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from pyoxigraph import RdfFormat, parse, serialize

from kg.lexicon import EntityLabels, EntityRef, Lexicon
from kg.text import phrase_keys

from .document import SourceDocument, read_document
from .errors import IngestError
from .pipeline import (
    Fingerprint,
    Ingestor,
    IngestResult,
    PreparedDocument,
    analyse_text,
    prepare_document,
)

__all__ = ["ParallelIngest", "ingest_in_order"]

_JOBS_PER_WORKER = 2  # one being analysed, one waiting: workers stay busy while the parent writes


@dataclass
class _Job:
    index: int
    path: str
    overrides: dict[str, object]
    additions: list[EntityLabels]  # what the written graphs taught the lexicon since this worker last heard


@dataclass
class _Done:
    index: int
    doc: SourceDocument | None = None
    error: IngestError | None = None
    skipped: bool = False
    nquads: bytes = b""
    observations: int = 0
    relations: int = 0
    garbled_spans: int = 0
    entities: list[EntityRef] = field(default_factory=list)
    canon: str = ""
    proposed: list[str] = field(default_factory=list)  # IRIs of the new entities the document proposed


@dataclass
class _WorkerSetup:
    lexicon: Lexicon
    catalog: set[str]
    stored: dict[str, Fingerprint]
    max_bytes: int
    validate_shacl: bool
    force: bool


def _worker_main(conn: Connection, setup: _WorkerSetup) -> None:
    """A worker: analyse the documents it is sent until it receives None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    lexicon = setup.lexicon
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        lexicon.learn(job.additions)  # the parent's lexicon changes, replayed in order
        conn.send(_analyse_job(job, setup))


def _analyse_job(job: _Job, setup: _WorkerSetup) -> _Done:
    try:
        doc = read_document(job.path, max_bytes=setup.max_bytes, **job.overrides)  # type: ignore[arg-type]
        if not setup.force and Fingerprint.of(doc).matches(setup.stored.get(doc.iri)):
            return _Done(job.index, doc, skipped=True)
        a = analyse_text(doc, setup.lexicon)
        prepared = prepare_document(doc, setup.lexicon, setup.catalog, validate_shacl=setup.validate_shacl,
                                    analysis=a)
    except IngestError as exc:
        return _Done(job.index, error=exc)
    except Exception as exc:  # noqa: BLE001  a bug must not take the run down: report it against the file
        return _Done(job.index, error=IngestError(job.path, f"unexpected error while analysing: {exc!r}"))
    return _Done(job.index, doc, nquads=serialize(prepared.quads, format=RdfFormat.N_QUADS) or b"",
                 observations=prepared.observations, relations=prepared.relations,
                 garbled_spans=prepared.garbled_spans, entities=prepared.entities, canon=a.canon,
                 proposed=sorted({m.iri for m in a.mentions if m.new}))


class ParallelIngest:
    """Ingest files with ``workers`` analysing processes and this process writing.

    Iterating yields ``(path, IngestResult | IngestError)`` in input order, each after its
    document has been written. ``reanalysed`` counts documents the parent analysed again
    because an earlier document's new entities could change them.
    """

    def __init__(self, ingestor: Ingestor, paths: Sequence[str | Path], *, workers: int,
                 title: str | None = None, source: str | None = None, date: str | dt.date | None = None) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if ingestor.llm_extractor is not None:
            raise ValueError("LLM extraction runs in one process; use workers=1 with an LLM extractor")
        self.ingestor = ingestor
        self.paths = [Path(p) for p in paths]
        self.workers = min(workers, max(1, len(self.paths)))
        self.overrides: dict[str, object] = {"title": title, "source": source, "date": date}
        self.reanalysed = 0

    def __iter__(self) -> Iterator[tuple[Path, IngestResult | IngestError]]:
        ing = self.ingestor
        setup = _WorkerSetup(ing.lexicon, ing.catalog, {} if ing.force else ing.stored_fingerprints(),
                             ing.max_bytes, ing.validate_shacl, ing.force)
        ctx = mp.get_context("spawn")  # no fork of a process holding an open store
        conns: list[Connection] = []
        procs = []
        try:
            for _ in range(self.workers):
                parent_end, child_end = ctx.Pipe()
                proc = ctx.Process(target=_worker_main, args=(child_end, setup), daemon=True,
                                   name="kgqa-ingest-worker")
                proc.start()
                child_end.close()
                conns.append(parent_end)
                procs.append(proc)
            yield from self._run(conns, procs)
        finally:
            for conn in conns:
                try:
                    conn.send(None)
                except (OSError, ValueError):
                    pass
            for proc in procs:
                proc.join(timeout=5)
                if proc.is_alive():
                    proc.terminate()
                    proc.join(timeout=5)
            for conn in conns:
                conn.close()

    def _run(self, conns: list[Connection], procs: list) -> Iterator[tuple[Path, IngestResult | IngestError]]:  # type: ignore[type-arg]
        ing = self.ingestor
        total = len(self.paths)
        sent = [0] * len(conns)  # lexicon additions each worker has been sent
        inflight = [0] * len(conns)
        version: dict[int, int] = {}  # job -> lexicon additions its worker had applied
        done: dict[int, _Done] = {}
        next_job = next_commit = 0
        while next_commit < total:
            for w, conn in enumerate(conns):
                while inflight[w] < _JOBS_PER_WORKER and next_job < total:
                    additions = ing.learned[sent[w]:]
                    sent[w] = version[next_job] = len(ing.learned)
                    conn.send(_Job(next_job, str(self.paths[next_job]), self.overrides, additions))
                    inflight[w] += 1
                    next_job += 1
            if next_commit in done:
                item = done.pop(next_commit)
                yield self.paths[next_commit], self._commit(item, version.pop(next_commit))
                next_commit += 1
                continue
            busy = [conn for w, conn in enumerate(conns) if inflight[w]]
            for conn in wait(busy):
                w = conns.index(conn)  # type: ignore[arg-type]
                try:
                    item = conn.recv()  # type: ignore[union-attr]
                except EOFError:
                    raise RuntimeError(f"ingestion worker {w + 1} stopped unexpectedly "
                                       f"(exit code {procs[w].exitcode}); documents written so far are "
                                       "complete; run the command again to resume") from None
                inflight[w] -= 1
                done[item.index] = item

    def _commit(self, item: _Done, seen_additions: int) -> IngestResult | IngestError:
        ing = self.ingestor
        if item.error is not None:
            return item.error
        doc = item.doc
        assert doc is not None
        try:
            if ing.is_current(doc):
                return ing.skipped(doc)
            if item.skipped or self._affected(item, ing.learned[seen_additions:], ing.lexicon):
                # the worker skipped it against the start snapshot, or analysed it with an older lexicon
                if not item.skipped:
                    self.reanalysed += 1
                return ing.commit(ing.prepare(doc))
            quads = list(parse(item.nquads, format=RdfFormat.N_QUADS))
            return ing.commit(PreparedDocument(doc, quads, item.observations, item.relations, item.garbled_spans,
                                               item.entities))
        except IngestError as exc:
            return exc

    @staticmethod
    def _affected(item: _Done, additions: list[EntityLabels], lexicon: Lexicon) -> bool:
        """Could entities added after the worker's lexicon change this document's analysis?

        Recognition consults the lexicon only through keys found in the text and through
        the IRIs of names it proposes, so a document is unaffected when no key of a changed
        entity (any of its labels) occurs in its canonical text and none of its proposed IRIs changed.
        """
        if not additions:
            return False
        if any(ref.iri in item.proposed for ref in additions):
            return True
        collapsed = " ".join(item.canon.split())
        for iri in dict.fromkeys(ref.iri for ref in additions):
            for label in lexicon.labels_of(iri):
                for key in phrase_keys(label):
                    if key in item.canon or key in collapsed:
                        return True
        return False


def ingest_in_order(ingestor: Ingestor, paths: Sequence[str | Path], *, workers: int = 1,
                    title: str | None = None, source: str | None = None,
                    date: str | dt.date | None = None) -> Iterator[tuple[Path, IngestResult | IngestError]]:
    """``(path, result or error)`` for each file in order, each yielded once written.

    ``workers=1`` runs in this process; more start that many worker processes.
    """
    if workers > 1 and len(paths) > 1:
        yield from ParallelIngest(ingestor, paths, workers=workers, title=title, source=source, date=date)
        return
    for path in paths:
        try:
            yield Path(path), ingestor.ingest_path(path, title=title, source=source, date=date)
        except IngestError as exc:
            yield Path(path), exc
