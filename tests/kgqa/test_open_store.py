"""Which store ``kgqa.service.open_store`` opens: a configured SPARQL server, the Oxigraph
server of a live ``kgqa serve`` on the same data directory (``server.json``), or the
embedded store. Real Oxigraph servers on loopback, started and stopped here."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from kg import (
    REFERENCE_GRAPHS,
    OxigraphServer,
    OxigraphStore,
    SparqlServerStore,
    StoreError,
    StoreLockedError,
    StoreUnavailableError,
)
from kg.oxserver import free_port
from kgqa.service import (
    SERVER_FILE,
    ingest_paths,
    open_store,
    register_server,
    registered_server,
    stats,
)
from kgqa.settings import Settings

ARTICLE = Path(__file__).resolve().parents[1] / "data" / "articles" / "short-mixed.zh-Hans.md"


def fact(o: object) -> Quad:
    return Quad(NamedNode("http://a"), NamedNode("http://p"), Literal(o), NamedNode("http://g/1"))


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_without_a_server_the_store_is_embedded(tmp_path):
    store = open_store(Settings(data_dir=tmp_path))
    try:
        assert isinstance(store, OxigraphStore)
        assert set(REFERENCE_GRAPHS.values()) <= set(store.graphs())
    finally:
        store.close()


def test_a_configured_endpoint_is_used(tmp_path):
    with OxigraphServer(tmp_path / "remote") as srv:
        settings = Settings(data_dir=tmp_path / "data", sparql_endpoint=srv.url + "/query",
                            sparql_update_endpoint=srv.url + "/update", graph_store_endpoint=srv.url + "/store")
        store = open_store(settings)
        assert isinstance(store, SparqlServerStore)
        assert set(REFERENCE_GRAPHS.values()) <= set(store.graphs())  # loaded on the server
        report = ingest_paths(store, settings, [ARTICLE])
        assert report.ok and report.results[0].observations > 0
        assert stats(store)["documents"] == 1
        store.close()
        assert not (tmp_path / "data" / "store").exists()  # nothing embedded was opened


def test_a_configured_endpoint_that_is_down_fails_loudly(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(StoreUnavailableError, match=url):
        open_store(Settings(data_dir=tmp_path, sparql_endpoint=url))


def test_bad_credentials_setting_is_refused(tmp_path):
    with pytest.raises(StoreError, match="credentials"):
        open_store(Settings(data_dir=tmp_path, sparql_endpoint="http://127.0.0.1:9/query", sparql_auth="nocolon"))


def test_commands_beside_a_running_server_go_through_it(tmp_path):
    settings = Settings(data_dir=tmp_path)
    with OxigraphServer(settings.store_path) as srv:
        with register_server(settings, srv.url, "http://127.0.0.1:8000") as record:
            assert json.loads(record.read_text())["pid"] == os.getpid()
            first = open_store(settings)
            second = open_store(settings)  # another command on the same data dir
            assert isinstance(first, SparqlServerStore) and isinstance(second, SparqlServerStore)
            first.replace_graph("http://g/1", [fact(1)])
            assert second.select("SELECT ?o WHERE { GRAPH <http://g/1> { ?s ?p ?o } }") == [(1,)]
            assert registered_server(settings)["http_url"] == "http://127.0.0.1:8000"
            with pytest.raises(StoreLockedError):  # the on-disk store itself is held by the server
                OxigraphStore(settings.store_path)
            first.close()
            second.close()
        assert not (tmp_path / SERVER_FILE).exists()
    store = open_store(settings)  # the server is gone: embedded again, with what was written through it
    try:
        assert isinstance(store, OxigraphStore)
        assert store.select("SELECT ?o WHERE { GRAPH <http://g/1> { ?s ?p ?o } }") == [(1,)]
    finally:
        store.close()


def test_a_stale_record_is_ignored_and_removed(tmp_path):
    settings = Settings(data_dir=tmp_path)
    path = tmp_path / SERVER_FILE
    path.write_text(json.dumps({"pid": dead_pid(), "oxigraph_url": f"http://127.0.0.1:{free_port()}",
                                "http_url": "http://127.0.0.1:8000"}))
    store = open_store(settings)
    try:
        assert isinstance(store, OxigraphStore)
        assert not path.exists()
    finally:
        store.close()


def test_a_second_server_on_the_same_data_dir_is_refused(tmp_path):
    settings = Settings(data_dir=tmp_path)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / SERVER_FILE).write_text(json.dumps({"pid": other.pid, "oxigraph_url": "http://127.0.0.1:1",
                                                        "http_url": "http://127.0.0.1:2"}))
        with pytest.raises(StoreLockedError, match=f"pid {other.pid}"):
            with register_server(settings, "http://127.0.0.1:3", "http://127.0.0.1:4"):
                pass
        assert json.loads((tmp_path / SERVER_FILE).read_text())["pid"] == other.pid  # left as it was
    finally:
        other.kill()
        other.wait()


def test_a_broken_record_is_a_clear_error(tmp_path):
    (tmp_path / SERVER_FILE).write_text("{not json")
    with pytest.raises(StoreError, match="server record"):
        open_store(Settings(data_dir=tmp_path))
