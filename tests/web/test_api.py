"""POST /ask, POST /chat (server-sent events), documents and health on the real `kgqa serve`, with httpx.

Answers are judged by the shared scorer (../shared/eval/score.py), whose own `--url` client is used
for the whole corpus question set.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest
from golden import load_shared_scorer

TESTS = Path(__file__).resolve().parents[1]
QUESTIONS = TESTS / "data" / "questions"
ARTICLES = TESTS / "data" / "articles"
KGO = "https://w3id.org/kgqa/ontology#"


score = load_shared_scorer()


def _items(name: str) -> dict[str, dict]:
    return {i["id"]: i for i in (json.loads(ln) for ln in (QUESTIONS / name).read_text("utf-8").splitlines()
                                 if ln.strip())}


def _document_texts(c: httpx.Client) -> dict[str, str]:
    r = c.post("/sparql", data={"query": f"SELECT ?d ?t WHERE {{ ?d <{KGO}text> ?t }}"},
               headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return {b["d"]["value"]: b["t"]["value"] for b in r.json()["results"]["bindings"]}


def test_scorer_over_http_passes_the_corpus_set(live) -> None:
    """The shared scorer's own HTTP client (POST /ask with `session_id`) over every corpus question."""
    items = list(_items("corpus.jsonl").values())
    pairs = score.requests_of(items)
    replies = score.ask_url(live.url, [r for _, r in pairs], timeout=120)
    last = {item_id: reply for (item_id, _), reply in zip(pairs, replies)}
    results = [score.judge(item, last[item["id"]]) for item in items]
    rate = sum(ok for ok, _ in results) / len(items)
    assert rate >= 0.85, [(i["id"], why) for i, (ok, why) in zip(items, results) if not ok]


def test_ask_returns_the_answer_object_with_exact_sources(live) -> None:
    items = [i for i in _items("corpus.jsonl").values() if i["kind"] == "lookup"][:6]
    with live.client() as c:
        texts = _document_texts(c)
        answered = 0
        for item in items:
            r = c.post("/ask", json={"question": item["q"]})
            assert r.status_code == 200, r.text
            body = r.json()
            assert {"question", "status", "answer", "language", "mode", "facts", "sparql", "confidence"} <= body.keys()
            assert body["question"] == item["q"]
            if body["status"] != "answered":
                continue
            answered += 1
            assert body["facts"], body
            for fact in body["facts"]:
                src = fact["source"]
                assert texts[src["document"]][src["start"]:src["end"]] == src["quote"]
        assert answered >= 5


def _events(response: httpx.Response) -> list[tuple[str, dict]]:
    events, name, data = [], None, []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and name is not None:
            events.append((name, json.loads("\n".join(data))))
            name, data = None, []
    return events


