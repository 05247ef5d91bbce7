"""Whether a question names a subject the graph does not know, so that it is not answered about another one."""
from __future__ import annotations

import re

from kg.periods import find_periods
from kg.text import canonical

from .analyze import WILDCARD_YEAR, Analysis
from .graph import GraphIndex

__all__ = ["unknown_name"]

_EN_NOT_NAMES = re.compile(
    r"(?:what|how|which|who|when|where|why|did|does|do|is|was|were|are|has|have|had|tell|give|show|list|in|of|"
    r"for|the|and|or|by|q[1-4]|h[1-2]|fy\d*|\d.*|ai|rmb|us|usd|cny|china|chinese|global|year|quarter|fiscal|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|i|it|its|they|"
    r"their|then|also|about|please|from|compared|and|what.s|how.s)", re.IGNORECASE)
_ZH_NOT_NAMES = re.compile(r"哪家公司|哪个公司|哪家|哪个|哪些|什么|多少|是否|请问|一下|公司|企业|集团|平台|产品|今年|去年|"
                           r"以来|全年|季度|上半年|下半年|同比|环比|总共|预计|目前|当季|同期|增长|增加|增速|增幅|下降|减少|"
                           r"变化|提升|提高|达到|如何|怎么样|怎样|那么|还有|它们|它的|[的在是了有和与及其年月为涨跌升降呢那它吗]")


def unknown_name(a: Analysis, g: GraphIndex) -> bool:
    """Whether the question names a subject the graph does not know (no entity was linked): a capitalised
    name in English ("Acme's revenue"), or Chinese words before the metric ("苹果2025年第二季度的净利润")."""
    covered = [(h.start, h.end) for h in a.metrics]
    covered += [(p.start, p.end) for p in find_periods(a.canon, ref_year=WILDCARD_YEAR)]
    blank = list(a.text)
    for x, y in covered:
        blank[x:y] = " " * (y - x)
    rest = "".join(blank)
    if a.language == "en" or not any("\u4e00" <= c <= "\u9fff" for c in rest):
        names = [" ".join(w for w in m.group().split() if not _EN_NOT_NAMES.fullmatch(w))
                 for m in re.finditer(r"[A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*)*", rest)]
        names = [n for n in names if n]
        if not names and re.search(r"[A-Za-z0-9][’']s\b", rest):
            names = [m.group(1) for m in re.finditer(r"([A-Za-z0-9][\w&.\-]*)[’']s\b", rest)]
        return any(not g.names_part_of_a_label(n) for n in names)
    first = min((h.start for h in a.metrics), default=len(rest))
    head = canonical(rest[:first])
    head = _ZH_NOT_NAMES.sub(" ", re.sub(r"[^\u4e00-\u9fffa-z]", " ", head))
    words = re.findall(r"[\u4e00-\u9fff]{2,}|[a-z]{2,}", head)
    return any(not g.names_part_of_a_label(w) for w in words)  # "AI广告市场": part of 全球AI广告市场's name


