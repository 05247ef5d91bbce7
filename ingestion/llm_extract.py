"""LLM-assisted extraction: facts a chat model proposes, kept only when the text bears them out.

The model reads the passages that hold figures or several entities and proposes
observations and relations in the ontology's terms, through structured output when the
chat model supports it, else a JSON reply parsed by pydantic. Nothing it says is taken
on trust:

- the quote must occur verbatim in the text; offsets come from where it is found;
- the figure must occur inside the quote and is read by the rules' number parser
  (value, unit and bound come from the parser, not from the model);
- the metric must be one of ``ontology/metrics.ttl`` (IRI, name or label);
- the subject (and a relation's object) must be an entity recognised in the document;
- a period must be one written in the passage;
- the facts' quads must pass ``validate.check_quads`` and the SHACL shapes.

A fact failing a check is dropped and counted by reason, never written. An LLM fact
repeating a rule fact is dropped as a duplicate (rule facts win). A model that fails,
times out or answers garbage costs only its own facts: the rule facts are written.

>>> from langchain_core.language_models.fake_chat_models import FakeListChatModel
>>> from ingestion.document import parse_document
>>> from kg.store import OxigraphStore
>>> from ingestion.pipeline import Ingestor
>>> reply = ('{"observations": [{"subject": "百度", "metric": "Revenue", "figure": "324.5億元",'
...          ' "period": "2025年Q1", "change": false, "quote": "百度2025年Q1營收達324.5億元"}]}')
>>> store = OxigraphStore.in_memory()
>>> doc = parse_document("據報道，百度2025年Q1營收達324.5億元。", name="n.txt")
>>> ex, report = LLMExtractor(FakeListChatModel(responses=[reply])).extract(doc, Ingestor(store).lexicon)
>>> [(o.subject.label, o.metric.name, o.value, o.unit, o.period.key) for o in ex.observations]
[('Baidu', 'Revenue', 32450000000.0, 'CNY', '2025-Q1')]
>>> report.added, sum(report.dropped.values())
(1, 0)
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from kg.lexicon import CHANGE_METRICS, EntityRef, Lexicon, MetricRef
from kg.namespaces import KGM, KGO, SKOS
from kg.periods import Period, find_periods, infer_reference_year, parse_period_key
from kg.text import canonical, phrase_keys

from .document import SourceDocument
from .entities import EntityMention, recognize_entities
from .model import Extraction, ObservationFact, RelationFact
from .normalize import NormalizedText, normalize
from .quantities import NumberExpr, find_numbers
from .sentences import Sentence, split_sentences
from .to_rdf import to_quads
from .validate import check_quads

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from pyoxigraph import Quad

__all__ = ["LLMExtractor", "LLMExtractReport", "ProposedFacts", "ProposedObservation", "ProposedRelation",
           "PREDICATES"]

log = logging.getLogger(__name__)

PREDICATES = ("owns", "launched", "develops", "founded", "integrates", "runsOn", "worksFor")


class ProposedObservation(BaseModel):
    """A metric figure as the model proposes it (checked before use)."""

    model_config = ConfigDict(extra="ignore")
    subject: str
    metric: str
    figure: str
    period: str | None = None
    change: bool = False
    quote: str


class ProposedRelation(BaseModel):
    """A relation between two entities as the model proposes it (checked before use)."""

    model_config = ConfigDict(extra="ignore")
    subject: str
    predicate: str
    object: str
    quote: str


class ProposedFacts(BaseModel):
    """The reply the model is asked for."""

    observations: list[ProposedObservation] = []
    relations: list[ProposedRelation] = []


@dataclass
class LLMExtractReport:
    """What the model proposed for one document and what became of it."""

    passages: int = 0
    answered: int = 0
    proposed: int = 0
    added: int = 0
    duplicates: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def messages(self) -> list[str]:
        """One summary line, then the warnings."""
        drops = ", ".join(f"{n} {why}" for why, n in self.dropped.most_common())
        line = (f"llm: {self.added} facts added from {self.answered}/{self.passages} passages; "
                f"{self.proposed} proposed, {self.duplicates} already found by the rules, "
                f"{sum(self.dropped.values())} dropped" + (f" ({drops})" if drops else "")
                + f"; {self.seconds:.1f} s")
        return [line, *(f"llm warning: {w}" for w in self.warnings)]


_SYSTEM = """You extract facts from business news for a knowledge graph. Reply with JSON only:
{"observations": [{"subject": "...", "metric": "...", "figure": "...", "period": "..." or null, "change": false, "quote": "..."}],
 "relations": [{"subject": "...", "predicate": "...", "object": "...", "quote": "..."}]}
