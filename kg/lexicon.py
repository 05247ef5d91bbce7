"""What the recogniser knows: entity labels and metric phrasings, read from the graph."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .namespaces import KGM, KGO, RDF, REFERENCE_GRAPHS, SKOS
from .text import PhraseMatcher, phrase_keys

__all__ = ["EntityRef", "MetricRef", "Lexicon", "EntityLabels", "ENTITY_TYPES", "CHANGE_METRICS", "DAY_METRICS"]

# Most specific first: an entity typed both Lab and Organization is a Lab.
ENTITY_TYPES = ("Person", "AIModel", "Platform", "Lab", "BusinessUnit", "Market", "Product",
                "Organization", "Entity")
ORG_TYPES = ("Organization", "BusinessUnit", "Lab")
# Metrics whose figures are themselves changes (a stock's rise, a growth rate).
CHANGE_METRICS = ("StockPriceChange", "CAGR")
# Metrics of the market, quoted for a trading day rather than for a reporting period.
DAY_METRICS = ("StockPriceChange", "MarketCapitalization", "SharePrice")


@dataclass(frozen=True)
class EntityRef:
    iri: str
    type: str  # local name of a kgo class
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def is_org(self) -> bool:
        return self.type in ORG_TYPES


@dataclass(frozen=True)
class MetricRef:
    iri: str
    name: str  # local name, e.g. Revenue
    kind: str  # amount ratio count rate
    company_level: bool = False  # kgo:scope "company": never a business unit's figure by default
    loss: bool = False  # kgo:lossOf: a loss, whose figure improves as it falls
    growth: str | None = None  # the metric of its growth rate (kgo:growthOf, kg/growth.py), for a rate stated alone


@dataclass(frozen=True)
class EntityLabels:
    """What a graph says about one entity's names: its kgo types and SKOS labels (local names and strings)."""

    iri: str
    types: tuple[str, ...] = ()
    pref: tuple[str, ...] = ()
    alt: tuple[str, ...] = ()

    @classmethod
    def of_quads(cls, quads: Iterable[Any]) -> list[EntityLabels]:
        """The entity types and SKOS labels in ``quads`` (pyoxigraph ``Quad``s), by subject in first-seen order."""
        wanted = {f"{KGO}{t}": t for t in (*ENTITY_TYPES, "Metric")}
        type_p, pref_p, alt_p = RDF + "type", SKOS + "prefLabel", SKOS + "altLabel"
        found: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for q in quads:
            p = q.predicate.value
            if p == type_p:
                t = wanted.get(q.object.value)
                if t is not None:
                    found.setdefault(q.subject.value, ([], [], []))[0].append(t)
            elif p == pref_p or p == alt_p:
                found.setdefault(q.subject.value, ([], [], []))[1 if p == pref_p else 2].append(q.object.value)
        return [cls(iri, tuple(t), tuple(pr), tuple(al)) for iri, (t, pr, al) in found.items()]


