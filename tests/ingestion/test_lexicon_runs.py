"""The lexicon one run builds as it goes equals the one a new run reads from the store.

So ingesting documents in one run or in several (one per document) writes the same graphs:
an entity a document introduces is known to the documents after it with every label the
store holds for it (its other-script label and aliases), not only the label it was found by.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ingestion import Ingestor, parse_document
from kg.lexicon import Lexicon
from kg.namespaces import REFERENCE_GRAPHS, SKOS
from kg.store import OxigraphStore

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from generate import generate_articles

# A introduces a company in a clear pattern; B names it again. The company's Traditional
# label is an altLabel A writes; B must write it too, as it does when run on its own later.
A = "宏岳科技集团2025年第一季度营收达12亿元,同比增长8%。\n"
B = "宏岳科技集团第二季度营收达15亿元。\n"


def _document_graphs(store: OxigraphStore) -> dict[str, set[str]]:
    reference = set(REFERENCE_GRAPHS.values())
    return {g: {str(q) for q in store.quads(g)} for g in store.graphs() if g not in reference}


def _one_run(docs: list[tuple[str, str]]) -> tuple[OxigraphStore, Ingestor]:
    store = OxigraphStore.in_memory()
    ing = Ingestor(store)
    for name, text in docs:
        ing.ingest_document(parse_document(text, name=name))
    return store, ing


def _run_per_document(docs: list[tuple[str, str]]) -> OxigraphStore:
    store = OxigraphStore.in_memory()
    for name, text in docs:
        Ingestor(store).ingest_document(parse_document(text, name=name))  # a new run: lexicon read from the store
    return store


def test_one_run_over_a_then_b_equals_two_runs():
    docs = [("a.txt", A), ("b.txt", B)]
    one, _ = _one_run(docs)
    two = _run_per_document(docs)
    assert _document_graphs(one) == _document_graphs(two)
    alt_in_b = one.select(f"""SELECT ?l WHERE {{ GRAPH ?g {{ ?d <http://www.w3.org/2000/01/rdf-schema#label> "b.txt" .
        ?e <{SKOS}altLabel> ?l }} }}""")
    assert alt_in_b, "B writes the company's altLabel it learnt from A"


def test_the_lexicon_after_a_run_equals_the_one_read_from_the_store():
    docs = generate_articles(40, seed=5)
    store, ing = _one_run(docs)
    fresh = Lexicon.from_store(store)
    assert ing.lexicon.by_iri == fresh.by_iri
    assert ing.lexicon.entities._table == fresh.entities._table  # every key, held by the same entity
    assert ing.learned and {e.iri for e in ing.learned} <= set(fresh.by_iri)


def test_generated_articles_in_one_run_equal_one_run_per_article():
    docs = generate_articles(40, seed=5)
    one, _ = _one_run(docs)
    each = _run_per_document(docs)
    got, want = _document_graphs(one), _document_graphs(each)
    assert len(got) == len(docs) and got == want
    # the case this guards: some entity has its aliases written again by a later document
    rows = one.select(f"SELECT ?e (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?e <{SKOS}altLabel> ?l }} }} "
                      "GROUP BY ?e HAVING (COUNT(DISTINCT ?g) > 1)")
    assert rows