Rules:
- quote: the exact words of the text that state the fact, copied character by character.
- figure: the number as written in the quote, with its unit, e.g. "120億元", "15%", "$3.5 billion".
- subject, object: names from the Entities list. metric: a name from the Metrics list.
- period: as written in the text, e.g. "2025年第二季度", "Q2 2025", or null.
- change: true when the figure is a growth or a decline, false when it is a level.
- predicate: one of owns, launched, develops, founded, integrates, runsOn, worksFor.
- Only facts the text states. Nothing to extract: {"observations": [], "relations": []}."""

_EXAMPLE_IN = """Entities: 星海科技, 星海助手
Metrics: Revenue (營收), Profit (淨利潤)
Text: 星海科技2025年第二季度營收達120億元，同比增長15%。星海科技推出了星海助手。"""

_EXAMPLE_OUT = json.dumps({
    "observations": [
        {"subject": "星海科技", "metric": "Revenue", "figure": "120億元", "period": "2025年第二季度",
         "change": False, "quote": "星海科技2025年第二季度營收達120億元"},
        {"subject": "星海科技", "metric": "Revenue", "figure": "15%", "period": "2025年第二季度",
         "change": True, "quote": "同比增長15%"}],
    "relations": [{"subject": "星海科技", "predicate": "launched", "object": "星海助手",
                   "quote": "星海科技推出了星海助手"}]}, ensure_ascii=False)

_CHANGE_WORD = re.compile(r"增长|增加|增|上升|上涨|涨|提升|提高|翻|下降|下滑|减少|降低|降|下跌|跌|萎缩|回落|收窄|同比|环比|增幅|增速|降幅|"
                          r"rose|rise|grew|grow|increas|jump|surg|climb|soar|gain|up\b|fell|fall|declin|decreas|drop|"
                          r"slip|shrank|down\b|growth|cut|lower|reduc")
_NEGATIVE = re.compile(r"下降|下滑|减少|降低|降|下跌|跌|萎缩|回落|收窄|降幅|fell|fall|declin|decreas|drop|slip|shrank|down\b|"
                       r"cut|lower|reduc")
_YOY = re.compile(r"同比|按年|较去年同期|year[\s-]over[\s-]year|year[\s-]on[\s-]year|yoy|from a year (?:earlier|ago)")
_QOQ = re.compile(r"环比|按季|较上季|quarter[\s-]over[\s-]quarter|quarter[\s-]on[\s-]quarter|qoq|sequential")
_FORECAST = re.compile(r"预计|预期|预测|有望|将会|将达|forecast|expect|projected|will\b|guidance")
_UNIT = {"percent": "Percent", "pp": "PercentagePoint", "multiple": "Multiple", "count": "Count",
         "ratio": "Ratio", "plain": "Count", "amount": "Count"}
# A relation's quote must say it: one of these words, in canonical (Simplified, lower-case) text.
_PREDICATE_CUES = {
    "founded": re.compile(r"成立|创立|创办|设立|组建|founded|established|set up|created"),
    "launched": re.compile(r"推出|发布|上线|开源|launch|release|unveil|introduc|rolled out|debut"),
    "develops": re.compile(r"研发|开发|自研|打造|develop|build|built"),
    "integrates": re.compile(r"接入|集成|部署|integrat|deploy|adopt|added support"),
    "runsOn": re.compile(r"依托|基于|依靠|搭载|运行|部署在|部署于|提供算力|powered by|built on|runs? on|running on|based on|hosted on"),
    "owns": re.compile(r"旗下|的|母公司|子公司|控股|收购|owns|owned|'s|’s|subsidiary|parent|unit of|acquired"),
    "worksFor": re.compile(r"首席|总裁|董事|创始人|主席|总经理|负责人|总监|合伙人|ceo|cfo|cto|coo|chief|president|founder|"
                           r"chairman|head of|director"),
}
_CLASSIFIER = re.compile(r"[名家位人户个款项次条台辆部座件张]$")
_CURRENCIES = {"CNY", "USD", "HKD", "EUR", "JPY", "GBP"}


class _ModelTimeout(Exception):
    pass


@dataclass
class _Doc:
    """One document's text stages, shared by the checks."""

    doc: SourceDocument
    norm: NormalizedText
    canon: str
    sentences: list[Sentence]
    mentions: list[EntityMention]
    lexicon: Lexicon
    ref_year: int | None

    def find_quote(self, quote: str, near: tuple[int, int]) -> tuple[int, int] | None:
        """Where the quote occurs verbatim, preferring the passage it was proposed for."""
        q = quote.strip()
        if len(q) < 2:
            return None
        text = self.norm.text
        i = text.find(q, near[0], near[1])
        if i < 0:
            i = text.find(q)
        return (i, i + len(q)) if i >= 0 else None

    def entity(self, name: str) -> EntityRef | None:
        """The document entity a name stands for: an exact label or alias, else one entity named inside it."""
        in_doc = {m.ref.iri: m.ref for m in self.mentions}
        keys = phrase_keys(name.strip())
        for key in keys:
            ref = self.lexicon.entities.get(key)
            if ref is not None and ref.iri in in_doc:
                return in_doc[ref.iri]
        for m in self.mentions:
            if " ".join(self.canon[m.start:m.end].split()) in keys:
                return m.ref
        key = " ".join(canonical(name).split())
        found = {h.value.iri for h in self.lexicon.entities.find_all(key)} & set(in_doc)
        return in_doc[found.pop()] if len(found) == 1 else None

    def first_mention(self, iri: str) -> tuple[int, int] | None:
        return next(((m.start, m.end) for m in self.mentions if m.ref.iri == iri), None)


