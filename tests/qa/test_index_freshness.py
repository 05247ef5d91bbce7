"""The question index is built once however many first questions arrive together, and rebuilt
after (only after) the graph changes."""
from __future__ import annotations

import threading

from ingestion import Ingestor
from kg import OxigraphStore, ensure_reference_graphs
from qa import QA
from qa.graph import GraphIndex


def test_concurrent_first_questions_build_the_index_once(monkeypatch, corpus_file):
    store = OxigraphStore.in_memory()
    ensure_reference_graphs(store)
    Ingestor(store).ingest_path(corpus_file)
    builds = []
    real = GraphIndex.build.__func__

    def counted(cls, s):  # type: ignore[no-untyped-def]
        builds.append(threading.get_ident())
        return real(cls, s)

    monkeypatch.setattr(GraphIndex, "build", classmethod(counted))
    qa = QA(store, embedding_model="none")
    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(qa.ask("百度2025年Q1營收是多少?").status))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == ["answered"] * 6
    assert len(builds) == 1
    qa.ask("百度2025年Q1營收是多少?")
    assert len(builds) == 1  # nothing changed: no rebuild
    store.drop_graph(next(g for g in store.graphs() if "/doc-" in g))
    assert qa.ask("百度2025年Q1營收是多少?").status == "not_found"
    assert len(builds) == 2
