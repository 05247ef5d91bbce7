"""Generate realistic synthetic business-news articles for benchmarks and scale tests.

Articles mix Traditional Chinese, Simplified Chinese and English (40/30/30), run
1,500-6,000 characters each, start with YAML front matter (title, source, date) and
are dense with quantitative sentences about companies from ``ontology/catalog.ttl``
and invented ones (``瀚星科技``, ``Nimbus Robotics Inc.``): revenue, net profit, gross
margin, advertising revenue, R&D, CTR, advertisers, GMV, capex... with values in
億/萬/billion/million, year-over-year changes, percentage points, bounds (超, 不足,
more than) and periods (2024年第三季度, Q2 2025, 2025財年, 上季), mixed with filler
sentences that carry no numbers. Output is deterministic given the seed.

    python bench/generate.py articles 1000 /tmp/corpus --seed 0
    python bench/generate.py graph --triples 1000000 --out /tmp/g1m.nq --seed 0

``generate_graph`` writes, without running the pipeline, N-Quads shaped exactly like what
ingestion writes (see ``ingestion/to_rdf.py``): the reference graphs (ontology, metrics,
catalog, with their content hashes), then one named graph per document holding the
kgo:Document with its full text, kgo:Mention nodes whose offsets index that text,
kgo:Observation nodes (subject, metric, period, value, unit, change, as written) derived
from mentions, kgo:Assertion nodes (launched, owns) with their direct triples, period
nodes with labels in three scripts, and the document's own entities (companies, their
business units and products) typed and labelled with skos:prefLabel/altLabel in
zh-Hant, zh-Hans and en. Catalog companies are mentioned too, without labels, as
ingestion does. Mentions follow a skewed distribution (a few companies are in many
articles). A figure is the same wherever it is reported, so questions have one answer.
Lines are streamed (no rdflib): 10M triples in about 35 s, 110 MB of memory. A sidecar
``OUT.questions.jsonl`` lists sampled questions with the fact that answers each.

>>> a = generate_articles(3, seed=1)
>>> [name.split(".")[1] for name, _ in a]
['zh-Hant', 'zh-Hans', 'en']
>>> a == generate_articles(3, seed=1) and all(1500 <= len(t) <= 6000 for _, t in a)
True
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = ["generate_articles", "write_articles", "generate_graph", "GraphStats", "question_for", "questions_path",
           "main", "LANGUAGES"]

LANGUAGES = ("zh-Hant", "zh-Hans", "en")
# The language of article i is _CYCLE[i % 10]: 40% zh-Hant, 30% zh-Hans, 30% en, and
# any prefix of three or more articles has all three.
_CYCLE = ("zh-Hant", "zh-Hans", "en", "zh-Hant", "zh-Hans", "en", "zh-Hant", "en", "zh-Hans", "zh-Hant")
MIN_CHARS, MAX_CHARS = 1500, 6000


# -- entities ------------------------------------------------------------------------

@dataclass(frozen=True)
class Entity:
    labels: dict[str, str]  # language -> label
    kind: str  # company | product

    def label(self, lang: str) -> str:
        return self.labels[lang]


_SUBJECT_TYPES = {"Organization": "company", "BusinessUnit": "company", "Product": "product",
                  "Platform": "product", "AIModel": "product"}
_SKIP_IRIS = ("research", "idc", "gartner", "counterpoint")


@functools.lru_cache(maxsize=1)
def _catalog() -> tuple[Entity, ...]:
    """Companies and products of the catalog with a prefLabel in each language."""
    import rdflib
    from rdflib.namespace import RDF, SKOS

    import ontology

    kgo = rdflib.Namespace("https://w3id.org/kgqa/ontology#")
    g = rdflib.Graph()
    g.parse(ontology.path(ontology.CATALOG), format="turtle")
    out: list[Entity] = []
    for s in sorted(set(g.subjects(RDF.type, None)), key=str):
        if any(k in str(s).lower() for k in _SKIP_IRIS):
            continue
        types = {str(t).removeprefix(str(kgo)) for t in g.objects(s, RDF.type)}
        kind = next((_SUBJECT_TYPES[t] for t in ("Organization", "BusinessUnit", "Product", "Platform", "AIModel")
                     if t in types), None)
        if kind is None:
            continue
        labels = {lit.language: str(lit) for lit in g.objects(s, SKOS.prefLabel)
                  if isinstance(lit, rdflib.Literal) and lit.language in LANGUAGES}
        if len(labels) == 3:
            out.append(Entity(labels, kind))
    if not out:
        raise RuntimeError("the catalog has no companies with labels in zh-Hant, zh-Hans and en")
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=8192)
def _simp(text: str) -> str:
    return _t2s().convert(text)


def _script(text: str, lang: str) -> str:
    """Traditional source text in the article's script (English text is left alone)."""
    return _simp(text) if lang == "zh-Hans" else text


# Traditional characters for invented Chinese names (two-character stems).
_HAN_STEMS = ("瀚", "星", "雲", "智", "芯", "谷", "遠", "鴻", "創", "視", "聯", "數", "翼", "天", "海", "博", "華", "銳",
              "啟", "航", "明", "源", "泰", "恆", "達", "峰", "景", "睿", "晨", "光", "磐", "鯨", "極", "微", "迅", "嘉",
              "衡", "寧", "拓", "盛", "澄", "曜", "凌", "瑞", "騰", "奕", "匯", "築")
_ZH_SUFFIX = ("科技", "科技", "集團", "集團", "智能科技", "控股")
_EN_WORDS = ("Nimbus", "Quanta", "Helix", "Vertex", "Aurora", "Solstice", "Cobalt", "Meridian", "Lumen", "Orchid",
             "Tessera", "Kestrel", "Arbor", "Halcyon", "Zephyr", "Onyx", "Pioneer", "Cirrus", "Polaris", "Juniper",
             "Sable", "Beacon", "Argent", "Crescent", "Tidewater", "Ember", "Granite", "Summit", "Vanta", "Indigo")
_EN_SUFFIX = ("Robotics Inc.", "Technologies", "Labs", "Systems", "Networks", "Group", "AI", "Holdings")


def _invented(rng: random.Random, lang: str) -> Entity:
    if lang == "en":
        name = f"{rng.choice(_EN_WORDS)} {rng.choice(_EN_SUFFIX)}"
        return Entity({"en": name, "zh-Hant": name, "zh-Hans": name}, "company")
    a, b = rng.sample(_HAN_STEMS, 2)
    hant = a + b + rng.choice(_ZH_SUFFIX)
    return Entity({"zh-Hant": hant, "zh-Hans": _simp(hant), "en": hant}, "company")


# -- numbers, periods ----------------------------------------------------------------

