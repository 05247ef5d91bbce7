from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture
def store():
    from kg.store import OxigraphStore

    s = OxigraphStore.in_memory()
    yield s
    s.close()


@pytest.fixture(scope="session")
def corpus_file() -> Path:
    files = sorted(CORPUS.glob("*.txt"))
    if not files:
        pytest.fail(f"the shared corpus is missing at {CORPUS}")
    return files[0]
