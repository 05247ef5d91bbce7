from __future__ import annotations

import datetime as dt

from hypothesis import given, strategies as st

from kg.periods import Period, find_periods, infer_reference_year, parse_period_key
from kg.text import canonical


def keys(text: str, **kw) -> list[str]:
    return [p.period.key for p in find_periods(canonical(text), **kw) if p.period]


def test_explicit_periods():
    assert keys("2025年Q1營收") == ["2025-Q1"]
    assert keys("2023年第四季度") == ["2023-Q4"]
    assert keys("2025 財年第四季度") == ["FY2025-Q4"]
    assert keys("in the second quarter of 2025") == ["2025-Q2"]
    assert keys("Q4 2023 and fiscal 2024") == ["2023-Q4", "FY2024"]
    assert keys("2024年上半年") == ["2024-H1"]
    assert keys("2025年3月") == ["2025-03"]


def test_relative_periods_resolve_against_the_document_date():
    d = dt.date(2025, 8, 20)
    assert keys("上季", ref_date=d) == ["2025-Q2"]
    assert keys("次季", ref_date=d) == ["2025-Q2"]  # Hong Kong press: the second quarter, not the next one
    assert keys("今年以來", ref_date=d) == ["2025-YTD"]
    assert keys("去年", ref_date=d) == ["2024"]
    assert keys("第二季度", ref_date=d) == ["2025-Q2"]
    assert keys("last quarter", ref_date=dt.date(2025, 1, 10)) == ["2024-Q4"]


def test_relative_periods_without_a_date_are_not_guessed():
    assert keys("上季") == []
    assert keys("第一季度") == []


def test_reference_year_is_the_most_frequent_explicit_year():
    assert infer_reference_year(canonical("2025年Q1… 2025年… 2031年")) == 2025


@given(st.integers(1990, 2099), st.integers(1, 4), st.booleans())
def test_keys_round_trip(year, quarter, fiscal):
    p = Period(year, quarter, fiscal=fiscal)
    assert parse_period_key(p.key) == p


@given(st.text(max_size=100))
def test_never_crashes(text):
    find_periods(canonical(text), ref_date=dt.date(2025, 5, 1))
