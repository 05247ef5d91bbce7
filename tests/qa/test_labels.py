"""Which label names an entity: one rule (``qa.pick_label``) for answers and for the web's entity pages."""
from __future__ import annotations

import pytest

from qa import pick_label
from qa.graph import GraphIndex

LABELS = {"zh-Hant": "騰訊雲", "en": "Tencent Cloud"}


@pytest.mark.parametrize("by_lang, lang, english, expected", [
    (LABELS, "zh-Hant", None, "騰訊雲"),                      # the language asked
    (LABELS, "zh-Hans", None, "腾讯云"),                      # the other Chinese script, converted
    ({"zh-Hans": "腾讯云"}, "zh-Hant", None, "騰訊雲"),
    ({"zh-Hant": "騰訊雲"}, "en", "Tencent Cloud (gloss)", "Tencent Cloud (gloss)"),  # an English gloss
    ({"zh-Hant": "騰訊雲"}, "en", None, "騰訊雲"),              # no English at all: the Chinese name
    ({"": "Hunyuan"}, "zh-Hans", None, "Hunyuan"),           # untagged
    ({"ja": "テンセント"}, "en", None, "テンセント"),           # any label before the IRI's local name
    ({}, "en", None, "tencent-cloud"),
])
def test_label_order(by_lang, lang, english, expected):
    assert pick_label(by_lang, lang, "tencent-cloud", english=english) == expected


def test_the_index_names_every_entity_by_the_same_rule(corpus_store):
    g = GraphIndex.build(corpus_store)
    assert g.labels, "the corpus store has labelled entities"
    for iri, by_lang in list(g.labels.items())[:300]:
        for lang in ("zh-Hant", "zh-Hans", "en"):
            english = g.english.get(iri) if lang == "en" and "en" not in by_lang else None
            assert g.label(iri, lang) == pick_label(by_lang, lang, iri.rsplit("/", 1)[-1], english=english)
    glossed = [iri for iri in g.english if "en" not in g.labels.get(iri, {})]
    assert all(g.label(iri, "en") == g.english[iri] for iri in glossed)
