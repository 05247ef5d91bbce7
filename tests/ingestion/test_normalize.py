from __future__ import annotations

from hypothesis import given, strategies as st

from ingestion.normalize import MASK, normalize
from ingestion.sentences import split_sentences


def test_pinyin_annotations_are_dropped_and_offsets_kept():
    src = "經(jīng)歷了3年,聯(lián)網大廠"
    n = normalize(src)
    assert n.text == "經歷了3年,聯網大廠"
    i = n.text.index("聯網")
    assert n.quote(i, i + 2) == "聯(lián)網"


def test_html_is_stripped_with_entities():
    src = "<html><body><p>Tencent &amp; Alibaba</p><script>var x = 42;</script><p>rose 5%</p></body></html>"
    n = normalize(src)
    assert "42" not in n.text and "Tencent & Alibaba" in n.text and "rose 5%" in n.text
    i = n.text.index("&")
    assert n.quote(i, i + 1) == "&amp;"


def test_full_width_forms_are_unified():
    assert normalize("增長２０％，達到").text == "增長20%,達到"


def test_garbled_spans_are_masked():
    n = normalize("效率??焓之惽ぃ瞥鯧lingAI,為創作者提供工具。百度營收增長3%。")
    assert n.garbled and MASK in n.text
    assert "lingAI" not in n.text and "百度營收增長3%" in n.text


def test_sentences_keep_offsets():
    text = "百度營收增長3%。騰訊呢?\nRevenue rose 3.5%. Next."
    for s in split_sentences(text):
        assert text[s.start:s.end] == s.text


@given(st.lists(st.sampled_from(["經", "(jīng)", "歷", "<b>", "</b>", "１", "，", "a", " ", "\n", "??", "&amp;"]), max_size=40))
def test_every_normalised_span_maps_into_the_original(parts):
    src = "".join(parts)
    n = normalize(src)
    assert len(n.offsets) == len(n.text)
    for i in range(len(n.text)):
        a, b = n.span(i, i + 1)
        assert 0 <= a < b <= len(src)
