"""Payload builders for the web page: an entity, a document, an entity search.

Every function speaks to the graph through the ``kg.store.Store`` protocol only, with
bounded SPARQL (bound IRIs, ``VALUES`` blocks, ``LIMIT``), so the same code serves the
embedded store and a SPARQL server, and stays fast on a large graph. Facts have the
shape of ``qa.Answer.to_dict()["facts"]``.

>>> from kg.store import OxigraphStore, ensure_reference_graphs
>>> from kg.namespaces import KGR
>>> s = OxigraphStore.in_memory(); _ = ensure_reference_graphs(s)
>>> [e["type"] for e in search_entities(s, "tencent", 3)][:1]
['Organization']
>>> entity_view(s, KGR + "no-such-thing") is None
True
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

import networkx as nx
from pyoxigraph import Literal, NamedNode

from kg.lexicon import ENTITY_TYPES
from kg.namespaces import DCTERMS, KGM, KGO, KGP, KGR, KGU, PROV, RDFS, REFERENCE_GRAPHS, SKOS, document_graph
from kg.periods import parse_period_key
from kg.store import Store
from kg.text import canonical, to_script
from qa import Fact, Source, pick_label

__all__ = ["entity_view", "document_view", "search_entities", "resolve_entity", "resolve_document",
           "metric_labels", "local_id", "graph_view", "LANGS", "MAX_ENTITY_FACTS", "MAX_EXPANDED", "MAX_GRAPH_NODES"]

LANGS = ("zh-Hant", "zh-Hans", "en")
_LANG_TAGS = {"zh-hant": "zh-Hant", "zh-hans": "zh-Hans", "en": "en"}  # Oxigraph lower-cases tags
MAX_FACTS = 300
MAX_ENTITY_FACTS = 100  # an entity page lists at most this many facts (and says so)
MAX_NEIGHBOURS = 40
MAX_MENTIONS = 2000
MAX_EXPANDED = 20  # an entity graph grows by at most this many expanded nodes
MAX_EXPAND_NEIGHBOURS = 20  # neighbours an expanded (not centre) node adds, at most
MAX_GRAPH_NODES = 200
_CATALOG = REFERENCE_GRAPHS["catalog"]


def _iri(iri: str) -> str:
    """An IRI as a SPARQL term; ``ValueError`` when it is not a valid IRI."""
    return str(NamedNode(iri))


def _values(var: str, iris: list[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(_iri(i) for i in iris)} }}"


def _lang(tag: str | None) -> str:
    return _LANG_TAGS.get((tag or "").lower(), tag or "")


def _local(iri: str | None, ns: str) -> str | None:
    return iri[len(ns):] if iri and iri.startswith(ns) else iri


def local_id(iri: str) -> str:
    """The short id the web routes accept: the local name of a resource IRI, else the IRI."""
    return iri[len(KGR):] if iri.startswith(KGR) else iri


def _most_specific(types: set[str]) -> str:
    for t in ENTITY_TYPES:
        if t in types:
            return t
    return sorted(types)[0] if types else "Entity"


class _Names:
    """Labels (per script) and entity types of a batch of IRIs, fetched in one or two queries."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.labels: dict[str, dict[str, str]] = {}
        self.types: dict[str, set[str]] = defaultdict(set)

    def load(self, iris: set[str]) -> "_Names":
        # Period labels follow from the key; their rdfs:label triples repeat in every document graph.
        todo = sorted(i for i in iris if i and i not in self.labels and not i.startswith(KGP))
        for k in range(0, len(todo), 200):
            chunk = todo[k:k + 200]
            for i in chunk:
                self.labels.setdefault(i, {})
            # one query per predicate: a UNION under a large VALUES block makes Oxigraph scan every label
            for pred in (SKOS + "prefLabel", RDFS + "label"):
                for e, label, tag in self.store.select(f"""SELECT ?e ?l (LANG(?l) AS ?lang) WHERE {{
                        {_values("e", chunk)} ?e <{pred}> ?l }} ORDER BY ?e ?l"""):
                    self.labels[e].setdefault(_lang(tag), label)
            for e, t in self.store.select(f"SELECT DISTINCT ?e ?t WHERE {{ {_values('e', chunk)} ?e a ?t }}"):
                if t.startswith(KGO):
                    self.types[e].add(t[len(KGO):])
        return self

    def label(self, iri: str, lang: str) -> str:
        if iri.startswith(KGP):
            period = parse_period_key(iri[len(KGP):])
            if period is not None:
                return period.label(lang)
        return pick_label(self.labels.get(iri, {}), lang, iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1])

    def per_script(self, iri: str) -> dict[str, str]:
        return {lang: self.label(iri, lang) for lang in LANGS}

    def type(self, iri: str) -> str:
        return _most_specific(self.types.get(iri, set()))


