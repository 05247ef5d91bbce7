"""Recognise entities: catalog and graph labels first, then patterns for new names.

A new name gets an IRI derived from the label it was written with, so the same name
in another document is the same entity.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.namespaces import entity_iri
from kg.text import canonical

from .lexicon import EntityRef, Lexicon
from .normalize import NormalizedText

__all__ = ["EntityMention", "recognize_entities"]


@dataclass(frozen=True)
class EntityMention:
    start: int
    end: int
    ref: EntityRef
    new: bool = False

    @property
    def iri(self) -> str:
        return self.ref.iri


_HAN = r"\u4e00-\u9fff"
# Patterns over canonical (Simplified, lower-case) text. Group "name" is the entity's label.
_CN_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("Lab", re.compile(rf"(?:成立了?|设立了?|组建了?|创办了?|的|旗下)(?P<name>[{_HAN}a-z]{{2,8}}(?:实验室|研究院|研究所))")),
    ("Market", re.compile(rf"(?P<name>(?:全球|中国|国内|美国|欧洲|亚太|海外)[{_HAN}a-z]{{1,8}}?市场)(?=规模|销售额|份额|容量|达|将|预计|的|,|。|在|年|$)")),
    ("Organization", re.compile(rf"(?:^|(?<=[^{_HAN}])|(?<=[与和及、的]))(?P<name>[{_HAN}]{{2,4}}(?:科技|集团|公司|控股|银行|证券|汽车|电子|软件|传媒|资本|基金))(?=[^{_HAN}]|的|在|于|宣布|推出|发布|表示|旗下|今年|去年|第|营收|收入|净利|股价)")),
    ("Organization", re.compile(rf"(?P<name>[{_HAN}]{{2,6}}(?:研究院|咨询|证券研究所))(?=数据|统计|预测|报告|发布|的|显示|称|,)")),
    ("AIModel", re.compile(r"(?P<name>(?<![a-z0-9])[a-z][a-z0-9.\-]{1,20})(?=大模型|模型)")),
    ("Platform", re.compile(r"(?P<name>(?<![a-z0-9])[a-z][a-z0-9.\-]{1,20})(?=平台)")),
    ("Product", re.compile(r"「(?P<name>[^「」,。;!?\s]{2,12})」(?=工具|平台|产品|功能|应用|app|系统|助手|模型|大模型)")),
    ("Product", re.compile(r"(?:推出了?|发布了?|上线了?|开源了?)「?(?P<name>[a-z][a-z0-9.\-]*(?:\s[a-z0-9][a-z0-9.\-]*){0,2})")),
]
_TITLES_ZH = ("董事会主席兼首席执行官", "首席执行官", "董事会主席", "董事长", "总裁", "创始人", "联合创始人", "总经理",
              "首席财务官", "首席技术官", "副总裁", "高级副总裁", "主席", "ceo", "cfo", "cto", "coo", "总监", "负责人")
_PERSON_ZH = re.compile(r"(?P<title>" + "|".join(sorted(map(re.escape, _TITLES_ZH), key=len, reverse=True))
                        + rf")\s?(?P<name>[{_HAN}]{{2,3}}?)(?=表示|称|说|指出|透露|认为|强调|在|曾|也|则|,|:|。|就)")
# English: runs of capitalised words (in the normalised, not canonical, text).
_CAP_RUN = re.compile(r"(?<![A-Za-z0-9&])(?:[A-Z][A-Za-z0-9&.\-]*[A-Za-z0-9&]|[A-Z])(?:\s(?:[A-Z][A-Za-z0-9&.\-]*[A-Za-z0-9&]|AI|[A-Z]|\d+[A-Za-z]*))*")
_STOP_EN = {
    "the", "a", "an", "in", "on", "at", "for", "and", "or", "but", "its", "their", "this", "that", "these",
    "those", "according", "by", "as", "with", "from", "after", "before", "while", "during", "since", "revenue",
    "sales", "net", "profit", "analysts", "shares", "chief", "executive", "officer", "president", "ceo", "cfo",
    "cto", "chairman", "founder", "q1", "q2", "q3", "q4", "fy", "h1", "h2", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december", "monday",
    "tuesday", "wednesday", "thursday", "friday", "it", "he", "she", "they", "we", "our", "his", "her", "ai",
    "api", "aigc", "gmv", "roi", "cpc", "mcp", "bat", "ceo", "usd", "rmb", "cny", "hkd", "us", "next", "meanwhile",
    "however", "also", "both", "all", "operating", "gross", "adjusted", "total", "year", "quarter", "fiscal",
    "playbook", "tokens", "saas", "paas", "iaas", "capex", "r&d", "ctr", "mau", "dau", "arpu", "ipo", "eps",
    "gpu", "cpu", "llm", "ar", "vr", "ev", "its", "what", "which", "who", "how", "when", "where", "why", "is",
    "was", "did", "does", "do", "tell", "me", "about", "compared", "overall", "together", "last", "this",
    "first", "second", "third", "fourth", "some", "many", "most", "other", "new", "china", "chinese",
}
_ORG_SUFFIX_EN = re.compile(r"\b(?:Inc|Corp|Corporation|Group|Ltd|Limited|Holdings|Technologies|Technology|Labs|"
                            r"Robotics|Motors|Bank|Capital|Systems|Networks|Software|AI|Intelligence|Company|Co)\.?$")


def _add(found: list[EntityMention], taken: list[tuple[int, int]], m: EntityMention) -> None:
    if all(m.end <= a or m.start >= b for a, b in taken):
        taken.append((m.start, m.end))
        found.append(m)


def recognize_entities(norm: NormalizedText, canon: str, lexicon: Lexicon) -> list[EntityMention]:
    """Entity mentions in the normalised text, left to right, without overlaps."""
    found: list[EntityMention] = []
    taken: list[tuple[int, int]] = []
    titles = _book_titles(canon)
    for hit in lexicon.entities.find_all(canon):
        if norm.is_garbled(hit.start, hit.end) or any(a <= hit.start < b for a, b in titles):
            continue
        _add(found, taken, EntityMention(hit.start, hit.end, hit.value))
    for type_, rx in _CN_PATTERNS:
        for m in rx.finditer(canon):
            s, e = m.span("name")
            if norm.is_garbled(s, e):
                continue
            _new(found, taken, norm, lexicon, s, e, type_)
    for m in _PERSON_ZH.finditer(canon):
        s, e = m.span("name")
        _new(found, taken, norm, lexicon, s, e, "Person")
    for m in _CAP_RUN.finditer(norm.text):
        s, e = m.span()
        words = norm.text[s:e].split()
        while words and words[0].lower().strip(".") in _STOP_EN:
            s += len(words[0]) + 1
            words = words[1:]
        while words and words[-1].lower().strip(".") in _STOP_EN - {"ai"}:
            words = words[:-1]
        if not words:
            continue
        e = s + len(" ".join(words))
        label = norm.text[s:e]
        if len(label) < 2 or norm.is_garbled(s, e) or label.isdigit() or any(a <= s < b for a, b in titles):
            continue
        if label.isupper() and len(label) <= 4 and " " not in label and label.lower() not in ("lma",):
            # Short all-caps tokens are mostly acronyms of common things (GMV, ROI, CPC).
            if not _ends_with_name_cue(canon, e):
                continue
        type_ = "Organization" if _ORG_SUFFIX_EN.search(label) else "Entity"
        if _followed_by(canon, e, ("大模型", "模型", " model")):
            type_ = "AIModel"
        _new(found, taken, norm, lexicon, s, e, type_)
    found.sort(key=lambda m: m.start)
    return found


def _followed_by(canon: str, e: int, words: tuple[str, ...]) -> bool:
    return any(canon.startswith(w, e) for w in words)


def _ends_with_name_cue(canon: str, e: int) -> bool:
    return _followed_by(canon, e, ("大模型", "模型", "平台", " model", " platform"))


def _book_titles(canon: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"《[^《》]{1,40}》", canon)]


def _new(found: list[EntityMention], taken: list[tuple[int, int]], norm: NormalizedText, lexicon: Lexicon,
         s: int, e: int, type_: str) -> None:
    label = norm.text[s:e].strip()
    if not label:
        return
    known = lexicon.entities.get(" ".join(canonical(label).split()))
    ref = known or EntityRef(entity_iri(label), type_, label)
    _add(found, taken, EntityMention(s, e, ref, new=known is None))
