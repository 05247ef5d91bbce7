from __future__ import annotations

from hypothesis import given, strategies as st

from ingestion.quantities import find_numbers
from kg.text import canonical


def one(text: str):
    found = find_numbers(canonical(text))
    assert len(found) == 1, found
    return found[0]


def test_chinese_scales_and_currencies():
    assert (one("營收達324.5億元").value, one("營收達324.5億元").unit) == (32450000000.0, "CNY")
    assert one("達 655.17 億美元").value == 65517000000.0
    assert one("日均消耗3000萬元").value == 30000000.0
    assert one("1.5億元人民幣").unit == "CNY"


def test_english_scales_and_currencies():
    assert (one("revenue of RMB 98.5 billion").value, one("RMB 98.5 billion").unit) == (98500000000.0, "CNY")
    assert (one("US$350 million").value, one("US$350 million").unit) == (350000000.0, "USD")
    assert one("$1.2bn").value == 1200000000.0


def test_bounds():
    assert one("超1.5億元").bound == "MoreThan"
    assert one("不足10%").bound == "LessThan"
    assert one("提升40%以上").bound == "AtLeast"
    assert one("more than 20,000 customers").bound == "MoreThan"
    assert one("nearly 5%").bound == "Approximately"


def test_points_multiples_ratios_and_qualitative():
    assert one("下降5.36個百分點").unit == "pp"
    assert one("up 3.5 percentage points").unit == "pp"
    assert (one("暴漲30倍").value, one("暴漲30倍").unit) == (30.0, "multiple")
    assert one("僅為官方三折").value == 0.3
    assert one("DeepSeek-R1的1/4").value == 0.25
    assert one("三位數增長").qualitative == "三位数"
    assert one("千億級規模").qualitative == "千亿级"


def test_names_with_digits_are_not_numbers():
    assert find_numbers(canonical("開放R1和R1-1.5B模型")) == []
    assert find_numbers(canonical("DeepSeek-V3與GPT-4o")) == []


def test_after_a_slash_only_a_second_form_of_a_figure_is_a_number():
    """A ticker code or a fiscal-year tail after a slash is no figure; a target price or a percentage
    written in two forms (「165.00美元/256.74港元」, 18.04%/18.42%) is two."""
    assert [n.value for n in find_numbers(canonical("網易(NTES/09999)"))] == []
    assert 26 not in [n.value for n in find_numbers(canonical("2025/26財年"))]
    assert [n.value for n in find_numbers(canonical("目標價165.00美元/256.74港元"))] == [165.0, 256.74]
    assert [n.value for n in find_numbers(canonical("分別有18.04%/18.42%"))] == [18.04, 18.42]


def test_price_per_tokens():
    n = one("推出「1元200萬tokens」的優惠")
    assert (n.value, n.unit, n.per_quantity, n.per_unit) == (1.0, "CNY", 2000000.0, "tokens")


@given(st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False),
       st.sampled_from([("億元", 1e8, "CNY"), ("萬元", 1e4, "CNY"), ("億美元", 1e8, "USD"), (" billion yuan", 1e9, "CNY")]))
def test_any_amount_reads_back(amount, scale):
    word, factor, unit = scale
    text = f"收入達{amount}{word},"
    n = one(text)
    assert n.unit == unit
    assert abs(n.value - float(amount) * factor) <= 1e-6 * max(1.0, float(amount) * factor)


@given(st.text(max_size=200))
def test_never_crashes_and_spans_are_inside(text):
    canon = canonical(text)
    for n in find_numbers(canon):
        assert 0 <= n.start < n.end <= len(canon)
