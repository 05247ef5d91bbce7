"""Question answering over the graph, offline: analyse, link, plan, execute, compose, verify.

:class:`QA` is the entry point: it checks the question, analyses and links it, fills gaps from the
chat session, hands it to the handler for its kind and verifies the answer. The handlers live in
modules of their own: ``lookup`` (figures), ``compare`` (side by side, arithmetic), ``relations``
(relations, quotes, lists, connections), ``describe`` and ``retrieve`` (nearest facts); each takes
a :class:`~qa.context.Context` (the store and its index) and the analysed question.

>>> from kg.store import OxigraphStore
>>> from ingestion import Ingestor, parse_document   # doctest only: qa itself never imports ingestion
>>> store = OxigraphStore.in_memory()
>>> _ = Ingestor(store).ingest_document(parse_document("百度2025年Q1營收達324.5億元,同比增長3%。", name="n.txt"))
>>> qa = QA(store)
>>> a = qa.ask("百度2025年Q1營收是多少?")
>>> a.status, "324.5億元" in a.answer, a.facts[0].source.quote.startswith("百度2025年Q1營收達324.5億元,同比增長3%")
('answered', True, True)
>>> qa.ask("百度2025年第二季度營收是多少?").status
'not_found'
"""
from __future__ import annotations

import dataclasses
import re
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from kg.deadline import Deadline
from kg.errors import WorkCancelled
from kg.factindex import FactIndex, FactIndexer
from kg.lexicon import EntityRef, MetricRef
from kg.namespaces import KGM
from kg.periods import Period, fiscal_to_calendar
from kg.store import Store

from .analyze import WILDCARD_YEAR, Analysis, analyse
from .answer import Answer, Fact
from .compare import arithmetic, compare, default_metrics
from .compose import pieces, tr
from .context import Context
from .describe import describe as describe_entity
from .errors import InvalidQuestionError
from .graph import GraphIndex
from .link import Link, dedupe, link_entities
from .lookup import by_metric, lookup, most_specific
from .names import unknown_name
from .relations import connection, list_owned, relation, who_said
from .retrieve import related_facts, retrieve
from .session import Frame, Session
from .sources import cite
from .verify import unsupported_numbers

# a pronoun standing for one subject ("its revenue?"); "their", "they" may be about a list
_SINGULAR_PRONOUN = re.compile(r"它(?!们|們)|其|该公司|這家公司|这家公司|(?<![a-z])(?:its|it|this company|the company)(?![a-z])")

def _each_period(ctx: Context, a: Analysis, links: list[Link], entities: list[EntityRef],
                 metrics: list[MetricRef]) -> Answer:
    """「2023年全年收入和第四季收入各是多少?」, "…compared with a year earlier?", "…and the latest?": one lookup per period asked,
    answered together; a period the graph lacks is left out, and the answer says not found only when all are."""
    asked: list[Period | None] = [*a.periods[:4], *([None] if a.latest else [])]  # None: the latest, whatever its period
    parts = [lookup(ctx, dataclasses.replace(a, period=p, periods=[p] if p else []), links, entities, metrics,
                    most=3 if p else 1) for p in asked]
    found: list[Answer] = []
    seen: set[str] = set()
    for p in parts:  # a period the graph lacks falls back to another period's figure: shown once
        iris = {f.iri for f in p.facts}
        if p.status == "answered" and not iris <= seen:
            found.append(p)
            seen |= iris
    if not found:
        return parts[0]
    if len(found) == 1:
        return found[0]
    facts: list[Fact] = []
    for p in found:
        facts.extend(f for f in p.facts if f not in facts)
    sep = " " if a.language == "en" else ""
    return dataclasses.replace(found[0], answer=sep.join(p.answer for p in found), facts=facts,
                               computed=[x for p in found for x in p.computed],
                               sparql="\n\n".join(p.sparql for p in found if p.sparql) or None,
                               confidence=min(p.confidence for p in found))


def _sibling_units(canon: str, g: GraphIndex, before: Sequence[EntityRef]) -> list[EntityRef]:
    """Units named by their short name (kgo:shortLabel) whose owner is the entity talked about before,
    or that entity's owner: "那廣告業務呢?" after a question about Bilibili's value-added services."""
    for e in before:
        for owner in (e.iri, *sorted(g.owners.get(e.iri, ()))):
            matcher = g.lexicon.short_names.get(owner)
            hit = next(iter(matcher.find_all(canon)), None) if matcher is not None else None
            if hit is not None:
                return [hit.value]
    return []


