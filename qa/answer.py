"""The answer object every interface returns (CLI --json, HTTP, MCP, Python)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Answer", "Fact", "Source"]


@dataclass
class Source:
    """Where a fact was read: ``text[start:end] == quote`` in ``document``, and that document's
    title, source URL and date when it has them (``kgqa ingest --title --source --date``)."""

    document: str
    start: int
    end: int
    quote: str
    title: str | None = None
    url: str | None = None
    date: str | None = None


@dataclass
class Fact:
    """One graph fact an answer rests on: an observation or a relation."""

    iri: str
    subject: str
    subject_label: str
    source: Source | None
    metric: str | None = None
    period: str | None = None
    value: float | None = None
    unit: str | None = None
    as_written: str | None = None
    change: float | None = None
    change_unit: str | None = None
    change_basis: str | None = None
    bound: str | None = None
    qualitative: str | None = None
    qualifier: str | None = None
    predicate: str | None = None
    object: str | None = None
    object_label: str | None = None


@dataclass
class Answer:
    question: str
    status: str  # answered | not_found | ambiguous | error
    answer: str
    language: str
    mode: str = "template"  # template | retrieval | llm
    facts: list[Fact] = field(default_factory=list)
    sparql: str | None = None
    confidence: float = 0.0
    kind: str | None = None
    computed: list[float] = field(default_factory=list, repr=False)  # numbers derived from facts (verify)
    # what the optional LLM did: {"used", "stage": "sparql"|"phrasing", "attempts", "rejected", "reason"}
    llm: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("computed")
        if d["llm"] is None:  # no LLM configured: the object is exactly the offline one
            d.pop("llm")
        return d
