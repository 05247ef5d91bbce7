"""The knowledge graph: stores, namespaces, safe SPARQL, text matching, the networkx view."""
from .errors import (
                     GraphError,
                     QuerySyntaxError,
                     QueryTimeoutError,
                     StoreError,
                     StoreLockedError,
                     StoreUnavailableError,
                     UnsafeQueryError,
)
from .namespaces import KGG, KGM, KGO, KGP, KGR, KGU, PREFIXES, REFERENCE_GRAPHS, compact, document_graph
from .oxserver import OxigraphServer
from .remote import SparqlServerStore
from .sparql import check_read_only
from .store import FORMATS, OxigraphStore, Store, ensure_reference_graphs, term_value

__all__ = [
                     "FORMATS",
                     "KGG",
                     "KGM",
                     "KGO",
                     "KGP",
                     "KGR",
                     "KGU",
                     "PREFIXES",
                     "REFERENCE_GRAPHS",
                     "GraphError",
                     "OxigraphServer",
                     "OxigraphStore",
                     "QuerySyntaxError",
                     "QueryTimeoutError",
                     "SparqlServerStore",
                     "Store",
                     "StoreError",
                     "StoreLockedError",
                     "StoreUnavailableError",
                     "UnsafeQueryError",
                     "check_read_only",
                     "compact",
                     "document_graph",
                     "ensure_reference_graphs",
                     "term_value",
]