# -- facts --------------------------------------------------------------------------------

_FIELDS = {KGO + "metric": "metric", KGO + "period": "period", KGO + "value": "value", KGO + "unit": "unit",
           KGO + "change": "change", KGO + "changeUnit": "change_unit", KGO + "changeBasis": "change_basis",
           KGO + "bound": "bound", KGO + "changeBound": "change_bound", KGO + "qualitative": "qualitative",
           KGO + "qualifier": "qualifier", KGO + "asWritten": "as_written", KGO + "predicate": "predicate",
           KGO + "object": "object", KGO + "objectLiteral": "object_literal", KGO + "year": "year",
           KGO + "role": "role", KGO + "comparedTo": "compared_to"}
_CHUNK = 100


_BOTH = ("Observation", "Assertion")


def _facts(store: Store, where: str, names: _Names, lang: str, *, classes: tuple[str, ...] = _BOTH,
           limit: int = MAX_FACTS) -> tuple[list[dict[str, Any]], bool]:
    """Observations and/or assertions matched by ``where`` (which binds ``?f``, and ``?s`` to the
    subject), as answer fact dicts in the order of their sources, and whether more than
    ``limit`` matched (then ``limit`` of them, whichever the store finds first).

    Several small queries over bound IRIs rather than one with many OPTIONALs: Oxigraph
    evaluates nested OPTIONALs by scanning, which takes seconds on a large graph.
    """
    # no ORDER BY: it would make Oxigraph read every match before the LIMIT applies
    core = store.select(f"""SELECT DISTINCT ?f ?cls ?s WHERE {{
  {where}
  VALUES ?cls {{ {" ".join(f"<{KGO}{c}>" for c in classes)} }} ?f a ?cls ; <{KGO}subject> ?s .
}} LIMIT {limit + 1}""")
    kind: dict[str, tuple[str, str]] = {}
    for f, cls, subj in core:
        kind.setdefault(f, (cls, subj))
    iris = sorted(kind)
    truncated = len(iris) > limit
    iris = iris[:limit]  # which ones when truncated is up to the store
    props: dict[str, dict[str, Any]] = defaultdict(dict)
    sources: dict[str, tuple[Any, ...]] = {}
    for k in range(0, len(iris), _CHUNK):
        vals = _values("f", iris[k:k + _CHUNK])
        for f, p, o in store.select(f"SELECT ?f ?p ?o WHERE {{ {vals} ?f ?p ?o }} ORDER BY ?f ?p ?o"):
            if p in _FIELDS:
                props[f].setdefault(_FIELDS[p], o)
        for f, doc, a, z, quote in store.select(f"""SELECT ?f ?doc ?a ?z ?quote WHERE {{ {vals}
                ?f <{PROV}wasDerivedFrom> ?m . ?m <{KGO}document> ?doc ; <{KGO}start> ?a ; <{KGO}end> ?z ;
                <{KGO}quote> ?quote }} ORDER BY ?f ?doc ?a ?z"""):
            sources.setdefault(f, (doc, a, z, quote))
    docs = sorted({src[0] for src in sources.values()})
    titles: dict[str, str] = {}
    for k in range(0, len(docs), _CHUNK):
        for d, title in store.select(f"""SELECT ?d ?t WHERE {{ {_values("d", docs[k:k + _CHUNK])}
                ?d <{DCTERMS}title> ?t }} ORDER BY ?d ?t"""):
            titles.setdefault(d, title)
    names.load({kind[f][1] for f in iris} | {v for f in iris for key, v in props[f].items()
                                              if key in ("metric", "period", "object", "compared_to")})
    out = []
    for f in iris:
        cls, subj = kind[f]
        pr = props[f]
        src = sources.get(f)
        source = Source(src[0], src[1], src[2], src[3], titles.get(src[0])) if src else None
        if cls == KGO + "Observation":
            fact = Fact(iri=f, subject=subj, subject_label=names.label(subj, lang), source=source,
                        metric=_local(pr.get("metric"), KGM), period=_local(pr.get("period"), KGP),
                        value=pr.get("value"), unit=_local(pr.get("unit"), KGU), as_written=pr.get("as_written"),
                        change=pr.get("change"), change_unit=_local(pr.get("change_unit"), KGU),
                        change_basis=_local(pr.get("change_basis"), KGO),
                        bound=_local(pr.get("bound") or pr.get("change_bound"), KGO),
                        qualitative=pr.get("qualitative"), qualifier=pr.get("qualifier"))
            if pr.get("compared_to"):
                fact.object = pr["compared_to"]
                fact.object_label = names.label(pr["compared_to"], lang)
        else:
            obj = pr.get("object")
            fact = Fact(iri=f, subject=subj, subject_label=names.label(subj, lang), source=source,
                        predicate=_local(pr.get("predicate"), KGO), object=obj,
                        object_label=names.label(obj, lang) if obj else pr.get("object_literal"),
                        period=str(pr["year"]) if pr.get("year") else None, qualifier=pr.get("role"))
        out.append(asdict(fact))
    out.sort(key=lambda d: (d["source"] is None, (d["source"] or {}).get("document") or "",
                            (d["source"] or {}).get("start") or 0, d["iri"]))
    return out, truncated


