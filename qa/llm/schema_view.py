"""A compact, question-pruned view of the ontology for an LLM writing SPARQL.

Not the whole schema: the shape of observations and relations, the metrics and entities
linked to the question (with their IRIs and labels), the periods those entities have
figures for, and two example queries built from those very IRIs, so a small model can copy
them. Kept under ~1,500 tokens (``MAX_CHARS``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from kg.lexicon import EntityRef, MetricRef
from kg.namespaces import KGO, PREFIXES, compact

from ..graph import GraphIndex

__all__ = ["MAX_CHARS", "PREFIXES_USED", "SchemaView", "schema_view"]

PREFIXES_USED = ("kgo", "kgr", "kgm", "kgp", "kgu", "prov", "skos", "rdf")
MAX_CHARS = 4500  # ~1,500 tokens of mixed Chinese and English
MAX_ENTITIES = 10
MAX_METRICS = 10
PREDICATES = ("owns", "launched", "develops", "founded", "integrates", "runsOn", "worksFor", "said", "appliesAITo")

_SHAPE = """# Metric figures are observations:
?o a kgo:Observation ; kgo:subject ENTITY ; kgo:metric METRIC ; kgo:period PERIOD ;
   kgo:value ?value ; kgo:unit ?unit ; kgo:asWritten ?asWritten .
#  optional on ?o: kgo:change ?change (0.2 = +20%) ; kgo:changeBasis kgo:YearOverYear ; kgo:qualifier ?q
# Relations are assertions:
?r a kgo:Assertion ; kgo:subject ENTITY ; kgo:predicate PREDICATE ; kgo:object ENTITY2 .
#  PREDICATE is one of: {predicates}
#  optional on ?r: kgo:objectLiteral ?text (what a person said) ; kgo:year ?year ; kgo:role ?role
# Ownership: ?parent kgo:owns ?child .   Names: ?e skos:prefLabel ?name .
# Entity types: kgo:Organization kgo:BusinessUnit kgo:Lab kgo:Product kgo:AIModel kgo:Platform kgo:Person kgo:Market"""


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
                extra_entities: list[str] = ()) -> SchemaView:  # type: ignore[assignment]
    """The view for one question: ``entities``/``metrics`` linked to it, ``extra_entities`` found by search."""
    store = g.store
    ents: list[str] = []
    for iri in [e.iri for e in entities] + list(extra_entities):
        for x in (iri, *sorted(g.owners.get(iri, ())), *sorted(g.children.get(iri, ()))[:3]):
            if x not in ents and len(ents) < MAX_ENTITIES:
                ents.append(x)
    mets = [m.iri for m in metrics]
    periods: list[str] = []
    if ents:
        values = " ".join(str(NamedNode(e)) for e in ents[:MAX_ENTITIES])
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
        periods = [p for (p,) in store.select(f"SELECT DISTINCT ?p WHERE {{ ?o <{KGO}period> ?p }} ORDER BY ?p LIMIT 8")]
    lines = ["PREFIX " + f"{p}: <{PREFIXES[p]}>" for p in PREFIXES_USED]
    lines.append(_SHAPE.format(predicates=" ".join("kgo:" + p for p in PREDICATES)))
    lines.append("# Metrics (METRIC):")
    lines += [f"{compact(m)}  # {_names(g, m)}" for m in mets[:MAX_METRICS]]
    lines.append("# Entities (ENTITY):")
    lines += [f"{compact(e)}  # {_names(g, e)} ({g.types.get(e, 'Entity')})" for e in ents] or ["# (none linked)"]
    lines.append("# Periods (PERIOD): " + " ".join(compact(p) for p in periods[:10]) +
                 "  (kgp:2025 = the year 2025, kgp:2025-Q1 = its first quarter, kgp:2025-H1 = first half)")
    lines.append(_examples(g, ents, mets, periods))
    text = "\n".join(lines)
    if len(text) > MAX_CHARS and len(ents) > 3:  # long labels: fewer entities; the shape is needed
        return schema_view(g, [], metrics, ents[:len(ents) // 2])
    return SchemaView(text, ents, mets[:MAX_METRICS], periods[:10])


def _names(g: GraphIndex, iri: str) -> str:
    names: list[str] = []
    for lang in ("zh-Hant", "zh-Hans", "en"):
        n = g.label(iri, lang) if iri in g.labels else iri.rsplit("/", 1)[-1]
        if n not in names:
            names.append(n)
    return " / ".join(names)


def _examples(g: GraphIndex, ents: list[str], mets: list[str], periods: list[str]) -> str:
    e = compact(ents[0]) if ents else "kgr:example-company"
    m = compact(mets[0]) if mets else "kgm:Revenue"
    quarters = [x for x in periods if "-Q" in x]  # a quarter makes the clearest example
    p = compact((quarters or periods)[0]) if periods else "kgp:2025-Q1"
    return f"""# Example: {_names(g, ents[0]) if ents else 'a company'}'s {m.split(':')[-1]} in {p.split(':')[-1]}
```sparql
SELECT ?o ?value ?unit ?asWritten WHERE {{
  ?o a kgo:Observation ; kgo:subject {e} ; kgo:metric {m} ; kgo:period {p} .
  OPTIONAL {{ ?o kgo:value ?value }} OPTIONAL {{ ?o kgo:unit ?unit }} OPTIONAL {{ ?o kgo:asWritten ?asWritten }}
}}
```
# Example: what {e} launched
```sparql
SELECT ?r ?product WHERE {{
  ?r a kgo:Assertion ; kgo:subject {e} ; kgo:predicate kgo:launched ; kgo:object ?product .
}}
```"""
