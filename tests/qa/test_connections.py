"""Connection questions are answered from a path in the entity graph, each hop a cited fact."""
from __future__ import annotations

from ingestion import Ingestor
from qa import QA


def test_connection_path_cites_every_hop(store, corpus_file):
    Ingestor(store).ingest_path(corpus_file)
    a = QA(store, embedding_model="none").ask("DeepSeek和騰訊有什麼關係?")
    assert a.status == "answered"
    assert len(a.facts) >= 3 and all(f.source is not None for f in a.facts)
    assert "1/4" in a.answer  # the hop through 混元T1's cost compared with DeepSeek-R1


def test_no_path_is_not_found(store, corpus_file):
    Ingestor(store).ingest_path(corpus_file)
    assert QA(store, embedding_model="none").ask("How is YouTube connected to Meituan?").status == "not_found"
