"""The shared-guard alternation (kg.phrasebook._alternation) matches what one guarded group per phrase matches."""
from __future__ import annotations

import re

import pytest

from kg.phrasebook import Phrasebook, _alternation, _escape
from kg.text import canonical

BOOK = Phrasebook.load()
ROLES = [r for r in BOOK.roles() if r != "period_template"]


def _examples() -> str:
    texts = [t for e in BOOK.of(*ROLES) for t in (*e.pos, *e.neg)]
    return canonical("\n".join(texts) + "\nq1 2025 q1財年 5pct cny48 Sept. 30 up 5% yoy-3.2% the fourth-quarter")


TEXT = _examples()


@pytest.mark.parametrize("left,right", [(True, True), (False, True), (True, False)])
@pytest.mark.parametrize("role", ROLES)
def test_grouped_alternation_matches_like_one_group_per_phrase(role, left, right):
    keys = BOOK.keys(role)
    plain = re.compile("|".join(_escape(k, left, right) for k in keys))
    grouped = re.compile(_alternation(keys, left, right))
    assert [m.span() for m in grouped.finditer(TEXT)] == [m.span() for m in plain.finditer(TEXT)]


def test_a_latin_phrase_keeps_its_word_edges():
    rx = re.compile(_alternation(["up", "rose", "增長"], True, True))
    assert [m.group() for m in rx.finditer("setup rose 增長 upward up")] == ["rose", "增長", "up"]
