"""Ingestion throughput over a generated corpus: characters and documents per second.

    python bench/ingest.py [--docs 1000] [--runs 3] [--seed 0] [--no-disk] [--trace-docs 50] [--workers 1,2]

Generates ``--docs`` articles with ``bench/generate.py`` (mixed zh-Hant / zh-Hans / en),
then ingests the same corpus ``--runs`` times, each into a fresh in-memory Oxigraph store
(``parse_document`` + ``Ingestor.ingest_document``), and reports the median. Store
set-up (reference graphs and the lexicon, built once per Ingestor) is timed apart.
Also measured: one run into an on-disk store in a temporary folder (closing it
included), a same-process baseline that only decodes (UTF-8 bytes -> text) and
normalises (``ingestion.normalize.normalize``) the texts, and peak memory:
``resource.getrusage`` maxrss for the process (all runs, store included), and the
tracemalloc peak of one more in-memory run over the first ``--trace-docs`` documents
(Python allocations only: the store's memory is native and shows in maxrss only;
tracing slows ingestion about fivefold, so this run is short and not used for throughput).

``--workers 1,2`` adds a table comparing worker processes: the corpus is written to a
temporary folder and ingested from the files (``ingestion.parallel.ingest_in_order``:
workers read and analyse, this process writes), ``--runs`` times per count into a fresh
in-memory store; medians of wall seconds, characters per second overall and per worker,
and CPU seconds of this process and its workers together (the machine's cores are the
ceiling: on 2 shared cores, 2 workers plus the writer cannot double the rate).
"""
from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_articles  # noqa: E402

__all__ = ["main", "Run", "ingest_corpus", "baseline"]


@dataclass
class Run:
    label: str
    seconds: float  # ingesting the documents, store set-up excluded
    setup: float  # store + Ingestor (reference graphs, lexicon)
    docs: int
    chars: int
    observations: int = 0
    relations: int = 0
    triples: int = 0
    store_quads: int = 0
    failed: int = 0
    close: float = 0.0
    cpu: float = 0.0  # CPU seconds of the ingesting processes (the machine may be shared)

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0

    @property
    def chars_per_s(self) -> float:
        return self.chars / self.seconds if self.seconds else 0.0

    @property
    def chars_per_cpu_s(self) -> float:
        return self.chars / self.cpu if self.cpu else 0.0


def ingest_corpus(corpus: list[tuple[str, str]], label: str, path: Path | None = None) -> Run:
    """Ingest ``corpus`` into a fresh store (in memory, or on disk at ``path``)."""
    from ingestion import IngestError, Ingestor, parse_document
    from kg.store import OxigraphStore

    gc.collect()
    t0 = time.perf_counter()
    store = OxigraphStore.in_memory() if path is None else OxigraphStore(path)
    ing = Ingestor(store)
    t1 = time.perf_counter()
    run = Run(label, 0.0, t1 - t0, len(corpus), sum(len(t) for _, t in corpus))
    cpu0 = time.process_time()
    for name, text in corpus:
        try:
            r = ing.ingest_document(parse_document(text, name=name))
        except IngestError as exc:
            run.failed += 1
            if run.failed <= 3:
                print(f"  ! {name}: {exc}", file=sys.stderr)
            continue
        run.observations += r.observations
        run.relations += r.relations
        run.triples += r.triples
    run.seconds = time.perf_counter() - t1
    run.cpu = time.process_time() - cpu0
    run.store_quads = store.count()
    t2 = time.perf_counter()
    store.close()
    run.close = time.perf_counter() - t2
    del ing, store
    gc.collect()
    return run


