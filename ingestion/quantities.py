"""Find and read number expressions: amounts, percentages, points, multiples, counts.

Works on canonical text (Simplified, lower case; see ``kg.text.canonical``).

>>> [(n.value, n.unit, n.bound) for n in find_numbers("营收达324.5亿元,同比增长3%,超1万家客户")]
[(32450000000.0, 'CNY', None), (3.0, 'percent', None), (10000.0, 'count', 'MoreThan')]
>>> [(n.value, n.unit) for n in find_numbers("revenue of us$1.2 billion, up 5 percentage points")]
[(1200000000.0, 'USD'), (5.0, 'pp')]
>>> [(n.value, n.unit, n.qualitative) for n in find_numbers("收入实现三位数增长,仅为官方三折,成本为r1的1/4")]
[(None, 'percent', '三位数'), (0.3, 'ratio', None), (0.25, 'ratio', None)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import cn2an

__all__ = ["NumberExpr", "find_numbers", "CN_DIGITS", "chinese_int"]

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9, "十": 10}

_CN_SCALE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8, "千万": 1e7,
             "百万": 1e6, "十万": 1e5, "万": 1e4, "千": 1e3}
_EN_SCALE = {"trillion": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6, "mn": 1e6,
             "m": 1e6, "thousand": 1e3, "k": 1e3}
_CUR_PRE = {"rmb": "CNY", "cny": "CNY", "us$": "USD", "usd": "USD", "hk$": "HKD", "hkd": "HKD",
            "eur": "EUR", "€": "EUR", "$": "USD", "¥": "CNY", "￥": "CNY", "£": "GBP"}
_CUR_POST = {"元人民币": "CNY", "元": "CNY", "人民币": "CNY", "美元": "USD", "港元": "HKD", "港币": "HKD",
             "欧元": "EUR", "日元": "JPY", "英镑": "GBP", "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY",
             "dollars": "USD", "dollar": "USD", "usd": "USD", "hkd": "HKD", "euros": "EUR", "yen": "JPY"}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_NUM = r"[零〇一二两三四五六七八九十百千]+(?:\.\d+)?"


def _alt(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[arg-type]


_NUMBER = re.compile(
    rf"(?P<pre>{_alt(_CUR_PRE)})?\s?(?P<neg>(?<![A-Za-z0-9.])[-−])?(?P<num>{_NUM})"
    rf"(?:\s?(?P<cnscale>{_alt(_CN_SCALE)}))?"
    rf"(?:\s?(?P<enscale>{_alt([k for k in _EN_SCALE if len(k) > 1])}|[bmk](?![a-z]))(?![a-z]))?"
    rf"(?:\s?(?P<cur>{_alt(_CUR_POST)})(?![a-z]))?"
    r"(?:\s?(?P<unit>%|percent(?:age points?)?|per cent|个百分点|百分点|pp(?:ts?)?(?![a-z])|bps|basis points"
    r"|倍|times(?![a-z])|-?fold|x(?![a-z])"
    r"|家|个|名|位|款|项|人|户|次|条|台|辆|部|座|件|张))?"
)
_CN_NUMBER = re.compile(
    rf"(?P<num>{_CN_NUM})(?P<cnscale>万亿|亿|万)?(?P<cur>元|美元|港元)?(?P<unit>倍|家|个|名|位|款|项)?")
_QUAL_DIGITS = re.compile(r"(?P<q>(?:低|中|高)?[一二两双三四五六七八九]位数)(?P<pct>百分比|%)?")
_QUAL_EN = re.compile(r"(?P<q>(?:(?:high|low|mid)[- ])?(?:single|double|triple)[- ]digit)")
_QUAL_SCALE = re.compile(r"(?P<q>[十百千万亿]+级)")
_DISCOUNT = re.compile(r"(?P<q>(?:[一二三四五六七八九]|\d(?:\.\d)?)折)")
_FRACTION = re.compile(r"(?<![\d/.])(?P<a>\d+)/(?P<b>\d+)(?![\d/])")
_DURATION = re.compile(r"\s?(?:季度|个月|月|年|星期|周|天|小时|分钟|quarters?|months?|years?|weeks?|days?|hours?)")
_PER_PREFIX = re.compile(r"每\s?(?P<s>百万|千万|万|千|亿)?\s?(?P<u>tokens?|个token|千tokens?)\s?(?P<num>\d+(?:\.\d+)?)\s?(?P<cur>元|美元|分)")
_PER_TOKENS = re.compile(r"\s?/?\s?(?P<n>\d+(?:\.\d+)?)\s?(?P<s>万|百万|千|k|m|million)?\s?tokens?")

_BOUND_BEFORE = [
    ("约为", "Approximately"), ("约达", "Approximately"), ("约有", "Approximately"), ("大约为", "Approximately"),
    ("突破了", "MoreThan"), ("突破", "MoreThan"), ("超过了", "MoreThan"), ("不足了", "LessThan"),
    ("超过", "MoreThan"), ("超", "MoreThan"), ("逾", "MoreThan"), ("高于", "MoreThan"), ("多于", "MoreThan"),
    ("more than", "MoreThan"), ("over", "MoreThan"), ("above", "MoreThan"), ("in excess of", "MoreThan"),
    ("不足", "LessThan"), ("不到", "LessThan"), ("少于", "LessThan"), ("低于", "LessThan"),
    ("less than", "LessThan"), ("under", "LessThan"), ("below", "LessThan"), ("fewer than", "LessThan"),
    ("at least", "AtLeast"), ("至少", "AtLeast"), ("up to", "AtMost"), ("最多", "AtMost"),
    ("将近", "Approximately"), ("近", "Approximately"), ("约", "Approximately"), ("大约", "Approximately"),
    ("nearly", "Approximately"), ("almost", "Approximately"), ("about", "Approximately"),
    ("approximately", "Approximately"), ("around", "Approximately"), ("roughly", "Approximately"),
]
_BOUND_AFTER = [("以上", "AtLeast"), ("or more", "AtLeast"), ("多", "MoreThan"), ("左右", "Approximately"),
                ("以下", "AtMost"), ("+", "AtLeast")]


@dataclass(frozen=True)
class NumberExpr:
    start: int
    end: int
    value: float | None
    unit: str  # CNY USD HKD EUR JPY GBP percent pp multiple count ratio plain
    bound: str | None = None
    qualitative: str | None = None
    per_quantity: float | None = None
    per_unit: str | None = None
    chinese: bool = False

    @property
    def is_currency(self) -> bool:
        return self.unit in ("CNY", "USD", "HKD", "EUR", "JPY", "GBP")


def chinese_int(text: str) -> int | None:
    """``七`` -> 7, ``二十九`` -> 29, ``7`` -> 7; None when it is not a number."""
    if text.isdigit():
        return int(text)
    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _bound(text: str, start: int, end: int) -> tuple[str | None, int, int]:
    lo = max(0, start - 14)
    before = text[lo:start].rstrip()
    bound = None
    for word, kind in _BOUND_BEFORE:
        if before.endswith(word) and (not word[0].isascii() or len(before) == len(word)
                                      or not before[-len(word) - 1].isalpha()):
            bound = kind
            start = lo + len(before) - len(word)
            break
    after = text[end:end + 8]
    for word, kind in _BOUND_AFTER:
        if after.lstrip().startswith(word) and (word != "多" or not after[1:2].isalnum()):
            bound = bound or kind
            end = end + (len(after) - len(after.lstrip())) + len(word)
            break
    return bound, start, end


def _plain_ok(text: str, m: re.Match[str]) -> bool:
    """Reject digits that belong to a name (R1-1.5B, DeepSeek-V3, Q1, T1, GPT-4o)."""
    s, e = m.start("num"), m.end()
    if m.group("pre") is None:
        prev = text[s - 1] if s > 0 else " "
        prev2 = text[s - 2] if s > 1 else " "
        if prev.isascii() and prev.isalpha():
            return False
        if prev in "-_." and (prev2.isascii() and prev2.isalnum()):
            return False
        if prev in "/" :
            return False
    nxt = text[e] if e < len(text) else " "
    if nxt.isascii() and nxt.isalpha():
        return False
    if nxt in "-" and e + 1 < len(text) and text[e + 1].isascii() and text[e + 1].isalpha():
        return False
    return True


def find_numbers(text: str, start: int = 0, end: int | None = None,
                 skip: list[tuple[int, int]] | None = None) -> list[NumberExpr]:
    """Number expressions in ``text[start:end]`` (canonical text), left to right."""
    stop = len(text) if end is None else end
    taken: list[tuple[int, int]] = list(skip or [])
    out: list[NumberExpr] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(expr: NumberExpr) -> None:
        taken.append((expr.start, expr.end))
        out.append(expr)

    for m in _PER_PREFIX.finditer(text, start, stop):
        if free(m.start(), m.end()):
            per = {"百万": 1e6, "千万": 1e7, "万": 1e4, "千": 1e3, "亿": 1e8}.get(m.group("s") or "", 1.0)
            value = float(Decimal(m.group("num")) / (100 if m.group("cur") == "分" else 1))
            add(NumberExpr(m.start(), m.end(), value, "USD" if m.group("cur") == "美元" else "CNY",
                           per_quantity=per, per_unit="tokens"))
    for m in _QUAL_DIGITS.finditer(text, start, stop):
        if free(m.start(), m.end()):
            add(NumberExpr(m.start(), m.end(), None, "percent", qualitative=m.group("q"), chinese=True))
    for m in _QUAL_EN.finditer(text, start, stop):
        if free(m.start(), m.end()):
            add(NumberExpr(m.start(), m.end(), None, "percent", qualitative=m.group("q")))
    for m in _QUAL_SCALE.finditer(text, start, stop):
        if free(m.start(), m.end()):
            add(NumberExpr(m.start(), m.end(), None, "amount", qualitative=m.group("q"), chinese=True))
    for m in _DISCOUNT.finditer(text, start, stop):
        if free(m.start(), m.end()):
            q = m.group("q")[:-1]
            v = CN_DIGITS.get(q)
            value = (v / 10) if v is not None else float(q) / 10
            add(NumberExpr(m.start(), m.end(), round(value, 4), "ratio", chinese=True))
    for m in _FRACTION.finditer(text, start, stop):
        b = int(m.group("b"))
        if b and free(m.start(), m.end()) and not text[m.end():m.end() + 1].isalpha():
            add(NumberExpr(m.start(), m.end(), round(int(m.group("a")) / b, 6), "ratio"))
    for m in _NUMBER.finditer(text, start, stop):
        if not free(m.start(), m.end()) or not _plain_ok(text, m):
            continue
        if m.group("unit") in ("个", "") and _DURATION.match(text, m.end()):
            continue
        add(_read_number(text, m))
    for m in _CN_NUMBER.finditer(text, start, stop):
        if not (m.group("cnscale") or m.group("cur") or m.group("unit")):
            continue
        if not free(m.start(), m.end()) or m.group("num") in ("十", "百", "千"):
            continue
        n = chinese_int(m.group("num"))
        if n is None or (n == 1 and not (m.group("cnscale") or m.group("cur"))):
            continue  # 每一家, 一个: not a figure
        if _DURATION.match(text, m.end()):
            continue  # 近六个季度: a duration
        scale = _CN_SCALE.get(m.group("cnscale") or "", 1.0)
        unit = _CUR_POST.get(m.group("cur") or "", "") or _unit_of(m.group("unit"))
        if unit == "plain" and m.group("cnscale"):
            unit = "count"
        add(NumberExpr(m.start(), m.end(), n * scale, unit, chinese=True))
    out.sort(key=lambda n: n.start)
    final = []
    for n in out:
        bound, s, e = _bound(text, n.start, n.end)
        final.append(NumberExpr(s if bound else n.start, e if bound else n.end, n.value, n.unit, bound,
                                n.qualitative, n.per_quantity, n.per_unit, n.chinese))
    return final


def _unit_of(word: str | None) -> str:
    if not word:
        return "plain"
    if word in ("%", "percent", "per cent"):
        return "percent"
    if word.startswith(("percentage point", "个百分点", "百分点", "pp", "bps", "basis")):
        return "pp"
    if word in ("倍", "times", "x") or word.endswith("fold"):
        return "multiple"
    return "count"


def _read_number(text: str, m: re.Match[str]) -> NumberExpr:
    exact = Decimal(m.group("num").replace(",", ""))
    if m.group("cnscale"):
        exact *= Decimal(int(_CN_SCALE[m.group("cnscale")]))
    if m.group("enscale"):
        exact *= Decimal(int(_EN_SCALE[m.group("enscale")]))
    if m.group("neg"):
        exact = -exact
    value = float(exact)
    currency = _CUR_PRE.get(m.group("pre") or "") or _CUR_POST.get(m.group("cur") or "")
    unit_word = m.group("unit")
    unit = currency or _unit_of(unit_word)
    if unit_word == "bps":
        value /= 100
    end = m.end()
    if unit == "plain" and (m.group("cnscale") or m.group("enscale")):
        unit = "count"
    per_q = per_u = None
    if currency:
        t = _PER_TOKENS.match(text, end)
        if t:
            per_q = float(t.group("n")) * {"万": 1e4, "百万": 1e6, "千": 1e3, "k": 1e3, "m": 1e6,
                                            "million": 1e6}.get(t.group("s") or "", 1.0)
            per_u = "tokens"
            end = t.end()
    start = m.start() if m.group("pre") else (m.start("neg") if m.group("neg") else m.start("num"))
    return NumberExpr(start, end, value, unit, per_quantity=per_q, per_unit=per_u)
