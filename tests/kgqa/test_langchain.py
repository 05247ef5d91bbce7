"""The LangChain retriever and tool over a real on-disk store holding the shared corpus.

Questions and expected figures come from tests/data/questions/corpus.jsonl; quotes are checked
against the article text. One test drives the tool with a scripted chat model (langchain_core's
fake chat model): it tests the tool-call plumbing only, no language model is involved.
"""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ingestion import Ingestor
from kg.store import OxigraphStore
from kg.text import script_of
from qa import QA

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "questions" / "corpus.jsonl"
METADATA = {"subject", "subject_label", "metric", "period", "value", "unit", "as_written", "document", "start",
            "end", "quote", "score"}


def items(kind: str) -> list[dict[str, Any]]:
    return [q for q in map(json.loads, QUESTIONS.read_text(encoding="utf-8").splitlines()) if q["kind"] == kind]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, corpus_file: Path):
    s = OxigraphStore(tmp_path_factory.mktemp("lc") / "store")
    Ingestor(s).ingest_path(corpus_file)
    yield s
    s.close()


@pytest.fixture(scope="module")
def qa(store) -> QA:
    return QA(store)


@pytest.fixture(scope="module")
def text(corpus_file: Path) -> str:
    return corpus_file.read_text(encoding="utf-8")


def states(meta: dict[str, Any], value: float, unit: str) -> bool:
    """Whether a fact (as retriever metadata) states a question set's expected figure."""
    def close(a: float | None, b: float) -> bool:
        return a is not None and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)

    if unit == "pct":
        return close(meta["value"], value) or close(meta["change"], value / 100)
    if unit in ("pp", "x"):
        return close(meta["value"], value) or (meta["change"] is not None and close(abs(meta["change"]), value))
    return close(meta["value"], value)


def test_retriever_documents_are_grounded_facts_in_the_query_language(qa, text):
    from kgqa.integrations.langchain import KGQARetriever

    retriever = KGQARetriever(qa=qa, k=5)
    for item in items("lookup")[:8]:
        docs = retriever.invoke(item["q"])
        assert 0 < len(docs) <= 5, item["id"]
        scores = [d.metadata["score"] for d in docs]
        assert scores == sorted(scores, reverse=True)
        for d in docs:
            m = d.metadata
            assert METADATA <= set(m), set(m) ^ METADATA
            assert text[m["start"]:m["end"]] == m["quote"] and m["quote"]
            assert d.page_content and d.id
            if item["lang"] != "en":  # Chinese sentences in the asker's script; qualifiers stay as the source wrote them
                sentence = re.sub(r"（[^）]*）", "", d.page_content)
                assert script_of(sentence, item["lang"]) == item["lang"], (item["q"], d.page_content)


def test_retriever_finds_the_expected_figure_for_most_lookups(qa):
    """Recall@5 over the corpus lookup questions: the fact stating the expected figure is among the documents."""
    from kgqa.integrations.langchain import KGQARetriever

    retriever = KGQARetriever(qa=qa, k=5)
    lookups = [q for q in items("lookup") if q.get("numbers")]
    found = [q["id"] for q in lookups
             if any(states(d.metadata, v, u) for d in retriever.invoke(q["q"]) for v, u in q["numbers"])]
    assert len(found) / len(lookups) >= 0.9, (len(found), len(lookups), sorted({q["id"] for q in lookups} - set(found)))


def test_retriever_k_and_min_score(qa, store):
    from kgqa.integrations.langchain import KGQARetriever

    q = items("lookup")[0]["q"]
    assert len(KGQARetriever(qa=qa, k=2).invoke(q)) == 2
    strict = KGQARetriever(qa=qa, k=10, min_score=0.9).invoke(q)
    assert strict and all(d.metadata["score"] >= 0.9 for d in strict)
    assert len(strict) < len(KGQARetriever(qa=qa, k=10).invoke(q))
    assert KGQARetriever.from_store(store).invoke(q)[0].metadata == KGQARetriever(qa=qa).invoke(q)[0].metadata
    with pytest.raises(ValueError):
        KGQARetriever(qa=qa, k=0)


def test_retriever_on_an_empty_graph_returns_nothing():
    from kgqa.integrations.langchain import KGQARetriever

    with OxigraphStore.in_memory() as empty:
        assert KGQARetriever.from_store(empty).invoke("revenue") == []


def test_ask_tool_returns_the_answer_object(qa, text):
    from kgqa.integrations.langchain import make_ask_tool

    tool = make_ask_tool(qa)
    assert tool.name == "kgqa_ask" and set(tool.args) == {"question", "session"}
    item = next(q for q in items("lookup") if q.get("numbers"))
    ans = json.loads(tool.invoke({"question": item["q"]}))
    assert ans["status"] == "answered" and ans["facts"]
    assert all(f["source"]["quote"] in text for f in ans["facts"])
    unanswerable = items("unanswerable")[0]
    assert json.loads(tool.invoke({"question": unanswerable["q"]}))["status"] == "not_found"
    assert json.loads(tool.invoke({"question": " "}))["status"] == "error"


def test_ask_tool_keeps_a_session_for_follow_ups(qa):
    from kgqa.integrations.langchain import make_ask_tool

    tool = make_ask_tool(qa)
    item = next(q for q in items("chat") if q.get("numbers"))
    for turn in item["turns"]:
        reply = json.loads(tool.invoke({"question": turn, "session": "lc-" + item["id"]}))
    assert reply["status"] == "answered"
    assert any(states({"value": f["value"], "change": f["change"]}, v, u)
               for f in reply["facts"] for v, u in item["numbers"]), reply


def test_ask_tool_through_a_scripted_chat_model(qa):
    """Stand-in: a scripted chat model (GenericFakeChatModel) emits the tool call; only the plumbing is tested."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    from kgqa.integrations.langchain import make_ask_tool

    tool = make_ask_tool(qa)
    question = next(q for q in items("lookup") if q.get("numbers"))["q"]
    call = {"name": tool.name, "args": {"question": question}, "id": "call-1", "type": "tool_call"}
    model = GenericFakeChatModel(messages=iter([AIMessage(content="", tool_calls=[call])]))
    ai = model.invoke([HumanMessage(question)])
    assert ai.tool_calls and ai.tool_calls[0]["name"] == tool.name
    result = tool.invoke(ai.tool_calls[0])
    assert isinstance(result, ToolMessage) and result.tool_call_id == "call-1"
    assert json.loads(result.content)["status"] == "answered"


def test_missing_langchain_says_what_to_install():
    code = ("import sys; sys.modules['langchain_core'] = None\n"
            "import kgqa.integrations as i\n"
            "try:\n    i.KGQARetriever\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert 'pip install "kgqa[llm]"' in out.stdout, out.stderr
