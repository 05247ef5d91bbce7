"""Hostile requests against the real `kgqa serve`: each gets its error in the envelope, and the graph is
unchanged afterwards."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from kg import OxigraphServer, SparqlServerStore
from kgqa.settings import Settings
from kgqa.web import create_app

TEN_MB = b"#" * (10 * 1024 * 1024)
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^10 rows
PROBE = "<http://hostile.example/s> <http://hostile.example/p> \"planted\""


def _error(r: httpx.Response, status: int, code: str) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert body["error"]["status"] == status and body["error"]["code"] == code, body
    return str(body["error"]["message"])


@pytest.fixture
def unchanged(live, graph_fingerprint):  # type: ignore[no-untyped-def]
    """Yields a client; afterwards the graph must be exactly as before and hold no planted triple."""
    with live.client() as c:
        before = graph_fingerprint(c)
        yield c
        assert graph_fingerprint(c) == before
        r = c.get("/sparql", params={"query": f"ASK {{ {PROBE} }}"})
        assert r.json()["boolean"] is False


@pytest.fixture
def listener():  # type: ignore[no-untyped-def]
    """A loopback socket standing in for another host; it records whether anyone connected."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.5)
    yield sock
    sock.close()


def _connected(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except TimeoutError:
        return False
    conn.close()
    return True


def test_service_to_another_host_is_refused(live, unchanged, listener) -> None:
    other = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    for query in (f"SELECT * WHERE {{ SERVICE <{other}> {{ ?s ?p ?o }} }}",
                  f"select * where {{ service silent <{other}> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ ?s ?p ?o SERVICE ?x {{ ?s ?p ?o }} VALUES ?x {{ <{other}> }} }}"):
        _error(unchanged.get("/sparql", params={"query": query}), 403, "query_not_allowed")
        _error(unchanged.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}),
               403, "query_not_allowed")
    upd = f"INSERT {{ {PROBE} }} WHERE {{ SERVICE <{other}> {{ ?s ?p ?o }} }}"
    _error(unchanged.post("/update", data={"update": upd}, headers=live.auth), 403, "update_not_allowed")
    assert not _connected(listener)


def test_service_allow_list_lets_a_listed_endpoint_through(run_app) -> None:
    """SERVICE works for an allow-listed endpoint only (two real Oxigraph servers on loopback)."""
    with OxigraphServer(None, timeout_s=5) as other, OxigraphServer(None, timeout_s=5) as own:
        other_store = SparqlServerStore.for_oxigraph(other.url)
        other_store.update(f"INSERT DATA {{ {PROBE} }}")
        listed = other.url + "/query"
        store = SparqlServerStore.for_oxigraph(own.url)
        app = create_app(Settings(data_dir="/nonexistent/kgqa-allowlist", service_allowlist=[listed],
                                  embedding_model="none"), store)
        with run_app(app) as url, httpx.Client(base_url=url, trust_env=False, timeout=30) as c:
            r = c.get("/sparql", params={"query": f"SELECT ?o WHERE {{ SERVICE <{listed}> {{ ?s ?p ?o }} }}"})
            assert r.status_code == 200, r.text
            assert [b["o"]["value"] for b in r.json()["results"]["bindings"]] == ["planted"]
            r = c.get("/sparql", params={"query": f"SELECT ?o WHERE {{ SERVICE <{other.url}/update> {{ ?s ?p ?o }} }}"})
            _error(r, 403, "query_not_allowed")
        store.close()
        other_store.close()


