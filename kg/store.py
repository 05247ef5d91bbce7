"""Graph stores: the embedded Oxigraph store (on disk or in memory) behind one protocol.

One named graph per document; reference data (ontology, metrics, catalog) in graphs of
their own. A SPARQL-server backend implements the same ``Store`` protocol.

>>> s = OxigraphStore.in_memory()
>>> s.replace_graph("http://g/1", [Quad(NamedNode("http://a"), NamedNode("http://p"), Literal(1), NamedNode("http://g/1"))])
>>> s.select("SELECT ?o WHERE { ?s ?p ?o }")
[(1,)]
"""
from __future__ import annotations

import collections
import decimal
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from pyoxigraph import (BlankNode, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions,
                        RdfFormat, Store as _OxStore, parse)

import ontology

from .errors import QuerySyntaxError, StoreError, StoreLockedError
from .growth import growth_quads
from .namespaces import KGG, KGO, PREFIXES, REFERENCE_GRAPHS, XSD

__all__ = ["Store", "OxigraphStore", "Quad", "NamedNode", "Literal", "BlankNode", "term_value",
           "FORMATS", "ensure_reference_graphs"]

FORMATS = {"nquads": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG, "turtle": RdfFormat.TURTLE,
           "ntriples": RdfFormat.N_TRIPLES, "rdfxml": RdfFormat.RDF_XML}

_NUMERIC = {XSD + "integer": int, XSD + "int": int, XSD + "long": int, XSD + "decimal": decimal.Decimal,
            XSD + "double": float, XSD + "float": float, XSD + "nonNegativeInteger": int,
            XSD + "gYear": int}


