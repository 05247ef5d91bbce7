"""A compact, question-pruned view of the ontology for an LLM writing SPARQL.

Not the whole schema: the shape of observations and relations, the metrics and entities
linked to the question (with their IRIs and labels), the periods those entities have
figures for, and two example queries built from those very IRIs, so a small model can copy
them. A few hundred tokens (``MAX_CHARS``): small local models read prompts slowly.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from kg.lexicon import EntityRef, MetricRef
from kg.namespaces import KGO, compact

from ..graph import GraphIndex

__all__ = ["MAX_CHARS", "PREFIXES_USED", "SchemaView", "schema_view"]

PREFIXES_USED = ("kgo", "kgr", "kgm", "kgp")  # predefined: the checker adds their PREFIX lines
MAX_CHARS = 2400  # a few hundred tokens: a 0.5B model on two CPU cores reads ~10 prompt tokens/s when busy
MAX_ENTITIES = 6
MAX_METRICS = 6
MAX_PERIODS = 6
PREDICATES = ("owns", "launched", "develops", "founded", "integrates", "runsOn", "worksFor", "said")

_SHAPE = """# Prefixes kgo: kgr: kgm: kgp: are predefined.
# Figures: ?o a kgo:Observation ; kgo:subject ENTITY ; kgo:metric METRIC ; kgo:period PERIOD ; kgo:value ?v .
#   also on ?o: kgo:asWritten ?text ; kgo:change ?c (0.2 = +20%) ; kgo:unit ?u ; kgo:qualifier ?q
#   a rate stated alone has the metric's growth metric: kgo:metric/kgo:growthOf METRIC, with kgo:change ?c
# Relations: ?r a kgo:Assertion ; kgo:subject ENTITY ; kgo:predicate PREDICATE ; kgo:object ?x .
#   PREDICATE: {predicates}"""


@dataclass
class SchemaView:
    """The text shown to the model and the IRIs it names."""

    text: str
    entities: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        return [*self.entities, *self.metrics, *self.periods,
                *(KGO + p for p in PREDICATES), KGO + "Observation", KGO + "Assertion"]


def schema_view(g: GraphIndex, entities: list[EntityRef], metrics: list[MetricRef],
                extra_entities: Sequence[str] = (), lang: str = "en") -> SchemaView:
    """The view for one question: ``entities``/``metrics`` linked to it, ``extra_entities`` found by search.

    Labels are given in the question's language (and English), so the model can match names.
    """
    store = g.store
    ents: list[str] = []
    for iri in [e.iri for e in entities] + list(extra_entities):
        for x in (iri, *sorted(g.owners.get(iri, ())), *sorted(g.children.get(iri, ()))[:2]):
            if x not in ents and len(ents) < MAX_ENTITIES:
                ents.append(x)
    mets = [m.iri for m in metrics][:MAX_METRICS]
    periods: list[str] = []
    if ents:
        values = " ".join(str(NamedNode(e)) for e in ents)
        for m, p in store.select(f"""SELECT DISTINCT ?m ?p WHERE {{ VALUES ?s {{ {values} }}
                ?o a <{KGO}Observation> ; <{KGO}subject> ?s ; <{KGO}metric> ?m . OPTIONAL {{ ?o <{KGO}period> ?p }}
            }} ORDER BY ?m ?p"""):
            if m not in mets and len(mets) < MAX_METRICS:
                mets.append(m)
            if p and p not in periods:
                periods.append(p)
    if not mets:  # nothing linked: the metrics most observed in the graph
        mets = [m for (m, _) in store.select(f"""SELECT ?m (COUNT(?o) AS ?n) WHERE {{ ?o <{KGO}metric> ?m }}
                                                GROUP BY ?m ORDER BY DESC(?n) ?m LIMIT {MAX_METRICS}""")]
    if not periods:
        periods = [p for (p,) in store.select(f"SELECT DISTINCT ?p WHERE {{ ?o <{KGO}period> ?p }} ORDER BY DESC(?p) "
                                              f"LIMIT {MAX_PERIODS}")]
    periods = sorted(periods, key=lambda x: ("-Q" not in x, x))[:MAX_PERIODS]  # quarters first: most asked
    lines = [_SHAPE.format(predicates=" ".join("kgo:" + p for p in PREDICATES))]
    lines.append("# METRIC (one of):")  # one per line, the name as a comment: small models copy "IRI label" pairs
    lines += [f"{compact(m)}  # {_names(g, m, lang)}" for m in mets]
    lines.append("# ENTITY (one of):")
    lines += [f"{compact(e)}  # {_names(g, e, lang)}" for e in ents] or ["# (none linked)"]
    lines.append("# PERIOD: " + " ".join(compact(p) for p in periods) + " (kgp:2025 = year, kgp:2025-H1 = half)")
    sample = ents[:1] or [x for (x,) in store.select(  # the example needs a real entity even when none is linked
        f"SELECT ?s WHERE {{ ?o <{KGO}metric> ?m ; <{KGO}subject> ?s }} ORDER BY ?o LIMIT 1",
        {"m": NamedNode(mets[0])})] if mets else ents[:1]
    lines.append(_examples(g, sample, mets, periods, lang))
    text = "\n".join(lines)
    if len(text) > MAX_CHARS and len(ents) > 2:  # long labels: fewer entities; the shape is needed
        return schema_view(g, [], metrics, ents[:len(ents) // 2], lang)
    return SchemaView(text, ents, mets, periods)


def _names(g: GraphIndex, iri: str, lang: str) -> str:
    if iri not in g.labels:
        return ""
    names: list[str] = []
    for x in (lang, "en"):
        n = g.label(iri, x)
        if n not in names:
            names.append(n)
    return "/".join(names)


def _examples(g: GraphIndex, ents: list[str], mets: list[str], periods: list[str], lang: str) -> str:
    e = compact(ents[0]) if ents else "kgr:ENTITY"
    m = compact(mets[0]) if mets else "kgm:Revenue"
    p = compact(periods[0]) if periods else "kgp:2025-Q1"
    name = _names(g, ents[0], "en") if ents else "a company"
    return (f"Example ({name} {m.split(':')[-1]} {p.split(':')[-1]}):\n```sparql\n"
            f"SELECT ?o ?v WHERE {{ ?o a kgo:Observation ; kgo:subject {e} ; kgo:metric {m} ; kgo:period {p} . "
            f"OPTIONAL {{ ?o kgo:value ?v }} }}\n```\n"
            f"Example (what {name} launched):\n```sparql\n"
            f"SELECT ?r ?x WHERE {{ ?r a kgo:Assertion ; kgo:subject {e} ; kgo:predicate kgo:launched ; "
            f"kgo:object ?x }}\n```")
