"""The real `kgqa serve`, started once per test session on a free loopback port.

A temporary data directory gets the shared corpus through `kgqa ingest`, then `kgqa serve
--port 0` runs as a subprocess (with its child Oxigraph server) until the session ends.
Writes need the bearer token in ``LiveServer.token``; queries stop after
``LiveServer.query_timeout_s`` seconds.
"""
from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

KGQA = str(Path(sys.executable).with_name("kgqa"))
QUERY_TIMEOUT_S = 3
MAX_RESULT_ROWS = 2000  # below the corpus graph's ~4,000 triples, so the cut can be seen
_SERVING = re.compile(r"kgqa serving (http://\S+)")


@dataclass
class LiveServer:
    url: str
    token: str
    data_dir: Path
    query_timeout_s: float
    max_result_rows: int
    process: subprocess.Popen[str]
    log: Path

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60.0, trust_env=False, **kwargs)  # type: ignore[arg-type]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _server_env(data_dir: Path, token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
    env.update(KGQA_DATA_DIR=str(data_dir), KGQA_API_TOKEN=token, KGQA_QUERY_TIMEOUT_S=str(QUERY_TIMEOUT_S),
               KGQA_MAX_RESULT_ROWS=str(MAX_RESULT_ROWS),
               NO_PROXY="127.0.0.1,localhost", PYTHONUNBUFFERED="1")
    return env


def _read_url(proc: subprocess.Popen[str], log: Path, timeout: float) -> str:
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if sel.select(timeout=0.5):
            line = proc.stdout.readline()
            seen += line
            m = _SERVING.search(line)
            if m:
                return m.group(1)
    raise RuntimeError(f"`kgqa serve` did not print its address (exit {proc.poll()}); stdout: {seen!r}; "
                       f"log: {log.read_text(errors='replace')[-3000:]}")


@contextmanager
def serve_data(data_dir: Path, *paths: Path) -> Iterator[LiveServer]:
    """`kgqa ingest paths…` into ``data_dir``, then `kgqa serve` on it until the block ends."""
    token = os.urandom(16).hex()
    env = _server_env(data_dir, token)
    ingest = subprocess.run([KGQA, "ingest", *map(str, paths)], env=env, capture_output=True, text=True,
                            timeout=600)
    assert ingest.returncode == 0, ingest.stderr
    log = data_dir / "serve.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([KGQA, "serve", "--host", "127.0.0.1", "--port", "0"], env=env,
                                stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)
    try:
        url = _read_url(proc, log, timeout=120)
        deadline = time.monotonic() + 60
        with httpx.Client(timeout=5.0, trust_env=False) as c:
            while True:
                try:
                    if c.get(url + "/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"`kgqa serve` at {url} is not healthy; log: "
                                       f"{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)
        yield LiveServer(url, token, data_dir, QUERY_TIMEOUT_S, MAX_RESULT_ROWS, proc, log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory, corpus_file: Path) -> Iterator[LiveServer]:
    """The running server over a data directory holding the shared corpus."""
    with serve_data(tmp_path_factory.mktemp("kgqa-serve"), corpus_file) as server:
        yield server


WEB_ARTICLES = Path(__file__).resolve().parents[1] / "data" / "web"


@pytest.fixture(scope="session")
def live_web(tmp_path_factory: pytest.TempPathFactory, corpus_file: Path) -> Iterator[LiveServer]:
    """A second server, over the shared corpus and the four quarterly articles of tests/data/web
    (a metric over several periods, for the chart)."""
    with serve_data(tmp_path_factory.mktemp("kgqa-serve-web"), corpus_file, WEB_ARTICLES) as server:
        yield server


@pytest.fixture(scope="session")
def live_server(live: LiveServer) -> str:
    """The base URL of the running `kgqa serve` (e.g. ``http://127.0.0.1:41234``)."""
    return live.url


@contextmanager
def _serve_app(app: object) -> Iterator[str]:
    """Run an app (e.g. ``create_app`` with special settings) on uvicorn on a free loopback port; yield its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY, see kgqa.web.server
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


def _fingerprint(client: httpx.Client) -> tuple[int, tuple[tuple[str, int], ...]]:
    """(triples, (graph, triples) per named graph), read through /sparql: to show a request changed nothing."""
    accept = {"Accept": "application/sparql-results+json"}
    total = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, headers=accept)
    per = client.get("/sparql", params={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                                                 "GROUP BY ?g ORDER BY ?g"}, headers=accept)
    assert total.status_code == 200 and per.status_code == 200, (total.text, per.text)
    n = int(total.json()["results"]["bindings"][0]["n"]["value"])
    graphs = tuple((b["g"]["value"], int(b["n"]["value"])) for b in per.json()["results"]["bindings"])
    return n, graphs


@pytest.fixture(scope="session")
def run_app():  # type: ignore[no-untyped-def]
    """``with run_app(app) as url:`` serves an app on a free loopback port (uvicorn in a thread)."""
    return _serve_app


@pytest.fixture(scope="session")
def graph_fingerprint():  # type: ignore[no-untyped-def]
    """``graph_fingerprint(client)``: triple counts overall and per graph, read through /sparql."""
    return _fingerprint