def term_value(term: Any) -> Any:
    """A Python value for an RDF term: IRIs as strings, typed literals as numbers or bools."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return "_:" + term.value
    if isinstance(term, Literal):
        dt = term.datatype.value
        conv = _NUMERIC.get(dt)
        if conv is not None:
            try:
                v = conv(term.value)
                return float(v) if isinstance(v, decimal.Decimal) else v
            except (ValueError, decimal.InvalidOperation):
                return term.value
        if dt == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return str(term)


@runtime_checkable
class Store(Protocol):
    """What the rest of kgqa needs from a graph store."""

    def select(self, query: str, bindings: dict[str, Any] | None = None) -> list[tuple[Any, ...]]: ...
    def select_terms(self, query: str, bindings: dict[str, Any] | None = None) -> list[tuple[Any, ...]]: ...
    def ask(self, query: str) -> bool: ...
    def raw_query(self, query: str) -> Any: ...
    def replace_graph(self, graph: str, quads: Iterable[Quad]) -> None: ...
    def drop_graph(self, graph: str) -> bool: ...
    def graphs(self) -> list[str]: ...
    def quads(self, graph: str | None = None) -> Iterator[Quad]: ...
    def export(self, out: IO[bytes], fmt: str = "nquads", graph: str | None = None) -> None: ...
    def load(self, data: IO[bytes] | bytes, fmt: str, graph: str | None = None) -> None: ...
    def count(self) -> int: ...
    def close(self) -> None: ...


_WHERE = re.compile(r"\b(?:WHERE|ASK)\s*\{", re.I)
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _bind(query: str, bindings: dict[str, Any] | None) -> str:
    """Bind variables to values with a VALUES block at the top of the WHERE clause.

    Values are serialised by pyoxigraph as RDF terms (escaped), never spliced as text.
    """
    if not bindings:
        return query
    rows = []
    for name, value in bindings.items():
        if not _VAR.fullmatch(name):
            raise QuerySyntaxError(f"invalid variable name {name!r}")
        if not isinstance(value, (NamedNode, Literal)):
            value = Literal(value)
        rows.append(f"VALUES ?{name} {{ {value} }}")
    m = _WHERE.search(query)
    if m is None:
        raise QuerySyntaxError("cannot bind values: the query has no WHERE clause")
    return query[:m.end()] + " " + " ".join(rows) + " " + query[m.end():]


def _ntriples_term(t: Any) -> str:
    return str(t)


class QueryMethods:
    """``select``, ``select_terms`` and ``ask`` for a store that has ``raw_query`` (pyoxigraph results)."""

    def raw_query(self, query: str, bindings: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError

    def select_terms(self, query: str, bindings: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        res = self.raw_query(query, bindings)
        if not isinstance(res, QuerySolutions):
            raise QuerySyntaxError("expected a SELECT query")
        names = [v.value for v in res.variables]
        return [tuple(sol[n] for n in names) for sol in res]

    def select(self, query: str, bindings: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return [tuple(term_value(t) for t in row) for row in self.select_terms(query, bindings)]

    def ask(self, query: str) -> bool:
        res = self.raw_query(query)
        if not isinstance(res, QueryBoolean):
            raise QuerySyntaxError("expected an ASK query")
        return bool(res)


class OxigraphStore(QueryMethods):
    """The embedded store: pyoxigraph on disk (``path``) or in memory."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path).expanduser() if path is not None else None
        self._writes = 0
        try:
            if self.path is None:
                self._store = _OxStore()
            elif read_only:
                self._store = _OxStore.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = _OxStore(str(self.path))
        except OSError as exc:
            msg = str(exc)
            if "lock" in msg.lower():
                raise StoreLockedError(
                    f"the store at {self.path} is in use by another kgqa process "
                    "(a running `kgqa serve`?); stop it or go through its HTTP API") from None
            raise StoreError(f"cannot open the store at {self.path}: {msg}") from None

    @classmethod
    def in_memory(cls) -> "OxigraphStore":
        return cls(None)

    # -- queries ---------------------------------------------------------------
    def raw_query(self, query: str, bindings: dict[str, Any] | None = None) -> Any:
        try:
            return self._store.query(_bind(query, bindings), use_default_graph_as_union=True, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc).splitlines()[0]) from None
        except OSError as exc:
            raise StoreError(str(exc)) from None

    # -- writes ----------------------------------------------------------------
    def replace_graph(self, graph: str, quads: Iterable[Quad]) -> None:
        """Replace a named graph's content in one transaction."""
        self._writes += 1
        node = NamedNode(graph)
        try:
            if not self._store.contains_named_graph(node):
                # A new graph: one transactional extend, without a text round trip through SPARQL.
                self._store.extend(q if q.graph_name == node else Quad(q.subject, q.predicate, q.object, node)
                                   for q in quads)
                return
            g = f"<{graph}>"
            body = "\n".join(f"{_ntriples_term(q.subject)} {_ntriples_term(q.predicate)} {_ntriples_term(q.object)} ."
                             for q in quads)
            self._store.update(f"DROP SILENT GRAPH {g} ; INSERT DATA {{ GRAPH {g} {{\n{body}\n}} }}")
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"could not write graph {graph}: {exc}") from None

    def drop_graph(self, graph: str) -> bool:
        node = NamedNode(graph)
        if not self._store.contains_named_graph(node):
            return False
        self._writes += 1
        self._store.update(f"DROP GRAPH <{graph}>")
        return True

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, NamedNode))

    def change_stamp(self) -> tuple[object, ...]:
        """A value that changes whenever the store's content may have (cheap; for caches of derived indexes).

        Only this process can write an embedded store, so counting its own writes is exact.
        """
        return ("embedded", id(self), self._writes)

    def quads(self, graph: str | None = None) -> Iterator[Quad]:
        g = NamedNode(graph) if graph else None
        return iter(self._store.quads_for_pattern(None, None, None, g))

    def export(self, out: IO[bytes], fmt: str = "nquads", graph: str | None = None) -> None:
        f = FORMATS[fmt]
        if graph is None and fmt in ("turtle", "ntriples", "rdfxml"):
            # triple formats: the union of all graphs
            from pyoxigraph import serialize

            serialize((q.triple for q in self._store), out, f)  # type: ignore[arg-type]
            return
        if graph is not None:
            self._store.dump(out, f, from_graph=NamedNode(graph))
        else:
            self._store.dump(out, f)

    def load(self, data: IO[bytes] | bytes, fmt: str, graph: str | None = None) -> None:
        """Add RDF data through the bulk loader: a triple format into ``graph`` (or the default graph).

        The whole input is parsed once before anything is written (the bulk loader is not
        transactional), so bad data leaves the store as it was. A seekable file is read
        twice rather than held in memory.
        """
        self._writes += 1
        if fmt not in FORMATS:
            raise StoreError(f"unknown format {fmt!r}: {', '.join(FORMATS)}")
        f = FORMATS[fmt]
        target = NamedNode(graph) if graph is not None else None
        if target is not None and f.supports_datasets:
            raise StoreError(f"a {fmt} file names its own graphs; a target graph applies to triple formats only")
        if not isinstance(data, bytes) and not (data.seekable() if hasattr(data, "seekable") else False):
            data = data.read()
        src: IO[bytes] = io.BytesIO(data) if isinstance(data, bytes) else data
        start = src.tell()
        # A whole file on disk is read by path: the Rust reader is faster than Python file reads.
        name = getattr(src, "name", None)
        path = name if isinstance(name, str) and start == 0 and Path(name).is_file() else None
        try:  # all or nothing: check before writing
            collections.deque(parse(path=path, format=f) if path else parse(src, f), maxlen=0)
        except SyntaxError as exc:
            raise StoreError(f"invalid {fmt} data: {exc}; nothing was loaded") from None
        src.seek(start)
        kwargs: dict[str, Any] = {"format": f}
        if target is not None:
            kwargs["to_graph"] = target
        try:
            if path:
                self._store.bulk_load(path=path, **kwargs)
            else:
                self._store.bulk_load(src, **kwargs)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"invalid {fmt} data: {exc}") from None
        except OSError as exc:
            raise StoreError(f"could not load {fmt} data: {exc}") from None

    def count(self) -> int:
        return len(self._store)

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        if self.path is not None:
            try:
                self._store.flush()
            except OSError:
                pass
        self._store = None  # type: ignore[assignment]

    def __enter__(self) -> "OxigraphStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_LOAD_VERSION = b"\n# kgqa reference graph load 3: blank nodes skolemised, growth metrics derived\n"


