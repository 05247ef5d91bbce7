"""The built wheel works outside the source tree: what a user gets from ``pip install kgqa-….whl``.

The wheel is built from a copy of the checkout, installed (with the ``mcp`` extra, dependencies
from the package index) into a fresh virtual environment in a temporary directory, and run from
there: ``kgqa --version``, ``ingest`` of the sample corpus, ``ask``, the sample questions through
``ask --jsonl`` (at least 90% pass), and ``kgqa mcp`` listing its tools to the MCP client.
Every test in the suite imports the editable checkout; this one is what notices a package or a
data file left out of the wheel (``qa.llm`` once was).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kgqa import __version__

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "kgqa"))
from test_sample_corpus import sample_items, score_sample  # noqa: E402

_ANYWHERE = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache", ".mypy_cache", ".hypothesis")
_TOP = {".venv", ".git", "build", "dist", "data", ".test-output"}  # what .gitignore keeps out of a checkout


def _skip(folder: str, names: list[str]) -> set[str]:
    top = {n for n in names if n in _TOP} if Path(folder) == ROOT else set()
    return top | set(_ANYWHERE(folder, names))


def _run(args: list[str], cwd: Path, timeout: float = 600, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KGQA_", "PYTHON", "VIRTUAL_ENV"))}
    # the wheel is installed with the mcp extra only: no embedding model (the `embeddings` extra
    # needs torch), so the fact index is BM25 alone, as the error without it tells a user to set
    env["KGQA_EMBEDDING_MODEL"] = "none"
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env,
                          check=False, **kw)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{args}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=_skip)
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), "."],
         cwd=src)
    wheels = list(dist.glob("kgqa-*.whl"))
    assert len(wheels) == 1
    venv = base / "venv"
    python = getattr(sys, "_base_executable", sys.executable)
    _run([python, "-m", "venv", str(venv)], cwd=base)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", f"{wheels[0]}[mcp]"], cwd=base, timeout=1200)
    work = base / "work"  # not the source tree, not its copy
    work.mkdir()
    return {"wheel": wheels[0], "venv": venv, "kgqa": venv / "bin" / "kgqa", "python": venv / "bin" / "python",
            "work": work, "src": src}


def test_the_wheel_holds_every_package_and_data_file(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    packages = {str(p.parent.relative_to(ROOT)) for p in ROOT.glob("*/**/__init__.py")
                if p.parts[len(ROOT.parts)] in ("ontology", "kg", "ingestion", "qa", "kgqa")}
    assert "qa/llm" in packages
    for package in packages:
        assert f"{package}/__init__.py" in names, package
    data = [p for p in (ROOT / "ontology").rglob("*") if p.suffix in (".ttl", ".yaml")]
    data += list((ROOT / "kgqa" / "web" / "static").iterdir())
    for p in data:
        assert str(p.relative_to(ROOT)) in names, p
    assert installed["wheel"].name == f"kgqa-{__version__}-py3-none-any.whl"


def test_the_installed_package_is_the_wheels_not_the_checkout(installed):
    out = _run([str(installed["python"]), "-c", "import kgqa, qa.llm; print(kgqa.__file__); print(kgqa.__version__)"],
               cwd=installed["work"]).stdout.split()
    assert Path(out[0]).is_relative_to(installed["venv"]) and out[1] == __version__
    assert _run([str(installed["kgqa"]), "--version"], cwd=installed["work"]).stdout.strip() == f"kgqa {__version__}"


def test_ingest_ask_and_mcp_from_the_installed_wheel(installed):
    kgqa, work = installed["kgqa"], installed["work"]
    data = work / "data"
    corpus = installed["src"] / "examples" / "corpus"
    out = _run([str(kgqa), "ingest", str(corpus), "--data-dir", str(data)], cwd=work).stdout
    assert "5 documents ingested, 0 failed" in out
    answer = _run([str(kgqa), "ask", "百度2025年Q1營收是多少?", "--data-dir", str(data)], cwd=work).stdout
    assert "324.5億元" in answer and "Sources:" in answer
    passed, failures = score_sample(kgqa, data, cwd=work)
    assert passed >= 0.9 * len(sample_items()), "\n".join(failures)
    client = installed["src"] / "examples" / "mcp_client.py"  # the official MCP client, run by the wheel's Python
    out = _run([str(installed["python"]), str(client), str(data), "百度智能云第一季度收入是多少?"], cwd=work).stdout
    assert "tools: ask, describe_entity, search_entities, sparql" in out
    assert "[answered]" in out and "67亿元" in out
    assert json.loads(_run([str(kgqa), "stats", "--json", "--data-dir", str(data)], cwd=work).stdout)["documents"] == 5
