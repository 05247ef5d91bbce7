"""Every clause word of the phrasebook (names.yaml) rejects its positive candidate names and leaves its negative ones."""
from __future__ import annotations

import pytest

from ingestion.entities import is_clause_fragment
from kg.phrasebook import Phrasebook
from kg.text import canonical

ENTRIES = Phrasebook.load().of("name_stop")


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_name_stop_examples(entry):
    assert entry.pos and entry.neg, f"{entry.id} ({entry.source}) needs a positive and a negative example"
    for name in entry.pos:
        assert is_clause_fragment(canonical(name)), f"{name!r} is not rejected as a clause fragment"
    for name in entry.neg:
        assert not is_clause_fragment(canonical(name)), f"{name!r} is rejected although it is a name"



COMPANY_WORDS = Phrasebook.load().of("company_word")
SAY_VERBS = Phrasebook.load().of("say_verb")


def _reads_company(text: str) -> bool:
    """Whether ``text`` holds a company word read as the article's company."""
    from ingestion.facts import company_words
    from kg.lexicon import EntityRef

    company = EntityRef("https://w3id.org/kgqa/resource/acme", "Organization", "Acme")
    found = company_words(canonical(text), [], company)
    assert all(m.ref == company for m in found)
    return bool(found)


@pytest.mark.parametrize("entry", COMPANY_WORDS, ids=[e.id for e in COMPANY_WORDS])
def test_company_word_examples(entry):
    assert entry.pos and entry.neg
    assert all(_reads_company(t) for t in entry.pos), f"{entry.id}: not read as the article's company in {entry.pos}"
    assert not any(_reads_company(t) for t in entry.neg), f"{entry.id}: read as the article's company in {entry.neg}"


@pytest.mark.parametrize("entry", SAY_VERBS, ids=[e.id for e in SAY_VERBS])
def test_say_verb_examples(entry):
    """A company word before a speech verb names the speaker, not the topic."""
    assert entry.pos and entry.neg
    assert not any(_reads_company(t) for t in entry.pos), f"{entry.id}: the speaker was read as the topic in {entry.pos}"
    assert all(_reads_company(t) for t in entry.neg), f"{entry.id}: the company word was not read in {entry.neg}"
