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

__all__ = ["check_read_only", "check_safe", "strip_literals", "query_form", "LOAD", "MAX_QUERY_CHARS"]

MAX_QUERY_CHARS = 100_000
_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_COMMENT = re.compile(r"#[^\n]*")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)
_SERVICE = re.compile(r"(?<![?$:\w])SERVICE\b(?!:)", re.I)
LOAD = re.compile(r"(?<![?$:\w])(LOAD)\b(?!:)", re.I)  # for updates: documents go through ingestion
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


def check_safe(text: str, what: str, forbidden: re.Pattern[str], reason: str, *,
               allow_service: tuple[str, ...] = ()) -> str:
    """The checks a query and an update share: not empty, not too long, none of the ``forbidden``
    keywords (``reason`` says why not), no file IRIs, SERVICE only to an endpoint in ``allow_service``.
    Returns the text with literals blanked.

    >>> check_safe("INSERT DATA { <s:a> <s:b> <file:///etc/passwd> }", "update", LOAD, "no loading")
    Traceback (most recent call last):
    ...
    kg.errors.UnsafeQueryError: file IRIs are not allowed
    """
    if not text or not text.strip():
        raise QuerySyntaxError(f"empty {what}")
    if len(text) > MAX_QUERY_CHARS:
        raise UnsafeQueryError(f"{what} too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    bare = strip_literals(text)
    if _SERVICE.search(bare):
        endpoints = re.findall(r"SERVICE\s+(?:SILENT\s+)?<([^>]*)>", _COMMENT.sub("", _STRINGS.sub('""', text)), re.I)
        if len(endpoints) != len(_SERVICE.findall(bare)) or any(e not in allow_service for e in endpoints):
            who = "queries" if what == "query" else what + "s"
            listed = ", apart from allow-listed endpoints" if allow_service else ""
            raise UnsafeQueryError(f"SERVICE is not allowed: {who} run on the local graph only{listed}")
    m = forbidden.search(bare)
    if m:
        raise UnsafeQueryError(f"{m.group(1).upper()} is not allowed: {reason}")
    if re.search(r"<file:", text, re.I):
        raise UnsafeQueryError("file IRIs are not allowed")
    return bare


def check_read_only(query: str, *, allow_service: tuple[str, ...] = ()) -> str:
    """Return the query form, or raise if the query could change data or reach elsewhere."""
    check_safe(query, "query", _UPDATE, "this endpoint is read-only", allow_service=allow_service)
    return query_form(query)
