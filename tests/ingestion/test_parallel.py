"""Parallel ingestion: worker processes analyse, one writer; same graph as one process; resumable runs."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingestion import (
    IngestError,
    Ingestor,
    ParallelIngest,
    ingest_in_order,
    iter_document_paths,
)
from kg.namespaces import KGO, REFERENCE_GRAPHS
from kg.store import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "data" / "articles"
sys.path.insert(0, str(ROOT / "bench"))

from generate import write_articles

# B's company is named in a clear pattern only in A: analysed alone, B finds no figure, so a
# worker that analysed B before A was written must be caught and B analysed again.
INTRODUCES = "据瀚星科技公布,瀚星科技2025年第一季度营收达12亿元,同比增长8%。\n"
DEPENDS = "第二季度里瀚星科技营收达15亿元。\n"


def _document_graphs(store: OxigraphStore) -> dict[str, set[str]]:
    """Every graph but the reference graphs (whose blank nodes differ between loads), as N-Quads lines."""
    reference = set(REFERENCE_GRAPHS.values())
    return {g: {str(q) for q in store.quads(g)} for g in store.graphs() if g not in reference}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The test articles, 16 generated ones, a pair where the second depends on the first, and a bad file."""
    root = tmp_path_factory.mktemp("corpus")
    generated = write_articles(16, root / "generated", seed=11)
    pair = root / "pair"
    pair.mkdir()
    (pair / "a-introduces.txt").write_text(INTRODUCES, encoding="utf-8")
    (pair / "b-depends.txt").write_text(DEPENDS, encoding="utf-8")
    bad = root / "empty.txt"
    bad.write_bytes(b"")
    # the pair first, so that B is analysed while A is still being analysed
    return [pair / "a-introduces.txt", pair / "b-depends.txt", bad, *iter_document_paths([ARTICLES]), *generated]


@pytest.fixture(scope="module")
def one_process(corpus: list[Path]) -> tuple[OxigraphStore, list]:  # type: ignore[type-arg]
    store = OxigraphStore.in_memory()
    outcomes = list(ingest_in_order(Ingestor(store), corpus, workers=1))
    return store, outcomes


def test_the_dependent_document_needs_the_earlier_one():
    alone = OxigraphStore.in_memory()
    assert Ingestor(alone).ingest_document(_doc(DEPENDS)).observations == 0
    after = OxigraphStore.in_memory()
    ing = Ingestor(after)
    ing.ingest_document(_doc(INTRODUCES, "a.txt"))
    assert ing.ingest_document(_doc(DEPENDS)).observations == 1


def test_two_workers_write_the_same_graph_as_one_process(corpus, one_process):
    ref_store, ref_outcomes = one_process
    store = OxigraphStore.in_memory()
    run = ParallelIngest(Ingestor(store), corpus, workers=2)
    outcomes = list(run)
    assert [p for p, _ in outcomes] == corpus  # in input order
    assert run.reanalysed >= 1  # B was analysed before A's new company was known
    got, want = _document_graphs(store), _document_graphs(ref_store)
    assert len(want) == len(corpus) - 1 and got.keys() == want.keys()
    assert got == want
    assert store.count() == ref_store.count()
    # the same per-document results, and the one bad file reported the same way
    summary = [(str(p), type(o).__name__, getattr(o, "observations", None), getattr(o, "new_entities", None))
               for p, o in outcomes]
    assert summary == [(str(p), type(o).__name__, getattr(o, "observations", None),
                        getattr(o, "new_entities", None)) for p, o in ref_outcomes]
    errors = [o for _, o in outcomes if isinstance(o, IngestError)]
    assert len(errors) == 1 and str(errors[0]).endswith("empty.txt: the file is empty")


