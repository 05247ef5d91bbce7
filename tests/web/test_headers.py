"""Security headers on every response, an offline /docs, no internal addresses in errors, and a
word when `kgqa serve` listens beyond loopback."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess

from kgqa.web.headers import SECURITY_HEADERS
from web.conftest import KGQA, _read_url, _server_env  # type: ignore[import-not-found]


def test_every_response_carries_the_security_headers(live) -> None:
    with live.client() as c:
        responses = [c.get("/"), c.get("/health"), c.get("/docs"), c.get("/openapi.json"),
                     c.get("/sparql", params={"query": "SELECT * WHERE {"}), c.get("/no/such/route"),
                     c.post("/update", content="DROP ALL", headers={"Content-Type": "application/sparql-update"}),
                     c.get("/static/app.js")]
        with c.stream("POST", "/chat", json={"question": "百度2025年Q1營收是多少?"}) as streamed:
            responses.append(streamed)
    for r in responses:
        for name, value in SECURITY_HEADERS.items():
            assert r.headers.get(name) == value, (r.request.url, name, dict(r.headers))


def test_docs_load_nothing_from_elsewhere(live) -> None:
    with live.client() as c:
        page = c.get("/docs")
        assert page.status_code == 200 and "POST /ask" in page.text and "/openapi.json" in page.text
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page.text), page.text[:500]
        assert c.get("/redoc").status_code == 404


def test_errors_do_not_reveal_the_store_address(live) -> None:
    record = json.loads((live.data_dir / "server.json").read_text())
    internal = record["oxigraph_url"]
    with live.client() as c:
        texts = [c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}).text,
                 c.get("/sparql", params={"query": "SELECT (<urn:x>(1) AS ?x) WHERE {}"}).text,
                 c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } ORDER BY (1/0)"}).text]
    for text in texts:
        assert internal not in text and "kgqa-store" not in text and "unix:" not in text, text


def test_listening_on_every_interface_with_a_token_is_said(tmp_path) -> None:
    data_dir = tmp_path / "data"
    env = _server_env(data_dir, "t0ken")
    log = data_dir.parent / "serve.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([KGQA, "serve", "--host", "0.0.0.0", "--port", "0"], env=env,
                                stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)
    try:
        _read_url(proc, log, timeout=120)
        said = log.read_text()
        assert "warning: listening on 0.0.0.0 with KGQA_API_TOKEN set" in said, said
        assert "every interface" in said
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
