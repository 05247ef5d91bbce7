"""How closely a retrieved fact matches what the question asked: text overlap, periods, repeated figures."""
from __future__ import annotations

import datetime

from kg.periods import Period

from .analyze import WILDCARD_YEAR
from .plan import Obs

__all__ = ["overlap", "period_match", "same_figure"]


def same_figure(o: Obs, x: Obs) -> bool:
    """The same figure stated twice, once with a bound ("1.5億元" and "超1.5億元"): show it once."""
    return (o.subject, o.metric, o.period, o.value, o.change) == (x.subject, x.metric, x.period, x.value, x.change) \
        and (o.value is not None or o.change is not None)


def overlap(a: str, b: str) -> float:
    """Share of a's characters (bigrams for Chinese, words for English) found in b."""
    a = a.replace(" ", "")
    if len(a) < 2:
        return 0.0
    grams = {a[i:i + 2] for i in range(len(a) - 1)}
    b2 = b.replace(" ", "")
    return sum(1 for gr in grams if gr in b2) / len(grams)


def after_results(q: Period, o: Period | None, days: int = 100) -> bool:
    """Whether the day ``o`` falls in the weeks after the calendar period ``q`` closed, when its results
    come out: the trading day of "shares rose after the Q2 results"."""
    if o is None or o.day is None or o.month is None or q.fiscal or q.month is not None or q.day is not None \
            or q.year == WILDCARD_YEAR or q.ytd or q.months:
        return False
    end_month = 3 * q.quarter if q.quarter else 6 * q.half if q.half else 12
    end = datetime.date(q.year, end_month, 1) + datetime.timedelta(days=31)
    end = end.replace(day=1) - datetime.timedelta(days=1)
    day = datetime.date(o.year, o.month, o.day)
    return end < day <= end + datetime.timedelta(days=days)


def period_match(q: Period, o: Period | None) -> int:
    """3 for the period asked, 2 for it in any year, 1 for a part of the year asked, 0 for no match."""
    if o is None:
        return 0
    if (q.quarter, q.month, q.half, q.ytd) != (o.quarter, o.month, o.half, o.ytd):
        if q.quarter is None and q.month is None and q.half is None and not q.ytd and q.year in (o.year, WILDCARD_YEAR):
            return 1  # a year asked ("this year" reads as any year), a part of it stated
        return 0
    if q.year == WILDCARD_YEAR:
        return 2
    return 3 if q.year == o.year else 0