def test_a_second_run_skips_every_stored_document(corpus, tmp_path):
    store = OxigraphStore(tmp_path / "store")
    first = list(ParallelIngest(Ingestor(store), corpus, workers=2))
    before = _document_graphs(store)
    second = list(ParallelIngest(Ingestor(store), corpus, workers=2))
    results = [o for _, o in second if not isinstance(o, IngestError)]
    assert len(results) == len(corpus) - 1 and all(r.skipped and r.unchanged for r in results)
    assert sum(not isinstance(o, IngestError) and o.skipped for _, o in first) == 0
    assert _document_graphs(store) == before
    # one process skips the same way
    again = list(ingest_in_order(Ingestor(store), corpus[:4], workers=1))
    assert [getattr(o, "skipped", None) for _, o in again] == [True, True, None, True]
    store.close()


def test_a_changed_document_is_replaced_and_force_rereads(tmp_path):
    store = OxigraphStore.in_memory()
    f = tmp_path / "note.txt"
    f.write_text("---\nsource: https://example.com/note\n---\n百度2025年Q1營收達324.5億元,同比增長3%。\n", encoding="utf-8")
    assert not Ingestor(store).ingest_path(f).skipped
    assert Ingestor(store).ingest_path(f).skipped
    assert not Ingestor(store).ingest_path(f, date="2025-05-20").skipped  # new metadata: read again
    f.write_text("---\nsource: https://example.com/note\n---\n百度2025年Q1營收達330億元,同比增長5%。\n", encoding="utf-8")
    r = Ingestor(store).ingest_path(f)
    assert (r.skipped, r.replaced) == (False, True)
    values = store.select(f"SELECT ?v WHERE {{ ?o a <{KGO}Observation> ; <{KGO}value> ?v }}")
    assert values == [(33000000000,)]
    forced = Ingestor(store, force=True).ingest_path(f)
    assert not forced.skipped and forced.unchanged and forced.observations == 1


def test_ctrl_c_leaves_complete_documents_and_the_next_run_resumes(tmp_path):
    """A real `kgqa ingest --workers 2` interrupted by SIGINT to its process group, as Ctrl-C does."""
    files = write_articles(90, tmp_path / "articles", seed=3)
    data = tmp_path / "data"
    cmd = [str(Path(sys.executable).with_name("kgqa")), "ingest", "--workers", "2",
           "--data-dir", str(data), str(tmp_path / "articles")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout is not None
    seen = ""
    while seen.count(": added;") < 5:  # a line per document as it is written: interrupt once a few are in
        line = proc.stdout.readline()
        assert line, f"kgqa ingest ended before writing 5 documents: {seen!r}"
        seen += line
    assert len(_children(proc.pid)) >= 2  # the workers are running
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "interrupted after" in err and "run the same command again to resume" in err
    assert _group_gone(proc.pid, within=15.0)  # no worker left behind (multiprocessing's tracker exits last)

    store = OxigraphStore(data / "store")
    written = sorted(n for (n,) in store.select(f"SELECT ?n WHERE {{ ?d a <{KGO}Document> ; rdfs:label ?n }}"))
    assert written == [f.name for f in files[:len(written)]]  # written in order, so a prefix
    assert 5 <= len(written) < len(files)
    interrupted = _document_graphs(store)
    store.close()

    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(files) - len(written)} documents ingested, 0 failed" in resumed.stdout
    assert f"; {len(written)} skipped (already stored" in resumed.stdout

    # Every written document complete, nothing else: the same as one process over the prefix.
    prefix = OxigraphStore.in_memory()
    for _ in ingest_in_order(Ingestor(prefix), files[:len(written)]):
        pass
    assert interrupted == _document_graphs(prefix)
    # The resumed run ends where one uninterrupted run does (a run's lexicon learns every label
    # a written document gives its entities, as a new run reads them back from the store).
    reference = OxigraphStore.in_memory()
    for _ in ingest_in_order(Ingestor(reference), files):
        pass
    store = OxigraphStore(data / "store")
    final = _document_graphs(store)
    store.close()
    assert final == _document_graphs(reference)
    assert len(final) == len(files)


def _group_gone(pgid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _doc(text: str, name: str = "b.txt"):  # type: ignore[no-untyped-def]
    from ingestion import parse_document

    return parse_document(text, name=name)
