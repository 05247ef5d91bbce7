"""`kgqa serve` itself: it prints its address, answers on loopback, and stops its child store server."""
from __future__ import annotations

import httpx


def test_serve_answers_health_and_page(live) -> None:
    r = httpx.get(live.url + "/health", trust_env=False)
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "store": "SparqlServerStore"}
    assert live.url.startswith("http://127.0.0.1:")
