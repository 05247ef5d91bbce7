"""Stores shared by the question-answering tests: built once per session, only read by the tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingestion import Ingestor
from kg.store import OxigraphStore

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"


@pytest.fixture(scope="session")
def corpus_store(corpus_file):
    store = OxigraphStore.in_memory()
    Ingestor(store).ingest_path(corpus_file)
    yield store
    store.close()


@pytest.fixture(scope="session")
def fixtures_store():
    store = OxigraphStore.in_memory()
    ing = Ingestor(store)
    for f in sorted(ARTICLES.iterdir()):
        ing.ingest_path(f)
    yield store
    store.close()