def _term_labels(names: _Names, facts: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, str]]]:
    """Labels per script of the metrics and periods the facts use (keys as in the facts)."""
    metrics = {f["metric"]: names.per_script(KGM + f["metric"]) for f in facts if f.get("metric")}
    periods = {f["period"]: names.per_script(KGP + f["period"]) for f in facts
               if f.get("period") and f.get("metric")}
    return {"metrics": metrics, "periods": periods}


# -- entities -----------------------------------------------------------------------------

def resolve_entity(store: Store, ref: str) -> str | None:
    """The IRI of an entity given its IRI, its short id (``baidu``) or one of its labels."""
    ref = ref.strip()
    if not ref:
        return None
    candidates = [ref] if "://" in ref else [KGR + ref]
    for iri in candidates:
        try:
            if store.ask(f"ASK {{ {{ {_iri(iri)} ?p ?o }} UNION {{ ?s ?p {_iri(iri)} }} }}"):
                return iri
        except ValueError:
            return None
    hits = search_entities(store, ref, 5)
    exact = [h for h in hits if h["matched"] == "exact"]
    return exact[0]["iri"] if exact else None


def _neighbourhood(store: Store, iri: str, limit: int) -> nx.MultiDiGraph:
    """The entity, its related entities (document relations, catalog ownership, comparisons)
    and the relations among them, as a networkx graph shaped like ``kg.graphview.entity_graph``."""
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    g.add_node(iri)
    me = _iri(iri)

    def edges(where: str) -> list[tuple[str, str, str, str | None]]:
        return [(s, o, p, f) for s, o, p, f in store.select(f"SELECT ?s ?o ?p ?f WHERE {{ {where} }} LIMIT {limit * 4}")]

    found: list[tuple[str, str, str, str | None]] = []
    for side in ("s", "o"):
        found += edges(f"""VALUES ?{side} {{ {me} }} ?f a <{KGO}Assertion> ; <{KGO}subject> ?s ;
                          <{KGO}predicate> ?p ; <{KGO}object> ?o .""")
        found += edges(f"""VALUES ?{side} {{ {me} }} GRAPH <{_CATALOG}> {{ ?s <{KGO}owns> ?o }}
                          BIND(<{KGO}owns> AS ?p) BIND(?nothing AS ?f)""")
        found += edges(f"""VALUES ?{side} {{ {me} }} ?f a <{KGO}Observation> ; <{KGO}subject> ?s ;
                          <{KGO}comparedTo> ?o . BIND(<{KGO}comparedTo> AS ?p)""")
    # sorted, so that the layout (seeded) does not depend on the order a backend returns rows in
    neighbours = sorted({o if s == iri else s for s, o, _, _ in found} - {iri})[:limit]
    keep = {iri, *neighbours}
    if neighbours:
        vals = _values("s", sorted(keep)) + " " + _values("o", sorted(keep))
        found += edges(f"""{vals} ?f a <{KGO}Assertion> ; <{KGO}subject> ?s ; <{KGO}predicate> ?p ; <{KGO}object> ?o .""")
        found += edges(f"""{vals} GRAPH <{_CATALOG}> {{ ?s <{KGO}owns> ?o }} BIND(<{KGO}owns> AS ?p) BIND(?nothing AS ?f)""")
    g.add_nodes_from(neighbours)
    seen: set[tuple[str, str, str]] = set()
    for s, o, p, f in sorted(found, key=lambda e: (e[0], e[1], e[2], e[3] or "")):
        if s in keep and o in keep and s != o and (s, o, p) not in seen:
            seen.add((s, o, p))
            g.add_edge(s, o, predicate=_local(p, KGO), fact=f)
    return g


