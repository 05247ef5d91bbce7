"""The SPARQL-server backend against a real Oxigraph server on a loopback port.

The whole store contract runs over it (``StoreContract``), then what only a server has:
a server that is down, a query stopped at the server's time limit, retries while a server
comes up late, raw pass-through answers. Every server here is started and stopped by the tests.
"""
from __future__ import annotations

import threading
import time

import pytest
from pyoxigraph import NamedNode, Quad, QueryBoolean, QuerySolutions, QueryTriples
from test_store_contract import StoreContract, q, reference  # noqa: F401 - the fixture is used by the contract

from kg import (
    OxigraphServer,
    OxigraphStore,
    QuerySyntaxError,
    QueryTimeoutError,
    SparqlServerStore,
    StoreError,
    StoreLockedError,
    StoreUnavailableError,
)
from kg.oxserver import free_port

HEAVY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a <http://q> ?x . ?b <http://q> ?y . ?c <http://q> ?z . "
         "?d <http://q> ?w }")  # 200^4 rows: far beyond a 1 s limit (stopped after ~2.5 s here)
HEAVY_ROWS = "SELECT ?a ?b ?c WHERE { ?a <http://q> ?x . ?b <http://q> ?y . ?c <http://q> ?z }"  # 200^3 rows


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "store", timeout_s=30) as srv:
        yield srv


class TestOxigraphServerStore(StoreContract):
    @pytest.fixture
    def store(self, server):
        s = SparqlServerStore.for_oxigraph(server.url)
        s.update("DROP ALL")  # each test starts from an empty store
        yield s
        s.close()

    def test_answers_are_pyoxigraph_results(self, store):
        store.replace_graph("http://g/1", [q("http://a", 1)])
        assert isinstance(store.raw_query("SELECT * WHERE { ?s ?p ?o }"), QuerySolutions)
        assert isinstance(store.raw_query("ASK { ?s ?p 1 }"), QueryBoolean)
        triples = store.raw_query("CONSTRUCT WHERE { ?s ?p ?o }")
        assert isinstance(triples, QueryTriples)
        assert [t.subject for t in triples] == [NamedNode("http://a")]

    def test_query_bytes_passes_the_answer_through(self, store):
        store.replace_graph("http://g/1", [q("http://a", 1)])
        body, ctype = store.query_bytes("SELECT ?s ?o WHERE { ?s <http://p> ?o }", "text/csv")
        assert ctype.startswith("text/csv")
        assert body.replace(b"\r\n", b"\n") == b"s,o\nhttp://a,1\n"

    def test_errors_point_into_the_callers_text(self, store):
        with pytest.raises(QuerySyntaxError, match=r"at 2:"):
            store.select("SELECT ?s\nWHERE { ?s ?p }")
        with pytest.raises(QuerySyntaxError):
            store.update("INSERT DATA { <http://a> }")

    def test_bad_load_keeps_what_is_stored(self, store):
        store.replace_graph("http://g/1", [q("http://a", 1)])
        with pytest.raises(StoreError, match="invalid turtle data"):  # parsed by the server
            store.load(b"<http://b> <http://p> oops .", "turtle", graph="http://g/1")
        with pytest.raises(StoreError, match="invalid nquads"):
            store.load(b"<http://b> <http://p> <http://c> <http://g/2> .\nnot rdf", "nquads")
        assert store.count() == 1 and store.graphs() == ["http://g/1"]
        assert set(store.quads("http://g/1")) == {q("http://a", 1)}

    def test_a_closed_store_says_so(self, server):
        s = SparqlServerStore.for_oxigraph(server.url)
        s.close()
        with pytest.raises(StoreError, match="closed"):
            s.count()

    def test_writes_are_seen_by_every_client(self, server, store):
        other = SparqlServerStore.for_oxigraph(server.url)
        store.replace_graph("http://g/1", [q("http://a", 1)])
        assert other.select("SELECT ?o WHERE { ?s ?p ?o }") == [(1,)]
        other.close()


def test_server_down_is_a_clear_error():
    url = f"http://127.0.0.1:{free_port()}"
    store = SparqlServerStore.for_oxigraph(url, retries=2, backoff=0.05)
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match=url.replace(".", r"\.") + "/query") as err:
        store.select("SELECT * WHERE { ?s ?p ?o }")
    assert "3 attempts" in str(err.value)
    assert time.monotonic() - started < 5
    with pytest.raises(StoreUnavailableError, match="/update"):
        store.replace_graph("http://g/1", [q("http://a", 1)])


def test_a_server_that_stops_is_reported(tmp_path):
    srv = OxigraphServer(tmp_path / "store").start()
    store = SparqlServerStore.for_oxigraph(srv.url, retries=1, backoff=0.05)
    store.replace_graph("http://g/1", [q("http://a", 1)])
    assert store.count() == 1
    srv.stop()
    with pytest.raises(StoreUnavailableError, match="not answering"):
        store.count()


def test_retries_reach_a_server_that_starts_late(tmp_path):
    port = free_port()
    late = OxigraphServer(tmp_path / "store", port=port)
    timer = threading.Timer(0.6, late.start)
    timer.start()
    try:
        store = SparqlServerStore.for_oxigraph(f"http://127.0.0.1:{port}", retries=6, backoff=0.2)
        started = time.monotonic()
        assert store.count() == 0  # the first attempts are refused; a later one is answered
        assert time.monotonic() - started >= 0.5
        store.replace_graph("http://g/1", [q("http://a", 1)])
        assert store.select("SELECT ?o WHERE { ?s ?p ?o }") == [(1,)]
    finally:
        timer.join()
        late.stop()


