"""Every figure in an answer must be a cited fact's number or computed from cited facts; an LLM's
text must also name only the facts' periods and entities.

A figure is any number the text writes (``qa.figures``: Arabic or Chinese numerals, full-width
digits, 億/萬/billion/million scales, percentages, points, multiples), read with its scale and
compared by value with what the facts support: each fact's value and change (as a percentage,
points or a multiple, as their units say, without their sign), the figures of its value as
written, the numbers the answer's handler computed, and what can be computed from the cited
facts (the difference, sum, ratio and percent change of two figures of one unit, a prior
figure from a value and its change). A figure matches within the rounding of the digits it
shows (324億 or 325億 for 324.5億, not 326億). A number found somewhere in a fact's quote is
not support.

Not figures: the periods the cited facts are about (their years, quarters, months, days),
stock codes, ISO dates, digits inside the names of the facts' entities or the lexicon's, and a
passage quoted in quotation marks that is word for word in a cited fact's source sentence.
A period the facts are not about is reported whole.

>>> from qa.answer import Fact
>>> f = Fact(iri="o", subject="x", subject_label="百度", source=None, period="2025-Q1", value=3.245e10,
...          unit="CNY", change=0.03, change_unit="Percent")
>>> unsupported_numbers("百度2025年第一季度營收為324.5億元，同比增長3%。", [f])
[]
>>> unsupported_numbers("百度2025年第一季度營收為999.9億元，同比增長77%。", [f])
['999.9', '77']
>>> unsupported_numbers("百度2024年第一季度營收為325億元。", [f])
['2024年第一季度']
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.lexicon import Lexicon
from kg.periods import find_periods
from kg.text import canonical

from .answer import Fact
from .figures import Figure, figures_in

__all__ = ["unsupported_numbers", "unsupported_claims", "numbers_in"]

_NUM_ANY = re.compile(r"(?<![A-Za-z0-9_.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![A-Za-z0-9_.])\d+(?:\.\d+)?")


def numbers_in(text: str) -> set[str]:
    """Every Arabic number written in a free text, Chinese or English, as written (for comparing two texts).

    >>> sorted(numbers_in("百度營收達324.5億元, up 3% in Q1 2025"))
    ['2025', '3', '324.5']
    """
    return {m.group().replace(",", "") for m in _NUM_ANY.finditer(text)}


def unsupported_numbers(answer: str, facts: list[Fact], computed: Iterable[float] = (), *,
                        strict: bool = False, lexicon: Lexicon | None = None) -> list[str]:
    """The figures of an answer that no cited fact supports, as written (numerals, or a period's words).

    ``lexicon`` lets digits inside the names of known entities pass as names. ``strict`` also
    reports periods written without digits (今年, the first half) that the facts are not about.
    """
    audit = _audit(answer, facts, computed, lexicon=lexicon, strict=strict)
    return audit.numbers + [text for text, _ in audit.periods]


def unsupported_claims(text: str, facts: list[Fact], computed: Iterable[float] = (), *,
                       lexicon: Lexicon | None = None, entities: Iterable[str] = ()) -> list[str]:
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
    audit = _audit(text, facts, computed, lexicon=lexicon, strict=True, entities=set(entities))
    return ([f"number {n}" for n in audit.numbers] + [f"period {key}" for _, key in audit.periods]
            + [f"entity {e}" for e in audit.entities])


# -- the audit ---------------------------------------------------------------------------

@dataclass
class _Audit:
    numbers: list[str] = field(default_factory=list)
    periods: list[tuple[str, str]] = field(default_factory=list)  # (as written, key)
    entities: list[str] = field(default_factory=list)


_QUOTED = re.compile(r"[「『“\"]([^」』”\"]{12,})[」』”\"]")
_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_EN_DATE = re.compile(r"(?:(?P<d1>\d{1,2})\s+)?(?P<mn>" + "|".join(_MONTHS) + r")\s+(?:(?P<d2>\d{1,2})"
                      r"(?:st|nd|rd|th)?,?\s+)?(?P<y>(?:19|20)\d{2})(?!\d)")


def _audit(text: str, facts: list[Fact], computed: Iterable[float], *, lexicon: Lexicon | None,
           strict: bool, entities: set[str] | None = None) -> _Audit:
    out = _Audit()
    canon = canonical(text)
    if not re.search(r"\d|[零〇一二两三四五六七八九十]", canon) and entities is None and not strict:
        return out
    blank = list(canon)

    def clear(s: int, e: int) -> None:
        blank[s:e] = " " * (e - s)

    sources = [canonical(x) for f in facts for x in ((f.source.quote if f.source else None), f.object_label) if x]
    for m in _QUOTED.finditer(canon):  # a passage quoted word for word from a cited sentence
        seg = m.group(1).strip(" .。,，;；")
        if any(seg in s for s in sources):
            clear(*m.span())
    for f in facts:  # the facts' own names and words
        for x in (f.subject_label, f.object_label, f.qualifier, f.qualitative):
            key = canonical(x).strip() if x else ""
            if len(key) >= 2 and re.search(r"\D", key):
                for m in re.finditer(re.escape(key), canon):
                    clear(*m.span())
    if lexicon is not None:
        allowed = (entities or set()) | {f.subject for f in facts} | {f.object for f in facts if f.object}
        names = {canonical(x) for f in facts for x in (f.subject_label, f.object_label) if x}
        for hit in lexicon.entities.find_all(canon):
            if re.fullmatch(r"[a-z]{1,2}", hit.key):
                continue
            if entities is not None and not (hit.value.iri in allowed or hit.key in names
                                             or any(hit.key in n for n in names)):
                out.entities.append(text[hit.start:hit.end])
            if re.search(r"[^\d\s.,]", hit.key):  # "58同城", "Qwen2.5": a name; "360" alone may be a figure
                clear(hit.start, hit.end)

    cited = [f.period for f in facts if f.period]
    rest = "".join(blank)
    for m in _EN_DATE.finditer(rest):  # "September 30, 2025": a date, checked as its month
        key = f"{m.group('y')}-{_MONTHS[m.group('mn')]:02d}"
        if not _cited(key, cited):
            out.periods.append((text[m.start():m.end()], key))
        clear(*m.span())
    rest = "".join(blank)
    for expr in find_periods(rest):
        span = rest[expr.start:expr.end]
        p = expr.period
        if p is not None and (strict or re.search(r"\d", span)) and not _cited(p.key, cited):
            out.periods.append((text[expr.start:expr.end].strip(), p.key))
        clear(expr.start, expr.end)

    years = {y for k in cited for y in _years(k)}
    stated, derived = _candidates(facts, computed)
    for fig in figures_in("".join(blank), text):
        if fig.kind == "plain" and re.fullmatch(r"(?:19|20)\d{2}", fig.number) and int(fig.number) in years:
            continue  # a cited period's year written on its own
        if not (_matches(fig, stated) or _cued(canon, fig) and _matches(fig, derived)):
            out.numbers.append(fig.number)
    return out


# -- periods -----------------------------------------------------------------------------

_KEY = re.compile(r"(FY)?(\d{4})(?:-(\d{4})|-Q([1-4])|-(\d{2})-(\d{2})|-(\d{2})|-H([12])|-(\d{1,2})M|-(YTD))?"
                  r"(?:-M(\d{2}))?")


@dataclass(frozen=True)
class _Span:
    """What a period key covers: its months in the calendar (None when its fiscal calendar is
    unknown), its months of the fiscal year (fiscal periods only), and the calendar years it may touch."""

    calendar: frozenset[tuple[int, int]] | None
    fiscal: frozenset[tuple[int, int]] | None
    years: frozenset[int]
    whole_year: bool
    month_or_day: bool


def _span(key: str) -> _Span | None:
    m = _KEY.fullmatch(key)
    if not m:
        return None
    fy, y, y2, q, dm, _, mo, h, n, _ytd, fye = m.groups()
    year = int(y)
    if y2:
        idx = range(1, 12 * (int(y2) - year + 1) + 1)
    elif q:
        idx = range(3 * int(q) - 2, 3 * int(q) + 1)
    elif dm or mo:
        idx = range(int(dm or mo), int(dm or mo) + 1)
    elif h:
        idx = range(6 * int(h) - 5, 6 * int(h) + 1)
    elif n:
        idx = range(1, int(n) + 1)
    else:
        idx = range(1, 13)
    whole = not (y2 or q or dm or mo or h or n or _ytd)
    part = bool(dm or mo)
    end = int(fye) if fye else (12 if not fy else 0)
    fiscal = frozenset((year, i) for i in idx) if fy else None
    if not end:  # a fiscal year of unknown calendar lies within its year or the one before
        return _Span(None, fiscal, frozenset((year - 1, year)), whole, part)
    # fiscal year `year` runs from the month after `end` of the year before (a calendar year: end 12)
    cal = frozenset((year - 1 + (end + i - 1) // 12, (end + i - 1) % 12 + 1) for i in idx)
    return _Span(cal, fiscal, frozenset(yy for yy, _ in cal), whole, part)


def _years(key: str) -> set[int]:
    sp = _span(key)
    return set(sp.years) if sp else {int(y) for y in re.findall(r"(?:19|20)\d{2}", key)}


def _cited(key: str, cited: list[str]) -> bool:
    """A period written in the answer is a cited one (in other words: the September 2025 quarter for
    Alibaba's FY2026 Q2), a month or day within one (截至2025年9月30日止), or the year of one ("in 2025 ... Q1").
    A quarter is not supported by a half or by the first nine months.

    Fiscal periods are compared as fiscal periods (FY2026-Q2 is FY2026-Q2-M03, not FY2026-Q3); a
    calendar period against a fiscal one of unknown calendar only by the years it may touch.
    """
    if key in cited:
        return True
    mine = _span(key)
    if mine is None:
        return False
    for c in cited:
        theirs = _span(c)
        if theirs is None:
            continue
        if mine.fiscal is not None and theirs.fiscal is not None:
            a, b = mine.fiscal, theirs.fiscal
        elif mine.calendar is not None and theirs.calendar is not None:
            a, b = mine.calendar, theirs.calendar
        else:
            if mine.years & theirs.years:
                return True
            continue
        if a == b or mine.month_or_day and a <= b or mine.whole_year and b <= a:
            return True
    return _rest_of_cited(mine, cited)


def _rest_of_cited(mine: _Span, cited: list[str]) -> bool:
    """The period is what one cited period leaves of another that holds it: the first nine months of a year
    whose fourth quarter is cited too (an answer computed as the year less the quarter)."""
    if mine.calendar is None:
        return False
    spans = [sp for c in cited if (sp := _span(c)) is not None and sp.calendar is not None]
    return any(whole.calendar > part.calendar and whole.calendar - part.calendar == mine.calendar  # type: ignore[operator]
               for whole in spans for part in spans)


# -- what the facts support -----------------------------------------------------------------

_ALLOWED = {"amount": ("amount", "any"), "pct": ("pct", "any"), "pp": ("pp", "pct", "any"), "x": ("x", "any"),
            "plain": ("amount", "pct", "pp", "x", "any")}
# A figure computed from two facts (or a prior figure from a value and its change) is only read as
# one where the text says it computes: "相差", "合計", "是…的", "比…高", "combined", "a year earlier".
_CUE_BEFORE = re.compile(
    r"相差|差距|差额|之差|合计|合共|总共|共计|一共|总和|加起来|高出|多出|多了|少了|低于|高于|领先|落后|"
    r"是[^,，。；]{0,10}的|比[^,，。；]{0,12}(?:高|低|多|少|快|慢)|去年同期|上年同期|一年前|此前|[+＋−\-=/×÷]|"
    r"ratio|difference|gap|combined|total|sum|together|higher than|lower than|faster|slower|"
    r"ahead|behind|compared|versus|vs\.?|a year earlier|year[\s-]ago|prior year|from|times")
_CUE_AFTER = re.compile(r"\s*(?:的)?(?:差距|之差|差额|more|less|higher|lower|faster|slower|ahead|behind|above|below)")
_CLAUSE = re.compile(r"[。；;！？!?\n]|\.\s")


def _cued(canon: str, fig: Figure) -> bool:
    """The text presents the figure as computed (in its clause, just before it, or right after)."""
    start = max(0, fig.start - 24)
    for m in _CLAUSE.finditer(canon, start, fig.start):
        start = m.end()
    return bool(_CUE_BEFORE.search(canon, start, fig.start) or _CUE_AFTER.match(canon, fig.end))


def _candidates(facts: list[Fact], computed: Iterable[float]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """What the facts state (values, changes, their figures as written, the handler's computations), and
    what can be computed from two of them; each by kind."""
    out: dict[str, list[float]] = {k: [] for k in ("amount", "pct", "pp", "x", "any")}
    derived: dict[str, list[float]] = {k: [] for k in out}
    amounts: dict[str, list[float]] = {}
    rates: list[float] = []
    for f in facts:
        v, u = f.value, f.unit or ""
        if v is not None:
            if u == "Percent":
                out["pct"].append(v)
                rates.append(v)
            elif u == "PercentagePoint":
                out["pp"].append(v)
            elif u == "Ratio":
                out["pct"].append(v * 100)
                out["any"].append(v)
                rates.append(v * 100)
            elif u == "Multiple":
                out["x"].append(v)
            else:
                out["amount"].append(v)
                amounts.setdefault(u, []).append(v)
        c, cu = f.change, f.change_unit or "Percent"
        if c is not None:
            if cu == "Percent":
                out["pct"].append(c * 100)
                out["x"] += [c, 1 + c]  # 增長1.5倍, 2.5 times the year before
                rates.append(c * 100)
                if v is not None and u not in ("Percent", "PercentagePoint", "Ratio", "Multiple") and c != -1:
                    prior = v / (1 + c)
                    derived["amount"] += [prior, v - prior]  # the year-earlier figure and the increase
            elif cu == "PercentagePoint":
                out["pp"].append(c)
            elif cu == "Multiple":
                out["x"].append(c)
            else:
                out["amount"].append(c)
        if f.as_written:
            for fig in figures_in(canonical(f.as_written), f.as_written):
                out["any" if fig.kind == "plain" else fig.kind].append(fig.value)
    out["any"] += [float(x) for x in computed]
    for group in amounts.values():
        _pairs(group, derived, "amount")
        if len(group) > 2:
            derived["amount"].append(sum(group))
    _pairs(rates, derived, "pp")
    return out, derived


def _pairs(xs: list[float], out: dict[str, list[float]], same: str) -> None:
    """Difference, sum, ratio and percent change of every two figures of one unit."""
    for i, a in enumerate(xs):
        for b in xs[i + 1:]:
            out[same] += [abs(a - b), abs(a + b)]
            if same == "pp":
                out["pct"] += [abs(a - b), abs(a + b)]
            for p, q in ((a, b), (b, a)):
                if q:
                    out["x"].append(p / q)
                    out["pct"] += [p / q * 100, (p - q) / abs(q) * 100]


def _matches(fig: Figure, cands: dict[str, list[float]]) -> bool:
    if math.isnan(fig.value):
        return False
    got = abs(fig.value)
    slack = fig.tol * (1 + 1e-9)
    return any(abs(got - abs(c)) <= slack + 1e-9 * abs(c) for k in _ALLOWED[fig.kind] for c in cands[k])