def _graph_payload(g: nx.MultiDiGraph, centre: str, names: _Names, lang: str,
                   expanded: frozenset[str] = frozenset()) -> dict[str, Any]:
    names.load(set(g.nodes))
    simple = nx.Graph(g.to_undirected())
    if len(simple) > 1:
        k = 1.6 / max(len(simple), 1) ** 0.5
        pos = nx.spring_layout(simple, seed=7, k=k, pos={centre: (0.0, 0.0)}, fixed=[centre], iterations=80)
        # each axis scaled to [-1, 1] on its own, so that one far node does not squeeze the rest
        span_x = max(abs(x) for x, _ in pos.values()) or 1.0
        span_y = max(abs(y) for _, y in pos.values()) or 1.0
        pos = {n: (x / span_x, y / span_y) for n, (x, y) in pos.items()}
    else:
        pos = {centre: (0.0, 0.0)}
    nodes = [{"id": n, "short_id": local_id(n), "label": names.label(n, lang), "labels": names.per_script(n),
              "type": names.type(n), "x": round(float(pos[n][0]), 4), "y": round(float(pos[n][1]), 4),
              "centre": n == centre, "expanded": n == centre or n in expanded} for n in g.nodes]
    edges = [{"source": s, "target": o, "label": d["predicate"], "fact": d["fact"]}
             for s, o, d in g.edges(data=True)]
    return {"nodes": nodes, "edges": edges}


def graph_view(store: Store, centre: str, expand: list[str], *, lang: str = "en") -> dict[str, Any]:
    """The centre's neighbourhood grown by the neighbourhoods of the ``expand`` IRIs (nodes of
    the graph a reader clicked), laid out again as one graph with the centre fixed at (0, 0).

    Nodes carry ``expanded`` (their neighbours are drawn); edges among all drawn nodes are
    included. At most ``MAX_EXPANDED`` expansions and ``MAX_GRAPH_NODES`` nodes (``truncated``
    says when nodes were left out); ``ValueError`` when an IRI is not valid or there are too
    many expansions.
    """
    if len(expand) > MAX_EXPANDED:
        raise ValueError(f"at most {MAX_EXPANDED} nodes can be expanded, not {len(expand)}")
    g = _neighbourhood(store, centre, MAX_NEIGHBOURS)
    done: list[str] = []
    truncated = False
    for iri in dict.fromkeys(expand):
        _iri(iri)
        if iri == centre:
            continue
        more = _neighbourhood(store, iri, MAX_EXPAND_NEIGHBOURS)
        new = [n for n in more.nodes if n not in g]
        room = MAX_GRAPH_NODES - len(g)
        if len(new) > room:
            truncated = True
            more = more.subgraph([n for n in more.nodes if n in g or n in new[:room]]).copy()
        g = nx.compose(g, more)
        done.append(iri)
    if done:  # relations between nodes that came from different neighbourhoods
        nodes = sorted(g.nodes)
        have = {(s, o, d["predicate"]) for s, o, d in g.edges(data=True)}
        for k in range(0, len(nodes), 100):
            vals = _values("s", nodes[k:k + 100]) + " " + _values("o", nodes)
            rows = store.select(f"""SELECT ?s ?o ?p ?f WHERE {{ {vals} ?f a <{KGO}Assertion> ; <{KGO}subject> ?s ;
                <{KGO}predicate> ?p ; <{KGO}object> ?o . }} ORDER BY ?s ?o ?p ?f LIMIT {MAX_GRAPH_NODES * 8}""")
            rows += store.select(f"""SELECT ?s ?o ?p ?f WHERE {{ {vals} GRAPH <{_CATALOG}> {{ ?s <{KGO}owns> ?o }}
                BIND(<{KGO}owns> AS ?p) BIND(?nothing AS ?f) }} ORDER BY ?s ?o LIMIT {MAX_GRAPH_NODES * 8}""")
            for s, o, p, f in rows:
                pred = _local(p, KGO)
                if s != o and (s, o, pred) not in have:
                    have.add((s, o, pred))
                    g.add_edge(s, o, predicate=pred, fact=f)
    names = _Names(store)
    payload = _graph_payload(g, centre, names, lang, frozenset(done))
    return {"centre": centre, "expanded": done, "truncated": truncated, **payload}


