"""Script-insensitive text matching shared by ingestion and question answering.

``canonical`` folds Traditional to Simplified and case, keeping the length, so that an
index into the canonical text is an index into the text it came from.

>>> canonical("阿里雲 Kling AI")
'阿里云 kling ai'
>>> pairs = [("阿里雲", "a"), ("阿里", "b"), ("Kling AI", "k")]
>>> m = PhraseMatcher((k, v) for label, v in pairs for k in phrase_keys(label))
>>> [(h.start, h.end, h.value) for h in m.find_all(canonical("阿里雲和KlingAI"))]
[(0, 3, 'a'), (4, 11, 'k')]
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["canonical", "to_script", "script_of", "PhraseMatcher", "Hit", "phrase_keys"]

T = TypeVar("T")


@functools.lru_cache(maxsize=4)
def _converter(config: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(config)


def to_script(text: str, script: str) -> str:
    """Convert Chinese text to ``zh-Hans`` or ``zh-Hant`` (other values: unchanged)."""
    if script == "zh-Hans":
        return _converter("t2s").convert(text)
    if script == "zh-Hant":
        return _converter("s2t").convert(text)
    return text


def canonical(text: str) -> str:
    """Simplified script, lower case, full-width forms folded; same length as ``text``."""
    folded = "".join(
        unicodedata.normalize("NFKC", c) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text
    )
    conv = _converter("t2s").convert(folded)
    if len(conv) != len(folded):  # a phrase conversion changed the length: go char by char
        t2s = _converter("t2s")
        conv = "".join(t2s.convert(c) if len(t2s.convert(c)) == 1 else c for c in folded)
    return conv.lower()


_HAN = re.compile(r"[\u4e00-\u9fff]")


def script_of(text: str, default: str = "zh-Hant") -> str:
    """``en`` when there is no Chinese, else ``zh-Hans`` or ``zh-Hant`` by which it is.

    >>> script_of("百度營收"), script_of("百度营收"), script_of("Baidu revenue")
    ('zh-Hant', 'zh-Hans', 'en')
    """
    han = _HAN.findall(text)
    if not han:
        return "en"
    s = "".join(han)
    simp = _converter("t2s").convert(s)
    trad = _converter("s2t").convert(s)
    changed_to_simp = sum(a != b for a, b in zip(s, simp))
    changed_to_trad = sum(a != b for a, b in zip(s, trad))
    if changed_to_simp == changed_to_trad:
        return default  # the same in both scripts: the caller's context decides
    return "zh-Hant" if changed_to_simp > changed_to_trad else "zh-Hans"


def _is_word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def phrase_keys(label: str, *, compounds: bool = True) -> set[str]:
    """The canonical keys under which a label is matched (with and without spaces; an English compound
    also in the singular and hyphenated, as it stands before a noun, unless ``compounds`` is off: the
    phrasebook lists each form it means as an entry of its own).

    >>> sorted(phrase_keys("mobile games"))
    ['mobile game', 'mobile games', 'mobile-game', 'mobile-games', 'mobilegames']
    """
    c = " ".join(canonical(label).split())
    keys = {c}
    if " " in c:
        keys.add(c.replace(" ", ""))
    if "-" in c:
        keys.add(c.replace("-", " "))
        keys.add(c.replace("-", ""))
        keys.add(" ".join(c.replace("-", " - ").split()))  # "year - on - year", 「京東集團 - SW」 as some sites space it
    words = c.split(" ")
    if compounds and len(words) > 1 and c.isascii() and all(w.isalpha() for w in words):
        # an English compound used as a modifier: "mobile-game revenue" for "mobile games"
        last = words[-1]
        single = last[:-3] + "y" if last.endswith("ies") else last[:-1] if last.endswith("s") and not last.endswith("ss") else last
        for form in {c, " ".join([*words[:-1], single])}:
            keys.update((form, form.replace(" ", "-")))
    return {k for k in keys if k}


@dataclass(frozen=True)
class Hit(Generic[T]):
    start: int
    end: int
    key: str
    value: T


class PhraseMatcher(Generic[T]):
    """Longest-match dictionary scanner over canonical text.

    Keys that begin or end with a Latin letter or digit only match at word edges.
    """

    def __init__(self, entries: dict[str, T] | Iterable[tuple[str, T]] = ()) -> None:
        self._table: dict[str, T] = {}
        self._lengths: dict[str, list[int]] = {}
        self._starts: re.Pattern[str] | None = None  # built on demand from the keys' first characters
        items = entries.items() if isinstance(entries, dict) else entries
        for key, value in items:
            self.add(key, value)

    def items(self) -> Iterable[tuple[str, T]]:
        """Every key and its value."""
        return self._table.items()

    def add(self, key: str, value: T, *, replace: bool = False) -> None:
        """Match ``key`` as ``value``; a key already present keeps its value unless ``replace``."""
        if not key:
            return
        if replace:
            self._table[key] = value
        else:
            self._table.setdefault(key, value)
        lens = self._lengths.get(key[0])
        if lens is None:
            lens = self._lengths[key[0]] = []
            self._starts = None
        if len(key) not in lens:
            lens.append(len(key))
            lens.sort(reverse=True)

    def _start_pattern(self) -> re.Pattern[str]:
        """Where a key may begin: its first character, after a non-word character if that is a word character.

        A key whose first character is a Latin letter or digit never matches right after
        another one (``match_at`` rejects it), so such positions are skipped here too.
        """
        if self._starts is None:
            word = "".join(sorted(c for c in self._lengths if _is_word(c)))
            other = "".join(sorted(c for c in self._lengths if not _is_word(c)))
            alts = []
            if other:
                alts.append("[" + "".join(_class_char(c) for c in other) + "]")
            if word:
                alts.append("(?<![0-9A-Za-z])[" + "".join(_class_char(c) for c in word) + "]")
            self._starts = re.compile("|".join(alts) if alts else "(?!)")
        return self._starts

    def next_start(self, text: str, start: int = 0, end: int | None = None) -> int:
        """The first index in ``text[start:end]`` where some key may match (``-1``: none).

        Every index where ``match_at`` finds a hit is a candidate, so scanning candidates
        only gives the same hits as trying every index.

        >>> PhraseMatcher([("ab", 1), ("云", 2)]).next_start("xx cab ab 云", 0)
        7
        """
        m = self._start_pattern().search(text, start, len(text) if end is None else end)
        return -1 if m is None else m.start()

    def __contains__(self, key: str) -> bool:
        return key in self._table

    def get(self, key: str) -> T | None:
        return self._table.get(key)

    def __len__(self) -> int:
        return len(self._table)

    def match_at(self, text: str, i: int) -> Hit[T] | None:
        lens = self._lengths.get(text[i])
        if not lens:
            return None
        for n in lens:
            key = text[i:i + n]
            if len(key) == n and key in self._table:
                if _is_word(key[0]) and i > 0 and _is_word(text[i - 1]):
                    continue
                if _is_word(key[-1]) and i + n < len(text) and _is_word(text[i + n]):
                    continue
                return Hit(i, i + n, key, self._table[key])
        return None

    def find_all(self, text: str, start: int = 0, end: int | None = None) -> Iterator[Hit[T]]:
        """Non-overlapping longest matches, left to right."""
        stop = len(text) if end is None else end
        search = self._start_pattern().search
        i = start
        while i < stop:
            m = search(text, i, stop)
            if m is None:
                return
            i = m.start()
            hit = self.match_at(text, i)
            if hit is not None and hit.end <= stop:
                yield hit
                i = hit.end
            else:
                i += 1


def _class_char(c: str) -> str:
    """``c`` written safely inside a regular-expression character class."""
    return "\\" + c if c in "\\]^-[" else c
