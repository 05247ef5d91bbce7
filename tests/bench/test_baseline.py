"""bench/baseline.py on the project's own test articles: it prints every figure, and they add up.

Runs the script as a user would (a fresh process, a temporary data directory, the shared scorer).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "data" / "articles"
QUESTIONS = ROOT / "tests" / "data" / "questions" / "fixtures.jsonl"
COLUMNS = ["kgqa", "bm25 k=1", "bm25 k=3"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "bench" / "baseline.py"), *args], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> str:
    data = tmp_path_factory.mktemp("data")
    proc = _run("--docs", str(ARTICLES), "--questions", str(QUESTIONS), "--data-dir", str(data))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _cells(line: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+)", line)]


def test_accuracy_by_kind_for_kgqa_and_both_baselines(output):
    items = [json.loads(x) for x in QUESTIONS.read_text(encoding="utf-8").splitlines() if x.strip()]
    kinds = sorted({i["kind"] for i in items})
    lines = output.splitlines()
    header = next(ln for ln in lines if ln.startswith("kind"))
    assert header.split()[1:] == ["kgqa", "bm25", "k=1", "bm25", "k=3"]
    rows = {ln.split()[0]: _cells(ln) for ln in lines if ln.split() and ln.split()[0] in kinds + ["overall"]}
    assert sorted(k for k in rows if k != "overall") == kinds
    for kind in kinds:
        n = sum(1 for i in items if i["kind"] == kind)
        assert [total for _, total in rows[kind]] == [n, n, n], kind
    overall = rows["overall"]
    assert overall == [(sum(rows[k][c][0] for k in kinds), len(items)) for c in range(3)]
    pct = [float(x) for x in re.findall(r"(\d+\.\d)%", next(ln for ln in lines if ln.startswith("overall")))]
    assert pct == [round(100 * good / total, 1) for good, total in overall]


def test_latency_ratios_and_verifier_rejections(output):
    lat = re.search(r"latency median \(ms\)\s+kgqa ([\d.]+)\s+bm25 k=1 ([\d.]+)\s+bm25 k=3 ([\d.]+)", output)
    assert lat, output
    medians = [float(x) for x in lat.groups()]
    assert all(m > 0 for m in medians)
    overall = _cells(next(ln for ln in output.splitlines() if ln.startswith("overall")))
    for k, (good, _) in zip((1, 3), overall[1:]):
        m = re.search(rf"ratio kgqa/bm25 k={k}: accuracy ([\d.]+)x, latency ([\d.]+)x", output)
        assert m, output
        assert float(m.group(1)) == pytest.approx(overall[0][0] / good, abs=0.006)
        assert float(m.group(2)) == pytest.approx(medians[0] / medians[{1: 1, 3: 2}[k]], rel=0.06, abs=0.06)
    rej = re.search(r"verifier rejections: (\d+) of (\d+) kgqa answers", output)
    assert rej and int(rej.group(1)) <= int(rej.group(2))
    items = [json.loads(x) for x in QUESTIONS.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert int(rej.group(2)) == sum(len(i.get("turns") or [i["q"]]) for i in items)


def test_missing_inputs_are_a_clear_error(tmp_path):
    proc = _run("--docs", str(tmp_path / "nope"), "--questions", str(QUESTIONS), "--data-dir", str(tmp_path / "d"))
    assert proc.returncode != 0 and "not found" in proc.stderr and "nope" in proc.stderr
    assert not (tmp_path / "d").exists()
