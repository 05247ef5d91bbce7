"""Recognise entities: catalog and graph labels, then patterns for names the catalog lacks.

Recognition runs in two passes. Patterns with strong context (a name before 集团/科技,
after 推出/成立/旗下, in 「」 before 助手/平台, an English name ending in Inc., a person
after a title) propose new names; then one dictionary scan over the whole text with the
known labels plus the new names finds every mention, so a name read once in a clear
context is also found where it is run together with other words (占星河科技营收).
A new name gets an IRI derived from its label, so the same name in another document is
the same entity.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from kg.namespaces import entity_iri
from kg.phrasebook import Phrasebook
from kg.text import Hit, PhraseMatcher, canonical, phrase_keys

from kg.lexicon import EntityRef, Lexicon, MetricRef
from .normalize import NormalizedText

__all__ = ["EntityMention", "recognize_entities", "TITLES_ZH"]


@dataclass(frozen=True)
class EntityMention:
    start: int
    end: int
    ref: EntityRef
    new: bool = False
    short: bool = False  # named by a unit's short name (營銷服務), not by one of its names

    @property
    def iri(self) -> str:
        return self.ref.iri


_H = r"\u4e00-\u9fff"
_ORG_SUFFIX = r"(?:集团|科技|智能|公司|控股|汽车|银行|证券|电子|软件|传媒|资本|网络|机器人|医疗|能源|半导体)"
_ORG_SUFFIX_STRONG = r"(?:集团|科技|公司|控股|银行|证券|股份)"
_THING_SUFFIX = {"平台": "Platform", "大模型": "AIModel", "模型": "AIModel", "实验室": "Lab", "研究院": "Lab",
                 "研究所": "Lab", "助手": "Product", "系统": "Product", "引擎": "Product", "芯片": "Product",
                 "机器人": "Product", "app": "Product", "应用": "Product", "工具": "Product", "智能体": "Product"}
_THING = "|".join(sorted(map(re.escape, _THING_SUFFIX), key=len, reverse=True))
_BOUNDARY = r"(?:^|(?<=[,，。；;：:、\s「“\"(（》\-]))"
# Generic stems that make a common noun, not a name, with an organisation suffix.
_COMMON = {"人工", "数字", "信息", "网络", "高新", "金融", "生成式", "云计算", "这家", "该公司", "一家", "多家", "国内",
           "中国", "全球", "两家", "各家", "大型", "中型", "小型", "初创", "互联网", "科技", "智能", "新能源", "传统",
           "头部", "海外", "本土", "上市", "民营", "国有", "龙头", "母公司", "子公司", "合资", "其他", "同类", "行业",
           "平台", "电商", "视频", "社交", "游戏", "广告", "营销", "企业", "工业", "汽车", "公司", "集团", "业务", "产品",
           "服务", "技术", "模型", "开源", "闭源", "通用", "自动", "机器", "具身", "整车", "中小", "大厂"}

_CN_PATTERNS: list[tuple[str | None, re.Pattern[str]]] = [
    # an organisation at a clause start: 蓝鲸智能汽车集团2025年…, 云帆智能上季营收…
    ("Organization", re.compile(_BOUNDARY + rf"(?P<name>[{_H}]{{2,4}}?{_ORG_SUFFIX}+)(?=[{_H}\d]|$)")),
    # a listed company named with its stock code in brackets: 鴻海(2317), 蔚來-SW(9866)
    ("Organization", re.compile(_BOUNDARY + rf"(?P<name>[{_H}]{{2,5}}?)(?=(?:-[a-z]{{1,3}})?\s*[(（]\s*\d{{4,6}}(?:\.[a-z]{{2}})?\s*[)）])")),
    # an organisation after a linking word: 旗下的星河科技, 与深曜科技, 据星河科技
    ("Organization", re.compile(rf"(?:旗下的?|与|和|及|据|由|对|投资|收购|子公司|母公司)(?P<name>[{_H}]{{2,4}}?{_ORG_SUFFIX_STRONG}+)")),
    # things after a verb or possessive: 推出了云帆助手, 自研的北斗星大模型, 旗下的云帆开放平台, 成立了天枢实验室
    (None, re.compile(rf"(?:推出[了的]?|发布[了的]?|上线[了的]?|开源[了的]?|自研的|研发的|开发的|打造的|旗下的?|成立了?|设立了?|组建了?|创办了?)"
                      rf"(?:ai)?(?P<name>[{_H}a-z0-9][{_H}a-z0-9.\-]{{0,9}}?(?:{_THING}))(?![a-z「])")),
    (None, re.compile(rf"(?:推出[了的]?|发布[了的]?|上线[了的]?|自研的|旗下的?)(?:ai)?(?P<name>[a-z][a-z0-9.\-]{{1,20}}(?:{_THING}))")),
    (None, re.compile(r"(?<![a-z0-9])(?P<name>[a-z][a-z0-9.\-]{1,20}(?:大模型|平台))")),
    ("Lab", re.compile(_BOUNDARY + rf"(?P<name>[{_H}a-z]{{2,6}}(?:实验室|研究院))(?=由|于|在|成立|是|的|,|，|。)")),
    ("Market", re.compile(rf"(?P<name>(?:全球|中国|国内|美国|欧洲|亚太|海外)[{_H}a-z]{{1,10}}?市场)")),
    ("Organization", re.compile(rf"(?P<name>[{_H}]{{2,6}}(?:研究院|咨询|证券研究所))(?=数据|统计|预测|报告|发布|的|显示|称|,)")),
    # quoted names: 「全站推广」工具, 助手「京选助手」, 推出「X」
    ("Product", re.compile(r"「(?P<name>[^「」,。;!?\s\d][^「」,。;!?\s]{1,11})」(?=工具|平台|产品|功能|应用|app|系统|助手|模型|大模型)")),
    ("Product", re.compile(r"(?:助手|工具|平台|产品|应用|app|系统|品牌|推出了?|发布了?|上线了?|数字人直播)「(?P<name>[^「」,。;!?\s\d][^「」,。;!?\s]{1,11})」")),
]
_TITLES_ZH = ("董事会主席兼首席执行官", "创始人兼首席执行官", "创始人兼ceo", "首席执行官", "董事会主席", "董事长", "总裁",
              "创始人", "联合创始人", "总经理", "首席财务官", "首席技术官", "副总裁", "高级副总裁", "主席", "ceo", "cfo",
              "cto", "coo", "总监", "负责人", "合伙人", "首席科学家")
TITLES_ZH = _TITLES_ZH
_PERSON_ZH = re.compile(r"(?P<title>" + "|".join(sorted(map(re.escape, _TITLES_ZH), key=len, reverse=True))
                        + rf")\s?(?P<name>[{_H}]{{2,3}}?)(?=表示|称|说|指出|透露|认为|强调|在|曾|也|则|,|，|:|：|。|就|对)")
# English: runs of capitalised words (in the normalised, not canonical, text).
_CAP_RUN = re.compile(r"(?<![A-Za-z0-9&])(?:[A-Z][A-Za-z0-9&.\-]*[A-Za-z0-9&]|[A-Z])"
                      r"(?:\s(?:[A-Z][A-Za-z0-9&.\-]*[A-Za-z0-9&]|AI|[A-Z]|\d+[A-Za-z]*))*\.?")
_STOP_EN = set("""
the a an in on at for and or but its their this that these those according by as with from after before while during
since revenue sales net profit analysts shares chief executive officer president ceo cfo cto chairman founder q1 q2 q3
q4 fy h1 h2 january february march april may june july august september october november december monday tuesday
wednesday thursday friday it he she they we our his her ai api aigc gmv roi cpc mcp bat usd rmb cny hkd us next
meanwhile however also both all operating gross adjusted total year quarter fiscal playbook tokens saas paas iaas capex
r&d ctr mau dau arpu ipo eps gpu cpu llm ar vr ev what which who how when where why is was did does do tell me about
compared overall together last first second third fourth some many most other new china chinese series round app
research development marketing services cloud group holdings inc ltd company investors market markets stock
""".split())
_ORG_SUFFIX_EN = re.compile(r"\b(?:Inc|Corp|Corporation|Group|Ltd|Limited|Holdings|Technologies|Technology|Labs|"
                            r"Robotics|Motors|Bank|Capital|Systems|Networks|Software|Intelligence|Company|Co|AI)\.?$")
_EN_CONTEXT = [  # (regex on canonical text right after the name, type) and before the name
    (re.compile(r"^,?\s+(?:a|an|the)\s+[\w\- ]{0,40}?(?:maker|company|startup|firm|group|developer|provider|operator|giant|platform)\b(?!['’]s)"), "Organization"),
    (re.compile(r"^,\s*(?:the\s+)?(?:chief|ceo|cfo|cto|president|founder|co-founder|chairman|head|vice president|general manager)\b"), "Person"),
    (re.compile(r"^(?:'s|’s)\s"), "Organization"),
    (re.compile(r"^\s+(?:said|says|told|noted|added)\b"), "Person?"),
]
_EN_BEFORE = [
    (re.compile(r"(?:launched|released|unveiled|introduced|rolled out|debuted)\s+(?:its\s+|a\s+|the\s+)?(?:[\w\-]+\s+){0,3}$"), "Product"),
    (re.compile(r"(?:said|says)\s+$"), "Person"),
    (re.compile(r"(?:ceo|cfo|cto|president|chairman|founder|chief executive)\s+$"), "Person"),
    (re.compile(r"(?:at|by|from|for|rival|peer)\s+$"), "Organization?"),
]


def recognize_entities(norm: NormalizedText, canon: str, lexicon: Lexicon, *,
                       metric_hits: list[Hit[MetricRef]] | None = None) -> list[EntityMention]:
    """Entity mentions in the normalised text, left to right, without overlaps.

    ``metric_hits`` is ``lexicon.metrics.find_all(canon)`` when the caller already has it.
    """
    titles = [m.span() for m in re.finditer(r"《[^《》]{1,40}》", canon)]
    proposed: dict[str, tuple[EntityRef, list[str]]] = {}  # canonical key -> (ref, extra labels)
    alias_keys: set[str] = set()

    def propose(s: int, e: int, type_: str, aliases: tuple[str, ...] = ()) -> None:
        label = norm.text[s:e].strip().strip("「」\"'")
        if len(label) < 2 or norm.is_garbled(s, e) or any(a <= s < b for a, b in titles):
            return
        key = " ".join(canonical(label).split())
        if key in lexicon.entities or key in proposed or key in alias_keys:
            return
        for a in aliases:
            alias_keys.add(" ".join(canonical(a).split()))
        extra = tuple(a for a in aliases if a and a != label)
        proposed[key] = (EntityRef(entity_iri(label), type_, label, extra), list(extra))

    if metric_hits is None:
        metric_hits = list(lexicon.metrics.find_all(canon))
    metric_starts = {h.start for h in metric_hits}  # once per document, not per candidate
    for type_, rx in _CN_PATTERNS:
        for m in rx.finditer(canon):
            s, e = m.span("name")
            name = canon[s:e]
            t = type_ or _type_of_suffix(name)
            if t == "Organization" and (_is_common(name) or any(k in metric_starts for k in range(s, e))):
                continue  # a common noun, or 预计资本支出: the tail of the name is a metric phrase
            stem = _stem(norm.text[s:e], name)
            if stem and " ".join(canonical(stem).split()) in lexicon.entities:
                continue  # 豆包大模型: the catalog's 豆包 is meant
            if lexicon.entities.match_at(canon, e) is not None if e < len(canon) else False:
                continue  # 视频生成模型可灵: a description in front of a known name
            propose(s, e, t, (stem,) if stem and len(stem) >= 2 and stem.isascii() else ())
    for m in _PERSON_ZH.finditer(canon):
        propose(m.start("name"), m.end("name"), "Person")
    for s, e, t in sorted(_english_names(norm.text, canon), key=lambda x: x[0] - x[1]):
        if any(h.start > s and h.end == e for h in lexicon.entities.find_all(canon, s, e)):
            continue  # "Temu-owner PDD Holdings": a description in front of a known name
        label = norm.text[s:e]
        aliases: tuple[str, ...] = ()
        if t == "Organization":
            short = _ORG_SUFFIX_EN.sub("", label.rstrip(".")).strip(" ,")
            if short != label and " ".join(canonical(short).split()) in lexicon.entities:
                continue  # "Xiaomi Corp", "Tencent Holdings Ltd": the known company with its legal suffix
            first = label.split()[0]
            aliases = tuple(a for a in (short, first if first.lower() not in _STOP_EN and len(label.split()) > 1 else "")
                            if a and len(a) > 2)
        propose(s, e, t, aliases)

    local: PhraseMatcher[EntityRef] = PhraseMatcher()
    local_starts: set[int] = set()  # where a local key occurs: elsewhere ``local.match_at`` finds nothing
    for ref, aliases in proposed.values():
        for label in (ref.label, *aliases):
            for key in phrase_keys(label):
                local.add(key, ref)
                at = canon.find(key)
                while at >= 0:
                    local_starts.add(at)
                    at = canon.find(key, at + 1)
    found: list[EntityMention] = []
    i = 0
    n = len(canon)
    new_iris = {ref.iri for ref, _ in proposed.values()}
    local_order = sorted(local_starts)
    while i < n:
        # Jump to the next index where either matcher may hit: elsewhere both find nothing.
        j = lexicon.entities.next_start(canon, i)
        k = bisect.bisect_left(local_order, i)
        if k < len(local_order) and (j < 0 or local_order[k] < j):
            j = local_order[k]
        if j < 0:
            break
        i = j
        a = lexicon.entities.match_at(canon, i)
        b = local.match_at(canon, i) if i in local_starts else None
        hit = a if b is None or (a is not None and a.end >= b.end) else b
        if hit is None or norm.is_garbled(hit.start, hit.end) or any(x <= hit.start < y for x, y in titles):
            i += 1
            continue
        found.append(EntityMention(hit.start, hit.end, hit.value, new=hit.value.iri in new_iris))
        i = hit.end
    return _with_unit_short_names(norm, canon, lexicon, found, titles)


def _with_unit_short_names(norm: NormalizedText, canon: str, lexicon: Lexicon, found: list[EntityMention],
                           titles: list[tuple[int, int]]) -> list[EntityMention]:
    """A business unit named only by its short name (營銷服務, core local commerce) in a document
    that names its owner: the short names of the units of every company the text names."""
    owners: list[str] = []
    for m in found:
        iri: str | None = m.ref.iri
        while iri is not None and iri not in owners:
            owners.append(iri)
            iri = lexicon.catalog_parents.get(iri)
    matchers = [lexicon.short_names[o] for o in owners if o in lexicon.short_names]
    if not matchers:
        return found
    taken = [(m.start, m.end) for m in found]
    companies = [m for m in found if m.ref.type in ("Organization", "Platform")]
    starts = [m.start for m in companies]
    extra: list[EntityMention] = []
    for matcher in matchers:
        for hit in matcher.find_all(canon):
            if any(a < hit.end and hit.start < b for a, b in taken) or norm.is_garbled(hit.start, hit.end) \
                    or any(x <= hit.start < y for x, y in titles):
                continue
            # the company the text is about at that point (the last one named) must own the unit
            k = bisect.bisect_right(starts, hit.start) - 1
            about = {companies[k].ref.iri} if k >= 0 else set()
            if companies and (k < 0 or "\n" in canon[companies[k].end:hit.start]):
                about.add(companies[0].ref.iri)  # no company named in the paragraph yet: the headline's
            if not any(_owns(lexicon, a, hit.value.iri) for a in about):
                continue
            taken.append((hit.start, hit.end))
            extra.append(EntityMention(hit.start, hit.end, hit.value, short=True))
    return sorted(found + extra, key=lambda m: m.start)


def _owns(lexicon: Lexicon, owner: str | None, unit: str) -> bool:
    iri: str | None = lexicon.catalog_parents.get(unit)
    seen: set[str] = set()
    while iri is not None and iri not in seen:
        if iri == owner:
            return True
        seen.add(iri)
        iri = lexicon.catalog_parents.get(iri)
    return False


def _type_of_suffix(name: str) -> str:
    for suffix, t in sorted(_THING_SUFFIX.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(suffix):
            return t
    return "Organization"


def _stem(label: str, canon_name: str) -> str:
    for suffix in sorted(_THING_SUFFIX, key=len, reverse=True):
        if canon_name.endswith(suffix):
            return label[: len(label) - len(suffix)]
    return ""


def _is_common(name: str) -> bool:
    stem = re.sub(_ORG_SUFFIX + "+$", "", name)
    return (len(stem) < 2 or stem in _COMMON or stem[0] in "其该这那各本每某此占以在从对将把被" or
            any(c in stem for c in "的了在是和与") or is_clause_fragment(stem))


def is_clause_fragment(stem: str) -> bool:
    """A candidate name holding a word of a clause (phrasebook role ``name_stop``): 「主要由于」, 「原名」."""
    return any(True for _ in Phrasebook.load().find(stem, "name_stop"))


def _english_names(text: str, canon: str) -> list[tuple[int, int, str]]:
    """Capitalised names typed by their suffix or by the words around them; untyped runs are dropped."""
    out = []
    for m in _CAP_RUN.finditer(text):
        s, e = m.span()
        words = text[s:e].split()
        while words and words[0].lower().strip(".,") in _STOP_EN:
            s += len(words[0]) + 1
            words = words[1:]
        while words and words[-1].lower().strip(".,") in _STOP_EN - {"ai", "inc", "ltd", "group", "holdings", "cloud"}:
            words = words[:-1]
        if not words:
            continue
        e = s + len(" ".join(words))
        label = text[s:e]
        if label.endswith(".") and not re.search(r"\b(?:Inc|Corp|Ltd|Co|Bhd|Plc)\.$", label):
            label = label[:-1]
            e -= 1
        if len(label) < 2 or label.isdigit() or (label.isupper() and len(label) <= 4 and " " not in label):
            continue
        t = "Organization" if _ORG_SUFFIX_EN.search(label) and " " in label else None
        after = canon[e:e + 80]
        before = canon[max(0, s - 60):s]
        for rx, kind in _EN_CONTEXT:
            if t is None and rx.search(after):
                t = kind
        for rx, kind in _EN_BEFORE:
            if t is None and rx.search(before):
                t = kind
        if t in ("Person?",):
            t = "Person" if len(words) in (2, 3) and all(w[:1].isupper() for w in words) else None
        if t == "Organization?":
            t = None  # a preposition alone is too weak
        if t is None and re.match(r"\s*(?:大模型|模型| model)", after):
            t = "AIModel"
        if t:
            out.append((s, e, t))
    return out