def entity_view(store: Store, iri: str, *, lang: str = "en", neighbours: int = MAX_NEIGHBOURS) -> dict[str, Any] | None:
    """Everything the graph says about one entity, or None when it says nothing.

    ``labels`` holds the preferred label per script, ``aliases`` the other names, ``facts``
    the observations about it, ``relations`` the cited relations it takes part in and its
    ownership from the catalog (``source`` None), ``graph`` its neighbourhood with a layout
    (``x``/``y`` in [-1, 1]) computed by networkx.
    """
    try:
        me = _iri(iri)
    except ValueError:
        return None
    names = _Names(store)
    labels: dict[str, str] = {}
    aliases: dict[str, list[str]] = defaultdict(list)
    for p, label, tag in store.select(f"""SELECT ?p ?l (LANG(?l) AS ?lang) WHERE {{ VALUES ?e {{ {me} }}
            VALUES ?p {{ <{SKOS}prefLabel> <{SKOS}altLabel> }} ?e ?p ?l }} ORDER BY ?p ?l"""):
        tag = _lang(tag)
        if p == SKOS + "prefLabel" and tag not in labels:
            labels[tag] = label
        elif label not in aliases[tag] and label != labels.get(tag):
            aliases[tag].append(label)
    types = sorted({t[len(KGO):] for (t,) in store.select(f"SELECT DISTINCT ?t WHERE {{ {me} a ?t }}")
                    if t.startswith(KGO)})
    if not labels and not types and not store.ask(f"ASK {{ {{ {me} ?p ?o }} UNION {{ ?s ?p {me} }} }}"):
        return None
    names.labels[iri] = labels
    names.types[iri] = set(types)
    facts, more_facts = _facts(store, f"VALUES ?s {{ {me} }} ?f <{KGO}subject> ?s .", names, lang,
                               classes=("Observation",), limit=MAX_ENTITY_FACTS)
    relations, more_out = _facts(store, f"VALUES ?s {{ {me} }} ?f <{KGO}subject> ?s .", names, lang,
                                 classes=("Assertion",), limit=MAX_ENTITY_FACTS)
    incoming, more_in = _facts(store, f"VALUES ?o {{ {me} }} ?f <{KGO}object> ?o .", names, lang,
                               classes=("Assertion",), limit=MAX_ENTITY_FACTS)
    relations += incoming
    catalog = store.select(f"""SELECT ?s ?o WHERE {{ GRAPH <{_CATALOG}> {{
        {{ VALUES ?s {{ {me} }} ?s <{KGO}owns> ?o }} UNION {{ VALUES ?o {{ {me} }} ?s <{KGO}owns> ?o }} }} }}
        ORDER BY ?s ?o LIMIT {MAX_FACTS}""")
    names.load({x for row in catalog for x in row})
    for s, o in catalog:
        relations.append(asdict(Fact(iri=_CATALOG, subject=s, subject_label=names.label(s, lang), source=None,
                                     predicate="owns", object=o, object_label=names.label(o, lang))))
    documents = [{"iri": d, "id": local_id(d), "title": t, "source": src, "date": date, "name": name}
                 for d, t, src, date, name in store.select(f"""SELECT DISTINCT ?d ?t ?src ?date ?name WHERE {{
            {me} <{KGO}mentionedIn> ?d . OPTIONAL {{ ?d <{DCTERMS}title> ?t }}
            OPTIONAL {{ ?d <{DCTERMS}source> ?src }} OPTIONAL {{ ?d <{DCTERMS}date> ?date }}
            OPTIONAL {{ ?d <{RDFS}label> ?name }} }} ORDER BY ?d LIMIT {MAX_FACTS}""")]
    graph = _graph_payload(_neighbourhood(store, iri, neighbours), iri, names, lang)
    return {"iri": iri, "id": local_id(iri), "label": names.label(iri, lang), "labels": labels,
            "aliases": dict(aliases), "types": types, "type": _most_specific(set(types)),
            "facts": facts, "relations": relations, "truncated": {"facts": more_facts, "relations": more_out or more_in},
            "documents": documents, "graph": graph,
            "names": {n: names.per_script(n) for n in sorted(names.labels)}, **_term_labels(names, facts)}


