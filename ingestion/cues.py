"""What the words right before a figure say about it: a change (its sign and basis), a level, an estimate.

The grammar is here; the words are the phrasebook's (``ontology/phrases/changes.yaml`` and
the bounds of ``numbers.yaml``). All patterns work on canonical text (Simplified, lower
case) and are anchored at the end of the text before the number, so each costs time in
proportion to the few characters it looks at, never to the sentence.

>>> read_before("收入按年挫").sign, read_before("收入按年挫").basis
(-1, 'YearOverYear')
>>> read_before("revenue jumped").sign
1
>>> read_before("收入达").level
True
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kg.phrasebook import Phrasebook

__all__ = ["BeforeFigure", "CUE_WINDOW", "read_before", "change_after", "basis_in", "estimate_after", "estimate_before", "prior_before"]

_WINDOW = CUE_WINDOW = 24  # characters before a number the cues are looked for in


@dataclass(frozen=True)
class BeforeFigure:
    """The cues that end right before a number."""

    sign: int = 0  # +1 / -1 when a change verb or noun introduces the number, else 0
    basis: str | None = None  # YearOverYear / QuarterOverQuarter written with the verb
    level: bool = False  # a value cue (為, 至, reached, to) introduces it: a level, not a change
    noun: bool = False  # the change is named by a noun (增幅, growth of)
    better: bool = False  # the verb says better or worse (改善, worsened): a loss that improves falls
    cues: tuple[str, ...] = ()  # phrasebook entry ids that were read

    @property
    def change(self) -> bool:
        return self.sign != 0 and not self.level


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    book = Phrasebook.load()
    alt = book.alternation
    bound = alt("bound_before")
    verb = (rf"(?:(?P<basis>{alt('change_basis')})\s*)?(?:(?:{alt('change_degree')})\s*)*"
            rf"(?P<verb>{alt('change_verb')})\s*(?:(?:{alt('change_degree')}|{alt('change_link')})\s*)*"
            rf"(?:(?:{bound})\s*)*$")
    # 「跌幅擴大到5%」, 「漲幅收窄至0.4%」: a verb after the noun says how the change moved, the figure is the change
    noun = (rf"(?:(?P<basis>{alt('change_basis')})\s*)?(?P<noun>{alt('change_noun')})\s*"
            rf"(?:(?:{alt('change_degree')})\s*)*(?:(?:{alt('change_verb')})\s*(?:{alt('value_cue')})\s*)?"
            rf"(?:(?:{alt('change_degree')}|{alt('value_cue')})\s*)*(?:(?:{bound})\s*)*$")
    level = rf"(?P<level>{alt('value_cue')})\s*(?:(?:{bound})\s*)*$"
    basis = alt("change_basis")
    return re.compile(verb), re.compile(noun), re.compile(level), re.compile(basis)


@functools.lru_cache(maxsize=1)
def _signed_rx() -> re.Pattern[str]:
    return re.compile(rf"(?P<basis>{Phrasebook.load().alternation('change_basis')})\s*(?P<sign>[-−+])\s*$")


def _entry(role: str, text: str | None):  # -> Phrase | None
    return Phrasebook.load().get(role, text) if text else None


def read_before(before: str) -> BeforeFigure:
    """Read the change or level cue that ends ``before`` (the canonical text up to a number)."""
    verb_rx, noun_rx, level_rx, basis_rx = _patterns()
    tail = before[-_WINDOW:]
    signed = _signed_rx().search(tail)
    if signed is not None:  # 「yoy-3.2%」, 「qoq+5%」: a sign written right after the basis
        basis = _entry("change_basis", " ".join(signed.group("basis").split()))
        if basis is not None:
            return BeforeFigure(sign=-1 if signed.group("sign") in "-−" else 1, basis=basis.get("basis"),
                                cues=(basis.id,))
    m = noun_rx.search(tail)
    v = verb_rx.search(tail)
    if m is not None and (v is None or v.start() >= m.start()):  # 「按年增長」 is the verb with its basis, not 「年增長」
        noun = _entry("change_noun", " ".join(m.group("noun").split()))
        basis = _entry("change_basis", m.group("basis"))
        cues = tuple(e.id for e in (noun, basis) if e is not None)
        return BeforeFigure(sign=int(noun.get("sign", 1)) if noun else 1,
                            basis=basis.get("basis") if basis else None, noun=True, cues=cues)
    lv = level_rx.search(tail)
    m = v
    if m is not None and _longer_phrase(tail, m, "bound_before") is not None:
        m = None  # 「至少30家」, 「最少20億元」: the verb's word ends a bound (at least), which says no change
    if m is not None and (lv is None or m.start("verb") >= lv.start()):
        verb = _entry("change_verb", " ".join(m.group("verb").split()))
        basis = _entry("change_basis", m.group("basis")) or _longer_phrase(tail, m, "change_basis")  # 「年增16%」
        cues = tuple(e.id for e in (verb, basis) if e is not None)
        return BeforeFigure(sign=int(verb.get("sign", 1)) if verb else 1,
                            basis=basis.get("basis") if basis else None, cues=cues,
                            better=bool(verb and verb.get("sense") == "better"))
    if lv is not None:
        entry = _entry("value_cue", " ".join(lv.group("level").split()))
        return BeforeFigure(level=True, cues=(entry.id,) if entry else ())
    return BeforeFigure()


def _longer_phrase(tail: str, v: re.Match[str], role: str):  # -> Phrase | None
    """The entry of ``role`` that ends where the matched verb ends and starts before it: the verb's word is the
    end of that longer one (少 in 至少 is a bound; 增 in 年增 is a basis fused with the verb)."""
    hit = Phrasebook.load().ending_at(tail, v.end("verb"), role)
    return hit[1] if hit is not None and hit[0] < v.start("verb") else None


@functools.lru_cache(maxsize=1)
def _after_rx() -> re.Pattern[str]:
    alt = Phrasebook.load().alternation
    return re.compile(rf"\s*(?:的)?\s*(?:(?P<basis>{alt('change_basis')})\s*)?"
                      rf"(?P<word>{alt('change_noun', 'change_verb')})")


def change_after(after: str) -> BeforeFigure | None:
    """A change word right after a figure (「1.5%增長」, 「4.2%的同比負增長」): the figure is that change."""
    m = _after_rx().match(after[:_WINDOW])
    if m is None:
        return None
    word = " ".join(m.group("word").split())
    entry = _entry("change_noun", word) or _entry("change_verb", word)
    if entry is None or _level_next().match(after, m.end()) or _figure_next().match(after, m.end()):
        return None  # 「從1.0%躍升至3.0%」, 「2,410.5元下降2.9%」: the figure is where the change started
    basis = _entry("change_basis", m.group("basis"))
    basis_kind = basis.get("basis") if basis else None
    cues = tuple(e.id for e in (entry, basis) if e is not None)
    if basis_kind is None:
        found = basis_in(after[:m.end() + 2])  # 「三位數年增長」: the basis runs into the verb
        if found is not None:
            basis_kind, cues = found[0], (*cues, found[1])
    return BeforeFigure(sign=int(entry.get("sign", 1)), basis=basis_kind, cues=cues)


@functools.lru_cache(maxsize=1)
def _figure_next() -> re.Pattern[str]:
    alt = Phrasebook.load().alternation
    return re.compile(rf"\s*(?:{alt('change_degree')}\s*)*(?:(?:{alt('bound_before')})\s*)*\d")


@functools.lru_cache(maxsize=1)
def _level_next() -> re.Pattern[str]:
    alt = Phrasebook.load().alternation
    return re.compile(rf"\s*(?:{alt('change_degree')}\s*)*(?:{alt('value_cue')})")


def basis_in(text: str) -> tuple[str, str] | None:
    """The first basis of comparison written in ``text``: (YearOverYear|QuarterOverQuarter, entry id)."""
    m = _patterns()[3].search(text)
    if m is None:
        return None
    entry = _entry("change_basis", " ".join(m.group().split()))
    return (str(entry.get("basis")), entry.id) if entry else None


@functools.lru_cache(maxsize=8)
def _role_tail(role: str) -> re.Pattern[str]:
    alt = Phrasebook.load().alternation
    return re.compile(rf"(?P<cue>{alt(role)})\s*(?:(?:{alt('value_cue')}|{alt('bound_before')})\s*)*"
                      r"(?:[^\d\s,，;；。]{0,6}?)\s*$")


def estimate_before(before: str) -> tuple[str, str] | None:
    """An estimate cue (預估, 市場預期, estimates of) right before a figure: (kind, entry id)."""
    m = _role_tail("consensus_cue").search(before[-_WINDOW:])
    if m is None:
        return None
    entry = _entry("consensus_cue", " ".join(m.group("cue").split()))
    return (str(entry.get("estimate", "consensus")), entry.id) if entry else None


@functools.lru_cache(maxsize=1)
def _estimate_after_rx() -> re.Pattern[str]:
    return re.compile(rf"\s*的?\s*(?P<cue>{Phrasebook.load().alternation('consensus_cue', 'consensus_after')})")


def estimate_after(after: str) -> tuple[str, str] | None:
    """An estimate cue right after a figure (「遜於42.0億元的市場預期」): (kind, entry id)."""
    m = _estimate_after_rx().match(after[:_WINDOW])
    if m is None:
        return None
    cue = " ".join(m.group("cue").split())
    entry = _entry("consensus_cue", cue) or _entry("consensus_after", cue)
    return (str(entry.get("estimate", "consensus")), entry.id) if entry else None


@functools.lru_cache(maxsize=1)
def _after_change_rx() -> re.Pattern[str]:
    """「from」 after a change verb, or after the figure the verb moved to: "decreased from 25%", "rose to 21.5% from"."""
    alt = Phrasebook.load().alternation
    return re.compile(rf"(?:{alt('change_verb')})\s*(?:(?:{alt('value_cue')})\s*[\d.,][^,;，；。]{{0,36}}?\s)?"
                      rf"(?P<cue>{alt('prior_after_change')})\s*$")


def prior_before(before: str) -> str | None:
    """The entry id of a prior-value cue (由, 從, up from) a few characters before a figure."""
    tail = before[-_WINDOW:]
    m = _role_tail("prior_cue").search(tail)
    if m is None:
        after = _after_change_rx().search(before[-3 * _WINDOW:])
        entry = _entry("prior_after_change", " ".join(after.group("cue").split())) if after else None
        return entry.id if entry else None
    rest = tail[m.end("cue"):]
    if rest.strip() and _patterns()[2].search(rest) and not _patterns()[2].match(rest.strip()):
        return None  # 「自由現金流為240億美元」: a value cue after the words that follow 由 states a level
    entry = _entry("prior_cue", " ".join(m.group("cue").split()))
    return entry.id if entry else None
