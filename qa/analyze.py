"""Analyse a question: language and script, kind, metric, aspect, period."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from kg.phrasebook import Phrasebook
from kg.lexicon import Lexicon, MetricRef
from kg.periods import Period, find_periods
from kg.text import Hit, canonical, script_of

__all__ = ["Analysis", "analyse", "WILDCARD_YEAR"]

WILDCARD_YEAR = 9999  # a period asked without a year ("第一季度", "January") matches any year

_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("connection", re.compile(r"有什么关系|有什么联系|关系是|什么关系|how (?:is|are) .+ (?:connected|related|linked)|relationship between|connection between")),
    ("quote", re.compile(r"who said|who says|谁说|谁表示|谁称|谁提到|谁认为|who stated|who noted|what did .+ (?:say|said)|"
                         r"what (?:has|have) .+ said|说了什么|说过什么|表示了什么|怎么说|如何表示|有何表态")),
    ("describe", re.compile(r"^(?:tell me about|describe|what is|what's|who is|介绍一下|介绍|简介|说说|谈谈)|(?:是什么|是谁|是什么公司|是什么产品)\s*[?？]?$")),
    ("list", re.compile(r"哪些|有什么产品|有什么模型|列出|which .+ (?:are|were) mentioned|(?:what|which) (?:products|models|platforms|labs|laboratories|apps|services)|list (?:the|all)")),
    ("superlative", re.compile(r"最(?:快|慢|高|低|多|少|大|小|强|弱)|highest|lowest|fastest|slowest|largest|smallest|biggest|the most|the least")),
    ("arithmetic", re.compile(r"相差|差多少|差距|高出多少|多出多少|比.{1,30}(?:高|低|多|少)多少|比.{1,30}(?:减少|增加|下降|上升|收窄|扩大)了?多少|difference|how much (?:more|less|higher|lower)|by how much|几倍|多少倍|how many times|合计|总共|加起来|combined|in total|sum of|(?:扣除|减去|除去).{1,20}(?:后|还有|剩)|(?:minus|excluding|less) .{1,40}(?:\?|$)")),
    ("comparison", re.compile(r"相比|比较|对比|哪个更|谁更|(?:哪|谁).{0,12}(?:更快|更慢|更高|更低|更多|更少|更大|更小)|compared?|versus|\bvs\b|which (?:is|was) (?:higher|larger|bigger|greater|lower)|which .{0,40}(?:faster|slower|more|less|higher|lower|larger|smaller|bigger)|(?:grew|grow|growing|rose|risen|increased?) (?:faster|slower|more)")),
    ("relation", re.compile(r"founded|成立|创立|创办|who owns|owned by|母公司|parent|属于|旗下|launched|推出|发布|developed|研发|开发|runs on|running on|基于|依托|运行在|部署在|integrat|接入|who (?:is|was) the|谁是|总裁|ceo|首席执行官|创始人|founder|which company|哪家公司|哪个公司|任职|担任|职位|职务|头衔|works? (?:for|at)|what (?:is|was) (?:the|.{1,40}?[’']s) (?:role|position|title|job)\b")),
]
_CHANGE = re.compile(r"增长|增加|增速|增幅|涨|升|降|跌|提升|提高|减少|变化|下调|上调|调低|削减|同比|环比|拖累|"
                     r"(?<![a-z])(?:cut|lowered|reduced|grow\w*|grew|ris(?:e|es|en|ing)|rose|increas\w*|declin\w*|weigh\w* on|drag\w* on|"
                     r"fall\w*|fell|drop\w*|chang\w*|jump\w*|surg\w*|gone up|went up|go up|up by|down by|yoy)(?![a-z])")
_TO = re.compile(r"(?:提升|提高|增长|升|降|跃升|涨)(?:到|至)了?|(?:rose|risen|grew|increased|jumped|fell|dropped|climbed) to|reach(?:ed)?")
_MIN = re.compile(r"[最更](?:慢|低|少|小|弱)|lowest|slowest|smallest|least|weakest|fewest|slower|lower|smaller|fewer|weaker")
_SHARE = re.compile(r"占|佔|比例|share of|proportion|percentage of")
_LATEST = re.compile(r"最新|latest|most recent")
_FOLLOW = re.compile(r"^(?:那|那么|那麼|还有|還有|and|what about|how about)|呢\s*[?？]?\s*$|^(?:它|其|它的|它们|its|it|their|they)(?![a-z])")
_PRONOUN = re.compile(r"它|其|它们|(?<![a-z])(?:its|it|their|they|this company|the company|该公司|这家公司)(?![a-z])")


@dataclass
class Analysis:
    text: str
    canon: str
    language: str  # zh-Hant zh-Hans en
    kind: str
    metrics: list[Hit[MetricRef]] = field(default_factory=list)
    aspect: str = "value"  # value | change | to
    period: Period | None = None
    period_span: tuple[int, int] | None = None
    minimum: bool = False
    follow_up: bool = False
    pronoun: bool = False
    neutral: bool = False  # Chinese written the same in both scripts: the conversation decides the script
    share: bool = False  # a share or proportion is asked ("研发费用占总营收的比例")
    periods: list[Period] = field(default_factory=list)  # every period asked, in the order written
    latest: bool = False  # the latest figure is asked beside a dated one (「4月是多少?最新的又是多少?」)
    currency: str | None = None  # the currency a figure is asked in (「收報多少港元」, "Hong Kong shares")

    @property
    def metric(self) -> MetricRef | None:
        return self.metrics[0].value if self.metrics else None


_PERIOD_RANK = {"quarter": 0, "half": 1, "cumulative": 2, "day": 3, "month": 4, "ytd": 5, "year": 6, "span": 7}


def _after_unit_name(canon: str, lexicon: Lexicon, h, owners: set[str]):  # type: ignore[no-untyped-def]
    """「快手線上營銷服務收入」 where 線上營銷服務 names a unit of the company named: the metric is the 收入 after it."""
    for owner, matcher in lexicon.short_names.items():
        if owner not in owners:
            continue
        unit = matcher.match_at(canon, h.start)
        if unit is not None and unit.end < h.end:
            at = unit.end
            while at < h.end and canon[at] == " ":
                at += 1
            rest = lexicon.metrics.match_at(canon, at)
            if rest is not None and rest.end == h.end:
                return rest
    return h


def asked_currency(canon: str) -> str | None:
    """The currency a question names (港元, US$) or implies by a listing (港股, "Hong Kong shares"); a bare
    元 or $ says nothing (「多少元」 is any amount)."""
    for _, _, e in Phrasebook.load().find(canon, "currency_before", "currency_after", "listing_market"):
        if len(e.key) >= 2 and e.get("code"):
            return str(e.get("code"))
    return None


def analyse(question: str, lexicon: Lexicon, ref_year: int | None = None) -> Analysis:
    """What a question asks; ``ref_year`` is the year "去年"/"last year" count from (the graph's latest)."""
    text = " ".join(question.split())
    canon = canonical(text)
    han = any("\u4e00" <= c <= "\u9fff" for c in text)
    language = script_of(text, default="zh-Hans" if han else "en")
    neutral = han and script_of(text, default="") == ""
    if han and re.match(r"(?i)(?:what|how|which|who|when|where|why|tell|did|does|do|is|was|were|are|has|have|list|"
                        r"describe|give|show)\b", text) and len(re.findall(r"[A-Za-z]{2,}", text)) >= 3:
        language, neutral = "en", False  # an English question that names something in Chinese ("星河科技's revenue")
    kind = "lookup"
    for name, rx in _KINDS:
        if rx.search(canon):
            kind = name
            break
    named = {e.value.iri for e in lexicon.entities.find_all(canon)}
    owners = named | {lexicon.catalog_parents[i] for i in named if i in lexicon.catalog_parents}
    metrics = [_after_unit_name(canon, lexicon, h, owners) for h in lexicon.metrics.find_all(canon)]
    # the most specific metric first: longer phrases name narrower things ("search results" over "share")
    metrics.sort(key=lambda h: -(h.end - h.start))
    share = bool(_SHARE.search(canon)) or any(True for _ in Phrasebook.load().find(canon, "share_cue"))
    if share:
        metrics.sort(key=lambda h: h.value.name != "Share")  # "研发费用占总营收的比例": the share is asked
    # 「上升空間」, "growth rate": a metric whose name holds a change word asks for its value
    # (an amount's "revenue growth" still asks for its change)
    named_rates = [h for h in metrics if h.value.kind not in ("amount", "count")]
    bare = "".join(" " if any(h.start <= i < h.end for h in named_rates) else c for i, c in enumerate(canon)) \
        if named_rates else canon
    aspect = "to" if _TO.search(bare) else "change" if _CHANGE.search(bare) else "value"
    found = find_periods(canon, ref_year=WILDCARD_YEAR)
    periods = [p for p in found if p.period is not None]
    # the most specific period asked: 「截至6月底的首財季」 asks for the quarter, not the month it ends in
    periods.sort(key=lambda p: (_PERIOD_RANK.get(p.period.kind, 9) if p.period else 9, p.start))
    period = periods[0].period if periods else None
    if period is not None and ref_year is not None and period.year != WILDCARD_YEAR and \
            abs(period.year - WILDCARD_YEAR) <= 3:  # "去年", "明年": relative to the graph's year, not any year
        period = dataclasses.replace(period, year=ref_year + period.year - WILDCARD_YEAR)
    span = (periods[0].start, periods[0].end) if periods else None
    if kind == "describe" and re.search(r"^(?:who (?:is|was) the\s|what (?:is|was) (?:the|.{1,40}?[’']s) (?:role|position|title|job)\b)"
                                        r"|(?:担任|任职|职位|职务|头衔|总裁|首席|创始人|负责人|董事长|母公司|\bceo\b|\bcfo\b|co-ceo|chief (?:executive|financial|technology)|president|founder|chairman|parent)", canon):
        kind = "relation"  # "who is the CEO of X?" asks for a person, not a description of X
    if kind == "relation" and metrics and not re.search(r"who|谁|哪家|哪个|which", canon):
        kind = "lookup"
    asked: list[Period] = []
    resolved: dict[int, Period] = {}
    for p in sorted(periods, key=lambda p: p.start):
        q = p.period
        if q is not None and ref_year is not None and q.year != WILDCARD_YEAR and abs(q.year - WILDCARD_YEAR) <= 3:
            q = dataclasses.replace(q, year=ref_year + q.year - WILDCARD_YEAR)
        if q is not None and q.year == WILDCARD_YEAR and asked and asked[-1].year != WILDCARD_YEAR:
            q = dataclasses.replace(q, year=asked[-1].year)  # 「2023年全年收入和第四季收入」: the fourth quarter of 2023
        if q is not None:
            resolved[p.start] = q
        if q is not None and q not in asked:
            asked.append(q)
    if periods and periods[0].start in resolved:
        period = resolved[periods[0].start]  # 「2024年前三季度…减去第四季度」: the fourth quarter of 2024
    if len(asked) == 1 and asked[0].year != WILDCARD_YEAR and any(p.relative == "year_ago" for p in found):
        # "compared with the same quarter a year earlier", 「與去年同期相比」: that period a year before, too
        asked.append(dataclasses.replace(asked[0], year=asked[0].year - 1))
    return Analysis(text=text, canon=canon, language=language, kind=kind, metrics=metrics, aspect=aspect, periods=asked,
                    period=period, period_span=span, minimum=bool(_MIN.search(canon)),
                    follow_up=bool(_FOLLOW.search(canon.strip())), pronoun=bool(_PRONOUN.search(canon)),
                    neutral=neutral, share=share, latest=bool(asked) and bool(_LATEST.search(canon)),
                    currency=asked_currency(canon))