# -- documents ----------------------------------------------------------------------------

def resolve_document(store: Store, ref: str) -> list[str]:
    """Documents matching ``ref``: the IRI, its short id, the source, file name or a content-hash prefix.

    Exact lookups first (index hits); only a hash prefix needs a scan, of the hashes alone.
    """
    ref = ref.strip()
    if not ref:
        return []
    doc = f"<{KGO}Document>"
    candidates = [ref] if "://" in ref else [KGR + ref]
    for iri in candidates:
        try:
            if store.ask(f"ASK {{ {_iri(iri)} a {doc} }}"):
                return [iri]
        except ValueError:
            pass
    lit = str(Literal(ref))
    rows = []
    for pred in (DCTERMS + "source", RDFS + "label"):  # one simple lookup each: a UNION here makes Oxigraph scan
        rows += store.select(f"SELECT DISTINCT ?d WHERE {{ ?d <{pred}> {lit} . ?d a {doc} }} ORDER BY ?d LIMIT 10")
    rows = sorted(set(rows))
    if not rows and len(ref) >= 4 and all(c in "0123456789abcdef" for c in ref.lower()):
        rows = store.select(f"""SELECT DISTINCT ?d WHERE {{ ?d <{KGO}contentHash> ?h
            FILTER(STRSTARTS(?h, {str(Literal(ref.lower()))})) }} ORDER BY ?d LIMIT 10""")
    return [d for (d,) in rows]


def document_view(store: Store, ref: str, *, lang: str | None = None) -> dict[str, Any] | None:
    """One document: its metadata, text (``kgo:text``), entity mentions and facts; None when unknown.

    ``ref`` is the IRI, short id, source, file name or content-hash prefix; ``ValueError``
    when it matches more than one document. Offsets index ``text``.
    """
    found = resolve_document(store, ref)
    if not found:
        return None
    if len(found) > 1:
        raise ValueError(f"{ref!r} matches {len(found)} documents; give the document IRI")
    doc = found[0]
    d = _iri(doc)
    meta = store.select(f"""SELECT ?text ?t ?src ?date ?lang ?name ?h WHERE {{ VALUES ?d {{ {d} }}
        OPTIONAL {{ ?d <{KGO}text> ?text }} OPTIONAL {{ ?d <{DCTERMS}title> ?t }}
        OPTIONAL {{ ?d <{DCTERMS}source> ?src }} OPTIONAL {{ ?d <{DCTERMS}date> ?date }}
        OPTIONAL {{ ?d <{DCTERMS}language> ?lang }} OPTIONAL {{ ?d <{RDFS}label> ?name }}
        OPTIONAL {{ ?d <{KGO}contentHash> ?h }} }} LIMIT 1""")
    text, title, source, date, doc_lang, name, digest = meta[0] if meta else (None,) * 7
    lang = lang or doc_lang or "zh-Hant"
    names = _Names(store)
    rows = store.select(f"""SELECT DISTINCT ?m ?a ?z ?e WHERE {{ VALUES ?d {{ {d} }}
        ?m <{KGO}document> ?d ; <{KGO}start> ?a ; <{KGO}end> ?z . ?e <{KGO}mentionedAt> ?m }}
        ORDER BY ?a ?z ?e LIMIT {MAX_MENTIONS}""")
    names.load({e for *_, e in rows})
    mentions = [{"start": a, "end": z, "entity": e, "id": local_id(e), "label": names.label(e, lang),
                 "type": names.type(e)} for _, a, z, e in rows]
    facts, more = _facts(store, f"""VALUES ?d {{ {d} }} ?fm <{KGO}document> ?d . ?f <{PROV}wasDerivedFrom> ?fm .""",
                         names, lang, limit=MAX_FACTS)
    graph = document_graph(doc)
    return {"iri": doc, "id": local_id(doc), "graph": graph, "title": title, "source": source, "date": date,
            "language": doc_lang, "name": name, "content_hash": digest, "text": text or "",
            "mentions": mentions, "facts": facts, "truncated": {"facts": more},
            "names": {n: names.per_script(n) for n in sorted(names.labels)}, **_term_labels(names, facts)}


