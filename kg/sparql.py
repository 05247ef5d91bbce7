"""Checks on user-supplied SPARQL before it reaches a store.

>>> check_read_only("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
'SELECT'
>>> check_read_only('SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }')
Traceback (most recent call last):
...
kg.errors.UnsafeQueryError: SERVICE is not allowed: queries run on the local graph only
"""
from __future__ import annotations

import re

from .errors import QuerySyntaxError, UnsafeQueryError

__all__ = ["check_read_only", "strip_literals", "query_form", "MAX_QUERY_CHARS"]

MAX_QUERY_CHARS = 100_000
_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_COMMENT = re.compile(r"#[^\n]*")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)
_UPDATE = re.compile(r"(?<![?$:\w])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b(?!:)", re.I)


def strip_literals(query: str) -> str:
    """The query with strings, IRIs and comments blanked, so keywords can be found safely."""
    q = _STRINGS.sub('""', query)
    q = _IRI.sub("<>", q)
    return _COMMENT.sub("", q)


def query_form(query: str) -> str:
    m = _FORM.search(strip_literals(query))
    if not m:
        raise QuerySyntaxError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return m.group(1).upper()


def check_read_only(query: str, *, allow_service: tuple[str, ...] = ()) -> str:
    """Return the query form, or raise if the query could change data or reach elsewhere."""
    if not query or not query.strip():
        raise QuerySyntaxError("empty query")
    if len(query) > MAX_QUERY_CHARS:
        raise UnsafeQueryError(f"query too long ({len(query)} characters; the limit is {MAX_QUERY_CHARS})")
    bare = strip_literals(query)
    if re.search(r"(?<![?$:\w])SERVICE\b(?!:)", bare, re.I):
        endpoints = re.findall(r"SERVICE\s+(?:SILENT\s+)?<([^>]*)>", _COMMENT.sub("", _STRINGS.sub('""', query)), re.I)
        if not endpoints or any(e not in allow_service for e in endpoints) or len(endpoints) != len(
                re.findall(r"\bSERVICE\b", bare, re.I)):
            raise UnsafeQueryError("SERVICE is not allowed: queries run on the local graph only")
    m = _UPDATE.search(bare)
    if m:
        raise UnsafeQueryError(f"{m.group(1).upper()} is not allowed: this endpoint is read-only")
    if re.search(r"<file:", query, re.I):
        raise UnsafeQueryError("file IRIs are not allowed")
    return query_form(query)
