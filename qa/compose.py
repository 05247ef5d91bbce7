"""Put retrieved facts into words in the question's language, numbers with their units."""
from __future__ import annotations

import re
from collections.abc import Iterator

from kg.namespaces import KGM
from kg.periods import parse_period_key
from kg.text import to_script

from .graph import GraphIndex, chinese_phrase
from .plan import Obs

__all__ = ["num", "figure_text", "observation_sentence", "period_text", "pieces", "tr", "zh", "T", "ZH_LIST_SEP"]

ZH_LIST_SEP = "、"

_CUR_EN = {"CNY": "RMB ", "USD": "US$", "HKD": "HK$", "EUR": "EUR ", "JPY": "JPY ", "GBP": "GBP "}
_CUR_ZH = {"CNY": "元", "USD": "美元", "HKD": "港元", "EUR": "歐元", "JPY": "日元", "GBP": "英鎊"}
_BOUND = {
    "en": {"MoreThan": "more than ", "AtLeast": "at least ", "LessThan": "less than ", "AtMost": "at most ",
           "Approximately": "about "},
    "zh-Hant": {"MoreThan": "超過", "AtLeast": "至少", "LessThan": "不足", "AtMost": "最多", "Approximately": "約"},
}
_BASIS = {"en": {"YearOverYear": " year over year", "QuarterOverQuarter": " quarter over quarter"},
          "zh-Hant": {"YearOverYear": "同比", "QuarterOverQuarter": "環比"}}

# Sentence pieces: zh-Hans is made from zh-Hant by OpenCC.
T = {
    "en": {"not_found": "Not found in the graph: {what}.", "nearby": " The graph has {metric} for {subject}: {periods}.",
           "no_entity": "Not found: the question names no company, product or market the graph knows.",
           "sources": "Sources",
           "unit_figure": "The graph holds this count for {subject}'s unit {unit}, not for {subject} itself: ",
           "owner_figure": "The graph holds this figure for {owner}, whose article names {unit} with it: ",
           "which_subject": "Which company do you mean? \"{what}\" names none, and nothing earlier in this "
                            "conversation does; name it, e.g. \"Tencent's revenue?\"."},
    "zh-Hant": {"not_found": "圖譜中沒有找到：{what}。", "nearby": "圖譜中有{subject}的{metric}：{periods}。",
                "no_entity": "沒有找到：問題中沒有圖譜認識的公司、產品或市場。", "sources": "來源",
                "unit_figure": "圖譜中這個數字屬於{subject}的{unit}，而非{subject}本身：",
                "owner_figure": "圖譜中這個數字記在{owner}名下，原文與{unit}一併寫出：",
                "which_subject": "請問指的是哪家公司？「{what}」沒有說明，這段對話之前也沒有提到；請寫出名稱，例如「騰訊的營收是多少？」。"},
}


def tr(lang: str, key: str, **kw: object) -> str:
    base = "en" if lang == "en" else "zh-Hant"
    s = T[base][key].format(**kw)
    return to_script(s, "zh-Hans") if lang == "zh-Hans" else s


def zh(text: str, lang: str) -> str:
    """Traditional-script template text in the reader's script."""
    return to_script(text, "zh-Hans") if lang == "zh-Hans" else text


def pieces(text: str) -> Iterator[str]:
    """A text in sentence-sized pieces that join back to it exactly.

    >>> list(pieces("營收增長20%。利潤下降！Revenue rose 3.5%. Margin fell"))
    ['營收增長20%。', '利潤下降！', 'Revenue rose 3.5%.', ' Margin fell']
    """
    start = 0
    for m in re.finditer(r"[。！？!?；]+|(?<!\d)\.(?=\s)", text):
        yield text[start:m.end()]
        start = m.end()
    if start < len(text):
        yield text[start:]


def num(x: float) -> str:
    """A number without float noise: 324.5, 18.91, 29,000 for counts is left to callers."""
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _zh_amount(v: float, currency: str | None, lang: str) -> str:
    unit = _CUR_ZH.get(currency or "", "")
    a = abs(v)
    if a >= 1e8:
        s = num(v / 1e8) + "億" + unit
    elif a >= 1e4:
        s = num(v / 1e4) + "萬" + unit
    else:
        s = num(v) + unit
    return to_script(s, "zh-Hans") if lang == "zh-Hans" else s


def _en_amount(v: float, currency: str | None) -> str:
    a = abs(v)
    sign = "-" if v < 0 else ""
    if a >= 1e9:
        body = num(a / 1e9) + " billion"
    elif a >= 1e6:
        body = num(a / 1e6) + " million"
    else:
        body = f"{a:,.6f}".rstrip("0").rstrip(".")
    return f"{sign}{_CUR_EN.get(currency or '', '')}{body}"


_QUALITATIVE_EN = {"三位数": "triple-digit", "两位数": "double-digit", "低两位数": "low double-digit",
                   "高两位数": "high double-digit", "个位数": "single-digit", "低个位数": "low single-digit",
                   "高个位数": "high single-digit", "四位数": "quadruple-digit", "千亿级": "hundred-billion-scale",
                   "百亿级": "ten-billion-scale", "亿级": "hundred-million-scale", "翻倍": "doubling",
                   "大幅": "strong", "显著": "significant", "稳定": "steady"}


def qualitative_en(text: str) -> str:
    """A qualitative figure ("三位數") in English where it is a common one, else as written."""
    key = to_script(text, "zh-Hans").replace("百分比", "").strip()
    return _QUALITATIVE_EN.get(key, text)


