"""Find and read number expressions: amounts, percentages, points, multiples, counts, ranges.

Works on canonical text (Simplified, lower case; see ``kg.text.canonical``). The words
around the digits (scales, currencies, units, bounds, 成, 三位數…) come from the
phrasebook (``ontology/phrases/numbers.yaml``); each expression records the entries it
used in ``cues``.

>>> [(n.value, n.unit, n.bound) for n in find_numbers("营收达324.5亿元,同比增长3%,超1万家客户")]
[(32450000000.0, 'CNY', None), (3.0, 'percent', None), (10000.0, 'count', 'MoreThan')]
>>> [(n.value, n.unit) for n in find_numbers("revenue of us$1.2 billion, up 5 percentage points")]
[(1200000000.0, 'USD'), (5.0, 'pp')]
>>> [(n.value, n.unit, n.bound) for n in find_numbers("末期息增逾四成,影响1至2个百分点")]
[(40.0, 'percent', 'MoreThan'), (1.0, 'pp', 'AtLeast'), (2.0, 'pp', 'AtMost')]
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from kg.numerals import chinese_int, chinese_number
from kg.phrasebook import Phrase, Phrasebook

__all__ = ["NumberExpr", "find_numbers", "CN_DIGITS", "chinese_int"]

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9, "十": 10}
_CURRENCIES = ("CNY", "USD", "HKD", "EUR", "JPY", "GBP", "SGD", "TWD")


@dataclass(frozen=True)
class NumberExpr:
    start: int
    end: int
    value: float | None
    unit: str  # a currency code, percent pp multiple count ratio plain Kilometre
    bound: str | None = None
    qualitative: str | None = None
    per_quantity: float | None = None
    per_unit: str | None = None
    chinese: bool = False
    cues: tuple[str, ...] = ()
    range_end: int | None = None  # for the lower figure of a range, the start of the upper one
    per_share: bool = False  # "43.92美元/股", "a share"

    @property
    def is_currency(self) -> bool:
        return self.unit in _CURRENCIES


# -- the grammar (words come from the phrasebook) --------------------------------------

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN = r"[零〇一二两三四五六七八九十百千]+"


@functools.lru_cache(maxsize=1)
def _grammar() -> dict[str, re.Pattern[str]]:
    b = Phrasebook.load()
    unit_roles = ("percent_unit", "point_unit", "multiple_unit", "count_unit", "distance_unit")
    unit = b.alternation(*unit_roles, left=False)
    scale = b.alternation("scale", left=False)
    return {
        "number": re.compile(
            rf"(?P<pre>{b.alternation('currency_before', right=False)})?\s?(?P<neg>(?<![a-z0-9.%)])[-−])?(?P<num>{_DIGITS})"
            rf"(?P<mid>{b.alternation('bound_mid')})?"
            rf"(?:\s?(?P<scale>{scale}))?(?:\s?(?P<scale2>{scale}))?"
            rf"(?:\s?(?P<cur>{b.alternation('currency_after', left=False)}))?"
            rf"(?:\s?(?P<unit>{unit}))?"),
        "cn": re.compile(
            rf"(?P<num>{_CN})(?:(?P<frac>{b.alternation('fraction_word')})(?P<num2>{_CN}))?"
            rf"(?P<mid>{b.alternation('bound_mid')})?(?:(?P<scale>{scale}))?(?:(?P<cur>{b.alternation('currency_after')}))?"
            rf"(?:(?P<tenth>{b.alternation('tenth_ratio')})|(?P<unit>{unit}))?"),
        "per_prefix": re.compile(
            rf"(?P<per>{b.alternation('per_word')})\s?(?P<s>{scale})?\s?(?P<obj>{b.alternation('per_object', left=False)})"
            rf"\s?(?P<num>\d+(?:\.\d+)?)\s?(?P<cur>{b.alternation('currency_after', left=False)}|"
            rf"{b.alternation('cent_word', left=False)})"),
        "per_suffix": re.compile(
            rf"\s?/?\s?(?P<per>{b.alternation('per_word')})?\s?(?P<n>\d+(?:\.\d+)?)?\s?(?P<s>{scale})?\s?"
            rf"(?P<obj>{b.alternation('per_object', left=False)})"),
        "discount": re.compile(rf"(?P<num>[一二三四五六七八九]|\d(?:\.\d)?)(?P<w>{b.alternation('discount_word')})"),
        "magnitude": re.compile(rf"(?P<q>[十百千万亿]+)(?P<w>{b.alternation('magnitude_suffix')})"),
        "word": re.compile(rf"(?P<w>{b.alternation('number_word')})[\s-]?(?P<unit>{b.alternation('multiple_unit')})"),
        "qual": re.compile(rf"(?P<pre>[低中高](?:[低中高])?)?(?P<q>{b.alternation('qualitative')})"),
        "fraction": re.compile(r"(?<![\d/.])(?P<a>\d+)/(?P<b>\d+)(?![\d/])"),
        "duration": re.compile(rf"\s?(?:{b.alternation('duration_unit')})"),
        "per_tail": re.compile(rf"\s?(?P<tail>{b.alternation('per_tail')})"),
        "range_sep": re.compile(rf"\s*(?P<sep>{b.alternation('range_sep')})\s*"),
    }


def _entry(role: str, text: str | None) -> Phrase | None:
    return Phrasebook.load().get(role, text) if text else None


def find_numbers(text: str, start: int = 0, end: int | None = None,
                 skip: list[tuple[int, int]] | None = None) -> list[NumberExpr]:
    """Number expressions in ``text[start:end]`` (canonical text), left to right.

    Spans in ``skip`` (periods, entity names) are not read; durations (3个月, 11 quarters),
    times and bare codes in brackets ((0700), 09618.hk) are not figures.
    """
    stop = len(text) if end is None else end
    g = _grammar()
    taken: list[tuple[int, int]] = list(skip or [])
    out: list[NumberExpr] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(expr: NumberExpr) -> None:
        taken.append((expr.start, expr.end))
        out.append(expr)

    for m in g["qual"].finditer(text, start, stop):
        if free(m.start(), m.end()):
            e = _entry("qualitative", m.group("q"))
            add(NumberExpr(m.start(), m.end(), None, "percent", qualitative=m.group(), chinese=not m.group().isascii(),
                           cues=(e.id,) if e else ()))
    for m in g["per_prefix"].finditer(text, start, stop):
        if free(m.start(), m.end()):
            add(_read_per_prefix(m))
    for m in g["discount"].finditer(text, start, stop):
        if free(m.start(), m.end()):
            e = _entry("discount_word", m.group("w"))
            v = chinese_number(m.group("num"))
            if e is not None and v is not None:
                add(NumberExpr(m.start(), m.end(), round(v * float(e.attrs["factor"]), 4), "ratio", chinese=True,
                               cues=(e.id,)))
    for m in g["magnitude"].finditer(text, start, stop):
        if free(m.start(), m.end()):
            e = _entry("magnitude_suffix", m.group("w"))
            add(NumberExpr(m.start(), m.end(), None, "amount", qualitative=m.group(), chinese=True,
                           cues=(e.id,) if e else ()))
    for m in g["word"].finditer(text, start, stop):
        if free(m.start(), m.end()):
            w, u = _entry("number_word", m.group("w")), _entry("multiple_unit", m.group("unit"))
            if w is not None:
                add(NumberExpr(m.start(), m.end(), float(w.attrs["value"]), "multiple",
                               cues=tuple(e.id for e in (w, u) if e is not None)))
    for m in g["fraction"].finditer(text, start, stop):
        b = int(m.group("b"))
        if b and free(m.start(), m.end()) and not text[m.end():m.end() + 1].isalpha():
            add(NumberExpr(m.start(), m.end(), round(int(m.group("a")) / b, 6), "ratio"))
    for m in g["number"].finditer(text, start, stop):
        if not free(m.start("num"), m.end()) or not _plain_ok(text, m):
            continue
        expr = _read_digits(text, m)
        if expr is None:
            continue
        if expr.unit == "plain" and (g["duration"].match(text, expr.end) or _is_code(text, expr)):
            continue
        add(expr)
    for m in g["cn"].finditer(text, start, stop):
        if not (m.group("scale") or m.group("cur") or m.group("unit") or m.group("tenth") or m.group("frac")):
            continue
        if not free(m.start(), m.end()) or (m.group("num") in ("十", "百", "千")
                                            and not (m.group("scale") or m.group("cur") or m.group("mid"))):
            continue
        expr = _read_chinese(text, m)
        if expr is None or (expr.unit in ("plain", "count") and g["duration"].match(text, m.end())):
            continue
        add(expr)
    out.sort(key=lambda n: n.start)
    out = [_with_bound(text, n) for n in out]
    return _ranges(text, out)


def _plain_ok(text: str, m: re.Match[str]) -> bool:
    """Reject digits that belong to a name (R1-1.5B, DeepSeek-V3, GPT-4o, Qwen3-235B)."""
    s, e = m.start("num"), m.end()
    if m.group("pre") is None:
        prev = text[s - 1] if s > 0 else " "
        prev2 = text[s - 2] if s > 1 else " "
        if prev.isascii() and prev.isalpha():
            return False
        if prev in "-_." and prev2.isascii() and prev2.isalnum() and _word_has_letter(text, s - 2) \
                and not _signed_after_basis(text, s):
            return False
        if prev == "/" and prev2.isascii() and prev2 != "%":
            return False  # NTES/09999, 2025/26; but 「165.00美元/256.74港元」, 18.04%/18.42%: one figure in two forms
    nxt = text[e] if e < len(text) else " "
    if nxt.isascii() and nxt.isalpha() and text[e - 1].isascii():
        return False
    if nxt == "-" and e + 1 < len(text) and text[e + 1].isascii() and text[e + 1].isalpha():
        return False
    return True


def _word_has_letter(text: str, i: int) -> bool:
    """Whether the run of Latin letters and digits ending at ``text[i]`` holds a letter (R1, qwen2)."""
    while i >= 0 and text[i].isascii() and text[i].isalnum():
        if text[i].isalpha():
            return True
        i -= 1
    return False


def _signed_after_basis(text: str, s: int) -> bool:
    """``yoy+6.5pct``, ``qoq-7%``: a sign right after a change basis."""
    return s >= 2 and text[s - 1] in "+-−" and Phrasebook.load().ending_at(text, s - 1, "change_basis") is not None


def _is_code(text: str, n: NumberExpr) -> bool:
    """A bare integer in brackets or before an exchange suffix: a stock code, not a figure."""
    digits = text[n.start:n.end]
    if not digits.isdigit() or len(digits) < 3:
        return False
    before = text[max(0, n.start - 8):n.start]
    after = text[n.end:n.end + 4]
    return bool(re.search(r"[(\[（:：]\s*$", before) or re.match(r"\.[a-z]{1,2}\b|\s*[)\]）]", after))


def _read_digits(text: str, m: re.Match[str]) -> NumberExpr | None:
    exact = Decimal(m.group("num").replace(",", ""))
    cues: list[str] = []
    for group in ("scale", "scale2"):
        e = _entry("scale", m.group(group))
        if e is not None:
            exact *= Decimal(str(e.attrs["factor"]))
            cues.append(e.id)
    if m.group("neg"):
        exact = -exact
    mid = _entry("bound_mid", m.group("mid"))
    cues += [mid.id] if mid else []
    pre = _entry("currency_before", m.group("pre"))
    cur = _entry("currency_after", m.group("cur"))
    currency = (pre or cur).attrs["code"] if (pre or cur) else None
    cues += [e.id for e in (pre, cur) if e is not None]
    unit_word = m.group("unit")
    unit, scale, ucue = _unit_of(unit_word)
    cues += [ucue] if ucue else []
    value = float(exact) * scale
    if currency:
        unit = currency
    elif unit == "plain" and (m.group("scale") or m.group("scale2")):
        unit = "count"
    end = m.end()
    per_share = False
    per_q = per_u = None
    if currency:
        t = _grammar()["per_suffix"].match(text, end)
        if t and (t.group("n") or t.group("s")):
            per_q = float(t.group("n") or 1)
            se = _entry("scale", t.group("s"))
            per_q *= float(se.attrs["factor"]) if se else 1.0
            per_u = "tokens"
            end = t.end()
            cues += [e.id for e in (_entry("per_word", t.group("per")), se, _entry("per_object", t.group("obj")))
                     if e is not None]
    tail = _grammar()["per_tail"].match(text, end)
    if tail and (currency or unit == "plain"):
        e = _entry("per_tail", tail.group("tail"))
        per_share = bool(e and e.attrs.get("per") == "share")
        cues += [e.id] if e else []
        end = tail.end()
    start = m.start() if m.group("pre") else (m.start("neg") if m.group("neg") else m.start("num"))
    return NumberExpr(start, end, value, unit, bound=mid.attrs["bound"] if mid else None, cues=tuple(cues),
                      per_share=per_share, per_quantity=per_q, per_unit=per_u)


def _read_per_prefix(m: re.Match[str]) -> NumberExpr:
    """每百萬tokens 0.8元: a price per quantity written before the figure."""
    se = _entry("scale", m.group("s"))
    per = float(se.attrs["factor"]) if se else 1.0
    cur = _entry("currency_after", m.group("cur"))
    cent = _entry("cent_word", m.group("cur"))
    value = float(Decimal(m.group("num")) * Decimal(str(cent.attrs["factor"]))) if cent else float(m.group("num"))
    code = cur.attrs["code"] if cur else "CNY"
    cues = tuple(e.id for e in (_entry("per_word", m.group("per")), _entry("per_object", m.group("obj")), se, cur, cent)
                 if e is not None)
    return NumberExpr(m.start(), m.end(), value, code, per_quantity=per, per_unit="tokens", cues=cues)


def _unit_of(word: str | None) -> tuple[str, float, str | None]:
    """(unit, scale, cue id) of a unit word."""
    if not word:
        return "plain", 1.0, None
    b = Phrasebook.load()
    for role, unit in (("percent_unit", "percent"), ("point_unit", "pp"), ("multiple_unit", "multiple"),
                       ("distance_unit", "Kilometre"), ("count_unit", "count")):
        e = b.get(role, word)
        if e is not None:
            return unit, float(e.attrs.get("scale", 1.0)), e.id
    return "count", 1.0, None


def _read_chinese(text: str, m: re.Match[str]) -> NumberExpr | None:
    cues: list[str] = []
    n = chinese_number(m.group("num"))
    if n is None:
        return None
    if m.group("frac"):
        d = chinese_number(m.group("num2") or "")
        if not d:
            return None
        e = _entry("fraction_word", m.group("frac"))
        return NumberExpr(m.start(), m.end(), round(d / n, 6), "ratio", chinese=True, cues=(e.id,) if e else ())
    if m.group("tenth"):
        e = _entry("tenth_ratio", m.group("tenth"))
        factor = float(e.attrs.get("factor", 10)) if e else 10.0
        return NumberExpr(m.start(), m.end(), n * factor, "percent", chinese=True, cues=(e.id,) if e else ())
    if n == 1 and not (m.group("scale") or m.group("cur")):
        return None  # 一家, 一个: not a figure
    mid = _entry("bound_mid", m.group("mid"))
    cues += [mid.id] if mid else []
    value = n
    se = _entry("scale", m.group("scale"))
    if se is not None:
        value *= float(se.attrs["factor"])
        cues.append(se.id)
    ce = _entry("currency_after", m.group("cur"))
    unit, scale, ucue = _unit_of(m.group("unit"))
    cues += [x for x in (ce.id if ce else None, ucue) if x]
    if ce is not None:
        unit = ce.attrs["code"]
    elif unit == "plain" and se is not None:
        unit = "count"
    return NumberExpr(m.start(), m.end(), value * scale, unit, bound=mid.attrs["bound"] if mid else None,
                      chinese=True, cues=tuple(cues))


def _with_bound(text: str, n: NumberExpr) -> NumberExpr:
    b = Phrasebook.load()
    lo = max(0, n.start - 16)
    before = text[lo:n.start].rstrip()
    start, end, bound, cues = n.start, n.end, None, list(n.cues)
    hit = b.ending_at(before, len(before), "bound_before")
    unit = n.unit
    if hit is not None:
        s, e = hit
        bound, start = e.attrs["bound"], lo + s
        cues.append(e.id)
        cur = b.ending_at(before[:s].rstrip(), len(before[:s].rstrip()), "currency_before")
        if cur is not None and (unit == "plain" or unit in _CURRENCIES):
            unit, start = cur[1].attrs["code"], lo + cur[0]
            cues.append(cur[1].id)
    after = text[n.end:n.end + 10]
    stripped = after.lstrip()
    for e in b.of("bound_after"):
        k = e.key
        if stripped.startswith(k) and not (k == "多" and stripped[1:2].isalnum() and not stripped[1:2].isascii()
                                           and stripped[1:2] not in "个家名位款项"):
            bound = bound or e.attrs["bound"]
            end = n.end + (len(after) - len(stripped)) + len(k)
            cues.append(e.id)
            break
    if bound is None:
        return n
    return replace(n, start=start, end=end, bound=bound if n.bound is None else n.bound, unit=unit, cues=tuple(cues))


def _ranges(text: str, nums: list[NumberExpr]) -> list[NumberExpr]:
    """Two figures joined by a range word ("11%-12%", "1至2個百分點") become a lower and an upper bound, both
    inclusive (kgo:AtLeast, kgo:AtMost)."""
    rx = _grammar()["range_sep"]
    out = list(nums)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        m = rx.fullmatch(text, a.end, b.start)
        if m is None or a.value is None or b.value is None or a.range_end is not None:
            continue
        unit_a = a.unit if a.unit != "plain" else b.unit
        if unit_a != b.unit or a.value >= b.value:
            continue
        e = _entry("range_sep", m.group("sep"))
        cue = (e.id,) if e else ()
        out[i] = replace(a, unit=unit_a, bound=a.bound or "AtLeast", cues=a.cues + cue, range_end=b.start)
        out[i + 1] = replace(b, bound=b.bound or "AtMost", cues=b.cues + cue)
    return out
