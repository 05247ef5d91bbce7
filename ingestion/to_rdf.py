"""Map an extraction to quads in the document's named graph, with PROV-O provenance.

IRIs of mentions and facts are derived from the document and the fact's content, so
ingesting the same document twice yields the same quads.
"""
from __future__ import annotations

import functools
import hashlib
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Quad

from kg.namespaces import DCTERMS, KGO, KGP, KGR, KGU, PROV, RDF, RDFS, SKOS, XSD, document_graph
from kg.text import script_of, to_script

from .document import SourceDocument
from kg.lexicon import EntityRef
from .model import Extraction, ObservationFact
from .normalize import NormalizedText
from kg.periods import Period, fiscal_to_calendar

__all__ = ["to_quads"]

_CURRENCIES = {"CNY", "USD", "HKD", "EUR", "JPY", "GBP"}


def _h(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


_XSD_DECIMAL = NamedNode(XSD + "decimal")
_XSD_INTEGER = NamedNode(XSD + "integer")
_TRUE = Literal("true", datatype=NamedNode(XSD + "boolean"))
# Terms are immutable, and building one costs more than a lookup: the vocabulary's IRIs
# (predicates, classes, units) and frequent literals are built once per process.
_VOCAB: dict[str, NamedNode] = {}


def _term(iri: str) -> NamedNode:
    """The node of a vocabulary IRI (a bounded set: never a document's own resources)."""
    node = _VOCAB.get(iri)
    if node is None:
        node = _VOCAB[iri] = NamedNode(iri)
    return node


def _dec(v: float) -> Literal:
    return _decimal(repr(v))  # keyed by the text: 0.0 and -0.0 are equal as keys


@functools.lru_cache(maxsize=4096)
def _decimal(written: str) -> Literal:
    d = Decimal(written).normalize()
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return Literal(text, datatype=_XSD_DECIMAL)


@functools.lru_cache(maxsize=16384)
def _int(v: int) -> Literal:
    return Literal(str(v), datatype=_XSD_INTEGER)


def _unit(u: str) -> NamedNode:
    return _term(KGU + u)


def _growth_rate(o: ObservationFact) -> tuple[Literal, str] | None:
    """(value, unit) of the growth metric when ``o`` states a growth rate alone: a change in percent or
    as a multiple of an amount or count metric, with no figure of its own (kg/growth.py)."""
    if o.value is not None or o.change is None or o.qualitative or o.metric.growth is None \
            or (o.change_unit or "Percent") not in ("Percent", "Multiple"):
        return None
    if o.change_unit == "Multiple":
        return _dec(o.change), "Multiple"
    return _decimal(str(Decimal(repr(o.change)) * 100)), "Percent"


class _Writer:
    def __init__(self, graph: str) -> None:
        self.g = NamedNode(graph)
        self.quads: list[Quad] = []
        # Keys are IRI strings and Literal terms: building a term costs more than hashing a string.
        self._seen: set[tuple[str, str, str | Literal]] = set()
        self._nodes: dict[str, NamedNode] = {}

    def _node(self, iri: str) -> NamedNode:
        node = self._nodes.get(iri)
        if node is None:
            node = self._nodes[iri] = NamedNode(iri)
        return node

    def add(self, s: str | NamedNode, p: str, o: NamedNode | Literal | str) -> None:
        """Add ``s p o`` once; ``s`` and an ``o`` given as ``str`` are IRIs."""
        sk = s if type(s) is str else s.value
        literal = type(o) is Literal
        ok = o if literal or type(o) is str else o.value  # type: ignore[union-attr]
        key = (sk, p, ok)
        if key not in self._seen:
            self._seen.add(key)
            self.quads.append(Quad(self._node(sk), _term(p), o if literal else self._node(ok),  # type: ignore[arg-type]
                                   self.g))


@functools.lru_cache(maxsize=8192)
def _lang_label(label: str, default: str = "zh-Hant") -> Literal:
    return Literal(label, language=script_of(label, default))


@functools.lru_cache(maxsize=8192)
def _other_script_label(label: str, lang: str) -> Literal | None:
    """The label in the other Chinese script, tagged with it (None for an English label)."""
    own = script_of(label, lang)
    if own == "en":
        return None
    other_script = "zh-Hans" if own == "zh-Hant" else "zh-Hant"
    return Literal(to_script(label, other_script), language=other_script)


def _period(w: _Writer, p: Period) -> str:
    node = KGP + p.key
    w.add(node, RDF + "type", _term(KGO + "Period"))
    w.add(node, KGO + "year", _int(p.year))
    if p.quarter:
        w.add(node, KGO + "quarter", _int(p.quarter))
    if p.month:
        w.add(node, KGO + "month", _int(p.month))
    if p.half:
        w.add(node, KGO + "half", _int(p.half))
    if p.fiscal:
        w.add(node, KGO + "fiscal", _TRUE)
    if p.ytd:
        w.add(node, KGO + "yearToDate", _TRUE)
    if p.day:
        w.add(node, KGO + "day", _int(p.day))
    if p.months:
        w.add(node, KGO + "months", _int(p.months))
    if p.end_year:
        w.add(node, KGO + "endYear", _int(p.end_year))
    if p.fiscal and p.fye:
        cal = fiscal_to_calendar(p)
        w.add(node, KGO + "calendarYear", _int(cal.year))
        if cal.quarter:
            w.add(node, KGO + "calendarQuarter", _int(cal.quarter))
    for lang in ("en", "zh-Hant", "zh-Hans"):
        w.add(node, RDFS + "label", Literal(p.label(lang), language=lang))
    return node


def to_quads(doc: SourceDocument, norm: NormalizedText, ex: Extraction, known: set[str]) -> list[Quad]:
    """Quads for one document; ``known`` holds IRIs of entities already typed elsewhere."""
    w = _Writer(document_graph(doc.iri))
    d = doc.iri
    script = script_of(norm.text[:5000])
    lang = doc.language if doc.language in ("zh-Hant", "zh-Hans", "en") else script
    w.add(d, RDF + "type", _term(KGO + "Document"))
    w.add(d, RDF + "type", _term(PROV + "Entity"))
    w.add(d, KGO + "contentHash", Literal(doc.content_hash))
    w.add(d, KGO + "encoding", Literal(doc.encoding))
    w.add(d, KGO + "text", Literal(doc.text))
    if doc.title:
        w.add(d, DCTERMS + "title", Literal(doc.title))
    if doc.source:
        w.add(d, DCTERMS + "source", Literal(doc.source))
    if doc.date:
        w.add(d, DCTERMS + "date", Literal(doc.date.isoformat(), datatype=NamedNode(XSD + "date")))
    w.add(d, DCTERMS + "language", Literal(lang))
    if doc.path:
        w.add(d, RDFS + "label", Literal(doc.path.rsplit("/", 1)[-1]))

    def mention(span: tuple[int, int]) -> str:
        a, b = norm.span(*span)
        node = KGR + "mention-" + _h(d, a, b)
        w.add(node, RDF + "type", _term(KGO + "Mention"))
        w.add(node, RDF + "type", _term(PROV + "Entity"))
        w.add(node, KGO + "document", d)
        w.add(node, KGO + "start", _int(a))
        w.add(node, KGO + "end", _int(b))
        w.add(node, KGO + "quote", Literal(doc.text[a:b]))
        return node

    written: set[EntityRef] = set()  # an entity's labels are the same each time it is named

    def entity(ref: EntityRef) -> str:
        node = ref.iri
        if ref in written:
            return node
        written.add(ref)
        # rdfs:label beside skos:prefLabel, for clients that query rdfs:label: the name this document uses
        w.add(node, RDFS + "label", _lang_label(ref.label, lang))
        if ref.iri not in known:
            w.add(node, RDF + "type", _term(KGO + ref.type))
            w.add(node, SKOS + "prefLabel", _lang_label(ref.label, lang))
            other_label = _other_script_label(ref.label, lang)
            other = None
            if other_label is not None:
                other = other_label.value
                w.add(node, SKOS + "altLabel", other_label)
            for alias in ref.aliases:
                if alias != other:
                    w.add(node, SKOS + "altLabel", _lang_label(alias, lang))
        w.add(node, KGO + "mentionedIn", d)
        return node

    for o in ex.observations:
        node = KGR + "obs-" + _h(d, *o.key())
        w.add(node, RDF + "type", _term(KGO + "Observation"))
        w.add(node, KGO + "subject", entity(o.subject))
        rate = _growth_rate(o)
        w.add(node, KGO + "metric", _term(o.metric.growth if rate else o.metric.iri))  # type: ignore[arg-type]
        if o.period:
            w.add(node, KGO + "period", _period(w, o.period))
        if o.fiscal_period:
            w.add(node, KGO + "fiscalPeriod", _period(w, o.fiscal_period))
        if rate:
            w.add(node, KGO + "value", rate[0])
            w.add(node, KGO + "unit", _unit(rate[1]))
            if o.change_bound:
                w.add(node, KGO + "bound", _term(KGO + o.change_bound))
        if o.value is not None:
            w.add(node, KGO + "value", _dec(o.value))
            w.add(node, KGO + "unit", _unit(o.unit or "Count"))
        if o.bound:
            w.add(node, KGO + "bound", _term(KGO + o.bound))
        if o.change is not None:
            w.add(node, KGO + "change", _dec(o.change))
            w.add(node, KGO + "changeUnit", _unit(o.change_unit or "Percent"))
        if o.change_basis:
            w.add(node, KGO + "changeBasis", _term(KGO + o.change_basis))
        if o.change_bound:
            w.add(node, KGO + "changeBound", _term(KGO + o.change_bound))
        if o.qualitative:
            w.add(node, KGO + "qualitative", Literal(o.qualitative))
            if o.unit and o.value is None:
                w.add(node, KGO + "unit", _unit(o.unit))
            if o.change_unit and o.change is None:
                w.add(node, KGO + "changeUnit", _unit(o.change_unit))
        if o.qualifier:
            w.add(node, KGO + "qualifier", _lang_label(o.qualifier, lang))
        w.add(node, KGO + "asWritten", Literal(o.as_written))
        w.add(node, KGO + "extractedBy", Literal("; ".join(("rule:figure", *o.cues))))
        if o.estimate:
            w.add(node, KGO + "estimate", Literal(o.estimate))
        if o.forecast:
            w.add(node, KGO + "forecast", _TRUE)
        if o.consecutive_periods:
            w.add(node, KGO + "consecutivePeriods", _int(o.consecutive_periods))
        if o.compared_to:
            w.add(node, KGO + "comparedTo", entity(o.compared_to))
        if o.reported_by:
            w.add(node, KGO + "reportedBy", entity(o.reported_by))
        if o.per_quantity is not None:
            w.add(node, KGO + "perQuantity", _dec(o.per_quantity))
            w.add(node, KGO + "perUnit", Literal(o.per_unit or ""))
        for sp in o.spans:
            w.add(node, PROV + "wasDerivedFrom", mention(sp))

    for ref, span in ex.entities.values():
        node = entity(ref)
        w.add(node, KGO + "mentionedAt", mention(span))
        a, b = norm.span(*span)  # and the name as this document writes it (騰訊 for kgr:tencent)
        if doc.text[a:b].strip() and doc.text[a:b] != ref.label:
            w.add(node, RDFS + "label", _lang_label(doc.text[a:b], lang))

    for r in ex.relations:
        node = KGR + "rel-" + _h(d, *r.key())
        w.add(node, RDF + "type", _term(KGO + "Assertion"))
        subj = entity(r.subject)
        w.add(node, KGO + "subject", subj)
        w.add(node, KGO + "predicate", _term(KGO + r.predicate))
        if r.object is not None:
            obj = entity(r.object)
            w.add(node, KGO + "object", obj)
            w.add(subj, KGO + r.predicate, obj)
        if r.object_literal:
            w.add(node, KGO + "objectLiteral", Literal(r.object_literal))
            w.add(subj, KGO + r.predicate, Literal(r.object_literal))
        if r.year:
            w.add(node, KGO + "year", _int(r.year))
        if r.role:
            w.add(node, KGO + "role", _lang_label(r.role, lang))
        for sp in r.spans:
            w.add(node, PROV + "wasDerivedFrom", mention(sp))
    return w.quads