def _chat(c: httpx.Client, message: str, session: str | None = None) -> list[tuple[str, dict]]:
    with c.stream("POST", "/chat", json={"message": message, "session": session}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        return _events(r)


def test_chat_streams_events_and_keeps_the_session(live) -> None:
    item = _items("corpus.jsonl")["cc2"]  # "What was Baidu's revenue in Q1 2025?" then "How much did it grow?"
    with live.client() as c:
        first = _chat(c, item["turns"][0])
        names = [n for n, _ in first]
        assert names[0] == "session" and names[-2:] == ["answer", "done"]
        assert "token" in names and set(names[1:-2]) == {"token"}
        sid = first[0][1]["session"]
        answer = first[-2][1]
        assert answer["session"] == sid and answer["status"] == "answered"
        assert "".join(d["text"] for n, d in first if n == "token") == answer["answer"]

        follow = _chat(c, item["turns"][1], sid)
        assert follow[0][1]["session"] == sid
        ok, why = score.judge(item, follow[-2][1])
        assert ok, why
        alone = _chat(c, item["turns"][1])  # no session: "it" means nothing
        assert alone[0][1]["session"] != sid
        assert not score.judge(item, alone[-2][1])[0]


def test_chat_as_json_and_session_alias(live) -> None:
    item = _items("corpus.jsonl")["cc3"]
    with live.client() as c:
        r = c.post("/chat", json={"message": item["turns"][0]}, headers={"Accept": "application/json"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        first = r.json()
        assert first["status"] == "answered" and first["session"]
        r = c.post("/ask", json={"question": item["turns"][1], "session_id": first["session"]})
        assert r.status_code == 200
        assert score.judge(item, r.json())[0]


def test_chat_takes_question_as_ask_does(live):
    with live.client() as c:
        by_question = c.post("/chat", json={"question": "百度2025年Q1营收是多少?"}, headers={"Accept": "application/json"})
        by_message = c.post("/chat", json={"message": "百度2025年Q1营收是多少?"}, headers={"Accept": "application/json"})
        both = c.post("/chat", json={"message": "x", "question": "y"}, headers={"Accept": "application/json"})
    assert by_question.status_code == 200 and by_question.json()["status"] == "answered"
    assert by_question.json()["answer"] == by_message.json()["answer"]
    assert both.status_code == 422 and both.json()["error"]["code"] == "invalid_request"


def test_documents_upload_ask_and_delete(live, graph_fingerprint) -> None:
    fixtures = _items("fixtures.jsonl")
    cloud, nimbus = fixtures["f01"], fixtures["f26"]
    with live.client() as c:
        before = graph_fingerprint(c)
        for item in (cloud, nimbus):
            assert not score.judge(item, c.post("/ask", json={"question": item["q"]}).json())[0]
        path = ARTICLES / "cloud-price-war.zh-Hant.txt"
        with open(path, "rb") as f:
            r = c.post("/documents", files={"file": (path.name, f, "text/plain")}, headers=live.auth)
        assert r.status_code == 200, r.text
        up1 = r.json()
        assert up1["added"] and up1["observations"] > 0 and up1["name"] == path.name
        html = ARTICLES / "q2-results.en.html"
        r = c.post("/documents", params={"name": html.name, "date": "2025-08-28"}, content=html.read_bytes(),
                   headers={**live.auth, "Content-Type": "text/html"})
        assert r.status_code == 200, r.text
        up2 = r.json()
        assert up2["document"] != up1["document"]
        for item in (cloud, nimbus):
            reply = c.post("/ask", json={"question": item["q"]}).json()
            assert score.judge(item, reply)[0], reply["answer"]
        again = c.post("/documents", files={"file": (path.name, path.read_bytes(), "text/plain")},
                       headers=live.auth).json()
        assert again["unchanged"] and again["document"] == up1["document"]

        for doc in (up1["document"], up2["document"]):
            r = c.delete(f"/documents/{doc}", headers=live.auth)
            assert r.status_code == 200 and r.json() == {"deleted": doc}
        assert c.delete(f"/documents/{up1['document']}", headers=live.auth).status_code == 404
        assert graph_fingerprint(c) == before
        assert not score.judge(cloud, c.post("/ask", json={"question": cloud["q"]}).json())[0]


def test_health(live) -> None:
    r = httpx.get(live.url + "/health", trust_env=False)
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_openapi_documents_every_route_with_examples(live) -> None:
    spec = httpx.get(live.url + "/openapi.json", trust_env=False).json()
    ops = {(path, method): op for path, item in spec["paths"].items() for method, op in item.items()}
    for route in [("/ask", "post"), ("/chat", "post"), ("/sparql", "get"), ("/sparql", "post"), ("/update", "post"),
                  ("/documents", "post"), ("/health", "get")]:
        assert route in ops, route
    assert any(p.startswith("/documents/") and m == "delete" for p, m in ops)
    text = json.dumps(spec)
    schemas = spec["components"]["schemas"]
    for (path, method), op in ops.items():
        assert op.get("summary") and op.get("description"), (path, method)
        assert "200" in op["responses"], (path, method)
        op_text = json.dumps(op)
        refs = [s.rsplit("/", 1)[-1] for s in _refs(op)]
        has_example = '"example' in op_text or any('"example' in json.dumps(schemas.get(r, {})) for r in refs)
        assert has_example, f"{method.upper()} {path} has no example"
    assert "ErrorEnvelope" in schemas and "ErrorEnvelope" in text


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        out = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        for v in node.values():
            out += _refs(v)
        return out
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_sessions_expire(run_app, corpus_file) -> None:
    """A follow-up within the session's lifetime is understood; after `session_ttl_s` idle seconds it is not."""
    from ingestion import Ingestor
    from kg import OxigraphStore, ensure_reference_graphs
    from kgqa.settings import Settings
    from kgqa.web import create_app

    item = _items("corpus.jsonl")["cc2"]
    store = OxigraphStore.in_memory()
    ensure_reference_graphs(store)
    Ingestor(store).ingest_path(corpus_file)
    app = create_app(Settings(data_dir="/nonexistent/kgqa-ttl", session_ttl_s=1, embedding_model="none"), store)
    json_accept = {"Accept": "application/json"}
    with run_app(app) as url, httpx.Client(base_url=url, trust_env=False, timeout=60) as c:
        def turn(message: str, session: str | None) -> dict:
            r = c.post("/chat", json={"message": message, "session": session}, headers=json_accept)
            assert r.status_code == 200, r.text
            return r.json()

        alone = turn(item["turns"][1], None)  # the follow-up with no conversation behind it
        sid = turn(item["turns"][0], None)["session"]
        in_time = turn(item["turns"][1], sid)
        assert in_time["session"] == sid and in_time["answer"] != alone["answer"]
        turn(item["turns"][0], sid)
        time.sleep(2.2)
        late = turn(item["turns"][1], sid)
        assert late["session"] == sid
        assert late["answer"] == alone["answer"]


def test_serve_prints_its_address_and_stops_its_store_server(tmp_path) -> None:
    """`kgqa serve` on an empty data directory: the printed address answers; SIGTERM stops the child
    Oxigraph server and removes the server record."""
    import os
    import signal
    import subprocess
    import sys

    kgqa = str(Path(sys.executable).with_name("kgqa"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
    proc = subprocess.Popen([kgqa, "serve", "--data-dir", str(tmp_path), "--port", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.fullmatch(r"kgqa serving (http://127\.0\.0\.1:\d+) \(SPARQL at /sparql, web page at /\)\n", line)
        assert m, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        url = m.group(1)
        assert httpx.get(url + "/health", trust_env=False, timeout=30).status_code == 200
        record = json.loads((tmp_path / "server.json").read_text())
        assert record["http_url"] == url
        oxigraph = record["oxigraph_url"]
        assert oxigraph.startswith("unix:")  # a private store server, reached through its socket
        sock = oxigraph[len("unix:"):]
        with httpx.Client(transport=httpx.HTTPTransport(uds=sock), trust_env=False) as direct:
            assert direct.post("http://store/query", data={"query": "ASK {}"}).status_code == 200
        # writes over HTTP are off: no token was configured
        r = httpx.post(url + "/update", data={"update": "CLEAR ALL"}, trust_env=False)
        assert r.status_code == 403
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with pytest.raises(httpx.TransportError):
        with httpx.Client(transport=httpx.HTTPTransport(uds=sock), trust_env=False, timeout=5) as direct:
            direct.post("http://store/query", data={"query": "ASK {}"})
    assert not (tmp_path / "server.json").exists()