# -- search -------------------------------------------------------------------------------

def search_entities(store: Store, text: str, limit: int = 10, *, lang: str = "en") -> list[dict[str, Any]]:
    """Entities whose label or alias contains ``text`` in either Chinese script or any case.

    Ranked exact, then prefix, then substring matches; entities that documents mention
    before catalog-only ones. Each hit: ``iri``, ``id``, ``label`` (in ``lang``),
    ``labels`` per script, ``type``, ``matched`` (exact | prefix | contains), ``name``
    (the label that matched) and ``documents`` (how many mention it).
    """
    text = " ".join(text.split())
    limit = max(1, min(int(limit), 100))
    if not text:
        return []
    needles = sorted({text.lower(), to_script(text, "zh-Hant").lower(), to_script(text, "zh-Hans").lower()})
    # LCASE only when case matters: it costs a string copy per label
    haystack = "LCASE(STR(?l))" if any(n != n.upper() for n in needles) else "STR(?l)"
    test = " || ".join(f"CONTAINS({haystack}, {Literal(n)})" for n in needles)
    rows = store.select(f"""SELECT DISTINCT ?e ?l WHERE {{
        {{ ?e <{SKOS}prefLabel> ?l }} UNION {{ ?e <{SKOS}altLabel> ?l }} FILTER(ISIRI(?e) && ({test})) }}
        LIMIT {limit * 40}""")
    want = canonical(text)
    best: dict[str, tuple[int, str]] = {}
    for e, label in rows:
        c = canonical(label)
        rank = 0 if c == want else 1 if c.startswith(want) else 2
        if e not in best or (rank, len(label)) < (best[e][0], len(best[e][1])):
            best[e] = (rank, label)
    if not best:
        return []
    names = _Names(store).load(set(best))
    hits = [e for e in best if names.types.get(e, set()) & set(ENTITY_TYPES)]
    counts: dict[str, int] = {}
    for k in range(0, len(hits), 200):
        chunk = hits[k:k + 200]
        counts.update({e: int(n) for e, n in store.select(f"""SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE {{
            {_values("e", chunk)} ?e <{KGO}mentionedIn> ?d }} GROUP BY ?e""")})
    hits.sort(key=lambda e: (best[e][0], counts.get(e, 0) == 0, len(best[e][1]), e))
    kinds = ("exact", "prefix", "contains")
    return [{"iri": e, "id": local_id(e), "label": names.label(e, lang), "labels": names.per_script(e),
             "type": names.type(e), "matched": kinds[best[e][0]], "name": best[e][1],
             "documents": counts.get(e, 0)} for e in hits[:limit]]


def metric_labels(store: Store) -> dict[str, dict[str, str]]:
    """Every metric's preferred label per script, keyed by its local name (``Revenue``)."""
    by: dict[str, dict[str, str]] = defaultdict(dict)
    for m, label, tag in store.select(f"""SELECT ?m ?l (LANG(?l) AS ?lang) WHERE {{
            ?m a <{KGO}Metric> ; <{SKOS}prefLabel> ?l }} LIMIT 20000"""):
        by[_local(m, KGM) or m].setdefault(_lang(tag), label)
    return {m: {lang: pick_label(labels, lang, m) for lang in LANGS} for m, labels in sorted(by.items())}
