"""Periods written in text (quarters, fiscal periods, months, years, relative ones).

Works on canonical text. Relative expressions resolve against a reference date (the
document's) or, when only a year is known, a reference year.

>>> [p.period.key for p in find_periods("2025年q1营收, 2023年第四季度, 2025 财年第四季度", ref_year=2025)]
['2025-Q1', '2023-Q4', 'FY2025-Q4']
>>> [p.period.key for p in find_periods("第一季度和1月, 今年以来", ref_year=2025)]
['2025-Q1', '2025-01', '2025-YTD']
>>> [p.period.key for p in find_periods("in the fourth quarter of 2023 and q1 2024")]
['2023-Q4', '2024-Q1']
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["Period", "PeriodExpr", "find_periods", "infer_reference_year", "parse_period_key"]

_CNQ = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4, "首": 1}
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS.pop("may", None)
_MONTHS["may"] = 5


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None
    month: int | None = None
    half: int | None = None
    fiscal: bool = False
    ytd: bool = False

    @property
    def key(self) -> str:
        """A stable local name: ``2025``, ``2025-Q1``, ``FY2025-Q4``, ``2025-01``, ``2025-H1``, ``2025-YTD``."""
        head = f"FY{self.year}" if self.fiscal else str(self.year)
        if self.quarter:
            return f"{head}-Q{self.quarter}"
        if self.month:
            return f"{head}-{self.month:02d}"
        if self.half:
            return f"{head}-H{self.half}"
        if self.ytd:
            return f"{head}-YTD"
        return head

    def label(self, lang: str) -> str:
        fy = self.fiscal
        if lang == "en":
            base = f"FY{self.year}" if fy else str(self.year)
            if self.quarter:
                return f"Q{self.quarter} {base}"
            if self.month:
                return f"{dt.date(2000, self.month, 1):%B} {self.year}"
            if self.half:
                return f"H{self.half} {base}"
            if self.ytd:
                return f"{self.year} year to date"
            return base
        y = f"{self.year}財年" if fy else f"{self.year}年"
        if lang == "zh-Hans" and fy:
            y = f"{self.year}财年"
        if self.quarter:
            return y + "第" + "一二三四"[self.quarter - 1] + "季度"
        if self.month:
            return f"{y}{self.month}月"
        if self.half:
            return y + ("上半年" if self.half == 1 else "下半年")
        if self.ytd:
            return f"{self.year}年初至今" if lang == "zh-Hant" else f"{self.year}年初至今"
        return y

    def shift_quarter(self, n: int) -> "Period":
        q = (self.quarter or 1) - 1 + n
        return Period(self.year + q // 4, q % 4 + 1, fiscal=self.fiscal)


def parse_period_key(key: str) -> Period | None:
    """Inverse of ``Period.key``."""
    m = re.fullmatch(r"(FY)?(\d{4})(?:-Q([1-4])|-(\d{2})|-H([12])|-(YTD))?", key)
    if not m:
        return None
    return Period(int(m.group(2)), int(m.group(3)) if m.group(3) else None,
                  int(m.group(4)) if m.group(4) else None, int(m.group(5)) if m.group(5) else None,
                  bool(m.group(1)), bool(m.group(6)))


@dataclass(frozen=True)
class PeriodExpr:
    start: int
    end: int
    period: Period | None  # None for 同期 / the same period (resolved by context)
    relative: str | None = None
    forecast_hint: bool = False


_Y = r"(?P<y>(?:19|20)\d{2})"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("fyq", re.compile(_Y + r"\s*财年\s*(?:第(?P<qc>[一二三四1-4])(?:财季|季度|季)|q(?P<q>[1-4]))")),
    ("yq", re.compile(_Y + r"\s*年?\s*(?:第(?P<qc>[一二三四1-4])(?:季度|季)|q(?P<q>[1-4])(?![\d])|(?P<qc2>[一二三四])季度)")),
    ("qy", re.compile(r"(?<![a-z])q(?P<q>[1-4])\s*(?:of\s*)?(?:fy\s*)?'?" + _Y)),
    ("oq", re.compile(r"(?P<o>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]quarter(?:\s+(?:of\s+)?(?:fiscal\s+(?:year\s+)?)?" + _Y + ")?")),
    ("fy", re.compile(r"(?:(?<![a-z])fy\s*'?|fiscal\s+(?:year\s+)?)(?P<y>(?:19|20)?\d{2})(?![\d])(?:\s*q(?P<q>[1-4]))?")),
    ("ym", re.compile(_Y + r"\s*年\s*(?P<m>1[0-2]|0?[1-9])\s*月")),
    ("yh", re.compile(_Y + r"\s*年?\s*(?P<h>上半年|下半年)")),
    ("hy", re.compile(r"(?:(?P<h1>h[12])|(?P<h2>first|second) half(?: of)?)\s*" + _Y)),
    ("monthy", re.compile(r"(?P<mn>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?(?:\s+(?P<y>(?:19|20)\d{2}))?(?![a-z])")),
    ("fyear", re.compile(_Y + r"\s*财年")),
    ("y", re.compile(_Y + r"\s*年(?!代)")),
    ("yen", re.compile(r"(?:in|by|of|for|from|during|since|through|to|until|fiscal|year)\s+" + _Y + r"(?![\d])")),
    ("q", re.compile(r"(?:第(?P<qc>[一二三四])季度|(?<![第\d])(?P<qc2>[一二三四首])季度?(?=[^度]|$)|(?<![a-z\d-])q(?P<q>[1-4])(?![\d-]))")),
    ("m", re.compile(r"(?<![\d.])(?P<m>1[0-2]|[1-9])\s*月(?:份)?")),
    ("ytd", re.compile(r"今年以来|年初至今|年初以来|year[\s-]to[\s-]date|so far this year|(?<![a-z])ytd(?![a-z])")),
    ("prevq", re.compile(r"上季度?|上一季度?|上个季度|last quarter|previous quarter|prior quarter")),
    ("nextq", re.compile(r"次季|下季度|下一季度|下个季度|next quarter")),
    ("same", re.compile(r"同期|当季|当期|同季|same period|same quarter|in the quarter|in the period|during the quarter|during the period|that quarter")),
    ("relh", re.compile(r"(?P<rel>今年|去年|明年|this year|last year)?\s*(?:的)?(?P<h>上半年|下半年|first half|second half)(?: of (?:the|this) year)?")),
    ("lasty", re.compile(r"去年|上一年|last year|previous year")),
    ("thisy", re.compile(r"今年|本年|this year")),
    ("nexty", re.compile(r"明年|next year")),
]


def infer_reference_year(canonical_text: str) -> int | None:
    """The year a text is mostly about, when it has no date: its most frequent explicit year."""
    years = Counter(int(m.group(1)) for m in re.finditer(r"((?:19|20)\d{2})\s*(?:年|财年|\s*q[1-4]|年?第)", canonical_text))
    years.update(int(m.group(1)) for m in re.finditer(r"q[1-4]\s*((?:19|20)\d{2})", canonical_text))
    if not years:
        return None
    best = max(years.values())
    return max(y for y, c in years.items() if c == best)


def find_periods(text: str, start: int = 0, end: int | None = None, *, ref_year: int | None = None,
                 ref_date: dt.date | None = None) -> list[PeriodExpr]:
    """Periods in ``text[start:end]``, longest first, without overlaps."""
    stop = len(text) if end is None else end
    year = ref_date.year if ref_date else ref_year
    taken: list[tuple[int, int]] = []
    out: list[PeriodExpr] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(text, start, stop):
            s, e = m.span()
            if s == e or any(s < b and a < e for a, b in taken):
                continue
            p = _resolve(kind, m, year, ref_date)
            if p is _SKIP:
                continue
            taken.append((s, e))
            out.append(PeriodExpr(s, e, p if isinstance(p, Period) else None,
                                  relative="same" if kind == "same" else None))
    out.sort(key=lambda p: p.start)
    return out


_SKIP = object()


def _resolve(kind: str, m: re.Match[str], year: int | None, ref_date: dt.date | None) -> object:
    g = m.groupdict()
    y = int(g["y"]) if g.get("y") else None
    if kind == "fy" and y is not None and y < 100:
        y += 2000
    if kind == "fyq":
        return Period(y or 0, _CNQ.get(g.get("qc") or "") or int(g["q"]), fiscal=True)
    if kind in ("yq", "qy"):
        q = _CNQ.get(g.get("qc") or g.get("qc2") or "") or int(g["q"])
        return Period(y or 0, q)
    if kind == "oq":
        y = y or year
        return Period(y, _ORD[g["o"]], fiscal="fiscal" in m.group()) if y else _SKIP
    if kind == "fy":
        return Period(y or 0, int(g["q"]) if g.get("q") else None, fiscal=True)
    if kind == "ym":
        return Period(y or 0, month=int(g["m"]))
    if kind == "yh":
        return Period(y or 0, half=1 if g["h"] == "上半年" else 2)
    if kind == "hy":
        h = (g.get("h1") or "")[1:] or ("1" if g.get("h2") == "first" else "2")
        return Period(y or 0, half=int(h))
    if kind == "monthy":
        y = y or year
        if m.group("mn") in ("mar", "may", "jun", "jul", "aug", "oct", "dec") and not g.get("y"):
            return _SKIP  # short forms are ordinary words too unless a year follows
        return Period(y, month=_MONTHS[m.group("mn")]) if y else _SKIP
    if kind == "fyear":
        return Period(y or 0, fiscal=True)
    if kind in ("y", "yen"):
        return Period(y or 0)
    if kind == "q":
        q = _CNQ.get(g.get("qc") or g.get("qc2") or "") or (int(g["q"]) if g.get("q") else None)
        return Period(year, q) if year and q else _SKIP
    if kind == "m":
        return Period(year, month=int(g["m"])) if year else _SKIP
    if kind == "ytd":
        return Period(year, ytd=True) if year else _SKIP
    if kind in ("prevq", "nextq"):
        if not ref_date:
            return _SKIP
        cur = Period(ref_date.year, (ref_date.month - 1) // 3 + 1)
        return cur.shift_quarter(-1 if kind == "prevq" else 1)
    if kind == "same":
        return None
    if kind == "relh":
        if not year:
            return _SKIP
        shift = {"去年": -1, "last year": -1, "明年": 1}.get(g.get("rel") or "", 0)
        return Period(year + shift, half=1 if g["h"] in ("上半年", "first half") else 2)
    if kind in ("lasty", "thisy", "nexty"):
        if not year:
            return _SKIP
        return Period(year + {"lasty": -1, "thisy": 0, "nexty": 1}[kind])
    return _SKIP