def ingest_files(files: list[Path], chars: int, workers: int) -> tuple[Run, float]:
    """Ingest ``files`` into a fresh in-memory store with ``workers`` processes; the run and CPU seconds."""
    from ingestion import IngestError, Ingestor
    from ingestion import ingest_in_order
    from kg.store import OxigraphStore

    gc.collect()
    t0 = time.perf_counter()
    store = OxigraphStore.in_memory()
    ing = Ingestor(store)
    t1 = time.perf_counter()
    cpu0 = _cpu_seconds()
    run = Run(f"{workers} worker{'s' if workers > 1 else ''}", 0.0, t1 - t0, len(files), chars)
    for _, outcome in ingest_in_order(ing, files, workers=workers):
        if isinstance(outcome, IngestError):
            run.failed += 1
            continue
        run.observations += outcome.observations
        run.relations += outcome.relations
        run.triples += outcome.triples
    run.seconds = time.perf_counter() - t1
    cpu = run.cpu = _cpu_seconds() - cpu0  # workers have exited: their time is in RUSAGE_CHILDREN
    run.store_quads = store.count()
    store.close()
    return run, cpu


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def baseline(corpus: list[tuple[str, str]]) -> float:
    """Seconds to decode (UTF-8 bytes) and normalise every text of the corpus."""
    from ingestion import parse_document
    from ingestion.decode import decode_bytes
    from ingestion.normalize import normalize

    prepared = [(name, text.encode("utf-8"), parse_document(text, name=name).body_start) for name, text in corpus]
    gc.collect()
    t0 = time.perf_counter()
    for name, data, body in prepared:
        decoded = decode_bytes(data, name)
        normalize(decoded.text, body)
    return time.perf_counter() - t0


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB"


