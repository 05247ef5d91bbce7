"""Grounded phrasing and streaming with scripted chat models (langchain_core's FakeListChatModel and
GenericFakeChatModel stand in for an LLM: CI has none). The scripted replies are made from the
offline answer itself (kept as is, or with a number, period or entity changed), so nothing about
the article is written here; the store, the verifier and the fallbacks are real.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage

from qa import QA, Answer
from qa.verify import numbers_in

DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_questions.jsonl"


def _dev() -> list[dict]:
    if not DEV.is_file():
        pytest.fail(f"missing {DEV}", pytrace=False)
    return [json.loads(x) for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.fixture(scope="module")
def offline(corpus_store) -> dict[str, Answer]:
    """Offline answers to the dev questions that are answered with a figure, by language."""
    qa = QA(corpus_store)
    out: dict[str, Answer] = {}
    for item in _dev():
        if "q" not in item:
            continue
        a = qa.ask(item["q"])
        if a.status == "answered" and numbers_in(a.answer) and a.language not in out and a.facts[0].period:
            out[a.language] = a
    assert set(out) == {"en", "zh-Hans", "zh-Hant"}, out.keys()
    return out


def generic(text: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=text)]))


def stream(qa: QA, question: str) -> tuple[list[str], Answer]:
    items = list(qa.ask_stream(question))
    assert isinstance(items[-1], Answer) and all(isinstance(x, str) for x in items[:-1])
    return items[:-1], items[-1]  # type: ignore[return-value]


def hallucinate(text: str) -> str:
    """The text with its last figure changed to one no fact holds."""
    *_, m = re.finditer(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?", text)
    return text[:m.start()] + str(int(float(m.group()) * 7 + 13)) + text[m.end():]


def test_no_llm_answers_exactly_as_before(corpus_store):
    streamed, asked = QA(corpus_store), QA(corpus_store)
    for item in _dev():
        for turn in item.get("turns") or [item["q"]]:  # a chat item keeps one session
            items = list(streamed.ask_stream(turn, item["id"]))
            final, again = items[-1], asked.ask(turn, item["id"])
            assert "".join(items[:-1]) == final.answer == again.answer
            assert "llm" not in final.to_dict() and final.to_dict() == again.to_dict() and final.mode != "llm"


@pytest.mark.parametrize("lang", ["en", "zh-Hans", "zh-Hant"])
def test_grounded_phrasing_is_streamed_and_kept(corpus_store, offline, lang):
    template = offline[lang]
    lead = "Based on the graph:\n" if lang == "en" else "根據圖譜資料：\n"
    qa = QA(corpus_store, llm=generic(lead + template.answer))
    pieces, a = stream(qa, template.question)
    assert a.mode == "llm" and a.status == "answered"
    assert a.llm == {"used": True, "stage": "phrasing", "attempts": 1, "rejected": False, "reason": None}
    assert "".join(pieces) == a.answer and len(pieces) >= 2
    assert numbers_in(template.answer) <= numbers_in(a.answer)
    assert a.facts == template.facts and a.sparql == template.sparql


def test_hallucinated_number_is_rejected(corpus_store, offline):
    template = offline["en"]
    qa = QA(corpus_store, llm=FakeListChatModel(responses=[hallucinate(template.answer)]))
    pieces, a = stream(qa, template.question)
    assert a.mode == "template" and a.answer == template.answer == "".join(pieces)
    assert a.llm["rejected"] is True and "number" in a.llm["reason"]


def test_failing_sentence_dropped_the_rest_kept(corpus_store, offline):
    template = offline["zh-Hant"]
    reply = template.answer + hallucinate(template.answer)
    a = QA(corpus_store, llm=FakeListChatModel(responses=[reply])).ask(template.question)
    assert a.mode == "llm" and a.llm["rejected"] is True and "dropped" in a.llm["reason"]
    assert not set(numbers_in(a.answer)) - set(numbers_in(template.answer))


def test_entity_outside_the_facts_is_rejected(corpus_store, offline):
    template = offline["en"]
    qa = QA(corpus_store)
    subject = template.facts[0].subject
    label = template.facts[0].subject_label
    assert label in template.answer
    near = qa.g.ancestors(subject) | qa.g.descendants(subject) | {subject}
    other = next(ref for iri, ref in sorted(qa.g.lexicon.by_iri.items())
                 if iri not in near and ref.is_org and qa.g.label(iri, "en").isascii() and len(qa.g.label(iri, "en")) > 3)
    reply = template.answer.replace(label, qa.g.label(other.iri, "en"))
    a = QA(corpus_store, llm=FakeListChatModel(responses=[reply])).ask(template.question)
    assert a.mode == "template" and "entity" in a.llm["reason"]


def test_period_outside_the_facts_is_rejected(corpus_store, offline):
    template = offline["en"]
    year = int(template.facts[0].period[:4])
    reply = re.sub(r"\b(?:Q[1-4] )?" + str(year) + r"\b", f"Q3 {year - 3}", template.answer)
    assert reply != template.answer
    a = QA(corpus_store, llm=FakeListChatModel(responses=[reply])).ask(template.question)
    assert a.mode == "template" and f"period {year - 3}-Q3" in a.llm["reason"]


@pytest.mark.parametrize("garbage", ["asdf qwer zxcv", "I think so.", "?????", "。。。"])
def test_garbage_keeps_the_template_answer(corpus_store, offline, garbage):
    template = offline["zh-Hans"]
    a = QA(corpus_store, llm=FakeListChatModel(responses=[garbage])).ask(template.question)
    assert a.mode == "template" and a.answer == template.answer and a.llm["rejected"] is True


def test_wrong_language_is_dropped(corpus_store, offline):
    zh, en = offline["zh-Hant"], offline["en"]
    a = QA(corpus_store, llm=FakeListChatModel(responses=[en.answer])).ask(zh.question)
    assert a.mode == "template" and "wrong language" in a.llm["reason"]


def test_slow_model_times_out_to_the_template(corpus_store, offline):
    template = offline["en"]
    qa = QA(corpus_store, llm=FakeListChatModel(responses=[template.answer], sleep=2.0), llm_timeout_s=0.3)
    start = time.monotonic()
    a = qa.ask(template.question)
    assert time.monotonic() - start < 1.8
    assert a.mode == "template" and a.answer == template.answer
    assert a.llm["rejected"] is False and "0.3 s" in a.llm["reason"]


@pytest.mark.parametrize("fails_at", [0, 3])
def test_model_error_keeps_the_template(corpus_store, offline, fails_at):
    template = offline["en"]
    qa = QA(corpus_store, llm=FakeListChatModel(responses=[template.answer], error_on_chunk_number=fails_at))
    a = qa.ask(template.question)
    assert a.mode == "template" and a.answer == template.answer and "failed" in a.llm["reason"]


def test_empty_reply_keeps_the_template(corpus_store, offline):
    template = offline["en"]
    a = QA(corpus_store, llm=FakeListChatModel(responses=[""])).ask(template.question)
    assert a.mode == "template" and a.answer == template.answer and a.llm["reason"]


def test_follow_up_after_llm_answer_keeps_the_subject(corpus_store, offline):
    template = offline["en"]
    qa = QA(corpus_store, llm=FakeListChatModel(responses=[template.answer]))
    first = qa.ask(template.question, "s1")
    assert first.mode == "llm"
    assert qa.sessions["s1"].frame is not None
    assert template.facts[0].subject in {e.iri for e in qa.sessions["s1"].frame.entities}


def drop_last_figure(text: str) -> str:
    """The text with its last figure (and what follows it in that sentence) left out."""
    *_, m = re.finditer(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?", text)
    return text[:m.start()].rstrip(" ,，、為为達达of") + ("." if text.isascii() else "。")


@pytest.mark.parametrize("lang", ["en", "zh-Hans", "zh-Hant"])
def test_a_rewording_that_leaves_a_figure_out_is_not_used(corpus_store, offline, lang):
    """Every figure in the rewording is true, but the one asked for is missing: the template answer stands."""
    template = offline[lang]
    qa = QA(corpus_store, llm=generic(drop_last_figure(template.answer)))
    pieces, a = stream(qa, template.question)
    assert a.mode == "template" and a.answer == template.answer and "".join(pieces) == template.answer
    assert a.llm is not None and a.llm["rejected"] is True
    assert "template answer used" in a.llm["reason"]
