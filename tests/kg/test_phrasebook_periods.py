"""Every period template and calendar word of the phrasebook reads its positive examples and not its negative ones."""
from __future__ import annotations

import datetime as dt

import pytest

from kg.periods import Anchor, find_periods, parse_period_key
from kg.phrasebook import Phrasebook
from kg.text import canonical

ROLES = ("period_template", "month_name", "ordinal", "number_word", "weekday")
ENTRIES = [e for e in Phrasebook.load().of(*ROLES)]


def _read(entry, text):
    date = dt.date.fromisoformat(entry.date) if entry.date else None
    frame = parse_period_key(str(entry.get("frame"))) if entry.get("frame") else None  # what the article reports
    anchor = Anchor(date, frame=frame, fiscal_year_end=int(entry.get("fye", 0)))
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


def test_a_year_right_before_a_part_of_it_is_one_period():
    """「去年第4季度」 is the fourth quarter of last year, not last year and a quarter; a comma keeps them apart."""
    anchor = Anchor(dt.date(2024, 3, 21))
    read = find_periods(canonical("去年第4季度,收入增長"), anchor=anchor)
    assert [p.period.key for p in read] == ["2023-Q4"]
    assert [p.period.key for p in find_periods(canonical("去年四季度營收"), anchor=anchor)] == ["2023-Q4"]
    apart = find_periods(canonical("2022年，第三季度"), anchor=anchor)
    assert [p.period.key for p in apart] == ["2022", "2023-Q3"]


def test_a_documents_period_scan_reads_each_sentence_as_matching_it_alone_does():
    """kg.periods.PeriodScan: the templates matched once per document give every sentence window the
    periods that matching the window alone gives (the figure reader looks its sentences up in it)."""
    from kg.periods import PeriodScan

    examples = [t for e in ENTRIES if e.role == "period_template" for t in (*e.pos, *e.neg)]
    text = canonical("。".join(examples) + "。")
    scan = PeriodScan.of(text)
    anchor = Anchor(dt.date(2025, 8, 28))
    start = 0
    for sentence in text.split("。"):
        end = start + len(sentence)
        alone = find_periods(text, start, end, anchor=anchor)
        looked_up = find_periods(text, start, end, anchor=anchor, scan=scan)
        assert [(p.start, p.end, p.period) for p in looked_up] == [(p.start, p.end, p.period) for p in alone], sentence
        start = end + 1
