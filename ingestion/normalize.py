"""Normalise a document's text while keeping a map back to the original characters.

Every edit (HTML removed, inline pinyin dropped, full-width forms unified, garbled
spans masked) is recorded so that a span ``[s, e)`` of the normalised text maps to
``original[orig_start(s):orig_end(e)]``.

>>> n = normalize("經(jīng)歷了３年")
>>> n.text
'經歷了3年'
>>> n.quote(0, 3)
'經(jīng)歷了'
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["NormalizedText", "normalize", "MASK"]

MASK = "\u25a1"  # replaces garbled characters so nothing is read from them

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\(([a-zü" + _TONED + r"]{1,7})\)")
_HTML_HINT = re.compile(r"<(?:html|body|p|div|br|span|h[1-6]|article|li|table|!DOCTYPE)\b", re.I)
_SCRIPT = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.I | re.S)
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|article|section|header|footer|blockquote|title)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^<>]{0,500}>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_BROKEN_TAG = re.compile(r"(?<![\w<])/(?:p|div|span|li|br|b|i|a|h[1-6])>")
# Mojibake: '?' runs inside Chinese text, the replacement character, Latin-1 read of UTF-8.
_GARBLE_START = re.compile(r"\?{2,}|\?[!！]\?|\ufffd|[ÃÂâ][\u0080-\u00bf€™œžŸ]")
_CLAUSE_END = re.compile(r"[,，。；;！!？\n「」『』]")
_KANA = re.compile(r"[\u3041-\u30ff]")


@dataclass
class NormalizedText:
    """Normalised text, the original, and the map between them."""

    original: str
    text: str
    offsets: list[int]  # offsets[i] = where text[i] starts in original
    garbled: list[tuple[int, int]] = field(default_factory=list)  # spans in text
    base: int = 0  # where the body starts in the original (after front matter)
    ends: list[int] = field(default_factory=list)  # ends[i] = where text[i] ends in original

    def orig_start(self, i: int) -> int:
        return self.offsets[i] if i < len(self.offsets) else len(self.original)

    def orig_end(self, j: int) -> int:
        if j <= 0:
            return self.orig_start(0)
        return self.ends[j - 1] if self.ends else self.offsets[j - 1] + 1

    def span(self, s: int, e: int) -> tuple[int, int]:
        """The original span of the normalised span ``[s, e)``."""
        return self.orig_start(s), self.orig_end(e)

    def quote(self, s: int, e: int) -> str:
        a, b = self.span(s, e)
        return self.original[a:b]

    def is_garbled(self, s: int, e: int) -> bool:
        return any(a < e and s < b for a, b in self.garbled)


Edit = tuple[int, int, str]  # replace text[start:end] by the string


def _apply(text: str, offsets: list[int], edits: list[Edit], ends: list[int] | None = None
           ) -> tuple[str, list[int], list[int]]:
    """Apply edits; every output character keeps the original span it stands for."""
    ends = ends if ends is not None else [o + 1 for o in offsets]
    if not edits:
        return text, offsets, ends
    edits.sort()
    out: list[str] = []
    out_offsets: list[int] = []
    out_ends: list[int] = []
    pos = 0
    for start, end, repl in edits:
        if start < pos:  # overlapping edit: the first one wins
            continue
        out.append(text[pos:start])
        out_offsets.extend(offsets[pos:start])
        out_ends.extend(ends[pos:start])
        anchor = offsets[start] if start < len(offsets) else (ends[-1] if ends else 0)
        last = ends[end - 1] if end > start else anchor
        out.append(repl)
        out_offsets.extend([anchor] * len(repl))
        out_ends.extend([last] * len(repl))
        pos = end
    out.append(text[pos:])
    out_offsets.extend(offsets[pos:])
    out_ends.extend(ends[pos:])
    return "".join(out), out_offsets, out_ends


def _strip_html(text: str, offsets: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    edits: list[Edit] = []
    for rx, repl in ((_COMMENT, ""), (_SCRIPT, ""), (_BLOCK_TAG, "\n"), (_TAG, "")):
        for m in rx.finditer(text):
            edits.append((m.start(), m.end(), repl))
    text, offsets, ends = _apply(text, offsets, _dedupe(edits), ends)
    ent = [(m.start(), m.end(), html.unescape(m.group()).replace("\xa0", " "))
           for m in _ENTITY.finditer(text)]
    return _apply(text, offsets, ent, ends)


def _dedupe(edits: list[Edit]) -> list[Edit]:
    edits.sort(key=lambda e: (e[0], -(e[1] - e[0])))
    kept: list[Edit] = []
    end = -1
    for e in edits:
        if e[0] >= end:
            kept.append(e)
            end = e[1]
    return kept


def _fullwidth(text: str, offsets: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    edits: list[Edit] = []
    for i, ch in enumerate(text):
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            edits.append((i, i + 1, unicodedata.normalize("NFKC", ch)))
        elif o == 0x3000 or o == 0xA0:
            edits.append((i, i + 1, " "))
    return _apply(text, offsets, edits, ends)


def _mask_garbled(text: str, zh: bool) -> tuple[str, list[tuple[int, int]]]:
    spans: list[tuple[int, int]] = []
    starts = [m.start() for m in _GARBLE_START.finditer(text)]
    if zh:
        starts += [m.start() for m in _KANA.finditer(text)]
    for s in sorted(starts):
        if spans and s < spans[-1][1]:
            continue
        # a garbled run reaches back over rare neighbours to the clause start? no: only
        # forward, to the end of the clause, since the bytes after it are misaligned.
        m = _CLAUSE_END.search(text, s + 1)
        e = m.start() if m else len(text)
        while e < len(text) and text[e] in "?!！":
            e += 1
        spans.append((s, e))
    if not spans:
        return text, spans
    chars = list(text)
    for s, e in spans:
        for i in range(s, e):
            if chars[i] != "\n":
                chars[i] = MASK
    return "".join(chars), spans


def normalize(original: str, base: int = 0, *, html_input: bool | None = None) -> NormalizedText:
    """Normalise ``original[base:]``; offsets still index ``original``."""
    body = original[base:]
    text, offsets = body, list(range(base, len(original)))
    ends = [o + 1 for o in offsets]
    if html_input or (html_input is None and _HTML_HINT.search(body)):
        text, offsets, ends = _strip_html(text, offsets, ends)
    text, offsets, ends = _apply(text, offsets, [(m.start(), m.end(), "") for m in _BROKEN_TAG.finditer(text)], ends)
    text, offsets, ends = _apply(text, offsets, [(m.start(), m.end(), "") for m in _PINYIN.finditer(text)], ends)
    text, offsets, ends = _fullwidth(text, offsets, ends)
    han = sum(1 for ch in text[:4000] if "\u4e00" <= ch <= "\u9fff")
    zh = han > 20
    text, garbled = _mask_garbled(text, zh)
    return NormalizedText(original=original, text=text, offsets=offsets, garbled=garbled, base=base, ends=ends)
