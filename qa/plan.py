"""SPARQL templates: parameters are bound as RDF terms in VALUES blocks, never spliced text."""
from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode

from kg.namespaces import KGO, KGP, KGU, sparql_prologue
from kg.periods import parse_period_key
from kg.store import Store

from .answer import Fact, Source

__all__ = ["observations_of", "relations_of", "products_of", "Obs"]

PROV = "http://www.w3.org/ns/prov#"


def _values(var: str, iris: list[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(str(NamedNode(i)) for i in iris)} }}"


@dataclass
class Obs:
    iri: str
    subject: str
    metric: str
    period: str | None
    value: float | None
    unit: str | None
    change: float | None
    change_unit: str | None
    basis: str | None
    bound: str | None
    change_bound: str | None
    qualitative: str | None
    qualifier: str | None
    as_written: str | None
    forecast: bool
    source: Source
    reported_by: str | None = None
    estimate: str | None = None  # consensus / forecast / guidance: not a reported figure

    @property
    def period_obj(self):  # type: ignore[no-untyped-def]
        return parse_period_key(self.period) if self.period else None

    def fact(self, subject_label: str) -> Fact:
        return Fact(iri=self.iri, subject=self.subject, subject_label=subject_label, source=self.source,
                    metric=self.metric.rsplit("/", 1)[-1], period=self.period, value=self.value, unit=self.unit,
                    as_written=self.as_written, change=self.change, change_unit=self.change_unit,
                    change_basis=self.basis, bound=self.bound or self.change_bound, qualitative=self.qualitative,
                    qualifier=self.qualifier)


def _local(iri: str | None, ns: str) -> str | None:
    return iri[len(ns):] if iri and iri.startswith(ns) else iri


def observations_of(store: Store, subjects: list[str], *, iris: list[str] | None = None) -> tuple[str, list[Obs]]:
    q = sparql_prologue() + f"""SELECT ?o ?s ?m ?p ?v ?u ?c ?cu ?cb ?b ?cbd ?ql ?qf ?aw ?fc ?rep ?est ?grown ?doc ?a ?z ?quote WHERE {{
  {_values("o", iris) if iris else _values("s", subjects)}
  ?o a kgo:Observation ; kgo:subject ?s ; kgo:metric ?m ; prov:wasDerivedFrom ?men .
  ?men kgo:document ?doc ; kgo:start ?a ; kgo:end ?z ; kgo:quote ?quote .
  OPTIONAL {{ ?o kgo:period ?p }} OPTIONAL {{ ?o kgo:value ?v }} OPTIONAL {{ ?o kgo:unit ?u }}
  OPTIONAL {{ ?o kgo:change ?c }} OPTIONAL {{ ?o kgo:changeUnit ?cu }} OPTIONAL {{ ?o kgo:changeBasis ?cb }}
  OPTIONAL {{ ?o kgo:bound ?b }} OPTIONAL {{ ?o kgo:changeBound ?cbd }} OPTIONAL {{ ?o kgo:qualitative ?ql }}
  OPTIONAL {{ ?o kgo:qualifier ?qf }} OPTIONAL {{ ?o kgo:asWritten ?aw }} OPTIONAL {{ ?o kgo:forecast ?fc }}
  OPTIONAL {{ ?o kgo:reportedBy ?rep }} OPTIONAL {{ ?o kgo:estimate ?est }} OPTIONAL {{ ?m kgo:growthOf ?grown }}
}} ORDER BY ?o ?a"""
    seen: dict[str, Obs] = {}
    for o, s, m, p, v, u, c, cu, cb, b, cbd, ql, qf, aw, fc, rep, est, grown, doc, a, z, quote in store.select(q):
        if o in seen:
            continue
        if grown is not None:  # a growth rate stated alone is read as the change of the metric grown
            m, v, u, b = grown, None, None, None
        seen[o] = Obs(o, s, m, _local(p, KGP), v, _local(u, KGU), c, _local(cu, KGU), _local(cb, KGO),
                      _local(b, KGO), _local(cbd, KGO), ql, qf, aw, bool(fc), Source(doc, a, z, quote), rep, est)
    return q, list(seen.values())


def relations_of(store: Store, *, subjects: list[str] | None = None, objects: list[str] | None = None,
                 predicates: list[str] | None = None) -> tuple[str, list[Fact]]:
    blocks = []
    if subjects:
        blocks.append(_values("s", subjects))
    if objects:
        blocks.append(_values("obj", objects))
    if predicates:
        blocks.append(_values("pred", [KGO + p for p in predicates]))
    obj = "?r kgo:object ?obj ." if objects else "OPTIONAL { ?r kgo:object ?obj }"
    q = sparql_prologue() + f"""SELECT ?r ?s ?pred ?obj ?lit ?y ?role ?doc ?a ?z ?quote WHERE {{
  {' '.join(blocks)}
  ?r a kgo:Assertion ; kgo:subject ?s ; kgo:predicate ?pred ; prov:wasDerivedFrom ?men .
  ?men kgo:document ?doc ; kgo:start ?a ; kgo:end ?z ; kgo:quote ?quote .
  {obj} OPTIONAL {{ ?r kgo:objectLiteral ?lit }}
  OPTIONAL {{ ?r kgo:year ?y }} OPTIONAL {{ ?r kgo:role ?role }}
}} ORDER BY ?r ?a"""
    out: dict[str, Fact] = {}
    for r, s, pred, obj, lit, y, role, doc, a, z, quote in store.select(q):
        if r in out:
            continue
        out[r] = Fact(iri=r, subject=s, subject_label="", source=Source(doc, a, z, quote),
                      predicate=_local(pred, KGO), object=obj, object_label=lit, period=str(y) if y else None,
                      qualifier=role)
    return q, list(out.values())


def products_of(store: Store, owners: list[str], types: tuple[str, ...] = ("Product", "Platform", "AIModel")
                ) -> tuple[str, list[tuple[str, str, str, str | None]]]:
    """(owner, thing, type, document): things of the given types the owners own, launched, develop or founded
    (through any chain) that a document mentions."""
    q = sparql_prologue() + f"""SELECT DISTINCT ?owner ?x ?t ?doc WHERE {{
  {_values("owner", owners)}
  ?owner (kgo:owns|kgo:launched|kgo:develops|kgo:founded)+ ?x . ?x a ?t . ?x kgo:mentionedIn ?doc .
  {_values("t", [KGO + t for t in types])}
}}"""
    return q, [tuple(r) for r in store.select(q)]  # type: ignore[misc]