def _pct(rng: random.Random, lo: float = 0.5, hi: float = 60.0) -> str:
    v = rng.uniform(lo, hi)
    return f"{v:.0f}" if rng.random() < 0.4 else f"{v:.1f}"


def _pp(rng: random.Random) -> str:
    return f"{rng.uniform(0.1, 6.0):.{rng.choice((1, 2))}f}"


def _amount_zh(rng: random.Random, lo_yi: float, hi_yi: float) -> str:
    """An amount in 億元 / 萬元 (Traditional), e.g. ``324.5億元``, ``3,500萬元``, ``12億美元``."""
    yi = rng.uniform(lo_yi, hi_yi)
    cur = rng.choices(("元", "美元", "港元"), weights=(8, 2, 1))[0]
    if yi < 1 and rng.random() < 0.8:
        wan = max(100, round(yi * 10000, -1))
        return f"{wan:,.0f}萬{cur}" if rng.random() < 0.5 else f"{wan:.0f}萬{cur}"
    if yi >= 1000 and rng.random() < 0.5:
        return f"{yi:,.1f}億{cur}"
    return f"{yi:.{rng.choice((0, 1, 1, 2))}f}億{cur}"


def _amount_en(rng: random.Random, lo_yi: float, hi_yi: float) -> str:
    """An amount in billion / million with a currency, e.g. ``RMB 33.42 billion``, ``US$250 million``."""
    yi = rng.uniform(lo_yi, hi_yi)  # hundreds of millions
    cur = rng.choices(("RMB ", "US$", "$", "HK$"), weights=(7, 2, 1, 1))[0]
    value = yi * 1e8
    if value >= 1e12:
        return f"{cur}{value / 1e12:.2f} trillion"
    if value >= 1e9:
        return f"{cur}{value / 1e9:.{rng.choice((1, 2))}f} billion"
    return f"{cur}{value / 1e6:,.0f} million"


@dataclass(frozen=True)
class _Period:
    zh: str  # Traditional
    en: str
    quarterly: bool = True

    @property
    def en_end(self) -> str:
        return self.en.removeprefix("full-year ")

    @property
    def zh_end(self) -> str:
        """The end of the period in Chinese: ``2025年第一季度末``, ``2024年底``."""
        return self.zh.replace("全年", "底") if self.zh.endswith("全年") else self.zh + "末"

    @property
    def en_in(self) -> str:
        """The English period with its preposition: ``in Q2 2025``, ``last quarter``, ``for full-year 2024``."""
        if self.en.startswith("last"):
            return self.en
        return ("for " if self.en.startswith("full") else "in ") + self.en


