"""Errors of the graph layer.

    GraphError                  anything the graph layer refuses or fails to do
    ├── StoreError              the store cannot be opened, read or written
    │   ├── StoreLockedError    another process holds the on-disk store
    │   ├── StoreUnavailableError  a SPARQL server does not answer (down or unreachable, after retries)
    │   └── QueryTimeoutError   the SPARQL server (or the client) stopped a query at its time limit
    ├── UnsafeQueryError        a SPARQL request is not allowed (update, SERVICE, LOAD, file IRIs)
    ├── QuerySyntaxError        a SPARQL request does not parse
    ├── EncoderError            the embedding model cannot be found or run
    └── WorkCancelled           work stopped because its deadline passed or the process is shutting down
"""
from __future__ import annotations

__all__ = [
    "EncoderError",
    "GraphError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "StoreError",
    "StoreLockedError",
    "StoreUnavailableError",
    "UnsafeQueryError",
    "WorkCancelled",
]


class GraphError(Exception):
    pass


class StoreError(GraphError):
    pass


class StoreLockedError(StoreError):
    pass


class StoreUnavailableError(StoreError):
    pass


class QueryTimeoutError(StoreError):
    pass


class UnsafeQueryError(GraphError):
    pass


class QuerySyntaxError(GraphError):
    pass


class EncoderError(GraphError):
    """The embedding model named in ``KGQA_EMBEDDING_MODEL`` cannot be found or run."""


class WorkCancelled(GraphError):
    """Stopped on purpose: a request's deadline passed, or the process is shutting down."""
