"""The answer object of DESIGN.md as pydantic models: one schema for the HTTP API's OpenAPI document
and the MCP tools' output schema (``qa.Answer.to_dict()`` produces it)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SourceModel", "FactModel", "AnswerModel", "ANSWER_EXAMPLE"]

ANSWER_EXAMPLE: dict[str, Any] = {
    "question": "百度2025年Q1營收是多少?", "status": "answered", "answer": "百度2025年Q1營收為324.5億元。",
    "language": "zh-Hant", "mode": "template",
    "facts": [{"iri": "https://kgqa.example/r/obs-1", "subject": "https://kgqa.example/r/baidu",
               "subject_label": "百度", "metric": "Revenue", "period": "2025-Q1", "value": 32450000000,
               "unit": "CNY", "as_written": "324.5億元",
               "source": {"document": "https://kgqa.example/r/doc-1", "start": 120, "end": 141,
                          "quote": "百度2025年Q1營收達324.5億元", "title": None}}],
    "sparql": "SELECT ?o WHERE { … }", "confidence": 0.9, "kind": "lookup"}


class SourceModel(BaseModel):
    """Where a fact was read: ``text[start:end] == quote`` in the document."""

    model_config = ConfigDict(extra="allow")
    document: str
    start: int
    end: int
    quote: str
    title: str | None = None


class FactModel(BaseModel):
    """One graph fact: an observation (metric, period, value, unit) or a relation (predicate, object)."""

    model_config = ConfigDict(extra="allow")
    iri: str
    subject: str
    subject_label: str
    source: SourceModel | None = None
    metric: str | None = None
    period: str | None = None
    value: float | None = None
    unit: str | None = None
    as_written: str | None = None
    predicate: str | None = None
    object: str | None = None
    object_label: str | None = None


class AnswerModel(BaseModel):
    """The answer object every kgqa interface returns; the MCP tools add ``rows``, ``entities`` … as extra fields."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [ANSWER_EXAMPLE]})
    question: str
    status: str = Field(description="answered | not_found | ambiguous | error")
    answer: str
    language: str = Field(description="zh-Hant | zh-Hans | en")
    mode: str = Field("template", description="template | retrieval | llm")
    facts: list[FactModel] = Field(default_factory=list)
    sparql: str | None = None
    confidence: float = 0.0
    kind: str | None = None
    llm: dict[str, Any] | None = None
