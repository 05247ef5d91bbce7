"""Checks on user-supplied SPARQL before it reaches a store, decided from the query's tokens.

The query is read the way a SPARQL 1.1 parser reads it: one left-to-right pass over the
grammar's terminals (IRIs, prefixed names, variables, the four kinds of strings, numbers,
comments, keywords, punctuation), with ``<`` read as an IRI or as the less-than operator by
where it stands, as Oxigraph's parser does. What a query may do is decided from those
tokens and their bracket structure, never by searching its text: a ``SERVICE`` inside a
string or a comment is text, a ``SERVICE`` keyword is a call. Anything that does not lex,
has unbalanced brackets, or nests deeper than :data:`MAX_QUERY_DEPTH` is refused before any
store sees it (a query nested a few hundred levels deep overflows Oxigraph's stack).

rdflib's parser was measured as the checker and not kept: 100-150 ms for an ordinary query,
seconds for a 300-term ``IN`` list, and a RecursionError on 100 triple patterns in one group.

>>> check_read_only("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
'SELECT'
>>> check_read_only('SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }')
Traceback (most recent call last):
...
kg.errors.UnsafeQueryError: SERVICE is not allowed: queries run on the local graph only
>>> check_read_only('SELECT * WHERE { ?s ?p "SERVICE <http://x/>" } # SERVICE')
'SELECT'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from .errors import QuerySyntaxError, UnsafeQueryError
from .namespaces import PREFIXES

__all__ = ["check_read_only", "check_update", "query_form", "tokenize", "blank_literals", "Token",
           "MAX_QUERY_CHARS", "MAX_QUERY_DEPTH"]

MAX_QUERY_CHARS = 100_000
# Nesting cost: each open bracket counts BRACKET_COST, each operator-like token inside a group
# (UNION, OPTIONAL, ||, +, /, `.` …) counts 1, summed along the enclosing groups. Oxigraph server
# aborted at 300 nested sub-selects (600 braces) and at chains of 5,000 `+`, `||`, `/` or UNION;
# it answered at 150 nested sub-selects and at chains of 1,000.
MAX_QUERY_DEPTH = 1024
BRACKET_COST = 16

_PN_CHARS_BASE = "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D" \
                 "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
             f"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?")
_ECHAR = r"""\\[tbnrf"'\\]"""
_LEXER = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in [
    ("WS", r"[ \t\r\n]+"),
    ("COMMENT", r"#[^\r\n]*"),
    ("LONG1", f"'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}|{_UCHAR}))*'''"),
    ("LONG2", f'"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}|{_UCHAR}))*"""'),
    ("STRING1", f"'(?:[^'\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*'"),
    ("STRING2", f'"(?:[^"\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*"'),
    ("VAR", f"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"),
    ("BNODE", f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("PNAME", f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("LANG", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("NUMBER", r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+(?:[eE][+-]?[0-9]+)?"),
    ("NAME", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("PUNCT", r"\^\^|\|\||&&|!=|<=|>=|[{}()\[\];,.*/|^!=<>+\-?]"),
]))
_IRIREF = re.compile(f"<(?:[^<>\"{{}}|^`\\\\\\x00-\\x20]|{_UCHAR})*>")

_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"}
# a `(` after one of these words opens an expression (function call, FILTER, BIND, projection, …)
_OPERATOR_WORDS = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE", "VALUES", "IN", "NOT"}
_OPERATOR_PUNCT = {"||", "&&", "!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "|", "^", ".", ";", "!"}
_OPERAND_END = {"VAR", "STRING", "NUMBER", "IRI", "PNAME", "LANG", "BNODE"}


@dataclass(frozen=True)
class Token:
    kind: str   # IRI PNAME BNODE VAR STRING NUMBER LANG NAME PUNCT COMMENT
    text: str
    start: int


@dataclass
class _Frame:
    opener: str       # "{", "[", "(" or "" for the top level
    expression: bool  # inside an expression: `<` after an operand is the less-than operator
    cost: int         # nesting cost of everything enclosing this frame, plus this frame's operators
    modifiers: bool = False  # after SELECT/GROUP BY/ORDER BY/HAVING: `(` opens an expression


def _position(text: str, i: int) -> str:
    line = text.count("\n", 0, i) + 1
    return f"{line}:{i - (text.rfind(chr(10), 0, i) + 1) + 1}"


def tokenize(text: str, *, comments: bool = False) -> list[Token]:
    """The query's tokens, ``<`` read as an IRI or an operator by position; raises on what does not lex.

    >>> [t.kind for t in tokenize("FILTER(?a<?b) ?s <p> ?o")]
    ['NAME', 'PUNCT', 'VAR', 'PUNCT', 'VAR', 'PUNCT', 'VAR', 'IRI', 'VAR']
    """
    return _scan(text, comments=comments)[0]


def _scan(text: str, *, comments: bool = False) -> tuple[list[Token], int]:
    tokens: list[Token] = []
    stack = [_Frame("", False, 0)]
    worst = 0
    prev: Token | None = None
    before: Token | None = None  # the token before ``prev``
    i, n = 0, len(text)
    while i < n:
        frame = stack[-1]
        if text[i] == "<":
            after_operand = prev is not None and (prev.kind in _OPERAND_END or prev.text in (")", "]")
                                                  or prev.text.upper() in ("TRUE", "FALSE"))
            m = None if (frame.expression and after_operand) else _IRIREF.match(text, i)
            if m is not None:
                tok = Token("IRI", m.group(), i)
                tokens.append(tok)
                before, prev, i = prev, tok, m.end()
                continue
        m = _LEXER.match(text, i)
        if m is None or m.end() == i:
            raise QuerySyntaxError(f"the query cannot be parsed at {_position(text, i)}: unexpected "
                                   f"{text[i:i + 20]!r}")
        kind = m.lastgroup or ""
        word = m.group()
        i = m.end()
        if kind == "WS":
            continue
        if kind == "COMMENT":
            if comments:
                tokens.append(Token("COMMENT", word, m.start()))
            continue
        if kind in ("LONG1", "LONG2", "STRING1", "STRING2"):
            kind = "STRING"
        tok = Token(kind, word, m.start())
        tokens.append(tok)
        upper = word.upper()
        if kind == "NAME" and upper in ("SELECT", "GROUP", "ORDER", "HAVING"):
            frame.modifiers = True
        elif kind == "NAME" and upper == "WHERE":
            frame.modifiers = False
        if kind == "PUNCT" and word in "{[(":
            if word == "(":
                expression = (frame.expression or frame.modifiers
                              or (prev is not None and prev.kind == "NAME" and prev.text.upper() != "A")
                              or (prev is not None and prev.kind in ("IRI", "PNAME") and before is not None
                                  and before.kind == "NAME" and before.text.upper() == "FILTER"))
            else:
                expression = False
            cost = frame.cost + BRACKET_COST
            stack.append(_Frame(word, expression, cost))
            worst = max(worst, cost)
        elif kind == "PUNCT" and word in "}])":
            want = {"}": "{", "]": "[", ")": "("}[word]
            if len(stack) == 1 or stack[-1].opener != want:
                raise QuerySyntaxError(f"the query cannot be parsed at {_position(text, tok.start)}: "
                                       f"unbalanced {word!r}")
            stack.pop()
        elif (kind == "PUNCT" and word in _OPERATOR_PUNCT) or (kind == "NAME" and upper in _OPERATOR_WORDS):
            frame.cost += 1
            worst = max(worst, frame.cost)
        before, prev = prev, tok
    if len(stack) > 1:
        raise QuerySyntaxError(f"the query cannot be parsed: {stack[-1].opener!r} is never closed")
    return tokens, worst


def blank_literals(text: str) -> str:
    """The text with strings, IRIs and comments blanked by spaces (same length, same positions).

    >>> blank_literals('SELECT * WHERE { ?s ?p "}" } # x')
    'SELECT * WHERE { ?s ?p     }    '
    """
    chars = list(text)
    for tok in tokenize(text, comments=True):
        if tok.kind in ("STRING", "IRI", "COMMENT"):
            chars[tok.start:tok.start + len(tok.text)] = " " * len(tok.text)
    return "".join(chars)


def _unescape_iri(body: str) -> str:
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", lambda m: chr(int(m[1] or m[2], 16)), body)


def _unescape_local(local: str) -> str:
    return re.sub(r"\\(.)", r"\1", local)


class _Analysis:
    """The tokens of one request with its prologue resolved: the IRIs it names and where it calls out."""

    def __init__(self, text: str, what: str) -> None:
        if not text or not text.strip():
            raise QuerySyntaxError(f"empty {what}")
        if len(text) > MAX_QUERY_CHARS:
            raise UnsafeQueryError(f"{what} too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
        self.tokens, cost = _scan(text)
        if not self.tokens:
            raise QuerySyntaxError(f"empty {what} (only comments)")
        if cost > MAX_QUERY_DEPTH:
            raise UnsafeQueryError(f"{what} nested too deeply (cost {cost}; the limit is {MAX_QUERY_DEPTH}: each "
                                   f"bracket level counts {BRACKET_COST}, each UNION, OPTIONAL, operator or "
                                   "`.` 1); split it or flatten it")
        self.what = what
        self.prefixes = dict(PREFIXES)
        self.base = ""
        self.iris: list[str] = []
        toks = self.tokens
        for k, tok in enumerate(toks):
            upper = tok.text.upper()
            if tok.kind == "NAME" and upper == "PREFIX" and k + 2 < len(toks) and toks[k + 1].kind == "PNAME" \
                    and toks[k + 2].kind == "IRI":
                self.prefixes[toks[k + 1].text.rstrip(":")] = self._iri(toks[k + 2])
            elif tok.kind == "NAME" and upper == "BASE" and k + 1 < len(toks) and toks[k + 1].kind == "IRI":
                self.base = self._iri(toks[k + 1])
            if tok.kind == "IRI":
                self.iris.append(self._iri(tok))
            elif tok.kind == "PNAME":
                resolved = self._pname(tok)
                if resolved is not None:
                    self.iris.append(resolved)

    def _iri(self, tok: Token) -> str:
        iri = _unescape_iri(tok.text[1:-1])
        return urljoin(self.base, iri) if self.base and ":" not in iri.split("/")[0] else iri

    def _pname(self, tok: Token) -> str | None:
        prefix, _, local = tok.text.partition(":")
        ns = self.prefixes.get(prefix)
        return None if ns is None else ns + _unescape_local(local)

    def keywords(self) -> list[tuple[int, str]]:
        return [(k, t.text.upper()) for k, t in enumerate(self.tokens) if t.kind == "NAME"]

    def check_common(self, allow_service: tuple[str, ...]) -> None:
        for iri in self.iris:
            if iri[:5].lower() == "file:":
                raise UnsafeQueryError("file IRIs are not allowed")
        for k, word in self.keywords():
            if word != "SERVICE":
                continue
            j = k + 1
            if j < len(self.tokens) and self.tokens[j].kind == "NAME" and self.tokens[j].text.upper() == "SILENT":
                j += 1
            target = self.tokens[j] if j < len(self.tokens) else None
            endpoint = None
            if target is not None and target.kind == "IRI":
                endpoint = self._iri(target)
            elif target is not None and target.kind == "PNAME":
                endpoint = self._pname(target)
            if endpoint is None or endpoint not in allow_service:
                who = "queries" if self.what == "query" else self.what + "s"
                listed = ", apart from allow-listed endpoints" if allow_service else ""
                raise UnsafeQueryError(f"SERVICE is not allowed: {who} run on the local graph only{listed}")


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue (BASE, PREFIX)."""
    return _form(_Analysis(query, "query"))


def _form(a: _Analysis) -> str:
    toks = a.tokens
    k = 0
    while k < len(toks) and toks[k].kind == "NAME" and toks[k].text.upper() in ("PREFIX", "BASE"):
        k += 3 if toks[k].text.upper() == "PREFIX" else 2
    word = toks[k].text.upper() if k < len(toks) and toks[k].kind == "NAME" else ""
    if word not in _FORMS:
        for _, w in a.keywords():
            if w in _UPDATE_WORDS:
                raise UnsafeQueryError(f"{w} is not allowed: this endpoint is read-only")
        raise QuerySyntaxError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return word


def check_read_only(query: str, *, allow_service: tuple[str, ...] = ()) -> str:
    """Return the query form, or raise if the query could change data, reach elsewhere or not parse."""
    a = _Analysis(query, "query")
    for _, word in a.keywords():
        if word in _UPDATE_WORDS:
            raise UnsafeQueryError(f"{word} is not allowed: this endpoint is read-only")
    a.check_common(allow_service)
    return _form(a)


def check_update(update: str, *, allow_service: tuple[str, ...] = ()) -> None:
    """Raise unless the update stays on the local graph: no LOAD, no file IRIs, SERVICE only if allowed.

    >>> check_update("INSERT DATA { <s:a> <s:b> <file:///etc/passwd> }")
    Traceback (most recent call last):
    ...
    kg.errors.UnsafeQueryError: file IRIs are not allowed
    """
    a = _Analysis(update, "update")
    for _, word in a.keywords():
        if word == "LOAD":
            raise UnsafeQueryError("LOAD is not allowed: send documents to POST /documents instead")
    a.check_common(allow_service)
