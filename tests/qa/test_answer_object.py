"""The answer object: every answered response rests on facts whose quotes are the document's own text,
carries the SPARQL that ran, and speaks the question's language and script.

Run over the shared dev questions (../shared/eval/dev_questions.jsonl) and our corpus questions
(tests/data/questions/corpus.jsonl), against the shared corpus article in an in-memory store.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.namespaces import KGO
from kg.text import to_script
from qa import QA

HERE = Path(__file__).resolve()
DEV = HERE.parents[3] / "shared" / "eval" / "dev_questions.jsonl"
CORPUS = HERE.parents[3] / "shared" / "corpus"
OURS = HERE.parents[1] / "data" / "questions" / "corpus.jsonl"
FIXTURE_QUESTIONS = HERE.parents[1] / "data" / "questions" / "fixtures.jsonl"
ARTICLES = HERE.parents[1] / "data" / "articles"
CATALOG_SUFFIX = "graph/catalog"
LANGS = {"zh-Hant", "zh-Hans", "en"}
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _items(path: Path) -> list[dict]:
    if not path.is_file():
        pytest.fail(f"missing {path}", pytrace=False)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _script_neutral(text: str) -> bool:
    """Chinese text written the same in both scripts ("那百度呢?"): its script cannot be told."""
    return bool(_HAN.search(text)) and to_script(text, "zh-Hans") == to_script(text, "zh-Hant")


def _replies(store, items: list[dict], prefix: str) -> list[tuple[dict, str, dict]]:
    """(item, turn, reply) for every turn; a chat item keeps one session."""
    qa = QA(store)
    out = []
    for item in items:
        for turn in item.get("turns") or [item["q"]]:
            out.append((item, turn, qa.ask(turn, prefix + item["id"]).to_dict()))
    return out


class _Texts:
    def __init__(self, store) -> None:
        self.store = store
        self.cache: dict[str, str | None] = {}

    def __call__(self, doc: str) -> str | None:
        if doc not in self.cache:
            rows = self.store.select(f"SELECT ?t WHERE {{ GRAPH ?g {{ <{doc}> <{KGO}text> ?t }} }}") or \
                self.store.select(f"SELECT ?t WHERE {{ <{doc}> <{KGO}text> ?t }}")
            self.cache[doc] = str(rows[0][0]) if rows else None
        return self.cache[doc]


def _problems(store, replies: list[tuple[dict, str, dict]], check_language: bool = True) -> list[str]:
    text_of = _Texts(store)
    problems = []
    for item, turn, r in replies:
        where = f"{item['id']} «{turn[:60]}»"
        if r.get("language") not in LANGS:
            problems.append(f"{where}: language {r.get('language')!r}")
        if check_language and not _script_neutral(turn) and r.get("language") != item["lang"]:
            problems.append(f"{where}: answered in {r.get('language')}, asked in {item['lang']}: {r.get('answer', '')[:120]}")
        if r.get("status") != "answered":
            continue
        facts = r.get("facts") or []
        if not facts:
            problems.append(f"{where}: answered without facts: {r.get('answer', '')[:120]}")
        if r.get("mode") == "template" and not (r.get("sparql") or "").strip():
            problems.append(f"{where}: template answer without its SPARQL")
        if r.get("sparql") is not None and not isinstance(r.get("sparql"), str):
            problems.append(f"{where}: sparql is not text")
        for f in facts:
            src = f.get("source")
            if not src:
                problems.append(f"{where}: fact {f.get('iri')} has no source")
                continue
            doc, start, end, quote = src.get("document"), src.get("start"), src.get("end"), src.get("quote")
            if not quote:
                problems.append(f"{where}: fact {f.get('iri')} has an empty quote")
                continue
            if str(doc).endswith(CATALOG_SUFFIX):
                continue  # a catalog fact (known entities) has no document text behind it
            text = text_of(doc)
            if text is None:
                problems.append(f"{where}: source document {doc} has no kgo:text in the store")
            elif not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
                problems.append(f"{where}: bad offsets [{start}:{end}] for {doc}")
            elif text[start:end] != quote:
                problems.append(f"{where}: text[{start}:{end}] = {text[start:end]!r} != quote {quote!r}")
    return problems


def test_dev_answers_rest_on_exact_quotes_and_speak_the_question_script(corpus_store):
    replies = _replies(corpus_store, _items(DEV), "dev-")
    assert sum(r["status"] == "answered" for _, _, r in replies) >= 15, "too few answers to check anything"
    problems = _problems(corpus_store, replies)
    assert not problems, "\n".join(problems)


def test_corpus_question_answers_rest_on_exact_quotes(corpus_store):
    replies = _replies(corpus_store, _items(OURS), "ours-")
    problems = _problems(corpus_store, replies)
    assert not problems, "\n".join(problems)


def test_fixture_question_answers_rest_on_exact_quotes(fixtures_store):
    """The fixture articles: Big5, GB18030 and HTML, whose quotes index the decoded text."""
    replies = _replies(fixtures_store, _items(FIXTURE_QUESTIONS), "fx-")
    assert sum(r["status"] == "answered" for _, _, r in replies) >= 20
    problems = _problems(fixtures_store, replies)
    assert not problems, "\n".join(problems)


def test_answer_object_has_the_documented_fields(corpus_store):
    qa = QA(corpus_store)
    for q in ("百度2025年Q1营收是多少?", "美團的AI研發費用是多少?", ""):
        d = qa.ask(q).to_dict()
        for key in ("question", "status", "answer", "language", "mode", "facts", "sparql", "confidence"):
            assert key in d, (q, key)
        assert d["status"] in ("answered", "not_found", "ambiguous", "error")
        assert d["mode"] in ("template", "retrieval", "llm")
        assert isinstance(d["answer"], str) and d["answer"]
        json.dumps(d, ensure_ascii=False)  # serialisable as the CLI, HTTP and MCP send it
    a = qa.ask("百度2025年Q1营收是多少?").to_dict()
    fact = a["facts"][0]
    for key in ("subject", "subject_label", "metric", "period", "value", "unit", "as_written", "source"):
        assert key in fact, key
    assert set(fact["source"]) >= {"document", "start", "end", "quote"}


def test_not_found_answers_carry_no_facts(corpus_store):
    qa = QA(corpus_store)
    for item in _items(DEV) + _items(OURS):
        if item.get("answerable", True) is False:
            d = qa.ask(item["q"], "nf-" + item["id"]).to_dict()
            assert d["status"] == "not_found", (item["id"], d["answer"])
            assert not d["facts"], (item["id"], d["facts"])
