"""The project's own sample corpus (examples/corpus): what the README's first command ingests.

It is read as a user reads it (`kgqa ingest`, then `kgqa ask --jsonl`) and judged by the
shared scorer: at least 90% of its questions pass, unanswerable ones included."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from golden import load_shared_scorer

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "corpus"
QUESTIONS = SAMPLE / "questions.jsonl"
KGQA = Path(sys.executable).parent / "kgqa"


def sample_items() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_sample(kgqa: str | Path, data_dir: Path, *, cwd: Path | None = None) -> tuple[int, list[str]]:
    """(questions passed, failures) for `KGQA ask --jsonl --data-dir DATA_DIR`, judged as score.py judges."""
    scorer = load_shared_scorer()
    items = sample_items()
    pairs = scorer.requests_of(items)
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for _, r in pairs)
    proc = subprocess.run([str(kgqa), "ask", "--jsonl", "--data-dir", str(data_dir)], input=stdin,
                          capture_output=True, text=True, timeout=600, cwd=cwd, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    replies = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(replies) == len(pairs), proc.stderr[-3000:]
    last = {}
    for (item_id, _), reply in zip(pairs, replies):
        assert reply.get("id") == item_id  # answers come back in order, with their request's id
        last[item_id] = reply
    failures = []
    for item in items:
        ok, why = scorer.judge(item, last[item["id"]])
        if not ok:
            failures.append(f"{item['id']}: {why} :: {str(last[item['id']].get('answer'))[:200]}")
    return len(items) - len(failures), failures


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("sample") / "data"
    proc = subprocess.run([str(KGQA), "ingest", str(SAMPLE), "--data-dir", str(d)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "5 documents ingested, 0 failed" in proc.stdout
    return d


def test_the_sample_covers_three_scripts_and_its_questions_are_in_the_scorers_format():
    articles = sorted(p.name for p in SAMPLE.iterdir() if p.suffix in (".txt", ".md", ".html"))
    assert 4 <= len(articles) <= 6
    assert {name.split(".")[1] for name in articles} == {"zh-Hant", "zh-Hans", "en"}
    items = sample_items()
    assert len(items) >= 10 and len({i["id"] for i in items}) == len(items)
    assert sum(i.get("answerable", True) is False for i in items) >= 2
    for item in items:
        assert ("q" in item) != ("turns" in item), item
        assert item.get("answerable", True) is False or item.get("numbers") or item.get("entities"), item
    readme = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    assert all(name in readme for name in articles)


def test_every_sample_article_gives_facts_and_a_relation(sample_dir):
    out = subprocess.run([str(KGQA), "sparql", "--format", "json", "--data-dir", str(sample_dir),
                          "SELECT ?d (COUNT(DISTINCT ?o) AS ?obs) (COUNT(DISTINCT ?r) AS ?rel) WHERE { "
                          "?d a kgo:Document . "
                          "OPTIONAL { ?o a kgo:Observation ; prov:wasDerivedFrom/kgo:document ?d } "
                          "OPTIONAL { ?r a kgo:Assertion ; prov:wasDerivedFrom/kgo:document ?d } } GROUP BY ?d"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    rows = json.loads(out)["results"]["bindings"]
    assert len(rows) == 5
    for row in rows:
        assert int(row["obs"]["value"]) >= 3 and int(row["rel"]["value"]) >= 1, row


def test_a_fiscal_quarter_is_stored_as_its_calendar_quarter_and_named_as_written(sample_dir):
    # Alibaba's fiscal year ends 31 March (catalog): its FY2025 Q4 is January-March 2025
    out = subprocess.run([str(KGQA), "ask", "阿里巴巴2025財年第四季度收入是多少?", "--json", "--data-dir",
                          str(sample_dir)], capture_output=True, text=True, timeout=120, check=True).stdout
    answer = json.loads(out)
    assert answer["status"] == "answered"
    assert {f["period"] for f in answer["facts"]} == {"2025-Q1"}
    query = ("SELECT DISTINCT ?f WHERE { ?o kgo:subject kgr:alibaba ; kgo:period kgp:2025-Q1 ; kgo:fiscalPeriod ?fp . "
             "?fp kgo:calendarYear 2025 ; kgo:calendarQuarter 1 . BIND(STR(?fp) AS ?f) }")
    rows = subprocess.run([str(KGQA), "sparql", query, "--format", "json", "--data-dir", str(sample_dir)],
                          capture_output=True, text=True, timeout=120, check=True).stdout
    assert "FY2025-Q4-M03" in rows


def test_at_least_90_percent_of_the_sample_questions_pass(sample_dir):
    passed, failures = score_sample(KGQA, sample_dir)
    total = len(sample_items())
    assert passed >= 0.9 * total, "\n".join(failures)
