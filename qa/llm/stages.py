"""Where the LLM joins question answering, after the offline answer is known.

- offline answer ``answered``: the LLM may phrase it (``phrasing``), sentences checked against its facts;
- offline answer ``not_found``: the LLM may write SPARQL (``text2sparql``), checked and repaired,
  its rows grounded in cited facts and put into words by the templates;
- anything else (``error``) is returned as it is.

Every outcome carries ``Answer.llm`` = {"used", "stage", "attempts", "rejected", "reason"}.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Generator
from typing import TYPE_CHECKING

from kg.lexicon import EntityRef, MetricRef

from ..answer import Answer
from ..compose import pieces
from .phrasing import Phrasing, phrase
from .text2sparql import answer_with_sparql

if TYPE_CHECKING:
    from ..analyze import Analysis
    from ..engine import QA

__all__ = ["improve"]


def improve(qa: QA, answer: Answer, ctx: tuple[Analysis, list[EntityRef], list[MetricRef]]
            ) -> Generator[str, None, Answer]:
    """Yield the answer's text in pieces and return the final answer."""
    a, entities, metrics = ctx
    if answer.status == "answered":
        return (yield from _phrase(qa, answer, a, entities))
    if answer.status == "not_found":
        answer = answer_with_sparql(qa, answer, a, entities, metrics)
    yield from pieces(answer.answer)
    return answer


def _phrase(qa: QA, answer: Answer, a: Analysis, entities: list[EntityRef]) -> Generator[str, None, Answer]:
    g = qa.g
    allowed = {e.iri for e in entities}
    for f in answer.facts:
        for iri in (f.subject, f.object):
            if iri:
                allowed |= {iri} | g.ancestors(iri)
    outcome = Phrasing()
    for item in phrase(qa.llm, a.text, answer, lexicon=g.lexicon, entities=allowed,  # type: ignore[arg-type]
                       timeout=qa.llm_timeout_s):
        if isinstance(item, Phrasing):
            outcome = item
        else:
            yield item
    info = {"used": True, "stage": "phrasing", "attempts": 1,
            "rejected": bool(outcome.dropped) or (not outcome.text and outcome.error is None),
            "reason": outcome.reason()}
    if outcome.text:  # every sentence of it passed unsupported_claims before it was shown
        return dataclasses.replace(answer, answer=outcome.text, mode="llm", llm=info)
    yield from pieces(answer.answer)
    return dataclasses.replace(answer, llm=info)
