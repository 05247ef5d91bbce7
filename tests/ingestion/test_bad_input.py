"""Bad input gets a one-line error naming the file and the reason, and changes nothing."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KGQA = [sys.executable, "-m", "kgqa.cli"]


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KGQA_DATA_DIR": str(data_dir)}
    return subprocess.run([*KGQA, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


@pytest.fixture(scope="module")
def populated(tmp_path_factory, corpus_file):
    data = tmp_path_factory.mktemp("data")
    r = run("ingest", str(corpus_file), data_dir=data)
    assert r.returncode == 0, r.stderr
    return data


def dump(data: Path) -> bytes:
    r = subprocess.run([*KGQA, "export", "--format", "nquads"], capture_output=True, cwd=ROOT,
                       env={**os.environ, "KGQA_DATA_DIR": str(data)}, timeout=120)
    assert r.returncode == 0
    return b"\n".join(sorted(r.stdout.splitlines()))


def bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    (tmp / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "undecodable.txt").write_bytes(b"\xff\xfe\xfd\x80\x81" * 200 + b"\xc3\x28" * 50)
    big = tmp / "huge.txt"
    with open(big, "wb") as f:
        f.seek(50 * 1024 * 1024)
        f.write(b"x")
    (tmp / "bad-front-matter.md").write_text("---\ntitle: [unclosed\n---\n百度營收增長3%。", encoding="utf-8")
    (tmp / "bad-date.md").write_text("---\ndate: yesterday-ish\n---\n百度營收增長3%。", encoding="utf-8")
    return {
        "binary": (tmp / "binary.txt", "binary"),
        "empty": (tmp / "empty.txt", "empty"),
        "undecodable": (tmp / "undecodable.txt", "not UTF-8"),
        "huge": (big, "too large"),
        "missing": (tmp / "no-such-file.txt", "no such file"),
        "front matter": (tmp / "bad-front-matter.md", "front matter"),
        "date": (tmp / "bad-date.md", "ISO date"),
    }


@pytest.mark.parametrize("case", ["binary", "empty", "undecodable", "huge", "missing", "front matter", "date"])
def test_bad_input_is_refused_and_changes_nothing(populated, tmp_path, case):
    path, reason = bad_files(tmp_path)[case]
    before = dump(populated)
    r = run("ingest", str(path), data_dir=populated)
    assert r.returncode != 0
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and str(path) in errors[0] and reason in errors[0], r.stderr
    assert dump(populated) == before


def test_good_files_still_go_in_beside_a_bad_one(tmp_path, corpus_file):
    data = tmp_path / "data"
    (tmp_path / "empty.txt").write_bytes(b"")
    r = run("ingest", str(corpus_file), str(tmp_path / "empty.txt"), data_dir=data)
    assert r.returncode == 1
    assert "1 documents ingested, 1 failed" in r.stdout
