"""One contract for every store backend; each backend subclasses ``StoreContract``.

Besides the store operations, the contract runs the pipeline over the backend: ingest an
article (``ingestion.Ingestor``), ask questions about it (``qa.QA``), export, delete. Each
result must equal what the embedded in-memory store gives for the same article, so every
backend behaves identically. ``tests/kg/test_remote_store.py`` runs it against a real
Oxigraph server on loopback.
"""
from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse

from ingestion import Ingestor, delete_document
from kg import REFERENCE_GRAPHS, OxigraphStore, QuerySyntaxError, document_graph, ensure_reference_graphs
from qa import QA

DATA = Path(__file__).resolve().parents[1] / "data"
ARTICLE = DATA / "articles" / "short-mixed.zh-Hans.md"
# questions about ARTICLE from the fixture question set: lookups, a list, an unanswerable one
QUESTION_IDS = ("f17", "f18", "f21", "fu5")


def q(s: str, o: object, g: str = "http://g/1") -> Quad:
    return Quad(NamedNode(s), NamedNode("http://p"), Literal(o), NamedNode(g))


def questions() -> list[dict]:
    items = [json.loads(line) for line in (DATA / "questions" / "fixtures.jsonl").read_text("utf-8").splitlines()
             if line.strip()]
    picked = [i for i in items if i["id"] in QUESTION_IDS]
    assert len(picked) == len(QUESTION_IDS)
    return picked


def quad_set(data: bytes, fmt: RdfFormat = RdfFormat.N_QUADS) -> Counter[tuple[str, ...]]:
    """The quads of a serialisation, blank node labels (which differ between stores) blanked."""
    def term(t: object) -> str:
        return "_:" if isinstance(t, BlankNode) else str(t)

    return Counter(tuple(term(t) for t in (x.subject, x.predicate, x.object, x.graph_name))
                   for x in parse(data, fmt))


def comparable(answer: dict) -> dict:
    """An answer without what depends on the order a store lists unordered results in: the
    SPARQL text (its VALUES lists follow that order) and the order of the facts."""
    out = {k: v for k, v in answer.items() if k not in ("sparql", "facts")}
    out["facts"] = sorted(json.dumps(f, sort_keys=True, ensure_ascii=False) for f in answer["facts"])
    return out


@pytest.fixture(scope="module")
def reference() -> dict:
    """The article ingested into the embedded in-memory store, and what that gives."""
    ref = OxigraphStore.in_memory()
    result = Ingestor(ref).ingest_path(ARTICLE)
    qa = QA(ref, embedding_model="none")
    answers = {i["id"]: qa.ask(i["q"]).to_dict() for i in questions()}
    out = io.BytesIO()
    ref.export(out, "nquads")
    return {"store": ref, "result": result, "answers": answers, "nquads": out.getvalue(),
            "quads": set(ref.quads(document_graph(result.document)))}