def _calendar_period(p: Period, fye: int) -> Period:
    """A fiscal period asked for a company ("阿里巴巴2026財年第一季") as the calendar period the graph holds."""
    if p.year == WILDCARD_YEAR or not fye:
        return p
    if fye == 12:
        return dataclasses.replace(p, fiscal=False, fye=0)
    return fiscal_to_calendar(dataclasses.replace(p, fye=fye))


if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = ["QA"]

MAX_QUESTION_CHARS = 2000
# what a label or a fact's text can hold: Latin letters, digits, CJK; a question with none of them names nothing known
_MATCHABLE = re.compile(r"[A-Za-z0-9\u00c0-\u024f\u3400-\u9fff\uf900-\ufaff\uff10-\uff19\uff21-\uff5a]")


class QA:
    """Answers questions from one store; keeps an index of labels that it refreshes when the graph changes."""

    def __init__(self, store: Store, *, max_question_chars: int = MAX_QUESTION_CHARS,
                 embedding_model: str | None = None, llm: "BaseChatModel | None" = None,
                 llm_timeout_s: float = 60.0, llm_max_repairs: int = 2, index_dir: Path | None = None,
                 answer_timeout_s: float | None = None) -> None:
        self.store = store
        self.llm = llm  # optional: writes SPARQL where templates find nothing, phrases answers (qa.llm)
        self.llm_timeout_s = llm_timeout_s
        self.llm_max_repairs = llm_max_repairs
        self.max_chars = max_question_chars
        self.embedding_model = embedding_model
        self._g: GraphIndex | None = None
        self._building = threading.Lock()  # concurrent first questions build the index once
        # the fact index (BM25, and embeddings computed once, persisted in index_dir) shared by all questions
        self.indexer = FactIndexer(store, embedding_model or "none", index_dir, stop=threading.Event())
        self.answer_timeout_s = answer_timeout_s  # a question taking longer is stopped (status error)
        self.sessions: dict[str, Session] = {}
        self.verifier_rejections = 0  # answers turned into not_found because a figure was unsupported (bench/)

    def fact_index(self) -> FactIndex:
        """The fact index as it is now (BM25 alone until every fact has its vector)."""
        return self.indexer.current()

    def warm(self) -> None:
        """Build what questions need, in the background: the label index, the fact index and its vectors."""
        self.refresh()
        self.indexer.warm()

    def close(self) -> None:
        """Stop work under way (background indexing, questions past their next check): the process is ending."""
        self.indexer.close()

    def deadline(self) -> Deadline:
        return Deadline(self.answer_timeout_s, self.indexer.stop, what="the question")

    @property
    def g(self) -> GraphIndex:
        """The label and structure index; :meth:`refresh` (run at the start of every question) keeps it current."""
        return self._g if self._g is not None else self.refresh()

    def refresh(self) -> GraphIndex:
        """Rebuild the index if the store changed since it was built (one cheap check, not one per lookup)."""
        stamp = GraphIndex.stamp_of(self.store)
        if self._g is not None and self._g.stamp == stamp:
            return self._g
        with self._building:
            if self._g is None or self._g.stamp != GraphIndex.stamp_of(self.store):
                self._g = GraphIndex.build(self.store)
            return self._g

    def session(self, sid: str | None) -> Session | None:
        if sid is None:
            return None
        return self.sessions.setdefault(sid, Session(id=sid))

    # -- for embedding: retrievers and tools (kgqa.integrations, the MCP server) ---------
    def describe(self, name_or_iri: str) -> Answer:
        """What the graph says about one entity, named in any script or alias, or given by its IRI."""
        try:
            text = self._check(name_or_iri)
        except InvalidQuestionError as exc:
            return Answer(question=str(name_or_iri)[:200], status="error", answer=str(exc), language="en")
        g = self.refresh()
        a = analyse(text, g.lexicon)
        ref = g.lexicon.by_iri.get(text)
        if ref is None and text in g.labels:
            ref = EntityRef(text, g.types.get(text, "Organization"), g.label(text, "en"))
        if ref is None:
            links = link_entities(a.canon, g)
            ref = links[0].ref if links else None
        if ref is None:
            return Answer(question=text, status="not_found", answer=tr(a.language, "no_entity"),
                          language=a.language, kind="describe")
        answer = describe_entity(Context(self.store, g), a, ref)
        answer.question = text
        return answer

    def related_facts(self, text: str, k: int = 5) -> tuple[str, list[tuple[Fact, str, float]]]:
        """The k facts nearest a text in the fact index: (language, [(fact, sentence in that language, score)]).

        For retrievers, which rank facts rather than answer; scores are 0..1, best first.
        """
        g = self.refresh()
        return related_facts(Context(self.store, g, self.deadline()), self.indexer, text, k)

    # -- entry point -----------------------------------------------------------------
    def ask(self, question: str, session: Session | str | None = None) -> Answer:
        """The verified answer to a question (with an LLM configured, possibly written or phrased by it)."""
        final: Answer | None = None
        for item in self.ask_stream(question, session):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def ask_stream(self, question: str, session: Session | str | None = None) -> Iterator[str | Answer]:
        """The answer text in pieces as it becomes ready, then the verified :class:`Answer`.

        Offline the pieces are the template answer's sentences. With an LLM, phrased text is
        passed on one verified sentence at a time; the pieces always join to ``Answer.answer``.
        """
        sess = self.session(session) if isinstance(session, str) or session is None else session
        answer, ctx = self._offline(question, sess)
        if self.llm is not None and ctx is not None:
            from .llm.stages import improve

            answer = yield from improve(self, answer, ctx)
        else:
            for piece in pieces(answer.answer):
                yield piece
        if sess is not None and ctx is not None:
            a, entities, metrics = ctx
            if answer.mode == "llm" and answer.status == "answered" and not entities:  # the LLM's query found them
                entities = dedupe(self.g.lexicon.by_iri[f.subject] for f in answer.facts
                                  if f.subject in self.g.lexicon.by_iri)
            sess.remember(question, answer.answer, Frame(entities, metrics, a.aspect, a.period, a.kind, a.language)
                          if answer.status == "answered" else None)
        yield answer

    def _offline(self, question: str, sess: Session | None
                 ) -> tuple[Answer, tuple[Analysis, list[EntityRef], list[MetricRef]] | None]:
        """The template (or retrieval) answer, verified, with what the question was understood to ask."""
        try:
            text = self._check(question)
        except InvalidQuestionError as exc:
            return Answer(question=str(question)[:200], status="error", answer=str(exc), language="en"), None
        if not _MATCHABLE.search(text):  # emoji, right-to-left scripts: no label or fact could match, say so now
            return Answer(question=question, status="not_found", answer=tr("en", "no_entity"), language="en",
                          kind="lookup"), None
        g = self.refresh()
        a = analyse(text, g.lexicon, g.ref_year)
        links = link_entities(a.canon, g)
        entities = dedupe([l.ref for l in links])
        metrics = [h.value for h in a.metrics]
        frame = sess.frame if sess else None
        if a.share:  # "研发费用占总营收的比例": the other metric words name the parts of the share
            share = [m for m in metrics if KGM + "Share" in g.broader.get(m.iri, ()) or m.iri == KGM + "Share"]
            whole = g.lexicon.metrics.get("share")  # 「資本支出相當於收入的多少」: a share, whichever words name its parts
            metrics = share or ([whole] if whole is not None and metrics else metrics)
        if frame is not None and a.neutral and frame.language in ("zh-Hant", "zh-Hans"):
            a.language = frame.language  # "那可灵呢?" is the same in both scripts: keep the conversation's
        if frame is not None and not entities:
            entities = _sibling_units(a.canon, g, frame.entities)  # 「那廣告業務呢?」 after a unit or its owner
        if frame is not None:
            if not entities and (a.follow_up or a.pronoun or not unknown_name(a, g)):
                # "同比增长多少?", "its revenue?": the conversation's subject; "Who is <unknown>?" is not about it
                entities = list(frame.entities)
                if not metrics and a.kind in ("lookup",):
                    metrics = list(frame.metrics)
            if entities and not metrics and a.kind in ("lookup",) and (a.follow_up or len(a.canon) < 24):
                metrics = list(frame.metrics)
                if a.aspect == "value":
                    a.aspect = frame.aspect
                if a.period is None:
                    a.period = frame.period
        if frame is not None and metrics and frame.metrics and (a.follow_up or a.pronoun):
            metrics = [g.lexicon.qualified_like(m, frame.metrics[0]) for m in metrics]  # "And its margin?" after adjusted profit
        if a.period is not None and a.period.fiscal and entities:
            a.period = _calendar_period(a.period, g.lexicon.fiscal_year_end_of(entities[0].iri))
        if not entities and a.kind in ("lookup", "list") and _SINGULAR_PRONOUN.search(a.canon) \
                and not (frame is not None and frame.entities):
            # "its revenue?" with nothing before it: ask which company, never list every company's figure
            return Answer(question=question, status="ambiguous", language=a.language, kind=a.kind,
                          answer=tr(a.language, "which_subject", what=text)), None
        try:
            answer = self._dispatch(Context(self.store, g, self.deadline()), a, links, entities, metrics)
        except WorkCancelled as exc:
            return Answer(question=question, status="error", answer=str(exc), language=a.language, kind=a.kind), None
        cite(self.store, answer.facts)
        answer.question = question
        answer.kind = answer.kind or a.kind
        bad = unsupported_numbers(answer.answer, answer.facts, answer.computed, lexicon=g.lexicon) \
            if answer.status == "answered" else []
        if bad:
            self.verifier_rejections += 1
            answer = Answer(question=question, status="not_found", language=a.language, kind=a.kind,
                            answer=tr(a.language, "not_found", what=text) + f" (unverified numbers: {', '.join(bad)})")
        return answer, (a, entities, metrics)

    def _check(self, question: object) -> str:
        if not isinstance(question, str):
            raise InvalidQuestionError("the question must be text")
        text = question.strip()
        if not text:
            raise InvalidQuestionError("empty question: ask about a company, product or figure")
        if len(text) > self.max_chars:
            raise InvalidQuestionError(f"question too long ({len(text)} characters; the limit is {self.max_chars})")
        controls = sum(1 for c in text if unicodedata.category(c) in ("Cc", "Cs", "Co") and c not in "\n\t\r")
        if controls or "\ufffd" in text:
            raise InvalidQuestionError("the question contains binary or undecodable characters")
        return text

    def _dispatch(self, ctx: Context, a: Analysis, links: list[Link], entities: list[EntityRef],
                  metrics: list[MetricRef]) -> Answer:
        """The handler for the question's kind, given what it names."""
        if a.kind == "connection" and len(entities) >= 2:
            return connection(ctx, a, entities)
        if a.kind == "quote":
            return who_said(ctx, a, entities, metrics)
        if entities and not metrics and a.kind == "relation" and re.search(r"多少|几|how many", a.canon):
            # "How many internal Tencent scenarios has Hunyuan been integrated into?": a count, not a relation
            return lookup(ctx, a, links, entities, [])
        if a.kind == "relation" and entities:
            r = relation(ctx, a, entities)
            if r is not None:
                return r
        if a.kind == "list" and entities and re.search(
                r"哪些(?:公司|企业|平台|厂商|机构)|(?:which|what) (?:companies|firms|platforms|products)", a.canon):
            r = relation(ctx, a, entities, reverse=True)  # "哪些公司接入了DeepSeek?": who did it to the entity
            if r is not None:
                return r
        if a.kind == "list" and entities:
            return list_owned(ctx, a, entities)
        if a.kind == "describe" and entities and not metrics and a.period is None:
            return describe_entity(ctx, a, entities[0])
        if entities and not metrics and (a.kind in ("lookup", "arithmetic") or a.kind == "describe" and a.period is not None) and (
                a.period is not None or re.search(r"多少|几|how (?:much|many)|what (?:was|is|were)", a.canon)):
            return lookup(ctx, a, links, entities, [])
        if a.kind in ("superlative", "comparison") and len(most_specific(ctx.g, entities)) >= 2:
            # 「通義千問Qwen3系列最大的模型」 names one thing twice: its own largest figure, not a comparison
            return compare(ctx, a, entities, metrics or default_metrics(ctx.g))
        if a.kind == "arithmetic" and metrics and (len(entities) >= 2 or entities):
            r = arithmetic(ctx, a, entities, metrics)
            if r is not None:
                return r
        if entities and metrics and a.kind in ("lookup", "comparison", "change") and (len(a.periods) >= 2 or a.latest):
            return _each_period(ctx, a, links, entities, metrics)
        if entities and metrics:
            return lookup(ctx, a, links, entities, metrics)
        if entities:
            return describe_entity(ctx, a, entities[0])
        if metrics:
            if a.kind == "lookup" and unknown_name(a, ctx.g):  # "Acme's net profit?": not some other company's
                return Answer(question=a.text, status="not_found", answer=tr(a.language, "no_entity"),
                              language=a.language, kind=a.kind)
            return by_metric(ctx, a, metrics)
        return retrieve(ctx, self.indexer, a)


