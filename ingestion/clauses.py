"""Clauses of a sentence: the stretches between commas, semicolons and colons (and a few joining words).

Figures, their metric and their subject are looked for within a clause first.
"""
from __future__ import annotations

import re
from bisect import bisect_left

from .sentences import Sentence

__all__ = ["clause_of", "split_clauses"]

# a space between two Chinese characters parts a headline's clauses: 「小米上季收入首次破千億人幣 經調整利潤升七成」
_CLAUSE_SEP = re.compile(r"(?<!\d),|,(?!\d{3})|[，;；:：]|(?<=[a-z]) - |\s(?:and|while|but|whereas)\s(?=[a-z]+'s|\w+ (?:rose|grew|fell|was))"
                         r"|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


_BRACKET = re.compile(r"[(（][^()（）]{1,40}[)）]")


def split_clauses(canon: str, s: Sentence) -> list[tuple[int, int]]:
    """The clauses of a sentence; a comma inside a short bracket (「(人民幣,下同)」, "($15.5 billion, or 3%)")
    does not end one."""
    out = []
    pos = s.start
    brackets = [m.span() for m in _BRACKET.finditer(canon, s.start, s.end)]
    for m in _CLAUSE_SEP.finditer(canon, s.start, s.end):
        if brackets and any(a < m.start() < b for a, b in brackets):
            continue
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < s.end:
        out.append((pos, s.end))
    return out or [(s.start, s.end)]


def clause_of(clauses: list[tuple[int, int]], i: int) -> int:
    k = bisect_left(clauses, (i, 1 << 62)) - 1  # the last clause starting at or before i
    if 0 <= k < len(clauses) and clauses[k][0] <= i < clauses[k][1]:
        return k
    for j, (a, b) in enumerate(clauses):  # i falls between clauses (a separator): the next one, as before
        if a <= i < b:
            return j
    return len(clauses) - 1