class StoreContract:
    @pytest.fixture
    def store(self, tmp_path):
        raise NotImplementedError

    def test_replace_graph_replaces_only_that_graph(self, store):
        store.replace_graph("http://g/1", [q("http://a", 1), q("http://b", 2)])
        store.replace_graph("http://g/2", [q("http://c", 3, "http://g/2")])
        store.replace_graph("http://g/1", [q("http://a", 5)])
        rows = sorted(store.select("SELECT ?s ?o WHERE { ?s <http://p> ?o }"))
        assert rows == [("http://a", 5), ("http://c", 3)]

    def test_drop_graph(self, store):
        store.replace_graph("http://g/1", [q("http://a", 1)])
        assert store.drop_graph("http://g/1") is True
        assert store.drop_graph("http://g/1") is False
        assert store.count() == 0

    def test_graphs_quads_and_count(self, store):
        store.replace_graph("http://g/2", [q("http://c", 3, "http://g/2")])
        store.replace_graph("http://g/1", [q("http://a", 1), q("http://b", "二")])
        assert store.graphs() == ["http://g/1", "http://g/2"]
        assert store.count() == 3
        assert set(store.quads("http://g/1")) == {q("http://a", 1), q("http://b", "二")}
        assert set(store.quads()) == {q("http://a", 1), q("http://b", "二"), q("http://c", 3, "http://g/2")}

    def test_terms_round_trip(self, store):
        terms = [Literal("雲帆", language="zh-Hant"), Literal("3.25", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
                 Literal('a "quoted"\nline'), Literal(True), Literal(2.5e9)]
        store.replace_graph("http://g/1", [Quad(NamedNode("http://a"), NamedNode(f"http://p{i}"), t,
                                                NamedNode("http://g/1")) for i, t in enumerate(terms)])
        rows = store.select_terms("SELECT ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p")
        assert [o for _, o in rows] == terms
        assert [v for (v,) in store.select("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?p")] == \
               ["雲帆", 3.25, 'a "quoted"\nline', True, 2.5e9]

    def test_blank_nodes_keep_their_links(self, store):
        b, c = BlankNode(), BlankNode()
        g = NamedNode("http://g/1")
        store.replace_graph("http://g/1", [Quad(NamedNode("http://a"), NamedNode("http://p"), b, g),
                                           Quad(b, NamedNode("http://q"), Literal(1), g),
                                           Quad(NamedNode("http://a"), NamedNode("http://p"), c, g),
                                           Quad(c, NamedNode("http://q"), Literal(2), g)])
        rows = store.select("SELECT ?v WHERE { <http://a> <http://p> ?b . ?b <http://q> ?v } ORDER BY ?v")
        assert rows == [(1,), (2,)]
        assert store.count() == 4

    def test_ask_and_prefixes(self, store):
        store.replace_graph("http://g/1", [Quad(NamedNode("http://a"), NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                                                Literal("x"), NamedNode("http://g/1"))])
        assert store.ask("ASK { ?s skos:prefLabel \"x\" }") is True
        assert store.ask("ASK { ?s skos:prefLabel \"y\" }") is False

    def test_bindings_are_values_not_text(self, store):
        store.replace_graph("http://g/1", [q("http://a", "x\" } ; DROP ALL #")])
        rows = store.select("SELECT ?s WHERE { ?s <http://p> ?v }", {"v": 'x" } ; DROP ALL #'})
        assert rows == [("http://a",)]
        assert store.count() == 1

    def test_syntax_errors_are_reported(self, store):
        with pytest.raises(QuerySyntaxError):
            store.select("SELECT WHERE {")

    def test_export_and_load_round_trip(self, store, tmp_path):
        store.replace_graph("http://g/1", [q("http://a", 1)])
        buf = io.BytesIO()
        store.export(buf, "nquads")
        other = OxigraphStore.in_memory()
        other.load(buf.getvalue(), "nquads")
        assert other.select("SELECT ?o WHERE { ?s ?p ?o }") == [(1,)]

    def test_load_adds_to_graphs(self, store):
        store.replace_graph("http://g/1", [q("http://a", 1)])
        integer = b"^^<http://www.w3.org/2001/XMLSchema#integer>"
        store.load(b'<http://b> <http://p> "2"' + integer + b' <http://g/1> .\n'
                   b'<http://c> <http://p> "3"' + integer + b' <http://g/3> .\n', "nquads")
        store.load(b'<http://d> <http://p> 4 .', "turtle", graph="http://g/4")
        assert sorted(store.select("SELECT ?o WHERE { ?s <http://p> ?o }")) == [(1,), (2,), (3,), (4,)]
        assert store.graphs() == ["http://g/1", "http://g/3", "http://g/4"]
        assert store.count() == 4

    def test_reference_graphs_load_once(self, store):
        assert ensure_reference_graphs(store) is True
        n = store.count()
        assert ensure_reference_graphs(store) is False
        assert store.count() == n
        assert store.select("SELECT (COUNT(*) AS ?n) WHERE { ?m a kgo:Metric }")[0][0] > 30

    # -- the pipeline over the backend: same graph, same answers, same export as embedded ----
    def test_ingest_writes_the_same_graph(self, store, reference):
        result = Ingestor(store).ingest_path(ARTICLE)
        ref = reference["result"]
        assert (result.document, result.observations, result.relations, result.triples) == \
               (ref.document, ref.observations, ref.relations, ref.triples)
        assert result.observations > 0
        assert set(store.quads(document_graph(result.document))) == reference["quads"]
        assert store.graphs() == reference["store"].graphs()
        assert store.count() == reference["store"].count()
        again = Ingestor(store).ingest_path(ARTICLE)
        assert again.unchanged and store.count() == reference["store"].count()

    def test_ask_answers_from_the_ingested_text(self, store, reference):
        Ingestor(store).ingest_path(ARTICLE)
        qa = QA(store, embedding_model="none")
        text = ARTICLE.read_text(encoding="utf-8")
        for item in questions():
            got = qa.ask(item["q"]).to_dict()
            assert comparable(got) == comparable(reference["answers"][item["id"]]), item["id"]
            if item.get("numbers"):  # a figure the article states: answered, from the article's text
                assert got["status"] == "answered", item["id"]
                assert got["facts"] and all(f["source"]["quote"] in text for f in got["facts"]), item["id"]
            elif not item.get("answerable", True):
                assert got["status"] == "not_found", item["id"]

    def test_export_is_identical(self, store, reference):
        Ingestor(store).ingest_path(ARTICLE)
        out = io.BytesIO()
        store.export(out, "nquads")
        assert quad_set(out.getvalue()) == quad_set(reference["nquads"])
        trig = io.BytesIO()
        store.export(trig, "trig")
        assert quad_set(trig.getvalue(), RdfFormat.TRIG) == quad_set(reference["nquads"])
        graph = document_graph(reference["result"].document)
        ttl = io.BytesIO()
        store.export(ttl, "turtle", graph=graph)
        assert {x.triple for x in parse(ttl.getvalue(), RdfFormat.TURTLE)} == {x.triple for x in reference["quads"]}

    def test_delete_removes_everything_from_the_document(self, store, reference):
        ensure_reference_graphs(store)
        before = store.count()
        result = Ingestor(store).ingest_path(ARTICLE)
        assert store.count() > before
        assert delete_document(store, result.document) == result.document
        assert store.count() == before
        assert store.graphs() == sorted(REFERENCE_GRAPHS.values())
        assert delete_document(store, result.document) is None
        lookup = next(i for i in questions() if i.get("numbers"))
        assert QA(store, embedding_model="none").ask(lookup["q"]).status == "not_found"


class TestInMemoryStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path):
        return OxigraphStore.in_memory()


class TestOnDiskStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path):
        s = OxigraphStore(tmp_path / "store")
        yield s
        s.close()

    def test_data_survives_reopening(self, tmp_path):
        s = OxigraphStore(tmp_path / "s")
        s.replace_graph("http://g/1", [q("http://a", 1)])
        s.close()
        s2 = OxigraphStore(tmp_path / "s")
        assert s2.count() == 1
        s2.close()
