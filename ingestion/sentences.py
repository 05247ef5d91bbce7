"""Split normalised text into sentences and paragraphs, keeping offsets."""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences"]

# A sentence ends at Chinese or Western terminal punctuation (not a decimal point); a point after a
# number ends one when a capitalised word follows it ("in the three months ended Dec. 31. Shares rose").
_END = re.compile(r"[。！？；;!?]+[」』”\"']?|(?<![\d\s])\.(?=\s|$)(?!\s+[a-z])|(?<=\d)\.(?=[ \t]+[A-Z][a-z])|\n")
# A capitalised word of one to four letters before a point and a number after it is an
# abbreviation that the number completes ("Sept. 30", "Dec. 31, 2024", "No. 3"), not a sentence end.
_ABBREV_BEFORE = re.compile(r"(?<![A-Za-z])[A-Z][a-z]{0,3}$")
_NUMBER_AFTER = re.compile(r"[ \t]+\d")


@dataclass(frozen=True)
class Sentence:
    start: int  # in the normalised text
    end: int
    text: str
    paragraph: int
    index: int


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of a normalised text, with their paragraph number.

    >>> [s.text for s in split_sentences("百度營收增長3%。騰訊呢?\\nRevenue rose 3.5%. Next.")]
    ['百度營收增長3%。', '騰訊呢?', 'Revenue rose 3.5%.', 'Next.']
    >>> [s.text for s in split_sentences("Sales in the three months to Sept. 30 rose. Next.")]
    ['Sales in the three months to Sept. 30 rose.', 'Next.']
    """
    out: list[Sentence] = []
    paragraph = 0
    pos = 0
    n = len(text)
    for m in _END.finditer(text):
        if m.group() == "." and _NUMBER_AFTER.match(text, m.end()) \
                and _ABBREV_BEFORE.search(text, max(0, m.start() - 5), m.start()):
            continue
        end = m.end() if m.group() != "\n" else m.start()
        _emit(text, pos, end, paragraph, out)
        if m.group() == "\n":
            paragraph += 1
        pos = m.end()
    if pos < n:
        _emit(text, pos, n, paragraph, out)
    return out


def _emit(text: str, start: int, end: int, paragraph: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end], paragraph, len(out)))
