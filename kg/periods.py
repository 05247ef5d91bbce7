"""Periods written in text: quarters, halves, months, days, years, cumulative spans, fiscal periods.

The templates that recognise them are data (``ontology/phrases/periods.yaml``); this
module holds their grammar slots and the arithmetic of calendars. Reading is two steps:
``find_periods`` finds what a text *says* (a :class:`PeriodSpec`: "the third quarter",
"上季", "the three months ended Dec. 31"); :func:`resolve` turns a spec into a
calendar :class:`Period` against an :class:`Anchor` (the document date, the frame's
period, the subject's fiscal year end).

>>> [p.period.key for p in find_periods("2025年q1营收, 2023年第四季度, 2025 财年第四季度", ref_year=2025)]
['2025-Q1', '2023-Q4', 'FY2025-Q4']
>>> d = dt.date(2025, 8, 29)
>>> [p.period.key for p in find_periods("次季收入, 首三季资本开支, 截至6月底季度", ref_date=d)]
['2025-Q2', '2024-9M', '2025-Q2']
>>> fiscal = find_periods("fiscal third-quarter profit", ref_date=dt.date(2025, 2, 21))[0]
>>> resolve(fiscal.spec, Anchor(dt.date(2025, 2, 21), fiscal_year_end=3)).key   # Alibaba: Oct-Dec 2024
'2024-Q4'
>>> fiscal_name(fiscal.spec, Anchor(dt.date(2025, 2, 21), fiscal_year_end=3)).key
'FY2025-Q3-M03'
"""
from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass, replace

__all__ = ["Period", "PeriodSpec", "PeriodExpr", "Anchor", "find_periods", "resolve", "fiscal_name",
           "fiscal_to_calendar", "calendar_to_fiscal", "infer_reference_year", "parse_period_key"]