def test_load_and_file_iris_are_refused(live, unchanged) -> None:
    for update in ("LOAD <http://example.com/data.ttl>", "LOAD <file:///etc/passwd> INTO GRAPH <http://g/x>",
                   "load silent <http://example.com/x.ttl>"):
        msg = _error(unchanged.post("/update", content=update, headers={**live.auth,
                                    "Content-Type": "application/sparql-update"}), 403, "update_not_allowed")
        assert "LOAD" in msg
        _error(unchanged.get("/sparql", params={"query": update}), 403, "query_not_allowed")
    _error(unchanged.get("/sparql", params={"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}),
           403, "query_not_allowed")
    _error(unchanged.post("/update", data={"update": "INSERT DATA { GRAPH <file:///tmp/x> { " + PROBE + " } }"},
                          headers=live.auth), 403, "update_not_allowed")
    _error(unchanged.get("/sparql", params={"query": f"INSERT DATA {{ {PROBE} }}"}), 403, "query_not_allowed")


def test_a_query_past_the_time_limit_is_stopped_while_others_are_served(live, unchanged) -> None:
    outcome: dict[str, object] = {}

    def hostile() -> None:
        start = time.monotonic()
        with live.client() as c:
            outcome["response"] = c.get("/sparql", params={"query": CARTESIAN})
        outcome["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=hostile)
    thread.start()
    time.sleep(0.5)
    served = []
    while thread.is_alive():
        t0 = time.monotonic()
        h = unchanged.get("/health")
        q = unchanged.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 3"})
        served.append(time.monotonic() - t0)
        assert h.status_code == 200 and q.status_code == 200 and len(q.json()["results"]["bindings"]) == 3
        time.sleep(0.2)
    thread.join()
    msg = _error(outcome["response"], 503, "query_timeout")  # type: ignore[arg-type]
    assert "time limit" in msg
    assert outcome["seconds"] < live.query_timeout_s + 10  # type: ignore[operator]
    assert len(served) >= 3 and max(served) < 2.0, served
    assert unchanged.post("/ask", json={"question": "百度2025年Q1營收是多少?"}).status_code == 200


RUNAWAY = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g ?c ?f ?i LIMIT 1"


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in (Path("/proc") / str(pid) / "task").iterdir():
        try:
            text = (task / "children").read_text().split()
        except FileNotFoundError:  # the thread ended between the listing and the read
            continue
        out.update(int(t) for t in text)
    return out


def test_a_query_the_store_cannot_stop_gets_its_server_restarted(live, unchanged) -> None:
    """Oxigraph's --timeout-s does not stop a sort over a cartesian product; the service answers 503 and
    restarts its child store server, so the query stops using the CPU and the next queries are served."""
    before = _children(live.process.pid)
    assert before, "kgqa serve runs its store as a child Oxigraph server"
    start = time.monotonic()
    r = unchanged.get("/sparql", params={"query": RUNAWAY})
    _error(r, 503, "query_timeout")
    assert time.monotonic() - start < live.query_timeout_s + 10
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = _children(live.process.pid)
        if now and not (now & before):
            break
        time.sleep(0.2)
    assert now and not (now & before), (before, now)
    for pid in before:
        assert not (Path("/proc") / str(pid)).exists() or "zombie" in (Path("/proc") / str(pid) / "status").read_text()
    q = unchanged.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 3"})
    assert q.status_code == 200 and len(q.json()["results"]["bindings"]) == 3


def test_updates_need_the_right_token(live, unchanged) -> None:
    update = f"INSERT DATA {{ {PROBE} }}"
    sparql_update = {"Content-Type": "application/sparql-update"}
    r = unchanged.post("/update", content=update, headers=sparql_update)
    _error(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")
    _error(unchanged.post("/update", content=update, headers={**sparql_update, "Authorization": "Bearer wrong"}),
           401, "invalid_token")
    _error(unchanged.post("/update", content=update, headers={**sparql_update, "Authorization": f"Basic {live.token}"}),
           401, "unauthorized")
    _error(unchanged.post("/documents", params={"name": "x.txt"}, content="百度營收達1億元。".encode(),
                          headers={"Content-Type": "text/plain", "Authorization": "Bearer nope"}), 401, "invalid_token")
    _error(unchanged.delete("/documents/anything"), 401, "unauthorized")
    # the right token does write (then the test takes the triple out again)
    assert unchanged.post("/update", content=update, headers={**sparql_update, **live.auth}).status_code == 200
    assert unchanged.get("/sparql", params={"query": f"ASK {{ {PROBE} }}"}).json()["boolean"] is True
    r = unchanged.post("/update", data={"update": f"DELETE DATA {{ {PROBE} }}"}, headers=live.auth)
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_writes_are_off_without_a_configured_token(run_app, corpus_file) -> None:
    from kg import OxigraphStore, ensure_reference_graphs

    store = OxigraphStore.in_memory()
    ensure_reference_graphs(store)
    before = store.count()
    app = create_app(Settings(data_dir="/nonexistent/kgqa-no-token", embedding_model="none"), store)
    with run_app(app) as url, httpx.Client(base_url=url, trust_env=False) as c:
        for auth in ({}, {"Authorization": "Basic dXNlcjpwdw=="}, {"Authorization": "Bearer anything"}):
            _error(c.post("/update", data={"update": f"INSERT DATA {{ {PROBE} }}"}, headers=auth),
                   403, "writes_disabled")
            _error(c.post("/documents", files={"file": (corpus_file.name, corpus_file.read_bytes())}, headers=auth),
                   403, "writes_disabled")
            _error(c.delete("/documents/x", headers=auth), 403, "writes_disabled")
    assert store.count() == before


def test_ten_megabyte_bodies_are_refused(live, unchanged) -> None:
    for path, ctype, extra in (("/sparql", "application/sparql-query", {}),
                               ("/update", "application/sparql-update", live.auth),
                               ("/documents?name=big.txt", "text/plain", live.auth),
                               ("/ask", "application/json", {}), ("/chat", "application/json", {})):
        _error(unchanged.post(path, content=TEN_MB, headers={"Content-Type": ctype, **extra}), 413, "request_too_large")

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(10):
            yield TEN_MB[:1024 * 1024]

    _error(unchanged.post("/update", content=chunks(), headers={"Content-Type": "application/sparql-update",
                                                                **live.auth}), 413, "request_too_large")


def test_malformed_sparql(live, unchanged) -> None:
    for query in ("SELECT ?s WHERE { ?s ?p }", "SELEKT * WHERE { ?s ?p ?o }", "", "SELECT * WHERE { ?s ?p ?o",
                  "SELECT * WHERE { ?s <http://a> \"unterminated }"):
        _error(unchanged.get("/sparql", params={"query": query}), 400, "malformed_query")
        _error(unchanged.post("/sparql", data={"query": query}), 400, "malformed_query")
    _error(unchanged.post("/update", content="INSERT DATA { <http://a> <http://b> }",
                          headers={"Content-Type": "application/sparql-update", **live.auth}), 400, "malformed_update")
    _error(unchanged.post("/sparql", content=b"\xff\xfe SELECT", headers={"Content-Type": "application/sparql-query"}),
           400, "bad_encoding")
    _error(unchanged.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]), 400, "bad_request")


def test_wrong_content_types_and_accept(live, unchanged) -> None:
    q = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    _error(unchanged.post("/sparql", content=q, headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
    _error(unchanged.post("/sparql", json={"query": q}), 415, "unsupported_media_type")
    _error(unchanged.post("/update", json={"update": f"INSERT DATA {{ {PROBE} }}"}, headers=live.auth),
           415, "unsupported_media_type")
    _error(unchanged.post("/documents", json={"text": "百度營收達1億元。"}, headers=live.auth),
           415, "unsupported_media_type")
    _error(unchanged.post("/ask", content="百度營收是多少?", headers={"Content-Type": "text/plain"}),
           415, "unsupported_media_type")
    _error(unchanged.post("/chat", data={"message": "hi"}), 415, "unsupported_media_type")
    _error(unchanged.get("/sparql", params={"query": q}, headers={"Accept": "image/png"}), 406, "not_acceptable")
    _error(unchanged.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"},
                         headers={"Accept": "text/csv"}), 406, "not_acceptable")
    _error(unchanged.post("/documents", params={"name": "../../etc/passwd.txt"}, content="百度營收達1億元。".encode(),
                          headers={"Content-Type": "text/plain", **live.auth}), 422, "invalid_document_name")
    _error(unchanged.post("/documents", params={"name": "bad.txt"}, content=b"\x00\x01\x02" * 100,
                          headers={"Content-Type": "text/plain", **live.auth}), 422, "invalid_document")
    _error(unchanged.post("/documents", params={"name": "front.md"},
                          content="---\ntitle: [unclosed\n---\n百度營收達1億元。".encode(),
                          headers={"Content-Type": "text/markdown", **live.auth}), 422, "invalid_document")


def test_bad_questions(live, unchanged) -> None:
    _error(unchanged.post("/ask", json={}), 422, "invalid_request")
    _error(unchanged.post("/ask", json={"question": ""}), 422, "invalid_request")
    _error(unchanged.post("/ask", json={"question": "   "}), 422, "invalid_question")
    _error(unchanged.post("/ask", json={"question": "x" * 5000}), 422, "question_too_long")
    _error(unchanged.post("/ask", json={"question": "q", "session": "../../etc"}), 422, "invalid_request")
    _error(unchanged.post("/ask", json={"question": "q", "admin": True}), 422, "invalid_request")
    _error(unchanged.post("/ask", content=b"{not json", headers={"Content-Type": "application/json"}),
           422, "invalid_request")
    _error(unchanged.post("/chat", json={"message": "\x00\x01"}, headers={"Accept": "application/json"}),
           422, "invalid_question")
