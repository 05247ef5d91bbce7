"""SPARQL syntax errors for people: line, column, what was expected, and the line with a caret.

The parser's own message lists every grammar alternative (``expected one of Prefix not found,
['%'], ['-' | '0' ..= '9' | …``); the CLI, the HTTP endpoint and the MCP tool say instead:

>>> print(explain_syntax_error('error at 1:27: expected one of ",", ".", ";", "{", "{|", "}", "~", [_]',
...                            "SELECT ?s WHERE { ?s ?p ?o"))
SPARQL syntax error at line 1, column 27 (at the end of the query): expected one of , . ; { {| } ~
  SELECT ?s WHERE { ?s ?p ?o
                            ^
>>> print(explain_syntax_error("error at 2:13: expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' |",
...                            "SELECT ?s WHERE {\\n  ?s foo:bar ?o }").splitlines()[0])
SPARQL syntax error at line 2, column 13: unknown prefix foo: (predefined: kgo: kgr: kgm: kgp: kgu: kgg: rdf: rdfs: xsd: owl: skos: schema: prov: dcterms:; declare others with PREFIX)
"""
from __future__ import annotations

import re

from kg import PREFIXES

__all__ = ["explain_syntax_error", "parser_message"]

_AT = re.compile(r"error at (\d+):(\d+):?\s*(.*)", re.S)
_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|[A-Za-z][\w ]*\w|[A-Za-z]')


def _expected(rest: str) -> list[str]:
    """The tokens and keywords of an ``expected one of …`` list, without the character classes."""
    body = rest.split("expected one of", 1)[1] if "expected one of" in rest else rest
    body = re.sub(r"\[[^\]]*\]", "", body).split("[")[0]  # character classes ([_], ['0' ..= '9' | …]), cut ones too
    out = []
    for item in _ITEM.findall(body):
        token = item[1:-1] if item.startswith('"') else item
        if token and token not in out:
            out.append(token)
    return out


def explain_syntax_error(message: str, query: str | None = None) -> str:
    """A parser message (``error at L:C: expected …``) as a short sentence, with the query's line.

    A message without a position is returned as it is.
    """
    m = _AT.search(message)
    if m is None:
        return message
    line, col, rest = int(m[1]), int(m[2]), m[3].strip()
    lines = (query or "").split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else None
    at_end = text is not None and line == len(lines) and col > len(text.rstrip())
    where = f"line {line}, column {col}" + (" (at the end of the query)" if at_end else "")
    expected = _expected(rest)
    if "Prefix not found" in rest:
        prefix = ""
        if text is not None:  # the prefixed name the position falls in (the parser points into it)
            i = min(max(col - 1, 0), len(text))
            start = len(text[:i]) - len(text[:i].split()[-1]) if text[:i].split() else i
            word = text[start:].split()[0] if text[start:].split() else ""
            prefix = word.split(":")[0].lstrip("^<(") + ":" if ":" in word else ""
        known = " ".join(f"{p}:" for p in PREFIXES)
        what = f"unknown prefix {prefix or '(before this point)'} (predefined: {known}; declare others with PREFIX)"
    elif expected:
        shown = expected[:12]
        what = "expected one of " + " ".join(shown) + (" …" if len(expected) > len(shown) else "")
    else:
        what = "unexpected text"
    out = f"SPARQL syntax error at {where}: {what}"
    if text is not None:
        out += f"\n  {text}\n  {' ' * max(col - 1, 0)}^"
    return out


def parser_message(query: str) -> str | None:
    """What the SPARQL parser says about ``query`` (with kgqa's prefixes), or None when it parses.

    The guard refuses a query it cannot read before any store sees it; this gives the user the
    parser's line and column for it. The query runs against an empty in-memory store.
    """
    from pyoxigraph import Store

    from kg.namespaces import sparql_prologue

    prologue = sparql_prologue()
    try:
        Store().query(prologue + query)
    except SyntaxError as exc:
        msg = str(exc)
        m = _AT.match(msg)
        if m is not None:  # lines counted from the user's query, not the prologue
            line = int(m.group(1)) - prologue.count("\n")
            msg = f"error at {max(line, 1)}:{m.group(2)}: {m.group(3)}"
        return explain_syntax_error(msg, query)
    except Exception:  # noqa: BLE001 - anything else is not a syntax problem
        return None
    return None