# -- the period model ---------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Period:
    """A calendar period (or, with ``fiscal``, a period of a fiscal year).

    ``months`` is a cumulative span from the start of the year (9: the first nine months);
    ``end_year`` closes a multi-year span; ``fye`` is the month a fiscal year ends in
    (0 when unknown).
    """

    year: int
    quarter: int | None = None
    month: int | None = None
    half: int | None = None
    fiscal: bool = False
    ytd: bool = False
    day: int | None = None
    months: int | None = None
    end_year: int | None = None
    fye: int = 0

    @property
    def key(self) -> str:
        """A stable local name: ``2025``, ``2025-Q1``, ``2025-01``, ``2025-01-27``, ``2025-H1``, ``2025-9M``,
        ``2025-YTD``, ``2025-2027``, ``FY2025-Q4`` (fiscal, calendar unknown), ``FY2026-Q2-M03`` (fiscal
        year ending in March)."""
        head = f"FY{self.year}" if self.fiscal else str(self.year)
        tail = f"-M{self.fye:02d}" if self.fiscal and self.fye else ""
        if self.end_year:
            return f"{head}-{self.end_year}{tail}"
        if self.quarter:
            return f"{head}-Q{self.quarter}{tail}"
        if self.month and self.day:
            return f"{head}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{head}-{self.month:02d}{tail}"
        if self.half:
            return f"{head}-H{self.half}{tail}"
        if self.months:
            return f"{head}-{self.months}M{tail}"
        if self.ytd:
            return f"{head}-YTD"
        return head + tail

    @property
    def kind(self) -> str:
        if self.end_year:
            return "span"
        if self.quarter:
            return "quarter"
        if self.day:
            return "day"
        if self.month:
            return "month"
        if self.half:
            return "half"
        if self.months:
            return "cumulative"
        if self.ytd:
            return "ytd"
        return "year"

    def label(self, lang: str) -> str:
        """``Q1 2025``, ``2025年第一季度``, ``2025年首九個月``, ``FY2026 Q2``…"""
        y = self.year
        if lang == "en":
            base = f"FY{y}" if self.fiscal else str(y)
            if self.end_year:
                return f"{base}-{self.end_year}"
            if self.quarter:
                return f"Q{self.quarter} {base}"
            if self.month and self.day:
                return f"{dt.date(2000, self.month, self.day):%B} {self.day}, {y}"
            if self.month:
                return f"{dt.date(2000, self.month, 1):%B} {y}"
            if self.half:
                return f"H{self.half} {base}"
            if self.months:
                return f"{self.months}M {base}"  # "9M 2025", as analysts write it
            if self.ytd:
                return f"{y} year to date"
            return base
        hant = lang != "zh-Hans"
        yz = f"{y}{'財年' if hant else '财年'}" if self.fiscal else f"{y}年"
        if self.end_year:
            return f"{y}-{self.end_year}年"
        if self.quarter:
            return yz + "第" + "一二三四"[self.quarter - 1] + "季度"
        if self.month and self.day:
            return f"{y}年{self.month}月{self.day}日"
        if self.month:
            return f"{yz}{self.month}月"
        if self.half:
            return yz + ("上半年" if self.half == 1 else "下半年")
        if self.months:
            return yz + (f"首{_CN[self.months]}個月" if hant else f"前{_CN[self.months]}个月")
        if self.ytd:
            return f"{y}年初至今"
        return yz

    def shift_quarter(self, n: int) -> "Period":
        q = (self.quarter or 1) - 1 + n
        return Period(self.year + q // 4, q % 4 + 1, fiscal=self.fiscal, fye=self.fye)

    def year_earlier(self) -> "Period":
        return replace(self, year=self.year - 1, end_year=self.end_year - 1 if self.end_year else None)

    def end_date(self) -> dt.date:
        """The last day the period covers (for a fiscal period, of its calendar equivalent)."""
        p = fiscal_to_calendar(self) if self.fiscal and self.fye else self
        if p.day and p.month:
            return dt.date(p.year, p.month, p.day)
        last = {"quarter": (p.quarter or 4) * 3, "month": p.month, "half": (p.half or 2) * 6,
                "cumulative": p.months}.get(p.kind) or 12
        return _month_end(p.end_year or p.year, int(last))


_CN = {1: "一", 2: "兩", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十", 11: "十一", 12: "十二"}


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


_KEY = re.compile(r"(FY)?(\d{4})(?:-(\d{4})|-Q([1-4])|-(\d{2})-(\d{2})|-(\d{2})|-H([12])|-(\d{1,2})M|-(YTD))?(?:-M(\d{2}))?")


def parse_period_key(key: str) -> Period | None:
    """Inverse of ``Period.key``.

    >>> parse_period_key("2025-9M"), parse_period_key("FY2026-Q2-M03").fye
    (Period(year=2025, quarter=None, month=None, half=None, fiscal=False, ytd=False, day=None, months=9, end_year=None, fye=0), 3)
    """
    m = _KEY.fullmatch(key)
    if not m:
        return None
    fy, y, y2, q, md_m, md_d, mo, h, months, ytd, fye = m.groups()
    return Period(int(y), int(q) if q else None, int(md_m or mo) if (md_m or mo) else None, int(h) if h else None,
                  bool(fy), bool(ytd), int(md_d) if md_d else None, int(months) if months else None,
                  int(y2) if y2 else None, int(fye) if fye else 0)


# -- fiscal calendars ------------------------------------------------------------------

def fiscal_to_calendar(p: Period) -> Period:
    """The calendar period a fiscal period covers (its fiscal year ends in month ``p.fye``).

    FY2026 of a company whose year ends in March runs April 2025 - March 2026, so its
    second quarter is 2025-Q3 and the year itself has no calendar-year equivalent (it is
    returned as the fiscal year unchanged).

    >>> fiscal_to_calendar(Period(2026, 2, fiscal=True, fye=3)).key
    '2025-Q3'
    """
    if not p.fiscal or not p.fye:
        return p
    if p.fye == 12:
        return replace(p, fiscal=False, fye=0)
    if p.quarter:
        end_month = (p.fye + 3 * p.quarter - 1) % 12 + 1
        year = p.year if end_month <= p.fye else p.year - 1
        return Period(year, (end_month + 2) // 3)
    if p.half:
        end_month = (p.fye + 6 * p.half - 1) % 12 + 1
        year = p.year if end_month <= p.fye else p.year - 1
        return Period(year, half=(end_month + 5) // 6) if end_month in (6, 12) else p
    return p


def calendar_to_fiscal(p: Period, fye: int) -> Period | None:
    """The fiscal quarter (or half, or year) of a calendar period, for a fiscal year ending in ``fye``.

    >>> calendar_to_fiscal(Period(2024, 4), 3).key
    'FY2025-Q3-M03'
    """
    if not fye or fye == 12:
        return None
    if p.quarter and not p.fiscal:
        end_month = p.quarter * 3
        fy = p.year + (1 if end_month > fye else 0)
        fq = ((end_month - fye - 1) % 12) // 3 + 1
        return Period(fy, fq, fiscal=True, fye=fye)
    if p.half and not p.fiscal:
        end_month = p.half * 6
        fy = p.year + (1 if end_month > fye else 0)
        fh = ((end_month - fye - 1) % 12) // 6 + 1
        return Period(fy, half=fh, fiscal=True, fye=fye)
    return None


# -- what a text says --------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodSpec:
    """A period as written, before it is resolved (see periods.yaml for the kinds and relations)."""

    kind: str
    year: int | None = None
    quarter: int | None = None
    half: int | None = None
    month: int | None = None
    day: int | None = None
    months: int | None = None
    end_year: int | None = None
    fiscal: bool = False
    rel: str | None = None
    weekday: int | None = None


@dataclass(frozen=True)
class PeriodExpr:
    start: int
    end: int
    period: Period | None  # resolved against the reference date or year given to find_periods
    relative: str | None = None  # the spec's relation (this_period, year_ago, prev_quarter…)
    forecast_hint: bool = False
    spec: PeriodSpec | None = None
    cue: str = ""  # the phrasebook entry (period_template:…)
    cues: tuple[str, ...] = ()  # that entry and the slot words it read (month_name:dec…)


@dataclass(frozen=True)
class Anchor:
    """What relative and year-less periods resolve against."""

    date: dt.date | None = None
    year: int | None = None  # when there is no date: the year the text is about
    frame: Period | None = None  # the period the document reports (for 本季, 同期, the quarter)
    fiscal_year_end: int = 0  # month the subject's fiscal year ends (0: unknown, 12: calendar year)

    @property
    def ref_year(self) -> int | None:
        return self.date.year if self.date else self.year


def resolve(spec: PeriodSpec, a: Anchor) -> Period | None:
    """The calendar period a spec names (a fiscal one when the calendar is unknown), or None."""
    p = _resolve(spec, a)
    if p is None:
        return None
    if p.fiscal:
        fye = a.fiscal_year_end
        if fye == 12:
            return replace(p, fiscal=False, fye=0)
        if fye:
            return fiscal_to_calendar(replace(p, fye=fye))
    return p


def fiscal_name(spec: PeriodSpec, a: Anchor) -> Period | None:
    """The fiscal name of the period a spec names, when the subject's fiscal year is not the calendar year."""
    fye = a.fiscal_year_end
    if not fye or fye == 12:
        return None
    p = _resolve(spec, a)
    if p is None:
        return None
    if p.fiscal:
        return replace(p, fye=fye)
    return calendar_to_fiscal(p, fye)


def _resolve(s: PeriodSpec, a: Anchor) -> Period | None:
    d, ry = a.date, a.ref_year
    k = s.kind
    if s.rel == "this_period" or k == "period":
        if s.rel == "year_ago":
            return a.frame.year_earlier() if a.frame else None
        return a.frame
    if s.rel == "year_ago":
        return a.frame.year_earlier() if a.frame else None
    if k == "quarter":
        if s.rel == "prev_quarter":
            if d is None:
                return None
            return Period(d.year, (d.month - 1) // 3 + 1).shift_quarter(-1)
        q = s.quarter
        if q is None:
            return None
        if s.fiscal:
            if s.year:
                return Period(s.year, q, fiscal=True)
            return _latest_fiscal_quarter(q, a)
        if s.year:
            return Period(s.year, q)
        if d is None:
            return Period(ry, q) if ry else None
        # the latest such quarter that has begun by the document date
        start_month = 3 * q - 2
        return Period(d.year if d.month >= start_month else d.year - 1, q)
    if k == "quarter_ending":
        m = s.month or 12
        q = (m + 2) // 3
        if s.year:
            return Period(s.year, q)
        if d is None:
            return Period(ry, q) if ry else None
        return Period(d.year if _month_end(d.year, m) <= d else d.year - 1, q)
    if k == "year_ending":
        m = s.month or 12
        y = s.year
        if y is None:
            if d is None:
                y = ry
            else:
                y = d.year if _month_end(d.year, m) <= d else d.year - 1
        if y is None:
            return None
        return Period(y) if m == 12 else Period(y, fiscal=True, fye=m)
    if k == "year":
        if s.rel == "frame_year":  # 「第四季及全年業績…全年收入」: the year of the quarter reported
            calendar = a.fiscal_year_end in (0, 12)
            return Period(a.frame.year) if a.frame is not None and not a.frame.fiscal and calendar else None
        y = s.year or _rel_year(s.rel, ry)
        return Period(y, fiscal=s.fiscal) if y else None
    if k == "span":
        return Period(s.year, end_year=s.end_year) if s.year and s.end_year else None
    if k == "half":
        y = s.year or _rel_year(s.rel or "this_year", ry)
        return Period(y, half=s.half, fiscal=s.fiscal) if y and s.half else None
    if k == "cumulative":
        months = s.months
        if not months:
            return None
        y = s.year
        if y is None:
            if d is None:
                y = ry
            else:
                y = d.year if _month_end(d.year, months) <= d else d.year - 1
        if y is None:
            return None
        if months == 3:
            return Period(y, 1)
        if months == 6:
            return Period(y, half=1)
        if months == 12:
            return Period(y)
        return Period(y, months=months)
    if k == "ytd":
        return Period(ry, ytd=True) if ry else None
    if k in ("month", "point"):
        if s.rel == "now":
            return Period(d.year, month=d.month) if d else None
        m = s.month
        if m is None:
            return None
        y = s.year or (_rel_year(s.rel, ry) if s.rel in ("last_year", "this_year", "next_year") else None)
        if y is None:
            if d is None:
                return Period(ry, month=m) if ry else None
            y = d.year if m <= d.month else d.year - 1
        if k == "point" and a.frame is not None and _closing_month(a.frame) == (y, m) and \
                (s.day is None or s.day == _month_end(y, m).day):
            return a.frame  # 「截至2025年6月30日」 in a report on 2025-Q2: the balance at its close
        return Period(y, month=m)
    if k == "day":
        if s.rel == "today":
            return _day(d) if d else None
        if s.rel == "yesterday":
            return _day(d - dt.timedelta(days=1)) if d else None
        if s.rel == "weekday":
            if d is None or s.weekday is None:
                return None
            back = (d.weekday() - s.weekday) % 7
            return _day(d - dt.timedelta(days=back))
        if s.month is None or s.day is None:
            return None
        y = s.year or (_rel_year(s.rel, ry) if s.rel in ("last_year", "this_year", "next_year") else None)
        if y is None:
            if d is None:
                if not ry:
                    return None
                y = ry
            else:
                y = d.year if (s.month, s.day) <= (d.month, d.day) else d.year - 1
        try:
            return _day(dt.date(y, s.month, s.day))
        except ValueError:
            return None
    return None


def _closing_month(p: Period) -> tuple[int, int] | None:
    """The (year, month) a calendar period closes in: 2025-Q2 closes in June 2025."""
    if p.fiscal or p.ytd or p.day or p.end_year:
        return None
    if p.quarter:
        return p.year, 3 * p.quarter
    if p.half:
        return p.year, 6 * p.half
    if p.months:
        return p.year, p.months
    if p.month:
        return p.year, p.month
    return p.year, 12


def _day(d: dt.date) -> Period:
    return Period(d.year, month=d.month, day=d.day)


def _rel_year(rel: str | None, ry: int | None) -> int | None:
    if ry is None:
        return None
    return ry + {"last_year": -1, "next_year": 1}.get(rel or "", 0)


def _latest_fiscal_quarter(q: int, a: Anchor) -> Period | None:
    """Fiscal quarter ``q`` of the latest fiscal year in which it has ended by the document date."""
    d, fye = a.date, a.fiscal_year_end
    if d is None:
        return Period(a.year, q, fiscal=True) if a.year else None
    if not fye or fye == 12:
        return Period(d.year if d.month >= 3 * q - 2 else d.year - 1, q, fiscal=True)
    for fy in (d.year + 1, d.year, d.year - 1):
        cal = fiscal_to_calendar(Period(fy, q, fiscal=True, fye=fye))
        if _month_end(cal.year, (cal.quarter or 4) * 3) <= d + dt.timedelta(days=10):
            return Period(fy, q, fiscal=True)
    return None


# -- finding periods in text ---------------------------------------------------------------

_NUM_CN = "零〇一二两三四五六七八九十"


def _slots(book: "object") -> dict[str, str]:
    return {
        "year": r"(?P<year>(?:19|20)\d{2})",
        "yy": r"(?P<yy>\d{2})",
        "q": r"(?P<q>[1-4一二三四])",
        "h": r"(?P<h>[12])",
        "m": r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])",
        "d": r"(?P<d>3[01]|[12]\d|0?[1-9]|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])",
        "n": rf"(?P<n>\d{{1,2}}|[{_NUM_CN}]{{1,3}})",
        "month_en": rf"(?P<mon>{book.alternation('month_name')})",  # type: ignore[attr-defined]
        "ord": rf"(?P<ord>{book.alternation('ordinal')})",  # type: ignore[attr-defined]
        "num_en": rf"(?P<num>{book.alternation('number_word')})",  # type: ignore[attr-defined]
        "weekday": rf"(?P<wd>{book.alternation('weekday')})",  # type: ignore[attr-defined]
    }


@functools.lru_cache(maxsize=4)
def _compiled(book_id: int = 0) -> list[tuple["object", re.Pattern[str]]]:
    from .phrasebook import Phrasebook

    book = Phrasebook.load()
    slots = _slots(book)
    out = []
    for e in book.of("period_template"):
        seen: Counter[str] = Counter()

        def fill(m: re.Match[str]) -> str:
            name = m.group(1)
            seen[name] += 1
            body = slots[name]
            return body if seen[name] == 1 else body.replace("(?P<", "(?P<", 1).replace(">", f"__{seen[name]}>", 1)

        pattern = re.sub(r"\{([a-z_]+)\}", fill, e.key)
        out.append((e, re.compile(pattern)))
    return out


def _int(text: str | None) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    from .numerals import chinese_int

    return chinese_int(text)


def _spec(entry: "object", m: re.Match[str]) -> tuple[PeriodSpec, tuple[str, ...]] | None:
    from .phrasebook import Phrasebook

    book = Phrasebook.load()
    a = entry.attrs  # type: ignore[attr-defined]
    g: dict[str, str | None] = {}
    for k, v in m.groupdict().items():  # a slot used twice is named slot__2 the second time
        base = k.split("__")[0]
        g[base] = g.get(base) or v
    year = int(g["year"]) if g.get("year") else (2000 + int(g["yy"]) if g.get("yy") else None)
    cues: list[str] = [entry.id]  # type: ignore[attr-defined]
    q = _int(g.get("q")) if g.get("q") else a.get("quarter")
    if g.get("ord"):
        ordinal = book.get("ordinal", g["ord"] or "")
        q = ordinal.attrs.get("value") if ordinal else None
        cues += [ordinal.id] if ordinal else []
    month = _int(g.get("m")) if g.get("m") else a.get("month")
    if g.get("mon"):
        name = book.get("month_name", (g["mon"] or "").rstrip("."))
        month = name.attrs.get("month") if name else None
        cues += [name.id] if name else []
    day = _int(g.get("d"))
    n = _int(g.get("n") or g.get("n2"))
    if g.get("num"):
        word = book.get("number_word", g["num"] or "")
        n = word.attrs.get("value") if word else None
        cues += [word.id] if word else []
    months = a.get("months")
    if a.get("kind") == "cumulative" and months is None and n:
        months = n * int(a.get("per_quarter", 1))
    half = a.get("half")
    if g.get("h"):
        half = int(g["h"])
    elif a.get("kind") == "half" and half is None:
        half = 2 if "second" in m.group() else 1
    rel = a.get("rel")
    if g.get("rel"):
        rel = {"今年": "this_year", "去年": "last_year", "明年": "next_year"}.get(g["rel"], rel)
    weekday = None
    if g.get("wd"):
        w = book.get("weekday", g["wd"] or "")
        weekday = w.attrs.get("weekday") if w else None
        cues += [w.id] if w else []
    end_year = int(g["y2"]) if g.get("y2") else None
    kind = str(a.get("kind"))
    if (q is not None and not 1 <= q <= 4) or (month is not None and not 1 <= month <= 12) or \
            (day is not None and not 1 <= day <= 31) or (months is not None and not 1 <= months <= 12):
        return None
    if kind == "span" and (end_year is None or year is None or not 0 < end_year - year <= 10):
        return None
    return PeriodSpec(kind, year, q, half, month, day, months, end_year, bool(a.get("fiscal")), rel, weekday), tuple(cues)


@dataclasses.dataclass(frozen=True)
class PeriodScan:
    """Every period template's matches in one text, read once (what they resolve to depends on the
    anchor, so that is left to :func:`find_periods`). A document's sentences are then looked up in it
    rather than matched against every template again."""

    text: str
    matches: tuple[tuple[int, int, int, object, tuple[PeriodSpec, tuple[str, ...]]], ...]
    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> "PeriodScan":
        found = sorted(_matches(text, 0, len(text)), key=lambda t: (t[0], t[1], t[2]))
        return cls(text, tuple(found), tuple(t[0] for t in found))

    def within(self, start: int, stop: int) -> list[tuple[int, int, int, object, tuple[PeriodSpec, tuple[str, ...]]]]:
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.matches) and self.matches[i][0] < stop:
            if self.matches[i][1] <= stop:
                out.append(self.matches[i])
            i += 1
        return out


def _matches(text: str, start: int, stop: int) -> list[tuple[int, int, int, object, tuple[PeriodSpec, tuple[str, ...]]]]:
    found: list[tuple[int, int, int, object, tuple[PeriodSpec, tuple[str, ...]]]] = []
    for order, (entry, rx) in enumerate(_compiled()):
        for m in rx.finditer(text, start, stop):
            s, e = m.span()
            if s == e:
                continue
            read = _spec(entry, m)
            if read is not None:
                found.append((s, e, order, entry, read))
    return found


def find_periods(text: str, start: int = 0, end: int | None = None, *, ref_year: int | None = None,
                 ref_date: dt.date | None = None, anchor: Anchor | None = None,
                 scan: PeriodScan | None = None) -> list[PeriodExpr]:
    """Periods in ``text[start:end]`` (canonical text), left to right, without overlaps (longest first).

    Each carries its spec and, where ``anchor`` (or ``ref_date`` / ``ref_year``) allows, the
    resolved period; relative ones (本季, 同期) resolve only against an anchor with a frame.
    ``scan`` (:class:`PeriodScan` of the same text) saves matching the templates again: the
    matches that lie wholly in the window are taken from it.
    """
    stop = len(text) if end is None else end
    a = anchor or Anchor(ref_date, ref_year)
    found = scan.within(start, stop) if scan is not None and scan.text is text else _matches(text, start, stop)
    found.sort(key=lambda t: (-(t[1] - t[0]), t[2], t[0]))
    taken: list[tuple[int, int]] = []
    out: list[PeriodExpr] = []
    for s, e, _, entry, (spec, cues) in found:
        if any(s < b and a_ < e for a_, b in taken):
            continue
        taken.append((s, e))
        out.append(PeriodExpr(s, e, resolve(spec, a), relative=spec.rel, spec=spec,
                              cue=entry.id, cues=cues))  # type: ignore[attr-defined]
    out.sort(key=lambda p: p.start)
    return _year_then_part(text, out, a)


def _year_then_part(text: str, out: list[PeriodExpr], a: Anchor) -> list[PeriodExpr]:
    """「去年第4季度」, 「今年上半年」: a year right before a quarter, half or month written without one
    is that part's year, one period, not two."""
    merged: list[PeriodExpr] = []
    i = 0
    while i < len(out):
        p = out[i]
        q = out[i + 1] if i + 1 < len(out) else None
        if (q is not None and p.spec is not None and q.spec is not None and p.period is not None
                and p.spec.kind == "year" and q.spec.kind in ("quarter", "half", "month", "cumulative")
                and q.spec.year is None and q.spec.rel is None and text[p.end:q.start].strip() in ("", "的")):
            spec = dataclasses.replace(q.spec, year=p.period.year)
            merged.append(dataclasses.replace(q, start=p.start, period=resolve(spec, a), spec=spec,
                                              cues=(*p.cues, *q.cues)))
            i += 2
            continue
        merged.append(p)
        i += 1
    return merged


def infer_reference_year(canonical_text: str) -> int | None:
    """The year a text is mostly about, when it has no date: the most frequent year its periods state."""
    years = Counter(p.spec.year for p in find_periods(canonical_text) if p.spec is not None and p.spec.year)
    if not years:
        return None
    best = max(years.values())
    return max(y for y, c in years.items() if c == best)
