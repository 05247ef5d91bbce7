"""Every number word of the phrasebook (numbers.yaml) reads its positive examples and not its negative ones."""
from __future__ import annotations

import pytest

from ingestion.quantities import find_numbers
from kg.phrasebook import Phrasebook
from kg.text import canonical

ROLES = ("scale", "currency_before", "currency_after", "percent_unit", "point_unit", "multiple_unit", "count_unit",
         "distance_unit", "per_tail", "range_sep", "tenth_ratio", "fraction_word", "qualitative", "bound_before",
         "bound_after", "bound_mid", "discount_word", "magnitude_suffix", "per_word", "per_object", "cent_word")
ENTRIES = Phrasebook.load().of(*ROLES)
DURATIONS = Phrasebook.load().of("duration_unit")


def _cues(text: str) -> set[str]:
    return {c for n in find_numbers(canonical(text)) for c in n.cues}


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_number_entry_examples(entry):
    assert entry.pos and entry.neg, f"{entry.id} ({entry.source}) needs a positive and a negative example"
    for text in entry.pos:
        assert entry.id in _cues(text), f"{entry.id} is not used on its positive example {text!r}: {_cues(text)}"
    for text in entry.neg:
        assert entry.id not in _cues(text), f"{entry.id} is used on its negative example {text!r}"


@pytest.mark.parametrize("entry", DURATIONS, ids=[e.id for e in DURATIONS])
def test_duration_words_stop_a_number_being_a_figure(entry):
    """A number right before a duration or clock word (3個月, 11 quarters, 4.59 a.m.) is not a figure."""
    assert entry.pos and entry.neg
    for text in entry.pos:
        canon = canonical(text)
        at = canon.find(entry.key)
        assert at > 0, (entry.id, text)
        assert not [n for n in find_numbers(canon) if n.end <= at and canon[n.end:at].strip() == ""], (entry.id, text)
    for text in entry.neg:
        assert find_numbers(canonical(text)), (entry.id, text)
