"""Figures written in a text: Arabic or Chinese numerals with their scale and kind.

Works on canonical text (``kg.text.canonical``: simplified script, lower case, full-width
digits folded, same length as the original), so a figure's offsets are the original's.
Each figure carries the tolerance of the digits it shows: ``324.5亿`` is 324.5e8 give or take
0.05e8, ``三成`` is 30% give or take 5 points. What is not a figure is left out: ordinals
(第三), dates' days and months (9月30日), identifiers (Q1, GPT-4o, 5G), stock codes
((01024), 9988.HK) and ISO dates (2025-05-27). Years are figures here; the verifier decides
whether one is a cited period's.

>>> [(f.number, f.value, f.kind) for f in figures_in("营收为324.5亿元,同比增长77%")]
[('324.5', 32450000000.0, 'amount'), ('77', 77.0, 'pct')]
>>> [(f.number, f.value, f.tol, f.kind) for f in figures_in("净利润约三百二十亿元,约占三成")]
[('三百二十亿', 32000000000.0, 500000000.0, 'amount'), ('三成', 30.0, 5.0, 'pct')]
>>> [f.number for f in figures_in("腾讯(00700)与gpt-4o及5g手机,三一重工,第三,9月30日,2025-05-27 up 2.5x")]
['2.5']
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Figure", "figures_in", "non_figures"]


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    number: str  # the numeral as written, without thousands separators ("324.5", "三百二十亿")
    value: float  # scale applied (亿 -> x1e8); a percentage, point or multiple as written (77 for 77%)
    tol: float  # half a unit of the last digit shown, in the same scale
    kind: str  # amount | pct | pp | x | plain


_ZH_SCALES = [("万亿", 1e12), ("千亿", 1e11), ("百亿", 1e10), ("十亿", 1e9), ("亿", 1e8), ("千万", 1e7),
              ("百万", 1e6), ("十万", 1e5), ("万", 1e4), ("千", 1e3)]
_EN_SCALES = [("trillion", 1e12), ("billion", 1e9), ("million", 1e6), ("thousand", 1e3)]
_EN_SHORT = [("tn", 1e12), ("bn", 1e9), ("mln", 1e6), ("mn", 1e6), ("b", 1e9), ("m", 1e6), ("k", 1e3)]
_PP = re.compile(r"\s*(?:个百分点|百分点|percentage[\s-]points?|(?:pp|ppts?|pts)(?![a-z]))")
_PCT = re.compile(r"\s*(?:%|percent(?![a-z])|per\s+cent(?![a-z])|pct(?![a-z]))")
_X = re.compile(r"\s*(?:倍|×|(?:x|times|-?fold)(?![a-z]))")
_CUR_AFTER = re.compile(r"\s*(?:(?:美|港|人民币|日|欧|新台币|澳)?元|美金|英镑|欧元|日圆|韩元)")
_CUR_BEFORE = re.compile(r"(?:rmb|cny|usd|hkd|eur|jpy|gbp|sgd|twd|us\$|hk\$|nt\$|s\$|\$|¥|￥|€|£)\s*$")
_UNIT_WORDS = {w for w, _ in _EN_SHORT} | {w for w, _ in _EN_SCALES} | {
    "x", "pp", "ppt", "ppts", "pts", "pct", "percent", "times", "fold"}
_ORDINAL = re.compile(r"(?:st|nd|rd|th)(?![a-z])")
# a day or month of a date, a month range (1-9月), a quarter written 1季度
_DATE_PART = re.compile(r"\s*(?:[-–~至到]\s*\d{1,2}\s*)?(?:月|日|号|季度)")

_ARABIC = re.compile(r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_CN_DIGITS = "零〇一二两三四五六七八九十"
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿点]+")
_CN_PCT = re.compile(r"百分之([零〇一二两三四五六七八九十百点]+|\d+(?:\.\d+)?)")
_CN_CHENG_NOT = "本员立功为交绩果熟长效就型"  # 成本, 成员, 成立…: not 成 as tenths
_CN_TIME_AFTER = re.compile(r"(?:季度|季|个月|月|日|号|年|周|星期|天|小时|分钟|代|届|名|位数)")
_CN_BEFORE_SKIP = ("第", "星期", "周", "礼拜", "数", "几", "上", "双", "农历")
_CN_WORDS_SKIP = re.compile(r"十一(?:黄金周|长假|假期|期间)|五一|一一|万一|一五一十|三三两两|十四五|十五五")

_STOCK = re.compile(
    r"[(（]\s*(?:(?:hk|hkex|sehk|sh|sz|nasdaq|nyse|港股|股份代号|股票代码)\s*[:：]?\s*)?\d{4,6}"
    r"(?:\s*\.\s*(?:hk|sh|sz|ss|us))?(?:\s*[,，;；/、]\s*(?:[a-z]+\s*[:：]\s*)?[a-z0-9.]+)*\s*[)）]"
    r"|(?<![\d.])\d{4,6}\.(?:hk|sh|sz|ss)(?![a-z])"
    r"|(?:股份代号|股票代码|代码|stock code|ticker|hkex|sehk)\s*[:：]?\s*\d{4,6}(?![\d.])")
_ISO_DATE = re.compile(r"(?<![\d.])(?:19|20)\d{2}-[01]\d-[0-3]\d(?![\d])")


def non_figures(canon: str) -> list[tuple[int, int]]:
    """Spans that hold digits but no figure: stock codes and ISO dates (years in parentheses stay)."""
    spans = []
    for m in _STOCK.finditer(canon):
        inner = re.sub(r"\D", "", m.group())
        if m.group()[:1] in "(（" and re.fullmatch(r"(?:19|20)\d{2}", inner):
            continue  # "(2023)" is a year
        spans.append(m.span())
    spans += [m.span() for m in _ISO_DATE.finditer(canon)]
    return spans


def _scale_after(canon: str, i: int) -> tuple[float, int] | None:
    for word, f in _ZH_SCALES:
        if canon.startswith(word, i):
            return f, i + len(word)
    j = i + len(canon[i:]) - len(canon[i:].lstrip(" "))
    for word, f in _EN_SCALES:
        if canon.startswith(word, j) and not canon[j + len(word):j + len(word) + 1].isalpha():
            return f, j + len(word)
    for word, f in _EN_SHORT:  # bn, m, k: written against the number
        if canon.startswith(word, i) and not canon[i + len(word):i + len(word) + 1].isalpha():
            return f, i + len(word)
    return None


def _kind_after(canon: str, i: int) -> tuple[str, int] | None:
    for kind, rx in (("pp", _PP), ("pct", _PCT), ("x", _X), ("amount", _CUR_AFTER)):
        m = rx.match(canon, i)
        if m:
            return kind, m.end()
    return None


def _identifier(canon: str, s: int, e: int) -> bool:
    """Q1, v3, gpt-4o, a100, 5g, 1st: digits that belong to a name or an ordinal, not a figure."""
    before = canon[max(0, s - 8):s]
    if before and before[-1].isascii() and before[-1].isalpha() and not _CUR_BEFORE.search(before):
        return True
    if len(before) >= 2 and before[-1] in "-_" and before[-2].isascii() and before[-2].isalnum():
        return True
    after = re.match(r"[a-z]+", canon[e:])
    if after:
        word = after.group()
        if _ORDINAL.fullmatch(word):
            return True
        return word not in _UNIT_WORDS
    return False


def _tol(number: str, scale: float) -> float:
    decimals = len(number.split(".")[1]) if "." in number else 0
    return 0.5 * 10 ** -decimals * scale


def _arabic(canon: str, text: str, taken: list[tuple[int, int]]) -> list[Figure]:
    out = []
    # a full-width comma (folded to "," by canonical) separates clauses, never thousands
    # unless it sits between full-width digits (１２，３４５)
    work = canon
    if len(text) == len(canon):
        work = "".join("、" if o == "，" and not (i and "０" <= text[i - 1] <= "９") else c
                       for i, (o, c) in enumerate(zip(text, canon)))
    for m in _ARABIC.finditer(work):
        s, e = m.span()
        if any(a <= s < b for a, b in taken):
            continue
        number = m.group().replace(",", "")
        if _identifier(canon, s, e) or _DATE_PART.match(canon, e):
            continue
        value, end, kind = float(number), e, "plain"
        scaled = _scale_after(canon, e)
        scale = 1.0
        if scaled is not None:
            scale, end = scaled
            kind = "amount"
        k = _kind_after(canon, end)
        if k is not None and not (kind == "amount" and k[0] != "amount"):
            kind, end = k
        if kind == "plain" and _CUR_BEFORE.search(canon[max(0, s - 6):s]):
            kind = "amount"
        if canon[max(0, s - 3):s] == "百分之":
            kind = "pct"
        out.append(Figure(s, end, number, value * scale, _tol(number, scale), kind))
    return out


def _cn_value(run: str) -> tuple[float, float] | None:
    """A Chinese numeral's value and the tolerance of its last digit: 三百二十亿 -> (3.2e10, 5e8)."""
    import cn2an

    scale, head = 1.0, run
    if "点" in run:  # 三点五亿: cn2an reads the decimal, the scale is applied here
        for word, f in _ZH_SCALES:
            if run.endswith(word) and len(run) > len(word) and word in ("万亿", "亿", "万"):
                scale, head = f, run[:-len(word)]
                break
    try:
        v = float(cn2an.cn2an(head, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if "点" in head:
        decimals = len(head.split("点")[1])
        return v * scale, 0.5 * 10 ** -decimals * scale
    place = 1.0
    iv = int(round(v))
    while iv and iv % 10 == 0:
        iv //= 10
        place *= 10
    return v * scale, 0.5 * place * scale


def _chinese(canon: str, taken: list[tuple[int, int]]) -> list[Figure]:
    out: list[Figure] = []
    skip = [m.span() for m in _CN_WORDS_SKIP.finditer(canon)]
    for m in _CN_PCT.finditer(canon):
        got = _cn_value(m.group(1)) if not m.group(1)[0].isdigit() else None
        if got is not None:
            out.append(Figure(m.start(), m.end(), m.group(), got[0], got[1], "pct"))
            skip.append(m.span())
    for m in _CN_RUN.finditer(canon):
        s, e = m.span()
        run = m.group().rstrip("点")
        if any(a < e and s < b for a, b in taken + skip) or not any(c in _CN_DIGITS for c in run):
            continue
        if any(canon[:s].endswith(w) for w in _CN_BEFORE_SKIP) or _CN_TIME_AFTER.match(canon, s + len(run)):
            continue
        nxt = canon[s + len(run):s + len(run) + 2]
        kind, end = "plain", s + len(run)
        tenths = 0.0
        if nxt[:1] == "成" and (nxt[1:2] == "" or nxt[1:2] not in _CN_CHENG_NOT) and len(run) <= 2:
            kind, end = "pct", end + 1
            if nxt[1:2] and nxt[1:2] in "一二三四五六七八九":  # 九成五: 95%
                tenths, end = float("一二三四五六七八九".index(nxt[1]) + 1), end + 1
        elif nxt[:1] == "倍":
            kind, end = "x", end + 1
        elif len(run) < 2 or not re.search(r"[十百千万亿点]", run):
            continue  # 一家, 两位: a word; 三一, 三六零, 二〇二五: digit by digit, a name or a year
        got = _cn_value(run)
        if got is None:
            if re.search(r"[点万亿]", run):  # a figure that cannot be read cannot be verified
                out.append(Figure(s, end, run, math.nan, 0.0, "plain"))
            continue
        value, tol = got
        if kind == "pct":
            value, tol = (value * 10 + tenths, 0.5) if tenths else (value * 10, tol * 10)
        elif kind == "plain":
            k = _kind_after(canon, end)
            if any(run.endswith(w) for w, _ in _ZH_SCALES):
                kind = "amount"
            elif k is not None:
                kind, end = k
        out.append(Figure(s, end, canon[s:end].strip(), value, tol, kind))
    return out


def figures_in(canon: str, text: str | None = None) -> list[Figure]:
    """The figures of a canonical text (``text``, its original, tells thousands commas from clause commas)."""
    taken = non_figures(canon)
    arabic = _arabic(canon, text if text is not None else canon, taken)
    cn = _chinese(canon, taken + [(f.start, f.end) for f in arabic])
    return sorted(arabic + cn, key=lambda f: f.start)