def test_time_limit_stops_a_query_and_others_still_answer(tmp_path):
    with OxigraphServer(tmp_path / "store", timeout_s=1) as srv:
        store = SparqlServerStore.for_oxigraph(srv.url)
        store.replace_graph("http://g/2", [Quad(NamedNode(f"http://s{i}"), NamedNode("http://q"), NamedNode("http://o"),
                                                NamedNode("http://g/2")) for i in range(200)])
        outcome: list[BaseException | object] = []

        def heavy() -> None:
            try:
                outcome.append(store.select(HEAVY))
            except BaseException as exc:  # noqa: BLE001 - the test inspects it
                outcome.append(exc)

        thread = threading.Thread(target=heavy)
        thread.start()
        time.sleep(0.3)
        other = SparqlServerStore.for_oxigraph(srv.url)
        t0 = time.monotonic()
        assert other.select("SELECT (COUNT(*) AS ?n) WHERE { ?s <http://q> ?o }") == [(200,)]
        assert time.monotonic() - t0 < 1.0
        assert thread.is_alive()  # the answer came while the heavy query was still running
        thread.join(60)
        assert len(outcome) == 1 and isinstance(outcome[0], QueryTimeoutError), outcome
        assert "time limit" in str(outcome[0])
        with pytest.raises(QueryTimeoutError):  # a pass-through answer cut short after its 200
            store.query_bytes(HEAVY_ROWS, "text/csv")
        assert store.count() == 200


def test_a_locked_store_cannot_be_served(tmp_path):
    held = OxigraphStore(tmp_path / "store")
    try:
        with pytest.raises(StoreLockedError, match="another process"):
            OxigraphServer(tmp_path / "store", startup_timeout=10).start()
    finally:
        held.close()


def test_server_data_persists_for_the_embedded_store(tmp_path):
    with OxigraphServer(tmp_path / "store") as srv:
        SparqlServerStore.for_oxigraph(srv.url).replace_graph("http://g/1", [q("http://a", 1)])
        with pytest.raises(StoreLockedError):
            OxigraphStore(tmp_path / "store")
    embedded = OxigraphStore(tmp_path / "store")
    assert embedded.select("SELECT ?o WHERE { ?s ?p ?o }") == [(1,)]
    embedded.close()


def test_urls_are_checked():
    with pytest.raises(StoreError, match="not a SPARQL endpoint URL"):
        SparqlServerStore("localhost:7878/query")


def test_credentials_settings():
    import httpx

    from kg.remote import http_auth

    assert isinstance(http_auth("kgqa:se:cret"), httpx.BasicAuth)
    assert isinstance(http_auth("digest:kgqa:secret"), httpx.DigestAuth)
    request = httpx.Request("GET", "http://127.0.0.1/")
    assert next(http_auth("bearer:tok").auth_flow(request)).headers["Authorization"] == "Bearer tok"
    with pytest.raises(StoreError, match="credentials"):
        http_auth("justaname")


def test_questions_see_documents_another_client_wrote(tmp_path, corpus_file):
    """QA over the server keeps its label index until the graph changes, also when another client
    (another `kgqa` command going through a running `kgqa serve`) ingests or deletes a document."""
    from ingestion import Ingestor, delete_document
    from qa import QA

    question = "百度2025年Q1營收是多少?"
    with OxigraphServer(tmp_path / "store") as srv:
        mine = SparqlServerStore.for_oxigraph(srv.url, stamp_ttl=0.5)
        other = SparqlServerStore.for_oxigraph(srv.url)
        from kg import ensure_reference_graphs

        ensure_reference_graphs(mine)
        qa = QA(mine)
        before = mine.change_stamp()
        assert qa.ask(question).status == "not_found"
        assert mine.change_stamp() == before  # asking writes nothing
        result = Ingestor(other).ingest_path(corpus_file)
        time.sleep(0.6)  # other clients' writes show within stamp_ttl
        assert mine.change_stamp() != before
        answer = qa.ask(question)
        assert answer.status == "answered" and answer.facts
        text = corpus_file.read_text(encoding="utf-8")
        assert all(text[f.source.start:f.source.end] == f.source.quote for f in answer.facts)
        delete_document(other, result.document)
        time.sleep(0.6)
        assert qa.ask(question).status == "not_found"
        own = mine.change_stamp()
        mine.replace_graph("http://g/own", [q("http://a", 1)])
        assert mine.change_stamp() != own  # this client's own writes show at once
        mine.close(), other.close()


def test_the_embedded_change_stamp_moves_with_every_write(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    seen = {store.change_stamp()}
    store.replace_graph("http://g/1", [q("http://a", 1)])
    seen.add(store.change_stamp())
    store.load(b'<http://b> <http://p> "2" .', "ntriples", graph="http://g/2")
    seen.add(store.change_stamp())
    store.drop_graph("http://g/1")
    seen.add(store.change_stamp())
    assert store.drop_graph("http://g/1") is False
    seen.add(store.change_stamp())
    assert len(seen) == 4
    store.close()
