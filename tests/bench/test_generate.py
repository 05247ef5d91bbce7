"""The synthetic article generator: deterministic, three scripts, and readable by the pipeline."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("kgqa_bench_generate", ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def articles(gen):
    return gen.generate_articles(5, seed=1)


def _script(text: str) -> str:
    from kg.text import script_of

    body = text.split("\n---\n", 1)[1]
    return script_of(body)


def test_deterministic(gen, articles):
    assert gen.generate_articles(5, seed=1) == articles
    assert gen.generate_articles(5, seed=2) != articles
    assert gen.generate_articles(3, seed=1) == articles[:3]


def test_three_scripts_front_matter_and_length(articles):
    from ingestion import parse_document

    assert len({name for name, _ in articles}) == 5
    declared = {name.split(".")[1] for name, _ in articles}
    assert declared == {"zh-Hant", "zh-Hans", "en"}
    for name, text in articles:
        assert 1500 <= len(text) <= 6000, (name, len(text))
        assert _script(text) == name.split(".")[1], name
        doc = parse_document(text, name=name)
        assert doc.title and doc.date is not None
        assert re.fullmatch(r"https://example\.com/gen/\d+", doc.source or "")
        assert re.search(r"\d", text[doc.body_start:])


def test_pipeline_reads_generated_articles(articles, store):
    from ingestion import Ingestor, parse_document

    ing = Ingestor(store)
    by_lang = {}
    for name, text in articles:
        by_lang.setdefault(name.split(".")[1], (name, text))
    assert len(by_lang) == 3
    for lang, (name, text) in sorted(by_lang.items()):
        result = ing.ingest_document(parse_document(text, name=name))
        assert result.observations > 0, (lang, name)
