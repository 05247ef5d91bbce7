"""One contract for every store backend; each backend subclasses it."""
from __future__ import annotations

import io

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from kg import OxigraphStore, QuerySyntaxError, ensure_reference_graphs


def q(s: str, o: object, g: str = "http://g/1") -> Quad:
    return Quad(NamedNode(s), NamedNode("http://p"), Literal(o), NamedNode(g))


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

    def test_reference_graphs_load_once(self, store):
        assert ensure_reference_graphs(store) is True
        n = store.count()
        assert ensure_reference_graphs(store) is False
        assert store.count() == n
        assert store.select("SELECT (COUNT(*) AS ?n) WHERE { ?m a kgo:Metric }")[0][0] > 30


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