def _maxrss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # Linux reports KiB


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/ingest.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000, help="articles to generate (default 1000)")
    ap.add_argument("--runs", type=int, default=3, help="in-memory runs; the median is reported (default 3)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-disk", action="store_true", help="skip the on-disk run")
    ap.add_argument("--trace-docs", type=int, default=50,
                    help="documents in the tracemalloc run (tracing slows ingestion ~5x; 0 skips it; default 50)")
    ap.add_argument("--workers", default="",
                    help="comma-separated worker counts to compare, e.g. 1,2 (ingesting from files; default: none)")
    args = ap.parse_args(argv)
    if args.docs < 1 or args.runs < 1:
        ap.error("--docs and --runs must be at least 1")
    try:
        worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    except ValueError:
        ap.error("--workers takes comma-separated counts such as 1,2")
    if any(w < 1 for w in worker_counts):
        ap.error("--workers counts must be at least 1")

    t0 = time.perf_counter()
    corpus = generate_articles(args.docs, seed=args.seed)
    gen_s = time.perf_counter() - t0
    chars = sum(len(t) for _, t in corpus)
    langs = Counter(name.split(".")[1] for name, _ in corpus)
    print(f"corpus: {len(corpus):,} generated articles (seed {args.seed}; "
          + ", ".join(f"{langs[k]} {k}" for k in ("zh-Hant", "zh-Hans", "en")) + f"), {chars:,} characters, "
          f"{statistics.mean(len(t) for _, t in corpus):,.0f} per article; generated in {gen_s:.1f} s", flush=True)
    rss_before = _maxrss_bytes()

    runs: list[Run] = []
    for i in range(args.runs):
        r = ingest_corpus(corpus, f"memory #{i + 1}")
        runs.append(r)
        print(f"  {r.label}: {r.seconds:.1f} s", file=sys.stderr, flush=True)
    rss_memory_runs = _maxrss_bytes()
    disk = None
    if not args.no_disk:
        with tempfile.TemporaryDirectory(prefix="kgqa-bench-") as tmp:
            disk = ingest_corpus(corpus, "disk", Path(tmp) / "store")
            size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
        print(f"  {disk.label}: {disk.seconds:.1f} s", file=sys.stderr, flush=True)
    worker_rows: list[tuple[Run, float, int]] = []
    if worker_counts:
        from generate import write_articles

        with tempfile.TemporaryDirectory(prefix="kgqa-bench-files-") as tmp:
            files = write_articles(args.docs, tmp, seed=args.seed)
            for w in worker_counts:
                timed = []
                for i in range(args.runs):
                    r, cpu = ingest_files(files, chars, w)
                    timed.append((r, cpu))
                    print(f"  {r.label} #{i + 1}: {r.seconds:.1f} s", file=sys.stderr, flush=True)
                timed.sort(key=lambda rc: rc[0].seconds)
                r, cpu = timed[len(timed) // 2]
                r.seconds = statistics.median(x.seconds for x, _ in timed)
                worker_rows.append((r, statistics.median(c for _, c in timed), w))
    base_s = baseline(corpus)
    rss_after = _maxrss_bytes()
    traced_peak = traced_s = None
    trace_docs = min(args.trace_docs, len(corpus))
    if trace_docs > 0:
        tracemalloc.start()
        traced = ingest_corpus(corpus[:trace_docs], "memory (traced)")
        traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        traced_s = traced.seconds
        print(f"  {traced.label}: {traced.seconds:.1f} s", file=sys.stderr, flush=True)

    med = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    if len(runs) % 2 == 0:  # even count: the statistical median of the times
        med_s = statistics.median(r.seconds for r in runs)
        med = Run("median", med_s, statistics.median(r.setup for r in runs), med.docs, med.chars,
                  med.observations, med.relations, med.triples, med.store_quads, med.failed)
    med_cpu = statistics.median(r.cpu for r in runs)

    head = f"{'run':<18}{'seconds':>9}{'docs/s':>9}{'chars/s':>11}{'chars/CPU s':>12}{'setup s':>9}{'obs':>9}{'rels':>8}{'triples':>10}{'quads':>10}{'failed':>7}"
    print()
    print(head)
    print("-" * len(head))
    rows = runs + [Run("median (memory)", med.seconds, med.setup, med.docs, med.chars, med.observations,
                       med.relations, med.triples, med.store_quads, med.failed, cpu=med_cpu)]
    if disk:
        rows.append(disk)
    for r in rows:
        print(f"{r.label:<18}{r.seconds:>9.2f}{r.docs_per_s:>9.1f}{r.chars_per_s:>11,.0f}{r.chars_per_cpu_s:>12,.0f}"
              f"{r.setup:>9.2f}"
              f"{r.observations:>9,}{r.relations:>8,}{r.triples:>10,}{r.store_quads:>10,}{r.failed:>7}")
    print(f"{'decode+normalize':<18}{base_s:>9.2f}{len(corpus) / base_s:>9.1f}{chars / base_s:>11,.0f}")
    print()
    ratio = med.seconds / base_s if base_s else float("inf")
    print(f"ingestion / decode+normalize time: {ratio:,.1f}x")
    if disk:
        print(f"on disk: {disk.seconds / med.seconds:.2f}x the in-memory time; close {disk.close:.2f} s; "
              f"store size {_mb(size)}")
    print(f"peak memory: maxrss {_mb(rss_after)} (before ingesting {_mb(rss_before)}, "
          f"after the in-memory runs {_mb(rss_memory_runs)})"
          + (f"; tracemalloc peak {_mb(traced_peak)} (Python allocations only, in-memory run over the first "
             f"{trace_docs:,} docs, {traced_s:.1f} s under tracing)" if traced_peak is not None else ""))
    if worker_rows:
        print()
        whead = (f"{'workers (files)':<18}{'seconds':>9}{'docs/s':>9}{'chars/s':>11}{'per worker':>12}{'chars/CPU s':>12}"
                 f"{'CPU s':>8}{'obs':>9}{'quads':>10}{'failed':>7}")
        print(whead)
        print("-" * len(whead))
        for r, cpu, w in worker_rows:
            print(f"{r.label:<18}{r.seconds:>9.2f}{r.docs_per_s:>9.1f}{r.chars_per_s:>11,.0f}"
                  f"{r.chars_per_s / w:>12,.0f}{r.chars_per_cpu_s:>12,.0f}{cpu:>8.1f}{r.observations:>9,}{r.store_quads:>10,}{r.failed:>7}")
        print(f"(medians of {args.runs}; CPU s: this process and its workers; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f})")
    print(f"summary: {med.docs:,} docs / {med.chars:,} chars ingested into an in-memory store in {med.seconds:.1f} s "
          f"(median of {len(runs)}): {med.docs_per_s:.1f} docs/s, {med.chars_per_s:,.0f} chars/s "
          f"({med.chars / med_cpu if med_cpu else 0:,.0f} per CPU second), "
          f"{med.observations / med.docs:.1f} observations/doc; {ratio:.1f}x decode+normalize; "
          f"maxrss {_mb(rss_after)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