def _skolemised(quads: list[Quad], key: str) -> list[Quad]:
    """The quads with each blank node replaced by a stable IRI (``…/.well-known/genid/KEY/LABEL``).

    Blank nodes get fresh labels on every parse, so two stores loaded from the same files would
    export different N-Quads; the labels here come from RDF canonicalisation (RDFC-1.0), which
    depends only on the graph's content.
    """
    from pyoxigraph import CanonicalizationAlgorithm, Dataset

    if not any(isinstance(t, BlankNode) for q in quads for t in (q.subject, q.object)):
        return quads
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)

    def stable(term: Any) -> Any:
        return NamedNode(f"{KGG}.well-known/genid/{key}/{term.value}") if isinstance(term, BlankNode) else term

    return sorted((Quad(stable(q.subject), q.predicate, stable(q.object), q.graph_name) for q in dataset),
                  key=str)


def reference_graph(key: str) -> tuple[str, str, list[Quad]]:
    """(graph IRI, content digest, quads with the digest) of a reference graph as the store holds it.

    ``key`` is ``ontology``, ``metrics`` or ``catalog``.
    """
    from pyoxigraph import parse

    fname = {"ontology": ontology.ONTOLOGY, "metrics": ontology.METRICS, "catalog": ontology.CATALOG}[key]
    graph = REFERENCE_GRAPHS[key]
    data = ontology.path(fname).read_bytes()
    digest = hashlib.sha256(data + _LOAD_VERSION).hexdigest()  # the way of loading counts too
    quads = _skolemised([Quad(q.subject, q.predicate, q.object, NamedNode(graph))
                         for q in parse(data, RdfFormat.TURTLE, base_iri=KGG)], key)
    if key == "metrics":  # each amount or count metric's growth rate (kg/growth.py)
        quads += growth_quads(quads)
    quads.append(Quad(NamedNode(graph), NamedNode(KGO + "contentHash"), Literal(digest), NamedNode(graph)))
    return graph, digest, quads


def ensure_reference_graphs(store: Store) -> bool:
    """Load the ontology, metric scheme and catalog into their graphs if they changed.

    Returns True when something was (re)loaded.
    """
    changed = False
    for key in ("ontology", "metrics", "catalog"):
        graph, digest, quads = reference_graph(key)
        rows = store.select(f"SELECT ?h WHERE {{ GRAPH <{graph}> {{ <{graph}> <{KGO}contentHash> ?h }} }}")
        if rows and rows[0][0] == digest:
            continue
        store.replace_graph(graph, quads)
        changed = True
    return changed
