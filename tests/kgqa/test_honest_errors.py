"""No silent emptiness: a mistyped data directory, an empty store, a document with no facts and a
file that is not a document each get a clear message, and nothing is created by a command that
only reads."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KGQA = Path(sys.executable).parent / "kgqa"
NOTE = "今天天氣很好，我們一家人去公園散步，晚上吃了火鍋。"
ARTICLE = "---\ndate: 2025-05-15\n---\n騰訊2025年第一季度收入為1,800億元，按年增長13%。\n"


def kgqa(*args: str, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
    return subprocess.run([str(KGQA), *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                          env={**env, "KGQA_EMBEDDING_MODEL": "none"}, check=False)


READ_COMMANDS = [["ask", "騰訊收入是多少?"], ["ask", "--jsonl"], ["chat"], ["mcp"], ["stats"],
                 ["sparql", "ASK { ?s ?p ?o }"], ["validate"], ["export"], ["delete", "doc-1"]]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:1] + c[1:2][:1]))
def test_a_mistyped_data_dir_is_an_error_and_is_not_created(tmp_path, command):
    missing = tmp_path / "kgqa-dta"  # a typo of a directory that does not exist
    r = kgqa(*command, "--data-dir", str(missing), stdin='{"id": 1, "question": "x"}\n')
    assert r.returncode == 1, r.stdout
    assert f"no kgqa store in {missing}" in r.stderr and "kgqa ingest" in r.stderr
    assert not missing.exists()


@pytest.fixture(scope="module")
def empty_dir(tmp_path_factory) -> Path:
    """A store that exists and holds no document (an empty dump was loaded into it)."""
    base = tmp_path_factory.mktemp("empty")
    (base / "nothing.nt").write_text("", encoding="utf-8")
    data = base / "data"
    r = kgqa("load", str(base / "nothing.nt"), "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    assert (data / "store").is_dir()
    return data


@pytest.mark.parametrize("command", [["ask", "騰訊收入是多少?"], ["ask", "--jsonl"], ["chat"], ["mcp"]],
                         ids=["ask", "ask --jsonl", "chat", "mcp"])
def test_asking_an_empty_store_is_an_error_saying_how_to_fill_it(empty_dir, command):
    r = kgqa(*command, "--data-dir", str(empty_dir), stdin='{"id": 1, "question": "騰訊收入是多少?"}\n')
    assert r.returncode == 1 and r.stdout == ""
    assert "holds no documents" in r.stderr and f"kgqa ingest ARTICLES --data-dir {empty_dir}" in r.stderr


def test_stats_on_an_empty_store_still_reports_it(empty_dir):
    r = kgqa("stats", "--data-dir", str(empty_dir))
    assert r.returncode == 0 and "documents            0" in r.stdout


def test_a_document_with_no_facts_says_so(tmp_path):
    (tmp_path / "diary.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "results.txt").write_text(ARTICLE, encoding="utf-8")
    r = kgqa("ingest", str(tmp_path / "diary.txt"), str(tmp_path / "results.txt"), "--data-dir", str(tmp_path / "d"))
    assert r.returncode == 0, r.stderr
    diary, results = r.stdout.split(str(tmp_path / "results.txt"))
    assert "no facts found" in diary and "no facts found" not in results


def test_a_text_file_named_pdf_is_refused_and_nothing_is_created(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_text(ARTICLE, encoding="utf-8")  # text inside, but the name says PDF
    data = tmp_path / "d"
    r = kgqa("ingest", str(pdf), "--data-dir", str(data))
    assert r.returncode == 1
    assert f"{pdf}: a PDF file (.pdf) is not a document kgqa reads" in r.stderr
    assert r.stdout == "0 documents ingested, 1 failed; nothing was written\n"
    assert not data.exists()


def test_a_pdf_beside_good_documents_is_refused_and_the_others_go_in(tmp_path):
    (tmp_path / "report.docx").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "results.txt").write_text(ARTICLE, encoding="utf-8")
    data = tmp_path / "d"
    r = kgqa("ingest", str(tmp_path / "report.docx"), str(tmp_path / "results.txt"), "--data-dir", str(data))
    assert r.returncode == 1
    assert "a Word file (.docx) is not a document kgqa reads" in r.stderr
    assert "1 documents ingested, 1 failed" in r.stdout
    answer = kgqa("ask", "騰訊2025年第一季度收入是多少?", "--data-dir", str(data))
    assert answer.returncode == 0 and "1800億元" in answer.stdout
