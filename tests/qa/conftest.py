"""Stores shared by the question-answering tests, built once per session and only read by the tests;
and a QA over each, one per test module (each module's chat sessions start empty)."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingestion import Ingestor
from kg.store import OxigraphStore
from qa import QA

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


@pytest.fixture(scope="module")
def corpus_qa(corpus_store):
    return QA(corpus_store)


@pytest.fixture(scope="module")
def fixtures_qa(fixtures_store):
    return QA(fixtures_store)
