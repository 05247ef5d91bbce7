"""Every error the HTTP service returns has one shape, pinned here:

    {"error": {"status": <the HTTP status>, "code": "<snake_case>", "message": "<non-empty text>"}}

with Content-Type application/json, whatever raised it (our routes, FastAPI validation, the router, the
store being down, an unexpected exception).
"""
from __future__ import annotations

import re

import httpx
import pytest

from kg import OxigraphStore, SparqlServerStore
from kg.oxserver import free_port
from kgqa.settings import Settings
from kgqa.web import create_app

PINNED_KEYS = {"status", "code", "message"}


def assert_envelope(r: httpx.Response, status: int, code: str | None = None) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == PINNED_KEYS, err
    assert err["status"] == status and isinstance(err["status"], int)
    assert re.fullmatch(r"[a-z][a-z0-9_]*", err["code"]), err
    assert isinstance(err["message"], str) and err["message"].strip()
    if code is not None:
        assert err["code"] == code, err


CASES = [
    # (method, path, kwargs, status, code)
    ("GET", "/no/such/route", {}, 404, "not_found"),
    ("DELETE", "/ask", {}, 405, "method_not_allowed"),
    ("GET", "/ask", {}, 405, "method_not_allowed"),
    ("POST", "/ask", {"json": {"question": 42}}, 422, "invalid_request"),
    ("POST", "/ask", {"json": {"question": ""}}, 422, "invalid_request"),
    ("POST", "/ask", {"content": "x", "headers": {"Content-Type": "text/plain"}}, 415, "unsupported_media_type"),
    ("POST", "/chat", {"json": {"message": "q", "session": "bad id!"}}, 422, "invalid_request"),
    ("GET", "/sparql", {"params": {"query": "SELECT"}}, 400, "malformed_query"),
    ("GET", "/sparql", {"params": {"query": "SELECT * { ?s ?p ?o }"}, "headers": {"Accept": "image/gif"}},
     406, "not_acceptable"),
    ("GET", "/sparql", {"params": {"query": "SELECT * { SERVICE <http://x.example/> { ?s ?p ?o } }"}},
     403, "query_not_allowed"),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": "http://g"}}, 400, "unsupported_parameter"),
    ("POST", "/sparql", {"content": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "unsupported_media_type"),
    ("POST", "/sparql", {"data": {"nothing": "here"}}, 400, "missing_query"),
    ("POST", "/sparql", {"content": b"#" * 3_000_000, "headers": {"Content-Type": "application/sparql-query"}},
     413, "request_too_large"),
    ("POST", "/update", {"data": {"update": "CLEAR ALL"}}, 401, "unauthorized"),
    ("POST", "/update", {"data": {"update": "CLEAR ALL"}, "headers": {"Authorization": "Bearer no"}},
     401, "invalid_token"),
    ("POST", "/documents", {"content": "x", "headers": {"Content-Type": "text/plain"}}, 401, "unauthorized"),
    ("DELETE", "/documents/none", {}, 401, "unauthorized"),
]


@pytest.mark.parametrize("method,path,kwargs,status,code", CASES, ids=[f"{c[0]} {c[1]} {c[3]}" for c in CASES])
def test_live_server_errors_share_the_envelope(live, method, path, kwargs, status, code) -> None:
    with live.client() as c:
        assert_envelope(c.request(method, path, **kwargs), status, code)


def test_authorised_errors_share_the_envelope(live) -> None:
    with live.client() as c:
        assert_envelope(c.delete("/documents/no-such-document-anywhere", headers=live.auth), 404, "document_not_found")
        assert_envelope(c.post("/update", data={"update": "LOAD <http://x.example/>"}, headers=live.auth),
                        403, "update_not_allowed")
        assert_envelope(c.post("/update", data={"update": "INSERT DATA {"}, headers=live.auth),
                        400, "malformed_update")
        assert_envelope(c.post("/documents", params={"name": "a.pdf"}, content=b"%PDF",
                               headers={"Content-Type": "text/plain", **live.auth}), 422, "invalid_document_name")
        assert_envelope(c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                                                          "?g ?h ?i }"}), 503, "query_timeout")


def test_store_down_is_a_503_envelope(run_app) -> None:
    """A SPARQL-server store whose server is not running (nothing listens on the port)."""
    dead = SparqlServerStore.for_oxigraph(f"http://127.0.0.1:{free_port()}", retries=1, backoff=0.01)
    app = create_app(Settings(data_dir="/nonexistent/kgqa-dead", embedding_model="none"), dead)
    with run_app(app) as url, httpx.Client(base_url=url, trust_env=False, timeout=30) as c:
        assert_envelope(c.get("/health"), 503, "store_unavailable")
        assert_envelope(c.get("/sparql", params={"query": "ASK {}"}), 503, "store_unavailable")
        r = c.post("/ask", json={"question": "百度2025年Q1營收是多少?"})
        assert_envelope(r, 503, "store_unavailable")
    dead.close()


def test_unexpected_errors_are_a_500_envelope(run_app) -> None:
    """A store closed under the app: an unexpected exception inside a route, still in the envelope."""
    store = OxigraphStore.in_memory()
    app = create_app(Settings(data_dir="/nonexistent/kgqa-closed", embedding_model="none"), store)
    store.close()
    with run_app(app) as url, httpx.Client(base_url=url, trust_env=False) as c:
        r = c.get("/sparql", params={"query": "ASK {}"})
        assert_envelope(r, 500, "internal_error")
        assert "Traceback" not in r.text
