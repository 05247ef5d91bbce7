"""LangChain parts: a retriever of graph facts and a tool that asks the graph.

``KGQARetriever`` returns one ``Document`` per graph fact, nearest the query first: its
``page_content`` a sentence stating the fact in the query's language and script, its metadata
the fact (subject, subject_label, metric, period, value, unit, as_written, change; predicate, object
for relations), where it was read (document, start, end, quote, with ``text[start:end] == quote``;
the document's source URL, title and date) and the retrieval score (absolute, 0..1). Facts about
the entity the query names rank above facts about its segments and products.
``make_ask_tool`` wraps ``QA.ask``: content is the answer text with numbered sources, the artifact
the answer object (``response_format="content_and_artifact"``).

>>> from kg.store import OxigraphStore
>>> from ingestion import Ingestor, parse_document   # doctest only: kgqa's integrations never ingest
>>> store = OxigraphStore.in_memory()
>>> text = "百度2025年Q1營收達324.5億元,同比增長3%。"
>>> _ = Ingestor(store).ingest_document(parse_document(text, name="n.txt"))
>>> doc = KGQARetriever.from_store(store).invoke("百度營收")[0]
>>> doc.page_content, doc.metadata["value"], doc.metadata["unit"]
('百度2025年第一季度營收為324.5億元，同比增長3%。', 32450000000.0, 'CNY')
>>> text[doc.metadata["start"]:doc.metadata["end"]] == doc.metadata["quote"]
True
>>> call = {"name": "kgqa_ask", "args": {"question": "What was Baidu's revenue in Q1 2025?"}, "id": "1",
...         "type": "tool_call"}
>>> make_ask_tool(QA(store)).invoke(call).artifact["status"]
'answered'
"""
from __future__ import annotations

from typing import Any

from kg.store import Store
from qa import QA, Fact

try:
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.tools import BaseTool, StructuredTool
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError('kgqa\'s LangChain integration needs langchain-core: pip install "kgqa[langchain]"') from exc

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["KGQARetriever", "make_ask_tool", "fact_metadata"]


def fact_metadata(fact: Fact, score: float) -> dict[str, Any]:
    """A fact as flat ``Document`` metadata: what it says, where it was read, how near the query it ranked."""
    src = fact.source
    return {"fact": fact.iri, "subject": fact.subject, "subject_label": fact.subject_label, "metric": fact.metric,
            "period": fact.period, "value": fact.value, "unit": fact.unit, "as_written": fact.as_written,
            "change": fact.change, "change_unit": fact.change_unit, "change_basis": fact.change_basis,
            "predicate": fact.predicate, "object": fact.object, "object_label": fact.object_label,
            "document": src.document if src else None, "start": src.start if src else None,
            "end": src.end if src else None, "quote": src.quote if src else None,
            "source": src.url if src else None, "title": src.title if src else None,
            "date": src.date if src else None, "score": round(score, 4)}


class KGQARetriever(BaseRetriever):
    """Graph facts nearest a query (the fact index: character-bigram BM25, plus embeddings when the QA has a model).

    Build it from a store (``KGQARetriever.from_store(store)``) or around a configured ``QA``
    (``KGQARetriever(qa=qa, k=8)``). ``min_score`` (0..1, absolute: the same threshold means the
    same for every query) drops weak facts; a query sharing no word with any fact returns nothing.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    qa: QA
    k: int = Field(5, ge=1, le=100)
    min_score: float = Field(0.1, ge=0.0, le=1.0)

    @classmethod
    def from_store(cls, store: Store, **kwargs: Any) -> "KGQARetriever":
        return cls(qa=QA(store), **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        _, facts = self.qa.related_facts(query, self.k)
        return [Document(page_content=sentence, metadata=fact_metadata(fact, score), id=fact.iri)
                for fact, sentence, score in facts if score >= self.min_score]


class _AskInput(BaseModel):
    question: str = Field(description="the question, in Chinese or English")
    session: str | None = Field(None, description="a conversation id; follow-ups in one session are understood")


def _content(answer: Any) -> str:
    """The answer as a model reads it: the text, then numbered sources with quote, title, URL and date."""
    lines = [answer.answer, f"(status: {answer.status})"]
    seen: set[tuple[str, int]] = set()
    for i, f in enumerate(answer.facts, 1):
        src = f.source
        if src is None or (src.document, src.start) in seen:
            continue
        seen.add((src.document, src.start))
        where = ", ".join(x for x in (src.title, src.url, src.date) if x) or src.document
        lines.append(f"[{i}] «{src.quote}» ({where})")
    return "\n".join(lines)


def make_ask_tool(qa: QA, *, name: str = "kgqa_ask", description: str | None = None) -> BaseTool:
    """A LangChain tool that asks the knowledge graph (``response_format="content_and_artifact"``).

    The content (what the model reads) is the answer text and its numbered sources; the artifact
    (kept on the ``ToolMessage`` for the application) is the answer object as a dict.
    """

    def ask(question: str, session: str | None = None) -> tuple[str, dict[str, Any]]:
        answer = qa.ask(question, session)
        return _content(answer), answer.to_dict()

    return StructuredTool.from_function(
        func=ask, name=name, args_schema=_AskInput, response_format="content_and_artifact",
        description=description or (
            "Answer a question about companies, products and business figures from a knowledge graph of news "
            "articles (Chinese or English). Returns the answer with numbered source quotes (title, URL, date) "
            "and its status: answered, not_found or error. not_found means the graph does not say: do not guess."))
