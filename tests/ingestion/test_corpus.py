"""The shared corpus article: golden facts, offsets, idempotency, deletion, SHACL."""
from __future__ import annotations

import pytest

from golden import load_golden, score_observations, score_relations
from ingestion import Ingestor, delete_document
from kg.namespaces import KGO, document_graph


@pytest.fixture
def ingested(store, corpus_file):
    result = Ingestor(store).ingest_path(corpus_file)
    return store, result


def test_corpus_observations_match_golden(ingested):
    store, result = ingested
    score = score_observations(store, result.document, load_golden("ai-commercialization-2025q1.zh-Hant.txt.json"))
    assert score.recall >= 0.95, score.missing
    assert score.precision >= 0.95, score.extra


def test_corpus_relations_match_golden(ingested):
    store, result = ingested
    score = score_relations(store, result.document, load_golden("ai-commercialization-2025q1.zh-Hant.txt.json"))
    assert score.recall >= 0.9, score.missing
    assert score.precision >= 0.8, score.extra


def test_every_quote_is_the_original_text(ingested, corpus_file):
    store, result = ingested
    text = corpus_file.read_text(encoding="utf-8")
    rows = store.select(f"SELECT ?a ?b ?q WHERE {{ ?m a <{KGO}Mention> ; <{KGO}start> ?a ; <{KGO}end> ?b ; <{KGO}quote> ?q }}")
    assert len(rows) > 40
    for a, b, q in rows:
        assert text[a:b] == q


def test_no_fact_is_read_from_a_garbled_span(ingested, corpus_file):
    store, _ = ingested
    quotes = [q for (q,) in store.select(f"SELECT ?q WHERE {{ ?m a <{KGO}Mention> ; <{KGO}quote> ?q }}")]
    garbled = "??焓之惽ぃ瞥鯧"
    assert garbled in corpus_file.read_text(encoding="utf-8")
    assert not any(garbled in q for q in quotes)


def test_ingesting_twice_leaves_the_graph_identical(ingested, corpus_file):
    store, result = ingested
    before = sorted(str(q) for q in store.quads())
    again = Ingestor(store).ingest_path(corpus_file)
    assert again.unchanged
    assert sorted(str(q) for q in store.quads()) == before


def test_delete_removes_everything_derived_from_the_document(ingested):
    store, result = ingested
    reference = {g for g in store.graphs() if g != document_graph(result.document)}
    assert delete_document(store, result.document) == result.document
    assert set(store.graphs()) == reference
    assert store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?o a <{KGO}Observation> }}") == [(0,)]
    assert store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?e <{KGO}mentionedIn> ?d }}") == [(0,)]


def test_document_graph_conforms_to_shacl(ingested):
    from ingestion.validate import shacl_problems

    store, result = ingested
    quads = list(store.quads(document_graph(result.document)))
    assert shacl_problems(quads) == []


def test_shacl_catches_a_broken_observation(ingested):
    from pyoxigraph import NamedNode

    from ingestion.validate import shacl_problems

    store, result = ingested
    quads = [q for q in store.quads(document_graph(result.document))
             if q.predicate != NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")]
    assert shacl_problems(quads)