def value_text(o: Obs, lang: str) -> str | None:
    if o.value is None:
        if o.qualitative and o.unit:
            return to_script(o.qualitative, lang) if lang != "en" else qualitative_en(o.qualitative)
        return None
    zh = lang != "en"
    bound = _BOUND["en" if not zh else "zh-Hant"].get(o.bound or "", "")
    if zh and lang == "zh-Hans":
        bound = to_script(bound, "zh-Hans")
    u = o.unit or ""
    if u == "Percent":
        body = f"{num(o.value)}%"
    elif u == "PercentagePoint":
        body = f"{num(o.value)}" + (" percentage points" if not zh else to_script("個百分點", lang))
    elif u == "Ratio":
        body = (o.as_written or num(o.value)).split(";")[0].strip() if zh else f"{num(o.value * 100)}%"
        if not zh and o.as_written:
            body += f" ({o.as_written.split(';')[0].strip()})"
    elif u == "Count":
        body = _zh_amount(o.value, None, lang) if zh else f"{o.value:,.0f}"
    elif u == "Multiple":  # a valuation multiple: 19倍, 19x
        body = num(o.value) + ("倍" if zh else "x")
    elif u == "Kilometre":
        body = _zh_amount(o.value, None, lang) + "公里" if zh else f"{o.value:,.0f} km"
    else:
        body = _zh_amount(o.value, u, lang) if zh else _en_amount(o.value, u)
    return bound + body


def change_text(o: Obs, lang: str) -> str | None:
    zh = lang != "en"
    basis = _BASIS["en" if not zh else "zh-Hant"].get(o.basis or "", "")
    if o.change is None:
        if o.qualitative and not o.unit:
            if zh:
                return to_script(f"{basis}{o.qualitative}增長", lang)
            return f"{qualitative_en(o.qualitative)} growth{basis}"
        return None
    bound = _BOUND["en" if not zh else "zh-Hant"].get(o.change_bound or "", "")
    c = o.change
    down = c < 0
    a = abs(c)
    cu = o.change_unit or "Percent"
    if cu == "Percent":
        amount = f"{num(a * 100)}%"
    elif cu == "PercentagePoint":
        amount = f"{num(a)}" + ("個百分點" if zh else " percentage points")
    elif cu == "Multiple":
        amount = f"{num(a)}倍" if zh else f"{num(a)}x"
    else:
        amount = _zh_amount(a, cu, lang) if zh else _en_amount(a, cu)
    if zh:
        s = f"{basis}{'下降' if down else '增長'}{bound}{amount}"
        return to_script(s, lang) if lang == "zh-Hans" else s
    return f"{'down' if down else 'up'} {bound}{amount}{basis}"


def figure_text(o: Obs, lang: str) -> str:
    parts = [p for p in (value_text(o, lang), change_text(o, lang)) if p]
    sep = "，" if lang != "en" else ", "
    return sep.join(parts)


def period_text(key: str | None, lang: str) -> str:
    if not key:
        return ""
    p = parse_period_key(key)
    if p is None:
        return key
    label = p.label(lang)
    return to_script(label, "zh-Hans") if lang == "zh-Hans" else label


def qualifier_text(qualifier: str | None, g: GraphIndex, lang: str) -> str:
    """A fact's qualifier in the reader's script; for English, in English when the graph's labels cover it."""
    if not qualifier:
        return ""
    if lang in ("zh-Hant", "zh-Hans"):
        han = any("\u4e00" <= c <= "\u9fff" for c in qualifier)
        return to_script(qualifier if han else chinese_phrase(qualifier) or qualifier, lang)  # "countries": 國家
    if not any("\u4e00" <= c <= "\u9fff" for c in qualifier):
        return qualifier
    english = g.english_phrase(qualifier)
    return english if english is not None else to_script(qualifier, "zh-Hant")


def observation_sentence(o: Obs, g: GraphIndex, lang: str) -> str:
    subject = g.label(o.subject, lang)
    metric = g.metric_label(o.metric, lang) if o.metric.startswith(KGM) else o.metric
    period = period_text(o.period, lang)
    qual = qualifier_text(o.qualifier, g, lang)
    fig = figure_text(o, lang)
    if o.metric == KGM + "StockPriceChange" and o.value is not None and o.unit not in (None, "Percent"):
        metric = "share price" if lang == "en" else zh("股價", lang)  # the day's price, beside its move
    if o.metric == KGM + "Count" and qual:  # a bare count and its noun: "the number of dense models"
        metric, qual = (f"number of {qual}", "") if lang == "en" else (f"{qual}{zh('數量', lang)}", "")
    if lang == "en":
        q = f" ({qual})" if qual else ""
        day = o.period_obj is not None and o.period_obj.kind == "day"
        when = f" {'on' if day else 'in'} {period}" if period else ""
        verb = "is forecast at" if o.forecast else "was"
        if o.value is None:
            return f"{subject}'s {metric}{q}{when}: {fig}."
        return f"{subject}'s {metric}{q}{when} {verb} {fig}."
    q = f"（{qual}）" if qual else ""
    joiner = "預計為" if o.forecast else "為"
    joiner = to_script(joiner, lang) if lang == "zh-Hans" else joiner
    if o.value is None:
        return f"{subject}{period}{metric}{q}{fig}。"
    return f"{subject}{period}{metric}{q}{joiner}{fig}。"