class LLMExtractor:
    """Proposes facts with a chat model and keeps those the text and the shapes bear out.

    ``chat_model`` is any LangChain chat model (the shell builds it from settings);
    ``timeout_s`` bounds each call: after a timeout the rest of the document is skipped.
    ``max_passages`` caps the calls per document (None: every passage with a figure or
    two entities).
    """

    def __init__(self, chat_model: "BaseChatModel", *, timeout_s: float = 120.0, max_passage_chars: int = 500,
                 max_passages: int | None = None, shacl: bool = True) -> None:
        if not hasattr(chat_model, "invoke"):
            raise TypeError(f"chat_model must be a LangChain chat model, not {type(chat_model).__name__}")
        self.chat_model = chat_model
        self.timeout_s = timeout_s
        self.max_passage_chars = max_passage_chars
        self.max_passages = max_passages
        self.shacl = shacl
        self._structured: Any = None
        try:
            self._structured = chat_model.with_structured_output(ProposedFacts)
        except (NotImplementedError, AttributeError, TypeError, ValueError):
            self._structured = None  # JSON in the reply, parsed by pydantic
        self._shapes: tuple[Any, Any] | None = None
        self._metrics: dict[str, MetricRef] | None = None
        self.last_report: LLMExtractReport | None = None  # of the last document, for benchmarks and shells

    # -- public -----------------------------------------------------------------

    def extract(self, doc: SourceDocument, lexicon: Lexicon, *, norm: NormalizedText | None = None,
                known: set[str] | frozenset[str] = frozenset()) -> tuple[Extraction, LLMExtractReport]:
        """The checked LLM facts of one document, and the report on what was dropped."""
        t0 = time.perf_counter()
        report = LLMExtractReport()
        d = self._stages(doc, lexicon, norm)
        obs: list[ObservationFact] = []
        rels: list[RelationFact] = []
        for a, b in self._passages(d):
            report.passages += 1
            try:
                reply = self._ask(d, a, b)
            except _ModelTimeout:
                report.warnings.append(f"the model did not answer within {self.timeout_s:g} s; "
                                       "the rest of the document was not sent")
                break
            except ValueError as exc:
                report.warnings.append(f"passage at {a}: {exc}; no LLM facts from it")
                continue
            except Exception as exc:  # a model failure costs its own facts only
                report.warnings.append(f"passage at {a}: the model failed ({type(exc).__name__}: {exc})"[:300])
                continue
            report.answered += 1
            reply, malformed = reply
            if malformed:
                report.proposed += malformed
                report.dropped["malformed"] += malformed
            for item in reply.observations:
                report.proposed += 1
                got = self._observation(d, item, (a, b))
                if isinstance(got, str):
                    report.dropped[got] += 1
                else:
                    obs.append(got)
            for rel in reply.relations:
                report.proposed += 1
                got_r = self._relation(d, rel, (a, b))
                if isinstance(got_r, str):
                    report.dropped[got_r] += 1
                else:
                    rels.append(got_r)
        obs, rels = self._dedupe(obs, rels, report)
        obs, rels = self._check_graph(d, obs, rels, known, report)
        ex = Extraction(observations=obs, relations=rels)
        for iri in {o.subject.iri for o in obs} | {r.subject.iri for r in rels} | {
                r.object.iri for r in rels if r.object}:
            span = d.first_mention(iri)
            ref = next(m.ref for m in d.mentions if m.ref.iri == iri)
            if span is not None:
                ex.entities[iri] = (ref, span)
        report.added = len(obs) + len(rels)
        report.seconds = time.perf_counter() - t0
        for w in report.warnings:
            log.warning("%s: %s", doc.path or doc.iri, w)
        self.last_report = report
        return ex, report

    def augment(self, doc: SourceDocument, norm: NormalizedText, rules: Extraction, lexicon: Lexicon, *,
                known: set[str] | frozenset[str] = frozenset()) -> tuple[Extraction, LLMExtractReport]:
        """Rule facts plus the checked LLM facts they do not already hold (rule facts win)."""
        ex, report = self.extract(doc, lexicon, norm=norm, known=known)
        rule_obs = {(o.subject.iri, o.metric.iri, o.period): o for o in rules.observations}
        rule_keys = {o.key() for o in rules.observations}
        rule_rels = {(r.subject.iri, r.predicate, r.object.iri if r.object else None) for r in rules.relations}
        merged = Extraction(observations=list(rules.observations), relations=list(rules.relations),
                            entities=dict(rules.entities))
        for o in ex.observations:
            same = rule_obs.get((o.subject.iri, o.metric.iri, o.period))
            if o.key() in rule_keys or (same is not None and _overlaps(same.spans, o.spans)):
                report.duplicates += 1
                continue
            merged.observations.append(o)
        for r in ex.relations:
            if (r.subject.iri, r.predicate, r.object.iri if r.object else None) in rule_rels:
                report.duplicates += 1
                continue
            merged.relations.append(r)
        for iri, v in ex.entities.items():
            merged.entities.setdefault(iri, v)
        report.added = (len(merged.observations) - len(rules.observations)
                        + len(merged.relations) - len(rules.relations))
        self.last_report = report
        return merged, report

    # -- stages -----------------------------------------------------------------

    def _stages(self, doc: SourceDocument, lexicon: Lexicon, norm: NormalizedText | None) -> _Doc:
        norm = norm or normalize(doc.text, doc.body_start, html_input=doc.is_html or None)
        canon = canonical(norm.text)
        ref_year = doc.date.year if doc.date else infer_reference_year(canon)
        return _Doc(doc, norm, canon, split_sentences(norm.text), recognize_entities(norm, canon, lexicon),
                    lexicon, ref_year)

    def _passages(self, d: _Doc) -> list[tuple[int, int]]:
        """Runs of adjacent sentences holding a figure or two entities, up to max_passage_chars each."""
        out: list[tuple[int, int]] = []
        last = -2
        for s in d.sentences:
            ents = {m.ref.iri for m in d.mentions if s.start <= m.start and m.end <= s.end}
            if not ents or d.norm.is_garbled(s.start, s.end):
                continue
            if not (find_numbers(d.canon, s.start, s.end) or len(ents) >= 2):
                continue
            if out and s.index == last + 1 and s.end - out[-1][0] <= self.max_passage_chars:
                out[-1] = (out[-1][0], s.end)
            else:
                out.append((s.start, s.end))
            last = s.index
        return out[: self.max_passages] if self.max_passages is not None else out

    def _prompt(self, d: _Doc, a: int, b: int) -> list[Any]:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        names: list[str] = []
        for m in d.mentions:
            label = d.norm.text[m.start:m.end]
            if a <= m.start and m.end <= b and label not in names:
                names.append(label)
        metrics: dict[str, str] = {}
        for h in d.lexicon.metrics.find_all(d.canon, a, b):
            metrics.setdefault(h.value.name, d.norm.text[h.start:h.end])
        metric_list = (", ".join(f"{k} ({v})" for k, v in metrics.items()) if metrics
                       else ", ".join(sorted(self._metric_index(d.lexicon, names_only=True))))
        text = f"Entities: {', '.join(names)}\nMetrics: {metric_list}\nText: {d.norm.text[a:b]}"
        return [SystemMessage(_SYSTEM), HumanMessage(_EXAMPLE_IN), AIMessage(_EXAMPLE_OUT), HumanMessage(text)]

    def _ask(self, d: _Doc, a: int, b: int) -> tuple[ProposedFacts, int]:
        """The model's proposals for one passage, and how many items were malformed."""
        messages = self._prompt(d, a, b)
        if self._structured is not None:
            try:
                out = self._call(self._structured, messages)
                return (out, 0) if isinstance(out, ProposedFacts) else _facts_from(out)
            except _ModelTimeout:
                raise
            except Exception as exc:  # the model took the schema but could not keep to it: use JSON from now on
                log.info("structured output failed (%s); asking for JSON instead", exc)
                self._structured = None
        msg = self._call(self.chat_model, messages)
        return _facts_from(_parse_json(_text_of(msg)))

    def _call(self, runnable: Any, messages: list[Any]) -> Any:
        """Invoke with a deadline; the call runs in a daemon thread so a hung model cannot hold the caller."""
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                box["value"] = runnable.invoke(messages)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                box["error"] = exc

        t = threading.Thread(target=run, daemon=True, name="llm-extract")
        t.start()
        t.join(self.timeout_s)
        if t.is_alive():
            raise _ModelTimeout()
        if "error" in box:
            raise box["error"]
        return box["value"]

    # -- checks -----------------------------------------------------------------

    def _metric_index(self, lexicon: Lexicon, names_only: bool = False) -> dict[str, MetricRef]:
        """Metrics of ontology/metrics.ttl by IRI, local name (any case) and label key."""
        if self._metrics is None:
            import ontology
            from pyoxigraph import RdfFormat, parse

            rows: dict[str, tuple[str, list[str]]] = {}
            with open(ontology.path(ontology.METRICS), "rb") as f:
                for t in parse(f, format=RdfFormat.TURTLE):
                    s, p, o = t.subject.value, t.predicate.value, t.object.value  # type: ignore[union-attr]
                    kind, labels = rows.setdefault(s, ("amount", []))
                    if p == KGO + "kind":
                        rows[s] = (o, labels)
                    elif p in (SKOS + "prefLabel", SKOS + "altLabel"):
                        labels.append(o)
            index: dict[str, MetricRef] = {}
            for iri, (kind, labels) in rows.items():
                if not iri.startswith(KGM) or not labels:
                    continue
                name = iri[len(KGM):]
                kind = "ratio" if kind == "rate" else kind
                ref = lexicon.metrics.get(next(iter(phrase_keys(labels[0])))) or MetricRef(
                    iri, name, "rate" if name in CHANGE_METRICS else kind)
                index["name:" + name.lower()] = ref
                index["iri:" + iri] = ref
                for label in labels:
                    for key in phrase_keys(label):
                        index.setdefault("label:" + key, ref)
            self._metrics = index
        if names_only:
            return {v.name: v for k, v in self._metrics.items() if k.startswith("name:")}
        return self._metrics

    def _metric(self, d: _Doc, text: str) -> MetricRef | None:
        index = self._metric_index(d.lexicon)
        t = text.strip()
        t = t.removeprefix("kgm:")
        return (index.get("iri:" + t) or index.get("name:" + t.lower().replace(" ", ""))
                or next((index["label:" + k] for k in phrase_keys(t) if "label:" + k in index), None))

    def _observation(self, d: _Doc, p: ProposedObservation, near: tuple[int, int]) -> ObservationFact | str:
        span = d.find_quote(p.quote, near)
        if span is None:
            return "quote not in the text"
        subject = d.entity(p.subject)
        if subject is None or subject.type == "Person":
            return "subject not an entity of the document"
        metric = self._metric(d, p.metric)
        if metric is None:
            return "unknown metric"
        qs, qe = span
        figure = p.figure.strip()
        at = d.norm.text.find(figure, qs, qe) if figure else -1
        if at < 0 and figure:
            at = d.canon.find(canonical(figure), qs, qe)
        if at < 0:
            return "figure not in the quote"
        numbers = [n for n in find_numbers(d.canon, qs, qe) if n.start < at + len(figure) and at < n.end]
        if not numbers:
            return "figure is not a number"
        n = numbers[0]
        period: Period | None = None
        if p.period and p.period.strip().lower() not in ("null", "none", ""):
            period = self._period(d, p.period, near)
            if period is None:
                return "period not in the passage"
        fact = _figure(d, n, metric, bool(p.change), qs, qe)
        if isinstance(fact, str):
            return fact
        fact.subject = subject
        fact.spans = [span]
        fact.period = period
        return fact

    def _period(self, d: _Doc, text: str, near: tuple[int, int]) -> Period | None:
        """The period the model names, if the passage (or its sentence's paragraph) writes it."""
        wanted = parse_period_key(text.strip())
        if wanted is None:
            found = [p.period for p in find_periods(canonical(text), ref_year=d.ref_year, ref_date=d.doc.date)
                     if p.period is not None]
            wanted = found[0] if found else None
        if wanted is None:
            return None
        present = {p.period for p in find_periods(d.canon, max(0, near[0] - 200), near[1], ref_year=d.ref_year,
                                                  ref_date=d.doc.date) if p.period is not None}
        return wanted if wanted in present else None

    def _relation(self, d: _Doc, p: ProposedRelation, near: tuple[int, int]) -> RelationFact | str:
        if p.predicate not in PREDICATES:
            return "unknown predicate"
        span = d.find_quote(p.quote, near)
        if span is None:
            return "quote not in the text"
        subject, obj = d.entity(p.subject), d.entity(p.object)
        if subject is None:
            return "subject not an entity of the document"
        if obj is None:
            return "object not an entity of the document"
        if subject.iri == obj.iri:
            return "subject and object are the same"
        if (p.predicate == "worksFor") != (subject.type == "Person") or (p.predicate != "worksFor" and obj.type == "Person"):
            return "entity types do not fit the predicate"
        named = {m.ref.iri for m in d.mentions if span[0] <= m.start and m.end <= span[1]}
        if obj.iri not in named or not ({subject.iri} & named or _pronoun(d.canon[span[0]:span[1]])):
            return "quote does not name both entities"
        if not _PREDICATE_CUES[p.predicate].search(d.canon, span[0], span[1]):
            return "quote does not state the relation"
        return RelationFact(subject, p.predicate, [span], object=obj)

    def _dedupe(self, obs: list[ObservationFact], rels: list[RelationFact], report: LLMExtractReport
                ) -> tuple[list[ObservationFact], list[RelationFact]]:
        seen: set[tuple[object, ...]] = set()
        out_o = []
        for o in obs:
            if o.key() in seen:
                report.dropped["repeated by the model"] += 1
                continue
            seen.add(o.key())
            out_o.append(o)
        out_r = []
        for r in rels:
            if r.key() in seen:
                report.dropped["repeated by the model"] += 1
                continue
            seen.add(r.key())
            out_r.append(r)
        return out_o, out_r

    def _check_graph(self, d: _Doc, obs: list[ObservationFact], rels: list[RelationFact], known: set[str] | frozenset[str],
                     report: LLMExtractReport) -> tuple[list[ObservationFact], list[RelationFact]]:
        """Map each fact to quads alone: it must pass check_quads, and all of them the SHACL shapes."""
        facts: list[tuple[ObservationFact | RelationFact, list[Quad], set[str]]] = []
        for f in [*obs, *rels]:
            ex = Extraction(observations=[f] if isinstance(f, ObservationFact) else [],
                            relations=[f] if isinstance(f, RelationFact) else [])
            quads = to_quads(d.doc, d.norm, ex, set(known))
            if check_quads(quads, d.doc.text):
                report.dropped["invalid graph"] += 1
                continue
            nodes = {str(q.subject.value) for q in quads} - {d.doc.iri}  # type: ignore[union-attr]
            facts.append((f, quads, nodes))
        if self.shacl and facts:
            bad = self._shacl_focus_nodes([q for _, quads, _ in facts for q in quads])
            if bad:
                kept = [x for x in facts if not (x[2] & bad)]
                report.dropped["fails the SHACL shapes"] += len(facts) - len(kept)
                facts = kept
        return ([f for f, _, _ in facts if isinstance(f, ObservationFact)],
                [f for f, _, _ in facts if isinstance(f, RelationFact)])

    def _shacl_focus_nodes(self, quads: list["Quad"]) -> set[str]:
        import pyshacl
        import rdflib
        from pyoxigraph import RdfFormat, serialize

        import ontology

        if self._shapes is None:
            self._shapes = (rdflib.Graph().parse(ontology.path(ontology.SHAPES)),
                            rdflib.Graph().parse(ontology.path(ontology.ONTOLOGY)))
        shapes, ont = self._shapes
        data = rdflib.Graph().parse(data=serialize(dict.fromkeys(q.triple for q in quads),
                                                   format=RdfFormat.N_TRIPLES).decode(), format="nt")
        conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ont, inference="none",
                                                advanced=True)
        if conforms:
            return set()
        sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
        return {str(o) for o in results.objects(None, sh.focusNode)} or {"*"}  # type: ignore[union-attr]


