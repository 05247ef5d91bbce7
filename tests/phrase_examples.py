"""The positive and negative examples of a phrasebook role, for tests that check each entry's rule."""
from __future__ import annotations

from collections.abc import Iterator

from kg.phrasebook import Phrase, Phrasebook


def role_examples(role: str) -> Iterator[tuple[Phrase, str, bool]]:
    """(entry, example, is positive) for every entry of ``role``; a role with no entries, or an entry
    without both kinds of example, fails the test."""
    entries = Phrasebook.load().of(role)
    assert entries, f"no phrasebook entries of role {role}"
    for e in entries:
        assert e.pos and e.neg, f"{e.id} ({e.source}) needs a positive and a negative example"
        yield from ((e, text, True) for text in e.pos)
        yield from ((e, text, False) for text in e.neg)
