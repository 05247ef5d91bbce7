"""Every number in an answer must be a retrieved fact's number or computed from them; an LLM's
text must also name only the facts' periods and entities."""
from __future__ import annotations

import re

from kg.lexicon import Lexicon
from kg.periods import find_periods
from kg.text import canonical

from .answer import Fact

__all__ = ["unsupported_numbers", "unsupported_claims", "numbers_in"]

_NUM = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?")
# Free text: a number may follow a Chinese character directly ("達324.5億元"), not a Latin one ("Q1").
_NUM_ANY = re.compile(r"(?<![A-Za-z0-9_.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![A-Za-z0-9_.])\d+(?:\.\d+)?")


def _numbers(text: str, rx: re.Pattern[str] = _NUM) -> set[str]:
    return {m.group().replace(",", "") for m in rx.finditer(text)}


def numbers_in(text: str) -> set[str]:
    """Every number written in a free text, Chinese or English.

    >>> sorted(numbers_in("百度營收達324.5億元, up 3% in Q1 2025"))
    ['2025', '3', '324.5']
    """
    return _numbers(text, _NUM_ANY)


def unsupported_numbers(answer: str, facts: list[Fact], computed: list[float] = (),  # type: ignore[assignment]
                        *, strict: bool = False) -> list[str]:
    """Numbers in the answer that no fact (value, change, period, quote) nor a computation supports.

    ``strict`` also finds numbers written right after Chinese characters (used for LLM text).
    """
    rx = _NUM_ANY if strict else _NUM
    allowed = _supported(facts, computed, rx)
    return [n for n in _numbers(answer, rx) if n not in allowed and _plain(float(n)) not in allowed]


def _supported(facts: list[Fact], computed: list[float], rx: re.Pattern[str]) -> set[str]:
    allowed: set[str] = set()
    for f in facts:
        for text in (f.as_written, f.period, f.qualitative, f.object_label, f.subject_label,
                     f.source.quote if f.source else None, f.qualifier):
            if text:
                allowed |= _numbers(text, rx)
        for v in (f.value, f.change):
            if v is None:
                continue
            for scaled in _scalings(v):
                allowed.add(_plain(scaled))
    for v in computed:
        for scaled in _scalings(v):
            allowed.add(_plain(scaled))
    return allowed


_CN_NUM = re.compile(r"[零〇一二两三四五六七八九十百千万亿点]{2,}")


def _unsupported_words(canon: str, allowed: set[str]) -> list[str]:
    """Figures written in Chinese numerals ("三百二十四亿"), checked by value like digits."""
    import cn2an

    out = []
    for m in _CN_NUM.finditer(canon):
        run = m.group()
        if m.start() > 0 and canon[m.start() - 1] == "第":  # an ordinal, not a figure
            continue
        try:
            v = float(cn2an.cn2an(run, "smart"))
        except (ValueError, KeyError, IndexError):
            if re.search(r"[点万亿]", run):  # a figure cn2an cannot read: not verifiable, so not allowed
                out.append(run)
            continue
        if _plain(v) not in allowed and not any(_plain(v / d) in allowed for d in (1e8, 1e4)):
            out.append(run)
    return out


def _scalings(v: float) -> tuple[float, ...]:
    """A figure as an answer may write it: as is, in percent, in 億/萬/billion/million, without its sign."""
    a = abs(v)
    return (v, v * 100, v / 1e8, v / 1e4, v / 1e9, v / 1e6, a, a * 100, a / 1e8, a / 1e4, a / 1e9, a / 1e6)


def _plain(x: float) -> str:
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return s or "0"


def unsupported_claims(text: str, facts: list[Fact], computed: list[float] = (), *,  # type: ignore[assignment]
                       lexicon: Lexicon | None = None, entities: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """What a free text (an LLM's phrasing) claims beyond the facts: numbers, periods, entities.

    ``entities`` are the IRIs the text may name besides the facts' own subjects and objects
    (the question's entities, the owners of the facts' subjects). Each problem is one short
    reason; an empty list means every number, period and named entity is supported.

    >>> f = Fact(iri="o", subject="x", subject_label="Acme", source=None, period="2025-Q1", value=3e9,
    ...          as_written="30億元")
    >>> unsupported_claims("Acme's 2025 Q1 revenue was 30億元.", [f])
    []
    >>> unsupported_claims("Acme's revenue was 31億元 in Q2 2025.", [f])
    ['number 31', 'period 2025-Q2']
    >>> unsupported_claims("Acme營收為三十億元。", [f]), unsupported_claims("Acme營收為四十億元。", [f])
    ([], ['number 四十亿'])
    """
    canon = canonical(text)
    problems: list[str] = []
    blank = list(text)  # numbers inside named entities and periods are checked as those, not as figures
    keys: set[str] = set()  # the facts' periods, their years, and periods their quotes name
    for f in facts:
        if f.period:
            keys |= {f.period, f.period.split("-")[0].removeprefix("FY")}
        if f.source is not None:
            keys |= {e.period.key for e in find_periods(canonical(f.source.quote)) if e.period is not None}
    for expr in find_periods(canon):
        p = expr.period
        if p is not None and p.key not in keys:
            problems.append(f"period {p.key}")
        blank[expr.start:expr.end] = " " * (expr.end - expr.start)
    if lexicon is not None:
        allowed = set(entities) | {f.subject for f in facts} | {f.object for f in facts if f.object}
        names = {canonical(x) for f in facts for x in (f.subject_label, f.object_label) if x}
        for hit in lexicon.entities.find_all(canon):
            if re.fullmatch(r"[a-z]{1,2}", hit.key):
                continue
            if not (hit.value.iri in allowed or hit.key in names or any(hit.key in n for n in names)):
                problems.append(f"entity {text[hit.start:hit.end]}")
            blank[hit.start:hit.end] = " " * (hit.end - hit.start)
    rest = "".join(blank)
    problems[:0] = [f"number {n}" for n in unsupported_numbers(rest, facts, computed, strict=True)] + [
        f"number {w}" for w in _unsupported_words(canonical(rest), _supported(facts, computed, _NUM_ANY))]
    return problems