@dataclass
class Lexicon:
    entities: PhraseMatcher[EntityRef] = field(default_factory=PhraseMatcher)
    metrics: PhraseMatcher[MetricRef] = field(default_factory=PhraseMatcher)
    parents: dict[str, str] = field(default_factory=dict)  # child iri -> owner iri
    fiscal_year_end: dict[str, int] = field(default_factory=dict)  # iri -> month its fiscal year ends in
    # owner iri -> its units' kgo:shortLabel names (「營銷服務」), matched only in documents about the owner
    short_names: dict[str, PhraseMatcher[EntityRef]] = field(default_factory=dict)
    # unit iri -> owner iri as the catalog states it (documents' owns assertions left out, so a
    # run that learns as it goes and a run that reads the store agree)
    catalog_parents: dict[str, str] = field(default_factory=dict)
    by_iri: dict[str, EntityRef] = field(default_factory=dict)
    # (base metric iri, its modifiers) -> the metric they make: (NetProfit, {adjusted, attributable})
    # is AdjustedNetProfitAttributable, so a qualifier written apart from the metric can be added
    metric_variants: dict[tuple[str, frozenset[str]], MetricRef] = field(default_factory=dict)
    metric_form: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)  # iri -> (base, modifiers)
    metric_broader: dict[str, set[str]] = field(default_factory=dict)  # metric iri -> its broader metrics (skos:broader+)
    metric_loss_of: dict[str, str] = field(default_factory=dict)  # loss metric iri -> the profit it negates (kgo:lossOf)
    # iri -> (types, prefLabels, altLabels) as read from the store: what ``learn`` merges into
    _names: dict[str, tuple[set[str], set[str], set[str]]] = field(default_factory=dict, repr=False)

    def qualified_like(self, m: MetricRef, like: MetricRef) -> MetricRef:
        """A plain metric with the qualifiers (kgo:modifier) of ``like``, when the ontology has that metric:
        the margin after the adjusted net profit is the adjusted net margin; else ``m`` itself."""
        form, other = self.metric_form.get(m.iri), self.metric_form.get(like.iri)
        if form is None or other is None or form[1] or not other[1] or form[0] == other[0]:
            return m
        return self.metric_variants.get((form[0], other[1]), m)

    def learn(self, labels: Iterable[EntityLabels]) -> list[EntityRef]:
        """Add what a newly written graph says about entities, so the lexicon equals ``from_store`` read afterwards.

        Each entity's types and labels are merged with those already known, and its entry is
        rebuilt the way ``from_store`` builds it (the most specific type, the first
        preferred label in code-point order, every alternative label as an alias; a key two
        entities share stays with the smaller IRI). Returns the entries that changed, in order.
        """
        changed: list[EntityRef] = []
        for item in labels:
            types, prefs, alts = self._names.setdefault(item.iri, (set(), set(), set()))
            before = (len(types), len(prefs), len(alts))
            types.update(item.types)
            prefs.update(item.pref)
            alts.update(item.alt)
            if (len(types), len(prefs), len(alts)) == before and item.iri in self.by_iri:
                continue
            ref = self._register(item.iri, types, prefs, alts)
            if ref is not None:
                changed.append(ref)
        return changed

    def labels_of(self, iri: str) -> list[str]:
        """Every label and alias the lexicon matches an entity under."""
        _, prefs, alts = self._names.get(iri, ((), (), ()))
        ref = self.by_iri.get(iri)
        extra = (ref.label, *ref.aliases) if ref is not None else ()
        return sorted({*prefs, *alts, *extra})

    def _register(self, iri: str, types: set[str], prefs: set[str], alts: set[str]) -> EntityRef | None:
        """(Re)build an entity's entry from all its types and labels, as ``from_store`` does."""
        known = [t for t in ENTITY_TYPES if t in types]
        if "Metric" in types or not known or not (prefs or alts):
            return None
        pref = sorted(prefs)
        ref = EntityRef(iri, known[0], pref[0] if pref else iri, tuple(sorted(alts)))
        self.by_iri[iri] = ref
        for label in (*pref, *ref.aliases):
            for key in phrase_keys(label):
                if len(key) >= 2 or not key.isascii():
                    held = self.entities.get(key)
                    if held is None or held.iri >= iri:  # from_store adds entities in IRI order
                        self.entities.add(key, ref, replace=True)
        return ref

    def add_entity(self, iri: str, type_: str, labels: list[str], aliases: list[str] = ()) -> None:  # type: ignore[assignment]
        ref = self.by_iri.get(iri)
        if ref is None or ENTITY_TYPES.index(type_) < ENTITY_TYPES.index(ref.type):
            ref = EntityRef(iri, type_, labels[0] if labels else iri, tuple(sorted(set(aliases))))
            self.by_iri[iri] = ref
        labels = [*labels, *aliases]
        for label in labels:
            for key in phrase_keys(label):
                if len(key) >= 2 or not key.isascii():
                    self.entities.add(key, ref)

    @classmethod
    def from_store(cls, store: "object") -> "Lexicon":
        """Labels of every typed entity and metric in the store (catalog and earlier documents)."""
        lex = cls()
        # Types and labels are read apart and joined here: in the union of document graphs an
        # entity's type and labels repeat once per document, and one pattern joining them
        # returns (documents x labels) rows per entity (420k rows, 50 s at 1M triples).
        classes = " ".join(f"<{KGO}{t}>" for t in (*ENTITY_TYPES, "Metric"))
        typed: dict[str, set[str]] = {}
        for e, t in store.select(f"SELECT DISTINCT ?e ?t WHERE {{ VALUES ?t {{ {classes} }} ?e a ?t }}"):  # type: ignore[attr-defined]
            typed.setdefault(e, set()).add(t[len(KGO):])
        q = f"""
        SELECT DISTINCT ?e ?l ?alt WHERE {{
          {{ ?e <{SKOS}prefLabel> ?l BIND(false AS ?alt) }} UNION {{ ?e <{SKOS}altLabel> ?l BIND(true AS ?alt) }}
        }} ORDER BY ?e ?alt ?l"""
        rows: dict[str, tuple[set[str], list[str], list[str]]] = {}
        for e, label, alt in store.select(q):  # type: ignore[attr-defined]
            if e not in typed:
                continue
            types, prefs, alts = rows.setdefault(e, (typed[e], [], []))
            target = alts if alt else prefs
            if label not in target:
                target.append(label)
        for e, (types, prefs, alts) in rows.items():
            lex._names[e] = (set(types), set(prefs), set(alts))
            if "Metric" in types:
                continue
            known = [t for t in ENTITY_TYPES if t in types]
            if known:
                lex.add_entity(e, known[0], prefs, alts)
        growth = {m: g for g, m in store.select(f"SELECT ?g ?m WHERE {{ ?g <{KGO}growthOf> ?m }}")}  # type: ignore[attr-defined]
        mq = f"""
        SELECT ?m ?l ?k ?s ?p WHERE {{
          ?m a <{KGO}Metric> .
          FILTER NOT EXISTS {{ ?m <{KGO}growthOf> ?grown }}
          {{ ?m <{SKOS}prefLabel> ?l }} UNION {{ ?m <{SKOS}altLabel> ?l }}
          OPTIONAL {{ ?m <{KGO}kind> ?k }}
          OPTIONAL {{ ?m <{KGO}scope> ?s }}
          OPTIONAL {{ ?m <{KGO}lossOf> ?p }}
        }}"""
        for m, label, kind, scope, profit in store.select(mq):  # type: ignore[attr-defined]
            name = m[len(KGM):] if m.startswith(KGM) else m.rsplit("/", 1)[-1]
            kind = "ratio" if kind == "rate" else (kind or "amount")
            ref = MetricRef(m, name, "rate" if name in CHANGE_METRICS else kind, company_level=scope == "company",
                            loss=profit is not None, growth=growth.get(m))
            if profit is not None:
                lex.metric_loss_of[m] = profit
            for key in phrase_keys(label):
                lex.metrics.add(key, ref)
        refs = {ref.iri: ref for _key, ref in lex.metrics.items()}
        bases: dict[str, str] = {}
        modifiers: dict[str, set[str]] = {}
        fq = f"SELECT ?m ?b ?d WHERE {{ ?m <{KGO}baseMetric> ?b . OPTIONAL {{ ?m <{KGO}modifier> ?d }} }}"
        for m, base, mod in store.select(fq):  # type: ignore[attr-defined]
            bases[m] = base
            if mod:
                modifiers.setdefault(m, set()).add(str(mod))
        for iri, ref in refs.items():  # a metric with no kgo:baseMetric is its own base, with no modifiers
            form = (bases.get(iri, iri), frozenset(modifiers.get(iri, ())))
            lex.metric_form[iri] = form
            lex.metric_variants.setdefault(form, ref)
        for m, b in store.select(f"SELECT ?m ?b WHERE {{ ?m a <{KGO}Metric> ; <{SKOS}broader>+ ?b }}"):  # type: ignore[attr-defined]
            lex.metric_broader.setdefault(m, set()).add(b)
        for parent, child in store.select(f"SELECT ?p ?c WHERE {{ ?p <{KGO}owns> ?c }}"):  # type: ignore[attr-defined]
            lex.parents.setdefault(child, parent)
        # Short names and their owners as the catalog states them (documents add neither).
        short_q = f"""SELECT ?u ?l ?p WHERE {{ GRAPH <{REFERENCE_GRAPHS["catalog"]}> {{
                        ?u <{KGO}shortLabel> ?l . ?p <{KGO}owns> ?u }} }}"""
        owns_q = f"SELECT ?p ?c WHERE {{ GRAPH <{REFERENCE_GRAPHS['catalog']}> {{ ?p <{KGO}owns> ?c }} }}"
        for parent, child in store.select(owns_q):  # type: ignore[attr-defined]
            lex.catalog_parents.setdefault(child, parent)
        for unit, label, owner in store.select(short_q):  # type: ignore[attr-defined]
            ref = lex.by_iri.get(unit)
            if ref is None:
                continue
            matcher = lex.short_names.setdefault(owner, PhraseMatcher())
            for key in phrase_keys(label):
                matcher.add(key, ref)
        for e, end in store.select(f"SELECT ?e ?d WHERE {{ ?e <{KGO}fiscalYearEnd> ?d }}"):  # type: ignore[attr-defined]
            month = str(end).lstrip("-")[:2]
            if month.isdigit() and 1 <= int(month) <= 12:
                lex.fiscal_year_end[e] = int(month)
        return lex

    def fiscal_year_end_of(self, iri: str | None) -> int:
        """The month ``iri``'s fiscal year ends in: 12 for a known company that states none, 0 when unknown."""
        if iri is None:
            return 0
        if iri in self.fiscal_year_end:
            return self.fiscal_year_end[iri]
        seen: set[str] = set()
        parent = self.catalog_parents.get(iri)
        while parent is not None and parent not in seen:
            if parent in self.fiscal_year_end:
                return self.fiscal_year_end[parent]
            seen.add(parent)
            parent = self.catalog_parents.get(parent)
        return 12 if iri in self._names else 0
