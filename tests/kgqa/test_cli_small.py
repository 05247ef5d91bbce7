"""Small things a newcomer meets: `kgqa --version`, `kgqa documents` (which `delete` points to),
`ask --jsonl` keeping the id of a broken line, and "its revenue?" with nothing before it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kgqa import __version__

ROOT = Path(__file__).resolve().parents[2]
KGQA = Path(sys.executable).parent / "kgqa"


def kgqa(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KGQA), *args], input=stdin, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cli-small") / "data"
    r = kgqa("ingest", str(ROOT / "examples" / "corpus"), "--data-dir", str(d))
    assert r.returncode == 0, r.stderr
    return d


def test_version():
    r = kgqa("--version")
    assert r.returncode == 0 and r.stdout == f"kgqa {__version__}\n"


def test_documents_lists_what_delete_takes(data_dir):
    r = kgqa("documents", "--json", "--data-dir", str(data_dir))
    docs = json.loads(r.stdout)
    assert len(docs) == 5
    tencent = next(d for d in docs if d["name"] == "tencent-q1-2025.zh-Hant.txt")
    assert tencent["date"] == "2025-05-15" and tencent["observations"] >= 4 and tencent["title"].startswith("騰訊")
    assert tencent["source"] == "https://example.com/kgqa-sample/tencent-q1-2025"
    text = kgqa("documents", "--data-dir", str(data_dir)).stdout
    assert text.endswith("5 documents\n") and tencent["iri"] in text
    r = kgqa("delete", "no-such-document", "--data-dir", str(data_dir))
    assert r.returncode == 1 and "`kgqa documents` lists what is stored" in r.stderr


def test_jsonl_keeps_the_id_of_a_line_that_is_not_json(data_dir):
    lines = ['{"id": "q7", "question": "騰訊2025年第一季度收入是多少?"',  # cut short
             '{"id": 12, "question": ["not", "text"]}',
             "not json at all",
             '{"id": "ok", "question": "騰訊2025年第一季度收入是多少?"}']
    r = kgqa("ask", "--jsonl", "--data-dir", str(data_dir), stdin="\n".join(lines) + "\n")
    replies = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x.get("id") for x in replies] == ["q7", 12, None, "ok"]
    assert [x["status"] for x in replies] == ["error", "error", "error", "answered"]
    assert replies[1]["answer"] == "the question must be text"


@pytest.mark.parametrize("question,lang", [("its revenue?", "en"), ("它的營收是多少?", "zh-Hant"),
                                           ("它的营收是多少?", "zh-Hans")])
def test_a_pronoun_with_no_conversation_asks_which_company(data_dir, question, lang):
    answer = json.loads(kgqa("ask", question, "--json", "--data-dir", str(data_dir)).stdout)
    assert answer["status"] == "ambiguous" and answer["facts"] == [] and answer["language"] == lang
    assert ("Which company" in answer["answer"]) if lang == "en" else ("哪家公司" in answer["answer"])


def test_the_same_pronoun_after_a_question_follows_it(data_dir):
    stdin = "".join(json.dumps({"id": i, "question": q, "session": "s"}, ensure_ascii=False) + "\n"
                    for i, q in enumerate(["騰訊2025年第一季度收入是多少?", "its revenue growth?"]))
    replies = [json.loads(line) for line in kgqa("ask", "--jsonl", "--data-dir", str(data_dir), stdin=stdin).stdout
               .splitlines()]
    assert replies[1]["status"] == "answered" and "Tencent" in replies[1]["answer"] and "13%" in replies[1]["answer"]