def _figure(d: _Doc, n: NumberExpr, metric: MetricRef, change: bool, qs: int, qe: int) -> ObservationFact | str:
    """Value or change read from the parsed number; the model only says which it is."""
    canon = d.canon
    quote = canon[qs:qe]
    unit = n.unit if n.unit in _CURRENCIES else _UNIT.get(n.unit, "Count")
    is_change = change or (n.unit in ("pp", "multiple") and metric.kind != "ratio")
    cue = _CHANGE_WORD.search(canon, max(qs, n.start - 16), n.start)
    if is_change and cue is None and not _CHANGE_WORD.match(canon[n.end:min(qe, n.end + 12)].lstrip("的 ")):
        return "change without a change word"  # 同比增长12%, rose 12%, 12% growth
    base = ObservationFact(subject=None, metric=metric, spans=[], as_written=d.norm.text[n.start:n.end],  # type: ignore[arg-type]
                           per_quantity=n.per_quantity, per_unit=n.per_unit,
                           forecast=bool(_FORECAST.search(canon, qs, n.start)))
    basis = "YearOverYear" if _YOY.search(quote) else "QuarterOverQuarter" if _QOQ.search(quote) else None
    if n.qualitative is not None:
        if is_change:
            base.qualitative, base.change_unit, base.change_basis = n.qualitative, _UNIT.get(n.unit), basis
        else:
            base.qualitative, base.unit = n.qualitative, _UNIT.get(n.unit)
        return base
    if n.value is None:
        return "figure is not a number"
    if is_change:
        negative = bool(cue and _NEGATIVE.search(cue.group()))
        value = round(n.value / 100, 8) if n.unit == "percent" else n.value
        base.change, base.change_unit, base.change_basis, base.change_bound = (
            -value if negative else value, unit, basis, n.bound)
        return base
    if metric.kind in ("amount", "count") and unit in ("Percent", "PercentagePoint", "Multiple", "Ratio"):
        return "figure does not fit the metric"
    if metric.kind == "count" and unit in _CURRENCIES:
        return "figure does not fit the metric"
    if metric.kind == "amount" and unit == "Count" and _CLASSIFIER.search(canon[n.start:n.end]):
        return "figure does not fit the metric"  # 1200名 counts people, it is no amount
    base.value, base.unit, base.bound = n.value, unit, n.bound
    return base


