"""A networkx view of the entity graph: entities as nodes, cited relations as edges."""
from __future__ import annotations

import networkx as nx

from .namespaces import KGO, REFERENCE_GRAPHS, SKOS
from .store import Store

__all__ = ["entity_graph"]


def entity_graph(store: Store) -> nx.MultiDiGraph:
    """Relations between entities, each edge carrying its predicate and the fact it came from.

    Ownership from the catalog has ``fact=None`` (reference data); document relations and
    observations' comparisons carry the IRI of their fact node.
    """
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    for fact, s, p, o in store.select(f"""
        SELECT ?a ?s ?p ?o WHERE {{ ?a a <{KGO}Assertion> ; <{KGO}subject> ?s ; <{KGO}predicate> ?p ;
                                       <{KGO}object> ?o }}"""):
        g.add_edge(s, o, predicate=p[len(KGO):], fact=fact)
    for s, o in store.select(f"SELECT ?s ?o WHERE {{ GRAPH <{REFERENCE_GRAPHS['catalog']}> {{ ?s <{KGO}owns> ?o }} }}"):
        g.add_edge(s, o, predicate="owns", fact=None)
    for fact, s, o in store.select(f"SELECT ?f ?s ?o WHERE {{ ?f a <{KGO}Observation> ; <{KGO}subject> ?s ; <{KGO}comparedTo> ?o }}"):
        g.add_edge(s, o, predicate="comparedTo", fact=fact)
    labels = dict(store.select(f"""SELECT ?e (SAMPLE(?l) AS ?label) WHERE {{ ?e <{SKOS}prefLabel> ?l .
        FILTER(LANG(?l) = "en") }} GROUP BY ?e"""))
    for n in g.nodes:
        g.nodes[n]["label"] = labels.get(n, n.rsplit("/", 1)[-1])
    return g
