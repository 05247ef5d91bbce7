"""Errors of the graph layer.

    GraphError                  anything the graph layer refuses or fails to do
    ├── StoreError              the store cannot be opened, read or written
    │   └── StoreLockedError    another process holds the on-disk store
    ├── UnsafeQueryError        a SPARQL request is not allowed (update, SERVICE, LOAD, file IRIs)
    └── QuerySyntaxError        a SPARQL request does not parse
"""
from __future__ import annotations

__all__ = ["GraphError", "StoreError", "StoreLockedError", "UnsafeQueryError", "QuerySyntaxError"]


class GraphError(Exception):
    pass


class StoreError(GraphError):
    pass


class StoreLockedError(StoreError):
    pass


class UnsafeQueryError(GraphError):
    pass


class QuerySyntaxError(GraphError):
    pass