def _pronoun(text: str) -> bool:
    return bool(re.search(r"其|该公司|这家公司|\bits\b|\bthe company\b|\bit\b", text))


def _overlaps(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(x0 < y1 and y0 < x1 for x0, x1 in a for y0, y1 in b)


def _text_of(msg: Any) -> str:
    content = getattr(msg, "content", msg)
    if isinstance(content, list):
        return "".join(c if isinstance(c, str) else str(c.get("text", "")) for c in content)
    return str(content)


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def _parse_json(text: str) -> Any:
    """The first JSON value in a reply (inside a ```json fence when there is one)."""
    m = _FENCE.search(text)
    body = m.group(1) if m else text
    starts = [i for i in (body.find("{"), body.find("[")) if i >= 0]
    if not starts:
        raise ValueError(f"the model's reply holds no JSON: {text[:80]!r}")
    try:
        value, _ = json.JSONDecoder().raw_decode(body[min(starts):])
    except json.JSONDecodeError as exc:
        raise ValueError(f"the model's reply is not valid JSON ({exc.msg}): {text[:80]!r}") from None
    return value


def _facts_from(value: Any) -> tuple[ProposedFacts, int]:
    """Proposals from parsed JSON and the number of malformed items skipped; a reply of the wrong shape is an error."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, list):
        value = {"observations": [x for x in value if isinstance(x, dict) and "figure" in x],
                 "relations": [x for x in value if isinstance(x, dict) and "predicate" in x]}
    if not isinstance(value, dict) or not ({"observations", "relations"} & set(value)):
        raise ValueError("the model's reply is not a JSON object with observations or relations")
    out = ProposedFacts()
    malformed = 0
    for key, model in (("observations", ProposedObservation), ("relations", ProposedRelation)):
        items = value.get(key) or []
        for item in items if isinstance(items, list) else []:
            try:
                getattr(out, key).append(model.model_validate(item))  # type: ignore[attr-defined]
            except ValidationError:
                malformed += 1
    return out, malformed
