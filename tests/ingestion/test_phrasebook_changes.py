"""Every change word of the phrasebook (changes.yaml) reads its positive examples and not its negative ones.

A change verb, noun, basis, value, estimate or prior-value cue must be among the cues read
right around some figure of its positive example and of none of its negative example; a
degree word or link must let a change be read where its negative example reads none.
"""
from __future__ import annotations

import pytest

from ingestion.clauses import split_clauses
from ingestion.cues import basis_in, change_after, estimate_after, estimate_before, read_before
from ingestion.facts import _prior_figures
from ingestion.quantities import find_numbers
from ingestion.sentences import split_sentences
from kg.periods import find_periods
from kg.phrasebook import Phrasebook
from kg.text import canonical

_CUED = ("change_verb", "change_noun", "change_basis", "value_cue", "consensus_cue", "consensus_after", "prior_cue",
         "prior_after_change")
_SHAPING = ("change_degree", "change_link")
CUED = Phrasebook.load().of(*_CUED)
SHAPING = Phrasebook.load().of(*_SHAPING)


def _cues(text: str) -> set[str]:
    """The entry ids read around each figure of ``text`` (one clause), as the figure reader reads them."""
    canon = canonical(text)
    numbers = find_numbers(canon)
    out: set[str] = set()
    for n in numbers:
        before, after = canon[:n.start], canon[n.end:]
        read = read_before(before)
        out.update(read.cues)
        if not read.change and (found := change_after(after)) is not None:
            out.update(found.cues)
        if (basis := basis_in(before[-24:] + " " + after[:40])) is not None:
            out.add(basis[1])
        for est in (estimate_before(before), estimate_after(after)):
            if est is not None:
                out.add(est[1])
    (sentence,) = split_sentences(canon)[:1]
    clauses = split_clauses(canon, sentence)
    priors = _prior_figures(canon, numbers, find_periods(canon), clauses, [c[0] for c in clauses])
    out.update(p.cue for p in priors.values())
    return out


def _reads_change(text: str) -> bool:
    canon = canonical(text)
    return any(read_before(canon[:n.start]).change for n in find_numbers(canon))


@pytest.mark.parametrize("entry", CUED, ids=[e.id for e in CUED])
def test_change_entry_examples(entry):
    assert entry.pos and entry.neg, f"{entry.id} ({entry.source}) needs a positive and a negative example"
    for text in entry.pos:
        assert entry.id in _cues(text), f"{entry.id} is not read on its positive example {text!r}: {_cues(text)}"
    for text in entry.neg:
        assert entry.id not in _cues(text), f"{entry.id} is read on its negative example {text!r}"


@pytest.mark.parametrize("entry", SHAPING, ids=[e.id for e in SHAPING])
def test_degree_and_link_words_let_a_change_be_read(entry):
    assert entry.pos and entry.neg, f"{entry.id} ({entry.source}) needs a positive and a negative example"
    for text in entry.pos:
        assert entry.key in canonical(text), (entry.id, text)
        assert _reads_change(text), f"no change read through {entry.id} in {text!r}"
    for text in entry.neg:
        assert not _reads_change(text), f"a change is read in the negative example {text!r} of {entry.id}"


def test_the_sign_of_a_change_comes_from_its_word():
    canon = canonical("純利按年挫18%")
    (n,) = [n for n in find_numbers(canon)]
    read = read_before(canon[:n.start])
    assert (read.sign, read.basis) == (-1, "YearOverYear")
    assert read_before(canonical("收入按年增長")).sign == 1
    assert read_before(canonical("毛利率20.9%，少")).sign == -1  # 「少0.3個百分點」


def test_a_change_verb_that_ends_a_bound_word_is_the_bound():
    """少 is a fall, but 至少 / 最少 (at least) before a figure state a bound and no change."""
    for text in ("門店至少", "回購最少"):
        read = read_before(canonical(text))
        assert not read.change and "change_verb:少" not in read.cues, (text, read)


def test_no_two_entries_of_a_role_share_a_key():
    """An entry whose phrase another entry of its role already matches is dead data."""
    seen: dict[tuple[str, str], str] = {}
    for e in Phrasebook.load().entries:
        if e.role.endswith("template") or "template" in e.attrs:
            continue
        key = (e.role, e.key)
        assert key not in seen, f"{e.id} ({e.source}) repeats {seen[key]}"
        seen[key] = e.id


def test_a_rule_naming_an_unknown_role_is_refused():
    """A misspelt role would match nothing and drop its figures without a word (``basis`` for ``change_basis``)."""
    from kg.phrasebook import PhrasebookError

    with pytest.raises(PhrasebookError, match="no phrasebook entries of role basis"):
        Phrasebook.load().ending_at("yoy-3.2%", 3, "basis")


def test_a_signed_change_after_a_basis_is_a_figure():
    canon = canonical("研發費用8.66億元,yoy-3.2%,qoq+3.0%")
    assert [(n.value, n.unit) for n in find_numbers(canon)] == [(866000000.0, "CNY"), (3.2, "percent"), (3.0, "percent")]
    first = next(n for n in find_numbers(canon) if n.unit == "percent")
    read = read_before(canon[:first.start])
    assert (read.sign, read.basis, read.change) == (-1, "YearOverYear", True)
