"""Checks on a document's quads before they are written.

``check_quads`` is the fast structural check run on every ingestion (offsets, quotes,
required properties); ``shacl_problems`` runs the SHACL shapes with pyshacl.
"""
from __future__ import annotations

from collections import defaultdict

from pyoxigraph import NamedNode, Quad

from kg.namespaces import KGO, PROV, RDF

__all__ = ["check_quads", "shacl_problems"]

_CHECKED = frozenset({RDF + "type", KGO + "start", KGO + "end", KGO + "quote", KGO + "subject", KGO + "metric",
                      KGO + "value", KGO + "change", KGO + "qualitative", KGO + "unit", PROV + "wasDerivedFrom"})


def check_quads(quads: list[Quad], text: str) -> list[str]:
    props: dict[object, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for q in quads:  # keyed by the term itself (hashed in Rust); printed as <iri> in messages
        p = q.predicate.value
        if p in _CHECKED:  # the others are never read below
            props[q.subject][p].append(q.object)
    problems: list[str] = []
    for node, p in props.items():
        types = {t.value for t in p.get(RDF + "type", []) if isinstance(t, NamedNode)}
        if KGO + "Mention" in types:
            try:
                start = int(p[KGO + "start"][0].value)  # type: ignore[attr-defined]
                end = int(p[KGO + "end"][0].value)  # type: ignore[attr-defined]
                quote = p[KGO + "quote"][0].value  # type: ignore[attr-defined]
            except (KeyError, IndexError, ValueError):
                problems.append(f"mention {node} lacks start, end or quote")
                continue
            if not (0 <= start < end <= len(text)) or text[start:end] != quote:
                problems.append(f"mention {node} quote does not match text[{start}:{end}]")
        if KGO + "Observation" in types:
            if len(p.get(KGO + "subject", [])) != 1 or len(p.get(KGO + "metric", [])) != 1:
                problems.append(f"observation {node} needs one subject and one metric")
            if not (p.get(KGO + "value") or p.get(KGO + "change") or p.get(KGO + "qualitative")):
                problems.append(f"observation {node} has no value, change or qualitative value")
            if p.get(KGO + "value") and not p.get(KGO + "unit"):
                problems.append(f"observation {node} has a value without a unit")
            if not p.get(PROV + "wasDerivedFrom"):
                problems.append(f"observation {node} has no mention")
        if KGO + "Assertion" in types and not p.get(PROV + "wasDerivedFrom"):
            problems.append(f"assertion {node} has no mention")
    return problems


def shacl_problems(quads: list[Quad] | None = None, *, data: "object | None" = None) -> list[str]:
    """Violations of ontology/shapes.ttl in the given quads (or rdflib graph)."""
    import pyshacl
    import rdflib

    import ontology

    if data is None:
        from pyoxigraph import RdfFormat, serialize

        g = rdflib.Graph()
        g.parse(data=serialize((q.triple for q in quads or []), format=RdfFormat.N_TRIPLES).decode(), format="nt")
        data = g
    shapes = rdflib.Graph().parse(ontology.path(ontology.SHAPES))
    ont = rdflib.Graph().parse(ontology.path(ontology.ONTOLOGY))
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ont, inference="none",
                                              advanced=True)
    if conforms:
        return []
    return [line.strip() for line in str(text).splitlines() if line.strip().startswith("Message:")] or [str(text)[:300]]
