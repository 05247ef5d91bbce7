"""The examples under examples/ run as a user runs them: subprocesses on a data directory into which
`kgqa ingest` read the shared corpus; every quote they print must be the article's text at its offsets."""
from __future__ import annotations

import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
KGQA = Path(sys.executable).parent / "kgqa"
NAMES = ["python_api", "langchain_retriever", "langchain_tool", "mcp_client"]
# «quote» (document [start:end]) as every example prints a source
SOURCE = re.compile(r"«(?P<quote>[^\n]*?)» \((?P<doc>\S+) \[(?P<start>\d+):(?P<end>\d+)\]\)")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, corpus_file: Path) -> Path:
    d = tmp_path_factory.mktemp("examples-data")
    subprocess.run([str(KGQA), "ingest", str(corpus_file), "--data-dir", str(d)], check=True,
                   capture_output=True, timeout=300)
    return d


def run_example(name: str, data_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), str(data_dir), *args],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def grounded_sources(out: str, text: str) -> list[re.Match[str]]:
    sources = list(SOURCE.finditer(out))
    for m in sources:
        assert text[int(m["start"]):int(m["end"])] == m["quote"], m.group(0)
    return sources


@pytest.mark.parametrize("name", NAMES)
def test_example_is_documented_with_a_main_taking_a_data_dir(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.__doc__ and "python examples/" in module.__doc__
    assert next(iter(inspect.signature(module.main).parameters)) == "data_dir"
    assert f"`{name}.py`" in (EXAMPLES / "README.md").read_text(encoding="utf-8")


def test_python_api(data_dir, corpus_file):
    out = run_example("python_api", data_dir)
    assert out.count("[answered]") >= 2
    assert len(grounded_sources(out, corpus_file.read_text(encoding="utf-8"))) >= 2


def test_python_api_with_a_question_of_ones_own(data_dir, corpus_file):
    # embeddings off: this question reaches the retrieval fallback, and loading the model is not what is tested
    out = run_example("python_api", data_dir, "What is the capital of France?", env={"KGQA_EMBEDDING_MODEL": "none"})
    assert "[not_found]" in out and not SOURCE.search(out)


def test_langchain_retriever(data_dir, corpus_file):
    out = run_example("langchain_retriever", data_dir)
    text = corpus_file.read_text(encoding="utf-8")
    assert len(grounded_sources(out, text)) >= 4
    for quote in re.findall(r"quote=«([^\n]*?)»$", out, re.MULTILINE):  # the Documents' metadata
        assert quote in text


def test_langchain_tool(data_dir, corpus_file):
    out = run_example("langchain_tool", data_dir)
    assert out.count("[answered]") >= 2 and "ToolMessage call-1" in out
    assert len(grounded_sources(out, corpus_file.read_text(encoding="utf-8"))) >= 2


def test_mcp_client(data_dir, corpus_file):
    out = run_example("mcp_client", data_dir)
    assert "tools: ask, describe_entity, search_entities, sparql" in out
    assert "[answered]" in out and "is_error=True" in out
    assert re.search(r"sparql: \[\{'n': [1-9]\d*\}\]", out)
    assert len(grounded_sources(out, corpus_file.read_text(encoding="utf-8"))) >= 2