def _poss(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _j(a: str, b: str) -> str:
    """Join a name and what follows in Chinese text, with a space between Latin letters or digits."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def _period(rng: random.Random, date: dt.date) -> _Period:
    """A period around the article's date, in one of the written forms the pipeline reads."""
    y = date.year - (1 if date.month <= 3 or rng.random() < 0.25 else 0)
    q = rng.randint(1, 4) if y < date.year else rng.randint(1, max(1, (date.month - 1) // 3))
    cn_q = "一二三四"[q - 1]
    ords = ("first", "second", "third", "fourth")[q - 1]
    choice = rng.random()
    if choice < 0.30:
        return _Period(f"{y}年第{cn_q}季度", f"the {ords} quarter of {y}")
    if choice < 0.50:
        return _Period(f"{y}年Q{q}", f"Q{q} {y}")
    if choice < 0.60:
        return _Period(f"{y}財年", f"fiscal {y}", False)
    if choice < 0.68:
        return _Period(f"{y}財年第{cn_q}季度", f"FY{y} Q{q}")
    if choice < 0.78:
        return _Period("上季", "last quarter")
    if choice < 0.88:
        h = y if y < date.year or date.month >= 7 else y - 1  # a half-year that has ended
        return _Period(f"{h}年上半年", f"the first half of {h}", False)
    fy = y if y < date.year else y - 1  # a year that has ended
    return _Period(f"{fy}年全年", f"full-year {fy}", False)


# -- metrics -------------------------------------------------------------------------
# (Traditional phrasings, English phrasings, amount range in 億)
_AMOUNTS = {
    "revenue": (("營收", "總收入", "營業收入", "收入"), ("revenue", "total revenue", "net revenues"), (20, 2500)),
    "net_profit": (("淨利潤", "淨利", "歸母淨利潤"), ("net profit", "net income"), (1, 400)),
    "adj_net": (("經調整淨利潤",), ("adjusted net profit", "non-GAAP net income"), (2, 450)),
    "op_profit": (("經營利潤", "營業利潤"), ("operating profit", "operating income"), (1, 500)),
    "ad_rev": (("廣告收入", "廣告營收", "網絡廣告收入"), ("advertising revenue", "ad revenue"), (10, 900)),
    "rnd": (("研發費用", "研發投入", "研發開支"), ("R&D expenses", "R&D spending"), (3, 250)),
    "capex": (("資本開支", "資本支出"), ("capital expenditure", "capex"), (5, 600)),
    "gmv": (("GMV", "商品交易總額", "成交額"), ("GMV", "gross merchandise volume"), (80, 25000)),
    "mkt": (("營銷費用", "銷售及市場推廣開支"), ("marketing expenses", "selling and marketing expenses"), (2, 300)),
    "fcf": (("自由現金流",), ("free cash flow",), (1, 400)),
}
_RATIOS = {
    "gross_margin": (("毛利率",), ("gross margin",), (18, 75)),
    "op_margin": (("經營利潤率",), ("operating margin",), (3, 40)),
    "net_margin": (("淨利率",), ("net margin",), (2, 35)),
    "ctr": (("點擊率", "廣告點擊率"), ("click-through rate",), (0.5, 9)),
    "cvr": (("轉化率",), ("conversion rate",), (1, 18)),
    "share": (("市場份額",), ("market share",), (3, 48)),
}
# (Traditional noun + measure word, English noun, (lo, hi) in 萬, [product-only])
_COUNTS = {
    "advertisers": (("廣告主", "家"), "advertisers", (2, 120)),
    "customers": (("企業客戶", "家"), "enterprise customers", (0.5, 60)),
    "developers": (("開發者", "名"), "developers", (5, 900)),
    "merchants": (("商家", "家"), "merchants", (10, 800)),
    "employees": (("員工", "名"), "employees", (0.3, 20)),
}


def _count_zh(rng: random.Random, lo: float, hi: float) -> str:
    wan = rng.uniform(lo, hi)
    if wan >= 10000:
        return f"{wan / 10000:.1f}億"
    if wan >= 1:
        return f"{wan:.{rng.choice((0, 1))}f}萬"
    return f"{round(wan * 10000, -2):,.0f}"


def _count_en(rng: random.Random, lo: float, hi: float) -> str:
    n = rng.uniform(lo, hi) * 10000
    if n >= 1e6:
        return f"{n / 1e6:.1f} million"
    return f"{round(n, -2):,.0f}"


# -- sentences -----------------------------------------------------------------------

_UP_ZH = ("同比增長", "同比增長", "同比上升", "按年增長", "較去年同期增長")
_DOWN_ZH = ("同比下降", "同比下滑", "同比減少", "按年下跌")
_QOQ_ZH = ("環比增長", "環比下降")
_BOUND_ZH = (("超", "MoreThan"), ("超過", "MoreThan"), ("逾", "MoreThan"), ("不足", "LessThan"), ("近", "Approx"))
_BOUND_EN = ("more than", "over", "nearly", "about", "less than")


class _Writer:
    """Writes the sentences of one article in one language."""

    def __init__(self, rng: random.Random, lang: str, date: dt.date, companies: list[Entity],
                 products: list[Entity]) -> None:
        self.rng = rng
        self.lang = lang
        self.date = date
        self.companies = companies
        self.products = products
        self.last = ""

    # helpers
    def co(self) -> str:
        return self.rng.choice(self.companies).label(self.lang)

    def prod(self) -> str:
        pool = self.products or self.companies
        return self.rng.choice(pool).label(self.lang)

    def zh(self, text: str) -> str:
        return _script(text, self.lang)

    def period(self) -> _Period:
        return _period(self.rng, self.date)

    # quantitative sentences
    def amount(self) -> str:
        r = self.rng
        key = r.choice(list(_AMOUNTS))
        zh_names, en_names, (lo, hi) = _AMOUNTS[key]
        p = self.period()
        up = r.random() < 0.7
        if self.lang == "en":
            c, m, v, chg = self.co(), r.choice(en_names), _amount_en(r, lo, hi), _pct(r)
            verb = r.choice(("rose", "grew", "increased", "climbed")) if up else r.choice(("fell", "declined", "dropped"))
            form = r.randrange(4)
            if form == 0:
                return f"{_poss(c)} {m} {verb} {chg}% year over year to {v} {p.en_in}."
            if form == 1:
                d = "up" if up else "down"
                return f"{p.en_in[0].upper() + p.en_in[1:]}, {c} reported {m} of {v}, {d} {chg}% from a year earlier."
            if form == 2:
                return f"{c} said its {m} reached {v} {p.en_in}, {'an increase' if up else 'a decline'} of {chg}% year over year."
            return f"{_poss(c)} {m} was {v} {p.en_in}."
        c, m, v, chg = self.co(), r.choice(zh_names), _amount_zh(r, lo, hi), _pct(r)
        cue = r.choice(_UP_ZH if up else _DOWN_ZH)
        form = r.randrange(5)
        if form == 0:
            s = f"{_j(c, p.zh)}{m}達{v},{cue}{chg}%。"
        elif form == 1:
            s = f"{_j(c, p.zh)}實現{_j(m, v)},{cue}{chg}%,高於市場預期。"
        elif form == 2:
            s = f"財報顯示,{c}{p.zh}的{m}為{v},{cue}{chg}%。"
        elif form == 3:
            s = f"{_j(c, p.zh)}{m}{cue}{chg}%至{v}。"
        else:
            cue2 = r.choice(_QOQ_ZH) if p.quarterly else r.choice(_UP_ZH + _DOWN_ZH)
            s = f"{_j(c, p.zh)}{m}為{v},{cue2}{_pct(r, 0.5, 25)}%。"
        return self.zh(s)

    def ratio(self) -> str:
        r = self.rng
        key = r.choice(list(_RATIOS))
        zh_names, en_names, (lo, hi) = _RATIOS[key]
        p = self.period()
        v = f"{r.uniform(lo, hi):.1f}"
        pp = _pp(r)
        up = r.random() < 0.5
        if self.lang == "en":
            c, m = self.co(), r.choice(en_names)
            d = "up" if up else "down"
            if r.random() < 0.5:
                return f"{_poss(c)} {m} was {v}% {p.en_in}, {d} {pp} percentage points year over year."
            return f"The {m} at {c} {'widened' if up else 'narrowed'} to {v}% {p.en_in}, {d} {pp} percentage points from a year earlier."
        c, m = self.co(), r.choice(zh_names)
        move = r.choice(("提升", "上升", "增加")) if up else r.choice(("下降", "下滑", "減少"))
        if r.random() < 0.5:
            s = f"{_j(c, p.zh)}{m}為{v}%,同比{move}{pp}個百分點。"
        else:
            s = f"{p.zh},{c}的{m}達到{v}%,較去年同期{move}{pp}個百分點。"
        return self.zh(s)

    def count(self) -> str:
        r = self.rng
        key = r.choice(list(_COUNTS))
        (noun, mw), en_noun, (lo, hi) = _COUNTS[key]
        if self.lang == "en":
            c = self.co()
            b = r.choice(_BOUND_EN)
            n = _count_en(r, lo, hi)
            if r.random() < 0.5 and key != "employees":
                return f"{c} now serves {b} {n} {en_noun}, the company said."
            return f"As of the end of {self.period().en_end}, {c} had {b} {n} {en_noun}."
        c = self.co()
        b, _ = r.choice(_BOUND_ZH)
        n = _count_zh(r, lo, hi)
        form = r.randrange(3)
        if key == "employees":
            s = f"截至{self.period().zh_end},{c}的員工總數{b}{n}名,{r.choice(_UP_ZH + _DOWN_ZH)}{_pct(r, 1, 20)}%。"
        elif form == 0:
            s = f"{c}目前已服務{b}{n}{mw}{noun}。"
        elif form == 1:
            s = f"截至{self.period().zh_end},{c}的{noun}數量{b}{n}{mw}。"
        else:
            s = f"{c}表示,平台上活躍的{noun}已{b}{n}{mw},{r.choice(_UP_ZH)}{_pct(r)}%。"
        return self.zh(s)

    def users(self) -> str:
        r = self.rng
        p = self.period()
        if self.lang == "en":
            n = f"{r.uniform(5, 900):.0f} million" if r.random() < 0.7 else f"{r.uniform(1, 2):.2f} billion"
            return f"{self.prod()} had {r.choice(_BOUND_EN)} {n} monthly active users {p.en_in}, up {_pct(r)}% year over year."
        n = f"{r.uniform(1, 9):.1f}億" if r.random() < 0.5 else f"{r.uniform(100, 9000):.0f}萬"
        s = r.choice((f"{_j(self.prod(), p.zh)}月活躍用戶突破{n},同比增長{_pct(r)}%。",
                      f"{self.prod()}的日活躍用戶{r.choice(('超', '近', '達'))}{n},{p.zh}環比增長{_pct(r, 1, 30)}%。"))
        return self.zh(s)

    def multiple(self) -> str:
        r = self.rng
        k = r.choice(("2", "3", "4.5", "5", "10", "30"))
        p = self.period()
        if self.lang == "en":
            return f"{_poss(self.prod())} token usage grew {k} times {p.en_in}, according to {self.co()}."
        return self.zh(f"{_j(self.prod(), p.zh)}的Token調用量增長{k}倍,{r.choice(('帶動', '推動'))}雲業務收入加速。")

    def bound_amount(self) -> str:
        r = self.rng
        key = r.choice(("revenue", "ad_rev", "gmv"))
        zh_names, en_names, (lo, hi) = _AMOUNTS[key]
        p = self.period()
        if self.lang == "en":
            return (f"{self.co()} expects {r.choice(en_names)} of {r.choice(('more than', 'less than', 'over'))} "
                    f"{_amount_en(r, lo, hi)} {p.en_in}.")
        b = r.choice(("超", "不足", "超過", "不到"))
        return self.zh(f"據估算,{_j(self.prod(), p.zh)}貢獻的{r.choice(zh_names)}{b}{_amount_zh(r, lo, hi)}。")

    # sentences without numbers
    def filler(self) -> str:
        r = self.rng
        if self.lang == "en":
            t = r.choice(_FILLER_EN)
        else:
            t = self.zh(r.choice(_FILLER_ZH))
        return t.replace("{co}", self.co()).replace("{prod}", self.prod())

    def sentence(self) -> str:
        kinds = (self.amount, self.amount, self.amount, self.ratio, self.ratio, self.count, self.users,
                 self.multiple, self.bound_amount, self.filler, self.filler, self.filler, self.filler)
        s = self.rng.choice(kinds)()
        while s == self.last:  # no sentence twice in a row
            s = self.rng.choice(kinds)()
        self.last = s
        return s


_FILLER_ZH = (
    "{co}管理層在財報電話會上表示,將繼續加大在大模型領域的投入。",
    "分析師認為,AI對廣告業務的拉動作用正在逐步顯現。",
    "業內人士指出,價格戰短期內仍將持續,但行業格局已趨於穩定。",
    "{co}同時宣布,旗下{prod}將向更多企業客戶開放。",
    "從整體看,雲服務和廣告仍是大廠AI商業化的兩條主線。",
    "市場對這份成績單的反應相對平淡,投資者更關心後續的盈利能力。",
    "{co}首席執行官表示,公司會在算力、模型和應用三個層面同步推進。",
    "不少中小企業表示,過去因成本而擱置的智能客服項目如今重新被提上日程。",
    "監管層面的不確定性,依然是影響行業估值的重要因素。",
    "{prod}的更新主要集中在多模態理解和長文本處理方面。",
    "有券商研報指出,算力供給仍是制約大模型落地的關鍵瓶頸。",
    "{co}表示,未來將把更多資源投向海外市場和垂直行業。",
    "與此同時,開源模型的快速迭代正在改變企業的採購決策。",
    "在廣告側,智能投放工具已經成為商家的標準配置。",
    "多位受訪者認為,行業正從「拼參數」轉向「拼應用」。",
    "{co}並未披露該業務的具體盈利情況。",
    "這一變化也反映出企業客戶對成本和效率的雙重關注。",
    "{co}在公告中強調,相關投入將以長期回報為導向。",
)
_FILLER_EN = (
    "The management of {co} said on the earnings call that it would keep investing in large models.",
    "Analysts say the lift from AI in advertising is becoming easier to see.",
    "Industry executives expect the price war to continue, although market positions look settled.",
    "{co} also said that {prod} would be opened to more enterprise customers.",
    "Cloud and advertising remain the two main routes to monetising AI for the largest platforms.",
    "Investors reacted calmly to the results, focusing instead on the outlook for profitability.",
    "The chief executive of {co} said the company would push forward on compute, models and applications at once.",
    "Several smaller companies said projects shelved because of cost were back on the agenda.",
    "Regulatory uncertainty remains a drag on valuations across the sector.",
    "The latest update to {prod} focuses on multimodal understanding and long-context processing.",
    "Brokers note that the supply of computing power is still the main bottleneck.",
    "{co} did not disclose the profitability of the business.",
    "Open-source models are changing how enterprises make purchasing decisions.",
    "Automated campaign tools have become standard for merchants on the platform.",
    "People familiar with the matter said the company is weighing further acquisitions.",
    "{co} stressed that the spending is aimed at long-term returns.",
)
_HEADINGS_ZH = ("一、財報:AI開始貢獻收入", "二、廣告:智能投放提速", "三、雲業務:價格戰之後", "四、成本:算力投入加碼",
                "五、展望:從模型到應用", "六、新玩家:垂直賽道突圍")
_HEADINGS_EN = ("Results", "Advertising", "Cloud", "Costs and spending", "Outlook", "New entrants")
_TITLES_ZH = ("{co}{period}財報:AI帶動增長", "大模型商業化加速,{co}交出新成績單", "{co}與同行的AI賬本",
              "價格戰之後,{co}在賺誰的錢?", "{period}科技公司財報綜述")
_TITLES_EN = ("{co} results: AI lifts the top line {period}", "How {co} and its rivals monetise AI",
              "After the price war: who is making money from models?", "Tech earnings: who gained {period}")


def _yaml_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _article(i: int, seed: int) -> tuple[str, str]:
    rng = random.Random(f"kgqa-gen:{seed}:{i}")
    lang = _CYCLE[i % len(_CYCLE)]
    date = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
    catalog = _catalog()
    known_co = [e for e in catalog if e.kind == "company"]
    known_prod = [e for e in catalog if e.kind == "product"]
    companies = rng.sample(known_co, rng.randint(3, 7)) + [_invented(rng, lang) for _ in range(rng.randint(1, 3))]
    products = rng.sample(known_prod, rng.randint(2, 5))
    w = _Writer(rng, lang, date, companies, products)
    target = rng.randint(MIN_CHARS, MAX_CHARS)

    lead = w.period()
    if lang == "en":
        title = rng.choice(_TITLES_EN).replace("{co}", w.co()).replace("{period}", lead.en_in)
        headings = list(_HEADINGS_EN)
    else:
        title = w.zh(rng.choice(_TITLES_ZH)).replace("{co}", w.co()).replace("{period}", w.zh(lead.zh))
        headings = [w.zh(h) for h in _HEADINGS_ZH]
    head = (f"---\ntitle: {_yaml_quote(title)}\nsource: https://example.com/gen/{i}\n"
            f"date: {date.isoformat()}\nlanguage: {lang}\n---\n{title}\n\n")
    sep = " " if lang == "en" else ""
    parts = [head]
    size = len(head)
    paragraphs = 0
    headings_used: set[str] = set()
    while True:
        if paragraphs and paragraphs % 3 == 0 and headings:
            h = headings.pop(0) + "\n\n"
            if size + len(h) > target:
                break
            parts.append(h)
            headings_used.add(h)
            size += len(h)
        para: list[str] = []
        full = False
        for _ in range(rng.randint(3, 6)):
            s = w.sentence()
            extra = len(s) + (len(sep) if para else 2)  # a new paragraph brings its "\n\n"
            if (size + extra > target and size >= MIN_CHARS) or size + extra > MAX_CHARS:
                full = True
                break
            para.append(s)
            size += extra
        if para:
            parts.append(sep.join(para) + "\n\n")
            paragraphs += 1
        if full:
            break
    if parts[-1] in headings_used:  # never end on a heading
        parts.pop()
    text = "".join(parts).rstrip("\n")
    while len(text) + 1 < MIN_CHARS:  # the accounting above counted a final blank line
        text += sep + w.filler()
    text += "\n"
    assert MIN_CHARS <= len(text) <= MAX_CHARS, (i, len(text))
    return f"gen-{i:05d}.{lang}.txt", text


def generate_articles(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` articles as (file name, text) pairs; the same ``n`` and ``seed`` give the same articles."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return [_article(i, seed) for i in range(n)]


def write_articles(n: int, outdir: str | Path, seed: int = 0) -> list[Path]:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate_articles(n, seed):
        p = out / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


# -- graphs --------------------------------------------------------------------------
# N-Quads written line by line in the shape of ingestion/to_rdf.py (no rdflib, no store).

_BASE = "https://w3id.org/kgqa/"
_KGO, _KGR, _KGM, _KGP, _KGU, _KGG = (_BASE + x for x in ("ontology#", "resource/", "metric/", "period/", "unit/",
                                                          "graph/"))
_A = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_PREF = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
_ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
_DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
_PROV_ENTITY = "<http://www.w3.org/ns/prov#Entity>"
_DCT = "http://purl.org/dc/terms/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TAG = {"zh-Hant": "zh-hant", "zh-Hans": "zh-hans", "en": "en"}  # as Oxigraph stores them


def _o(local: str) -> str:
    return f"<{_KGO}{local}>"


def _lit(text: str, lang: str | None = None, dtype: str | None = None) -> str:
    """An N-Quads literal, escaped."""
    body = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
    if lang:
        return f"{body}@{_TAG.get(lang, lang)}"
    if dtype:
        return f"{body}^^<{_XSD}{dtype}>"
    return body


def _h(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def _num(key: str) -> int:
    """A stable pseudo-random integer for a fact key: the same fact has the same figure in every article."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def _decimal_text(units: int, exp: int) -> str:
    """``units * 10**exp`` written as an xsd:decimal lexical form, like to_rdf's ``_dec``."""
    from decimal import Decimal

    text = format(Decimal(units).scaleb(exp).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return text


@dataclass(frozen=True)
class _GEntity:
    iri: str
    type: str  # kgo class: Organization BusinessUnit AIModel Platform Product
    labels: dict[str, str]  # zh-Hant zh-Hans en
    known: bool = False  # in the catalog: documents mention it without defining it


# (metric local name, kind, (lo, hi) in the figure's units)
_GRAPH_METRICS = (
    ("Revenue", "amount", (200, 25000)), ("Revenue", "amount", (200, 25000)), ("AdvertisingRevenue", "amount", (100, 9000)),
    ("NetProfit", "amount", (10, 4000)), ("OperatingProfit", "amount", (10, 5000)), ("RnDExpense", "amount", (30, 2500)),
    ("Capex", "amount", (50, 6000)), ("GMV", "amount", (800, 250000)), ("MarketingExpense", "amount", (20, 3000)),
    ("GrossMargin", "ratio", (180, 750)), ("NetMargin", "ratio", (20, 350)), ("OperatingMargin", "ratio", (30, 400)),
    ("Advertisers", "count", (2, 120)), ("Customers", "count", (1, 60)), ("Developers", "count", (5, 900)),
)
_PRODUCT_METRICS = (("Users", "count", (100, 90000)), ("Revenue", "amount", (5, 2000)), ("TokenUsage", "count", (10, 5000)))
_UNIT_KINDS = (("雲", "Cloud"), ("遊戲", "Games"), ("金融科技", "Fintech"), ("智能駕駛", "Autonomous Driving"),
               ("電商", "Commerce"), ("廣告平台", "Ads"))
_PRODUCT_KINDS = (("大模型", "Model", "AIModel"), ("平台", "Platform", "Platform"), ("助手", "Assistant", "Product"))
_GRAPH_FILLER_ZH = tuple(f for f in _FILLER_ZH if "{" not in f)
_GRAPH_FILLER_EN = tuple(f for f in _FILLER_EN if "{" not in f)
_ZH_GLUE = {  # Traditional, Simplified; {cpm}: company, period and metric joined; {cp}: company and period
    "up": ("{cpm}達{v},同比增長{c}%。", "{cpm}达{v},同比增长{c}%。"),
    "down": ("{cpm}為{v},同比下降{c}%。", "{cpm}为{v},同比下降{c}%。"),
    "flat": ("財報顯示,{cp}的{met}為{v}。", "财报显示,{cp}的{met}为{v}。"),
    "pp_up": ("{cpm}為{v},同比提升{c}個百分點。", "{cpm}为{v},同比提升{c}个百分点。"),
    "pp_down": ("{cpm}為{v},同比下降{c}個百分點。", "{cpm}为{v},同比下降{c}个百分点。"),
    "launched": ("{co}推出了{x}。", "{co}推出了{x}。"),
    "owns": ("{x}是{co}旗下的業務。", "{x}是{co}旗下的业务。"),
}
_EN_GLUE = {
    "up": "{co}'s {met} was {v} in {per}, up {c}% year over year.",
    "down": "{co}'s {met} was {v} in {per}, down {c}% year over year.",
    "flat": "In {per}, {co} reported {met} of {v}.",
    "pp_up": "{co}'s {met} was {v} in {per}, up {c} percentage points year over year.",
    "pp_down": "{co}'s {met} was {v} in {per}, down {c} percentage points year over year.",
    "launched": "{co} launched {x}.",
    "owns": "{x} is a business of {co}.",
}


@functools.lru_cache(maxsize=1)
def _reference_nquads() -> tuple[str, ...]:
    """The ontology, metrics and catalog graphs as ingestion's ``ensure_reference_graphs`` writes them."""
    from kg.store import reference_graph

    out = []
    for key in ("ontology", "metrics", "catalog"):
        _graph, _digest, quads = reference_graph(key)
        out.extend(f"{q} .\n" for q in quads)
    return tuple(dict.fromkeys(out))  # a store holds a quad once (metrics.ttl repeats a few)


@functools.lru_cache(maxsize=1)
def _reference_terms() -> tuple[tuple[_GEntity, ...], dict[str, dict[str, str]]]:
    """Catalog companies and units with labels in the three scripts; metric labels by language."""
    from pyoxigraph import RdfFormat, Store

    import ontology

    st = Store()
    for fname in (ontology.CATALOG, ontology.METRICS):
        st.bulk_load(ontology.path(fname).read_bytes(), format=RdfFormat.TURTLE)
    labels: dict[str, dict[str, str]] = {}
    for s, lit in st.query("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"):  # type: ignore[misc]
        tag = {"zh-hant": "zh-Hant", "zh-hans": "zh-Hans", "en": "en"}.get(lit.language or "")
        if tag:
            labels.setdefault(s.value, {})[tag] = lit.value
    known = []
    for s, t in st.query(f"SELECT DISTINCT ?s ?t WHERE {{ ?s a ?t VALUES ?t {{ <{_KGO}Organization> <{_KGO}BusinessUnit> }} }} ORDER BY ?s"):  # type: ignore[misc]
        lab = labels.get(s.value, {})
        if len(lab) == 3 and not any(k in s.value for k in _SKIP_IRIS):
            known.append(_GEntity(s.value, t.value[len(_KGO):], lab, known=True))
    metrics = {s: lab for s, lab in labels.items() if s.startswith(_KGM) and len(lab) == 3}
    for name, _, _ in _GRAPH_METRICS + _PRODUCT_METRICS:
        if _KGM + name not in metrics:
            raise RuntimeError(f"metrics.ttl has no metric {name} with labels in three scripts")
    return tuple(known), metrics


def _universe(n_companies: int, rng: random.Random) -> tuple[list[_GEntity], dict[str, list[_GEntity]],
                                                            dict[str, list[_GEntity]]]:
    """Invented companies, and for each its business units and products (unique labels in three scripts)."""
    from kg.namespaces import slug

    known, _ = _reference_terms()
    taken = {lab for e in known for lab in e.labels.values()}
    companies: list[_GEntity] = []
    units: dict[str, list[_GEntity]] = {}
    products: dict[str, list[_GEntity]] = {}

    def fresh(make) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        for attempt in range(1000):
            zh, en = make(attempt)
            if zh not in taken and en not in taken and _KGR + slug(en) not in taken:
                taken.update((zh, en, _KGR + slug(en)))
                return zh, en
        raise RuntimeError("ran out of invented names")

    suffixes = ("科技", "集團", "智能科技", "控股", "網絡", "數據")
    for i in range(n_companies):
        width = 2 if i < 3000 else 3

        def company(attempt: int, width: int = width) -> tuple[str, str]:
            w = width + attempt // 200
            zh = "".join(rng.sample(_HAN_STEMS, w)) + rng.choice(suffixes)
            en = " ".join(rng.sample(_EN_WORDS, w)) + " " + rng.choice(_EN_SUFFIX)
            return zh, en

        zh, en = fresh(company)
        co = _GEntity(_KGR + slug(en), "Organization", {"zh-Hant": zh, "zh-Hans": _simp(zh), "en": en})
        companies.append(co)
        stem_zh = zh[:width]
        stem_en = en.rsplit(" ", 1)[0].removesuffix(" Robotics")
        units[co.iri] = []
        if rng.random() < 0.4:
            uz, ue = rng.choice(_UNIT_KINDS)
            uzh, uen = fresh(lambda a: (stem_zh + uz + ("" if a == 0 else str(a)), f"{stem_en} {ue}" + ("" if a == 0 else f" {a}")))
            units[co.iri].append(_GEntity(_KGR + slug(uen), "BusinessUnit",
                                          {"zh-Hant": uzh, "zh-Hans": _simp(uzh), "en": uen}))
        products[co.iri] = []
        for _ in range(rng.randint(1, 3)):
            pz, pe, pt = rng.choice(_PRODUCT_KINDS)
            word = rng.choice(_EN_WORDS)

            def product(a: int, pz: str = pz, pe: str = pe, word: str = word) -> tuple[str, str]:
                tail = "" if a == 0 else str(a + 1)
                return (stem_zh[0] + rng.choice(_HAN_STEMS) + tail + pz, f"{stem_en.split()[0]} {word}{tail} {pe}")

            pzh, pen = fresh(product)
            products[co.iri].append(_GEntity(_KGR + slug(pen), pt, {"zh-Hant": pzh, "zh-Hans": _simp(pzh), "en": pen}))
    return companies, units, products


@dataclass
class GraphStats:
    triples: int = 0
    documents: int = 0
    observations: int = 0
    entities: int = 0
    characters: int = 0
    seconds: float = 0.0
    samples: list[dict[str, Any]] = field(default_factory=list)


def question_for(label: str, metric: str, period: str, lang: str) -> str:
    """A lookup question in the reader's language: ``瀚星科技2024年第三季度營收是多少?``.

    >>> question_for("Nimbus Helix Labs", "revenue", "Q3 2024", "en")
    "What was Nimbus Helix Labs's revenue in Q3 2024?"
    """
    if lang == "en":
        return f"What was {label}'s {metric} in {period}?"
    return _j(_j(label, period), metric) + "是多少?"


class _DocWriter:
    """The quads of one synthetic document, deduplicated like to_rdf's writer."""

    def __init__(self, graph: str) -> None:
        self.g = f"<{graph}>"
        self.lines: list[str] = []
        self.seen: set[str] = set()

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} {self.g} .\n")

    def once(self, key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def _periods_near(date: dt.date) -> list[Any]:
    from kg.periods import Period

    y = date.year
    out = [Period(y - 1, q) for q in range(1, 5)] + [Period(y, q) for q in range(1, (date.month - 1) // 3 + 1)]
    out += [Period(y - 1), Period(y - 1, half=1)]
    return out


def _figure(kind: str, lo: int, hi: int, key: str, lang: str) -> tuple[str, str, str, str]:
    """(value, unit, as written, change-kind) of a fact, the same for the same key in every article."""
    n = _num(key)
    v = lo + n % max(1, hi - lo)
    if kind == "amount":  # v in 億元 (1e8 yuan); written in tenths
        tenths = v * 10 + (n >> 20) % 10
        written = (f"RMB {tenths / 100:,.2f} billion" if lang == "en"
                   else f"{tenths // 10:,}.{tenths % 10}" + ("億元" if lang == "zh-Hant" else "亿元"))
        return str(tenths * 10_000_000), "CNY", written, "pct"
    if kind == "ratio":  # v in tenths of a percent
        return _decimal_text(v, -1), "Percent", f"{v // 10}.{v % 10}%", "pp"
    if lang == "en":  # counts: v in 萬 (1e4)
        return str(v * 10_000), "Count", f"{v * 10_000:,}", "pct"
    return str(v * 10_000), "Count", f"{v}萬" if lang == "zh-Hant" else f"{v}万", "pct"


def _write_document(i: int, seed: int, rng: random.Random, w_companies: list[_GEntity], known: tuple[_GEntity, ...],
                    units: dict[str, list[_GEntity]], products: dict[str, list[_GEntity]],
                    metric_labels: dict[str, dict[str, str]], st: GraphStats, used: set[str],
                    sample: Any) -> list[str]:
    from kg.periods import Period

    lang = _CYCLE[i % len(_CYCLE)]
    zi = 1 if lang == "zh-Hans" else 0
    date = dt.date(2023, 4, 1) + dt.timedelta(days=rng.randrange(900))
    source = f"https://example.com/gen-graph/{seed}/{i}"
    doc_local = "doc-" + _h("source", source)
    doc = f"<{_KGR}{doc_local}>"
    w = _DocWriter(f"{_KGG}doc/{doc_local}")
    n = len(w_companies)
    picks: list[_GEntity] = []
    for _ in range(rng.randint(4, 8)):  # skewed: a few companies are in many articles
        e = rng.choice(known) if rng.random() < 0.3 else w_companies[int(n * rng.random() ** 2)]
        if e not in picks:
            picks.append(e)
    periods = _periods_near(date)

    sentences: list[str] = []
    facts: list[tuple[int, Any]] = []  # (sentence index, payload)

    def name(e: _GEntity) -> str:
        return e.labels[lang]

    def glue(kind: str) -> str:
        return _EN_GLUE[kind] if lang == "en" else _ZH_GLUE[kind][zi]

    def observation(subject: _GEntity, spec: tuple[str, str, tuple[int, int]]) -> None:
        metric, kind, (lo, hi) = spec
        per: Period = rng.choice(periods)
        key = f"{seed}|{subject.iri}|{metric}|{per.key}"
        value, unit, written, change_kind = _figure(kind, lo, hi, key, lang)
        ch = _num(key + "|change")
        change_tenths = 5 + ch % (400 if change_kind == "pct" else 60)
        up = (ch >> 16) % 3 != 0
        c_text = f"{change_tenths // 10}.{change_tenths % 10}" if change_tenths % 10 else str(change_tenths // 10)
        with_change = (ch >> 24) % 4 != 0
        form = ("pp_up" if up else "pp_down") if change_kind == "pp" else ("up" if up else "down")
        if not with_change:
            form = "flat"
        met = metric_labels[_KGM + metric][lang]
        per_label = per.label(lang)
        if lang == "en":
            s = glue(form).format(co=name(subject), met=met, v=written, per=per_label, c=c_text)
            s = s[0].upper() + s[1:]
        else:
            cp = _j(name(subject), per_label)
            s = glue(form).format(cpm=_j(cp, met), cp=cp, met=met, v=written, c=c_text)
        change = None
        if with_change:
            sign = 1 if up else -1
            change = ((_decimal_text(sign * change_tenths, -3), "Percent") if change_kind == "pct"
                      else (_decimal_text(sign * change_tenths, -1), "PercentagePoint"))
            written_all = f"{written}; {c_text}%" if change_kind == "pct" else f"{written}; {c_text}" + (
                " percentage points" if lang == "en" else ("個百分點" if zi == 0 else "个百分点"))
        else:
            written_all = written
        sentences.append(s)
        facts.append((len(sentences) - 1, ("obs", subject, metric, per, value, unit, change, written_all, key)))

    def relation(pred: str, subj: _GEntity, obj: _GEntity) -> None:
        sentences.append(glue(pred).format(co=name(subj), x=name(obj)))
        facts.append((len(sentences) - 1, ("rel", pred, subj, obj)))

    fillers = _GRAPH_FILLER_EN if lang == "en" else _GRAPH_FILLER_ZH
    for e in picks:
        for _ in range(rng.randint(2, 4)):
            observation(e, rng.choice(_GRAPH_METRICS))
        if not e.known:
            for u in units.get(e.iri, ())[:1]:
                if rng.random() < 0.5:
                    relation("owns", e, u)
                    observation(u, rng.choice(_GRAPH_METRICS[:3]))
            prods = products.get(e.iri, ())
            if prods and rng.random() < 0.6:
                p = rng.choice(prods)
                relation("launched", e, p)
                observation(p, rng.choice(_PRODUCT_METRICS))
        if rng.random() < 0.5:
            sentences.append(_script(rng.choice(fillers), lang))

    title = (f"{name(picks[0])} and peers: results {periods[-1].label('en')}" if lang == "en"
             else _script(f"{name(picks[0])}等公司{periods[-1].label('zh-Hant')}財報綜述", lang))
    head = f"---\ntitle: {_yaml_quote(title)}\nsource: {source}\ndate: {date.isoformat()}\nlanguage: {lang}\n---\n{title}\n\n"
    sep = " " if lang == "en" else ""
    parts = [head]
    starts: list[int] = []
    pos = len(head)
    for k, s in enumerate(sentences):
        if k and k % 4 == 0:
            parts.append("\n\n")
            pos += 2
        elif k:
            parts.append(sep)
            pos += len(sep)
        starts.append(pos)
        parts.append(s)
        pos += len(s)
    text = "".join(parts) + "\n"
    st.characters += len(text)

    add = w.add
    add(doc, _A, _o("Document"))
    add(doc, _A, _PROV_ENTITY)
    add(doc, _o("contentHash"), _lit(hashlib.sha256(text.encode("utf-8")).hexdigest()))
    add(doc, _o("encoding"), _lit("utf-8"))
    add(doc, _o("text"), _lit(text))
    add(doc, f"<{_DCT}title>", _lit(title))
    add(doc, f"<{_DCT}source>", _lit(source))
    add(doc, f"<{_DCT}date>", _lit(date.isoformat(), dtype="date"))
    add(doc, f"<{_DCT}language>", _lit(lang))
    add(doc, _RDFS_LABEL, _lit(f"gen-{i:06d}.{lang}.txt"))

    def mention(a: int, b: int) -> str:
        node = f"<{_KGR}mention-{_h(doc_local, a, b)}>"
        if w.once(node):
            add(node, _A, _o("Mention"))
            add(node, _A, _PROV_ENTITY)
            add(node, _o("document"), doc)
            add(node, _o("start"), _lit(str(a), dtype="integer"))
            add(node, _o("end"), _lit(str(b), dtype="integer"))
            add(node, _o("quote"), _lit(text[a:b]))
        return node

    def entity(e: _GEntity, at: int) -> str:
        node = f"<{e.iri}>"
        if w.once(node):
            if not e.known:
                used.add(e.iri)
                add(node, _A, _o(e.type))
                add(node, _PREF, _lit(e.labels[lang], lang))
                for other in ("zh-Hant", "zh-Hans", "en"):
                    if other != lang and e.labels[other] != e.labels[lang]:
                        add(node, _ALT, _lit(e.labels[other], other))
            add(node, _o("mentionedIn"), doc)
            label = e.labels[lang]
            a = text.find(label, at)
            if a < 0:
                a = text.find(label)
            if a >= 0:
                add(node, _o("mentionedAt"), mention(a, a + len(label)))
        return node

    def period(p: Any) -> str:
        node = f"<{_KGP}{p.key}>"
        if w.once(node):
            add(node, _A, _o("Period"))
            add(node, _o("year"), _lit(str(p.year), dtype="integer"))
            if p.quarter:
                add(node, _o("quarter"), _lit(str(p.quarter), dtype="integer"))
            if p.half:
                add(node, _o("half"), _lit(str(p.half), dtype="integer"))
            for lg in ("en", "zh-Hant", "zh-Hans"):
                add(node, _RDFS_LABEL, _lit(p.label(lg), lg))
        return node

    for k, payload in facts:
        a, b = starts[k], starts[k] + len(sentences[k])
        if payload[0] == "obs":
            _, subject, metric, per, value, unit, change, written_all, key = payload
            node = f"<{_KGR}obs-{_h(doc_local, key)}>"
            if not w.once(node):
                continue
            st.observations += 1
            add(node, _A, _o("Observation"))
            add(node, _o("subject"), entity(subject, a))
            add(node, _o("metric"), f"<{_KGM}{metric}>")
            add(node, _o("period"), period(per))
            add(node, _o("value"), _lit(value, dtype="decimal"))
            add(node, _o("unit"), f"<{_KGU}{unit}>")
            if change is not None:
                add(node, _o("change"), _lit(change[0], dtype="decimal"))
                add(node, _o("changeUnit"), f"<{_KGU}{change[1]}>")
                add(node, _o("changeBasis"), _o("YearOverYear"))
            add(node, _o("asWritten"), _lit(written_all))
            add(node, _DERIVED, mention(a, b))
            sample({"question": question_for(subject.labels[lang], _metric_word(metric_labels, metric, lang),
                                             per.label(lang), lang),
                    "language": lang, "subject": subject.iri, "metric": _KGM + metric, "period": per.key,
                    "value": float(value), "unit": unit, "as_written": written_all, "document": doc[1:-1],
                    "start": a, "end": b, "quote": text[a:b]})
        else:
            _, pred, subj, obj = payload
            node = f"<{_KGR}rel-{_h(doc_local, pred, subj.iri, obj.iri)}>"
            if not w.once(node):
                continue
            s_node, o_node = entity(subj, a), entity(obj, a)
            add(node, _A, _o("Assertion"))
            add(node, _o("subject"), s_node)
            add(node, _o("predicate"), _o(pred))
            add(node, _o("object"), o_node)
            add(s_node, _o(pred), o_node)
            add(node, _DERIVED, mention(a, b))
    return w.lines


def _metric_word(labels: dict[str, dict[str, str]], metric: str, lang: str) -> str:
    return labels[_KGM + metric][lang]


def questions_path(out: Path) -> Path:
    """Where ``main`` writes the sampled questions of a generated graph: ``F.nq`` -> ``F.questions.jsonl``."""
    return out.with_name(out.name.removesuffix(".nq") + ".questions.jsonl")


def generate_graph(n_triples: int, out: str | Path | IO[str], seed: int = 0, *, samples: int = 200) -> GraphStats:
    """Write about ``n_triples`` quads (whole documents, so slightly more) as N-Quads to ``out``.

    Returns counts and up to ``samples`` observations sampled uniformly (reservoir), each
    with a question it answers, its value and its source span.
    """
    if n_triples < 0:
        raise ValueError("n_triples must be >= 0")
    t0 = time.perf_counter()
    rng = random.Random(f"kgqa-graph:{seed}")
    known, metric_labels = _reference_terms()
    companies, units, products = _universe(max(40, n_triples // 600), rng)
    st = GraphStats()
    used: set[str] = set()
    srng = random.Random(f"kgqa-graph-samples:{seed}")
    seen = 0

    def sample(item: dict[str, Any]) -> None:
        nonlocal seen
        seen += 1
        if len(st.samples) < samples:
            st.samples.append(item)
        else:
            j = srng.randrange(seen)
            if j < samples:
                st.samples[j] = item

    own = not hasattr(out, "write")
    f: IO[str] = open(out, "w", encoding="utf-8", newline="\n") if own else out  # type: ignore[arg-type, assignment]
    try:
        ref = _reference_nquads()
        f.writelines(ref)
        st.triples = len(ref)
        i = 0
        while st.triples < n_triples:
            lines = _write_document(i, seed, rng, companies, known, units, products, metric_labels, st, used, sample)
            f.writelines(lines)
            st.triples += len(lines)
            st.documents += 1
            i += 1
    finally:
        if own:
            f.close()
    st.entities = len(used)
    st.seconds = time.perf_counter() - t0
    return st


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/generate.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("articles", help="write N synthetic articles to OUTDIR")
    a.add_argument("n", type=int, metavar="N")
    a.add_argument("outdir", metavar="OUTDIR")
    a.add_argument("--seed", type=int, default=0)
    g = sub.add_parser("graph", help="write a graph of about N triples as N-Quads (and OUT.questions.jsonl)")
    g.add_argument("--triples", type=int, required=True, metavar="N")
    g.add_argument("--out", required=True, metavar="FILE.nq")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--questions", type=int, default=200, help="questions to sample into the sidecar file")
    args = ap.parse_args(argv)
    if args.cmd == "articles":
        paths = write_articles(args.n, args.outdir, args.seed)
        chars = sum(len(p.read_text(encoding="utf-8")) for p in paths)
        print(f"wrote {len(paths)} articles ({chars:,} characters) to {args.outdir}")
    elif args.cmd == "graph":
        out = Path(args.out)
        st = generate_graph(args.triples, out, args.seed, samples=args.questions)
        side = questions_path(out)
        with side.open("w", encoding="utf-8") as f:
            for i, sample in enumerate(st.samples):
                f.write(json.dumps({"id": f"g{i}", **sample}, ensure_ascii=False) + "\n")
        print(f"wrote {st.triples:,} triples ({st.documents:,} documents, {st.observations:,} observations, "
              f"{st.entities:,} entities, {st.characters:,} characters of text) to {out} in {st.seconds:.1f} s; "
              f"{len(st.samples)} questions in {side}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
