"""Hostile questions: empty, huge, binary, injection-shaped. None may answer, fail loudly or change the graph."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion import Ingestor, parse_document
from kg.store import OxigraphStore
from qa import QA

HOSTILE = {
    "empty": "",
    "whitespace": " \t\n\u3000  \r\n ",
    "100 KB": "百度營收是多少?" * 12800,  # 102,400 characters
    "100 KB latin": "a" * 100_000,
    "binary": "\x00\x01\x02\x03\xff\xfe\x7f\x1b[2J",
    "binary with a question": "百度\x00營收\x01是多少?",
    "replacement chars": "\ufffd\ufffd\ufffd\ufffd",
    "json close, drop all": '"} ; DROP ALL #',
    "service clause": "SERVICE <http://example.com/sparql> { ?s ?p ?o }",
    "delete where": "'; DELETE WHERE { ?s ?p ?o } #",
    "insert data": 'INSERT DATA { <urn:x> <urn:y> "z" }',
    "load": "LOAD <http://example.com/evil.ttl> INTO GRAPH <urn:g>",
    "iri splice": "<urn:x> } UNION { ?s ?p ?o",
    "lone surrogate-like": "\ud800\udfff",
}

# A real question wrapped in SPARQL-looking text: answering it is fine, running the wrapper is not.
WRAPPED = {
    "clear all after a question": "百度營收是多少? } ; CLEAR ALL ; SELECT * WHERE {",
    "comment and quote": '百度"營收" # }',
    "drop graph after a question": "百度2025年Q1營收是多少? DROP GRAPH <https://w3id.org/kgqa/graph/catalog>",
}

ARTICLE = ("百度2025年Q1營收達324.5億元,同比增長3%。騰訊總裁劉熾平表示,騰訊還將加大AI投入。"
           "阿里雲收入同比增長18%。")


@pytest.fixture(scope="module")
def loaded():
    store = OxigraphStore.in_memory()
    Ingestor(store).ingest_document(parse_document(ARTICLE, name="hostile-base.txt"))
    yield store, QA(store)
    store.close()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_question_is_refused_or_not_found(loaded, name):
    store, qa = loaded
    before = store.count()
    ans = qa.ask(HOSTILE[name], "hostile")
    assert ans.status in ("error", "not_found"), (name, ans.status, ans.answer[:300])
    assert not ans.facts or ans.status != "answered"
    assert len(ans.answer) < 5000, "the refusal must not echo a huge question back"
    assert store.count() == before, f"{name} changed the graph"


@pytest.mark.parametrize("name", sorted(WRAPPED))
def test_wrapped_question_is_answered_from_the_graph_only(loaded, name):
    store, qa = loaded
    before = store.count()
    ans = qa.ask(WRAPPED[name], "wrapped")
    assert ans.status in ("answered", "not_found", "error"), ans.status
    if ans.status == "answered":
        assert "324.5" in ans.answer and ans.facts, ans.answer
    assert store.count() == before, f"{name} changed the graph"


def test_hostile_questions_do_not_break_the_engine_or_the_session(loaded):
    store, qa = loaded
    before = sorted(str(q) for q in store.quads())
    for text in [*HOSTILE.values(), *WRAPPED.values()]:
        qa.ask(text, "hostile-session")
    assert sorted(str(q) for q in store.quads()) == before
    ans = qa.ask("百度2025年Q1營收是多少?", "hostile-session")
    assert ans.status == "answered" and "324.5" in ans.answer, ans.answer


def test_non_text_questions_are_errors(loaded):
    _, qa = loaded
    for bad in (None, 42, b"\x00\x01", ["百度營收是多少?"], {"question": "x"}):
        assert qa.ask(bad).status == "error"  # type: ignore[arg-type]


# -- through the command line ---------------------------------------------------------------

def _kgqa() -> list[str]:
    exe = Path(sys.executable).with_name("kgqa")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("kgqa")
    if found:
        return [found]
    pytest.fail("the kgqa console script is not installed; run scripts/setup.sh", pytrace=False)


def _run(args: list[str], data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "KGQA_DATA_DIR": str(data_dir), "KGQA_EMBEDDING_MODEL": "none"}
    return subprocess.run(_kgqa() + args, input=stdin, capture_output=True, text=True, env=env, timeout=300)


def _quads(data_dir: Path) -> int:
    store = OxigraphStore(data_dir / "store")
    try:
        return store.count()
    finally:
        store.close()


@pytest.fixture(scope="module")
def cli_data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("kgqa-cli")
    article = d / "base.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    proc = _run(["ingest", str(article), "--data-dir", str(d)], d)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return d


def test_cli_jsonl_survives_a_malformed_line_and_keeps_order(cli_data_dir):
    d = cli_data_dir
    before = _quads(d)
    lines = [
        json.dumps({"id": "a", "question": "百度2025年Q1營收是多少?", "session": "s1"}, ensure_ascii=False),
        '{"id": "broken", "question": "百度營收是多少?", ',  # malformed JSON
        json.dumps({"id": "b", "question": "阿里雲收入同比增長多少?", "session": "s2"}, ensure_ascii=False),
        '["not", "an", "object"]',
        json.dumps({"id": "c", "question": '"} ; DROP ALL #', "session": "s3"}),
        json.dumps({"id": "d", "question": "SERVICE <http://example.com/sparql> { ?s ?p ?o }", "session": "s3"}),
        json.dumps({"id": "e", "question": "'; DELETE WHERE { ?s ?p ?o } #", "session": "s3"}),
        json.dumps({"id": "f", "question": "\x00\x01\x02\x03"}),
        json.dumps({"id": "g", "question": "x" * 100_000}),
        json.dumps({"id": "h", "question": "   "}),
        json.dumps({"id": "i"}),
        json.dumps({"id": "j", "question": "Who is Tencent's president?", "session": "s4"}),
    ]
    proc = _run(["ask", "--jsonl", "--data-dir", str(d)], d, "\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(out) == len(lines), proc.stdout[-3000:]
    ids = [o.get("id") for o in out]
    assert ids == ["a", "broken", "b", None, "c", "d", "e", "f", "g", "h", "i", "j"], ids  # a broken line keeps its id
    by_id = {o["id"]: o for o in out if o.get("id")}
    assert by_id["a"]["status"] == "answered" and "324.5" in by_id["a"]["answer"], by_id["a"]
    assert by_id["b"]["status"] == "answered" and "18%" in by_id["b"]["answer"], by_id["b"]
    assert by_id["j"]["status"] == "answered" and any(n in by_id["j"]["answer"] for n in ("劉熾平", "刘炽平", "Martin Lau"))
    assert out[1]["status"] == "error" and out[3]["status"] == "error"
    for key in "cdefghi":
        assert by_id[key]["status"] in ("error", "not_found"), by_id[key]
    assert _quads(d) == before
