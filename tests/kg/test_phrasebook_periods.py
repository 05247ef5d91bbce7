"""Every period template and calendar word of the phrasebook reads its positive examples and not its negative ones."""
from __future__ import annotations

import datetime as dt

import pytest

from kg.periods import Anchor, find_periods
from kg.phrasebook import Phrasebook
from kg.text import canonical

ROLES = ("period_template", "month_name", "ordinal", "number_word", "weekday")
ENTRIES = [e for e in Phrasebook.load().of(*ROLES)]


def _read(entry, text):
    date = dt.date.fromisoformat(entry.date) if entry.date else None
    anchor = Anchor(date, fiscal_year_end=int(entry.get("fye", 0)))
    return [p for p in find_periods(canonical(text), anchor=anchor) if entry.id in p.cues]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_period_entry_examples(entry):
    assert entry.pos and entry.neg, f"{entry.id} ({entry.source}) needs a positive and a negative example"
    for text in entry.pos:
        hits = _read(entry, text)
        assert hits, f"{entry.id} does not read its positive example {text!r}"
    expect = entry.get("expect")
    if expect:
        keys = [p.period.key for p in _read(entry, entry.pos[0]) if p.period]
        assert str(expect) in keys, (entry.id, entry.pos[0], keys)
    for text in entry.neg:
        assert not _read(entry, text), f"{entry.id} fires on its negative example {text!r}"
