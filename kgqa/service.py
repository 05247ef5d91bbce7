"""Service functions shared by the CLI, the HTTP app and the MCP server (the shells stay thin)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ingestion import IngestError, IngestResult, Ingestor, delete_document, iter_document_paths
from kg import KGO, OxigraphStore, Store, document_graph, ensure_reference_graphs
from kg.namespaces import KGM, KGP, KGU, REFERENCE_GRAPHS, SKOS

from .settings import Settings

__all__ = ["open_store", "IngestReport", "ingest_paths", "delete", "stats", "sample_fact", "validate",
           "export", "ValidationReport"]


def open_store(settings: Settings, *, read_only: bool = False) -> OxigraphStore:
    """The embedded on-disk store under the data directory, with reference graphs loaded."""
    store = OxigraphStore(settings.store_path, read_only=read_only)
    if not read_only:
        ensure_reference_graphs(store)
    return store


@dataclass
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def ingest_paths(store: Store, settings: Settings, paths: Iterable[str | Path], *, title: str | None = None,
                 source: str | None = None, date: str | dt.date | None = None,
                 progress: Callable[[Path], None] | None = None) -> IngestReport:
    """Ingest files and folders; one bad file is reported and the others still go in."""
    ingestor = Ingestor(store, max_bytes=settings.max_document_bytes, validate_shacl=settings.validate_shacl)
    report = IngestReport()
    files = list(iter_document_paths(paths))
    for path in files:
        try:
            report.results.append(ingestor.ingest_path(path, title=title, source=source, date=date))
        except IngestError as exc:
            report.errors.append(exc)
        if progress:
            progress(path)
    return report


def delete(store: Store, ref: str) -> str | None:
    return delete_document(store, ref)


def stats(store: Store) -> dict[str, object]:
    def count(q: str) -> int:
        rows = store.select(q)
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    metrics = store.select(f"""SELECT ?m (COUNT(?o) AS ?n) WHERE {{ ?o a <{KGO}Observation> ; <{KGO}metric> ?m }}
                               GROUP BY ?m ORDER BY DESC(?n) ?m""")
    return {
        "documents": count(f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a <{KGO}Document> }}"),
        "observations": count(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{KGO}Observation> }}"),
        "relations": count(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{KGO}Assertion> }}"),
        "mentions": count(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{KGO}Mention> }}"),
        "entities_mentioned": count(f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e <{KGO}mentionedIn> ?d }}"),
        "catalog_entities": count(f"""SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
            GRAPH <{REFERENCE_GRAPHS['catalog']}> {{ ?e <{SKOS}prefLabel> ?l }} }}"""),
        "triples": store.count(),
        "graphs": len(store.graphs()),
        "metrics": {m[len(KGM):]: int(n) for m, n in metrics},
    }


def sample_fact(store: Store) -> dict[str, object] | None:
    """One observation with a value, its subject's label and its source quote."""
    rows = store.select(f"""
        SELECT ?o ?label ?m ?v ?u ?p ?q ?doc ?start ?end WHERE {{
          ?o a <{KGO}Observation> ; <{KGO}subject> ?s ; <{KGO}metric> ?m ; <{KGO}value> ?v ; <{KGO}unit> ?u ;
             <http://www.w3.org/ns/prov#wasDerivedFrom> ?men .
          ?men <{KGO}quote> ?q ; <{KGO}document> ?doc ; <{KGO}start> ?start ; <{KGO}end> ?end .
          ?s <{SKOS}prefLabel> ?label . FILTER(LANG(?label) = "en")
          OPTIONAL {{ ?o <{KGO}period> ?p }}
        }} ORDER BY DESC(BOUND(?p)) DESC(?v) LIMIT 1""")
    if not rows:
        return None
    o, label, m, v, u, p, q, doc, start, end = rows[0]
    return {"fact": o, "subject": label, "metric": m[len(KGM):], "value": v, "unit": u[len(KGU):],
            "period": p[len(KGP):] if p else None, "quote": q, "document": doc, "start": start, "end": end}


@dataclass
class ValidationReport:
    conforms: bool
    problems: list[str]
    checked_mentions: int


def validate(store: Store) -> ValidationReport:
    """SHACL over every document graph, and every mention's quote against its document's text."""
    import rdflib

    from ingestion.validate import shacl_problems

    problems: list[str] = []
    g = rdflib.Graph()
    docs = [d for (d,) in store.select(f"SELECT DISTINCT ?d WHERE {{ ?d a <{KGO}Document> }}")]
    texts = {d: t for d, t in store.select(f"SELECT ?d ?t WHERE {{ ?d <{KGO}text> ?t }}")}
    for d in docs:
        for q in store.quads(document_graph(d)):
            g.add(_to_rdflib(q))
    checked = 0
    for m, d, a, b, quote in store.select(f"""SELECT ?m ?d ?a ?b ?q WHERE {{ ?m a <{KGO}Mention> ;
            <{KGO}document> ?d ; <{KGO}start> ?a ; <{KGO}end> ?b ; <{KGO}quote> ?q }}"""):
        checked += 1
        text = texts.get(d)
        if text is None or text[a:b] != quote:
            problems.append(f"mention {m}: text[{a}:{b}] does not equal its quote")
    if len(g):
        problems.extend(shacl_problems(data=g))
    return ValidationReport(not problems, problems, checked)


def _to_rdflib(q: object):  # type: ignore[no-untyped-def]
    import rdflib
    from pyoxigraph import BlankNode, Literal, NamedNode

    def conv(t: object):  # type: ignore[no-untyped-def]
        if isinstance(t, NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, BlankNode):
            return rdflib.BNode(t.value)
        if isinstance(t, Literal):
            if t.language:
                return rdflib.Literal(t.value, lang=t.language)
            return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
        raise TypeError(t)

    return conv(q.subject), conv(q.predicate), conv(q.object)  # type: ignore[attr-defined]


def export(store: Store, out: IO[bytes], fmt: str) -> None:
    if fmt == "graphml":
        import networkx as nx

        from kg.graphview import entity_graph

        g = entity_graph(store)
        for _, _, data in g.edges(data=True):
            data["fact"] = data.get("fact") or ""
        nx.write_graphml(g, out)
        return
    store.export(out, fmt)
