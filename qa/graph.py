"""What question answering keeps in memory about the graph: labels, types, ownership, lexicon."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from kg.lexicon import EntityRef, Lexicon
from kg.namespaces import KGM, KGO, SKOS
from kg.store import Store
from kg.text import PhraseMatcher, canonical, to_script

__all__ = ["GraphIndex", "pick_label"]

_HAN = re.compile(r"[\u4e00-\u9fff]")
# Words that qualify a figure in business news ("其中AI相關產品", "核心", "日均"), in Simplified canonical form.
_GLOSSARY = {
    "其中": "of which", "相关": "related", "产品": "products", "服务": "services", "业务": "business",
    "核心": "core", "平均": "average", "日均": "daily average", "全球": "global", "国内": "domestic",
    "海外": "overseas", "中国": "China", "上半年": "first half", "下半年": "second half", "全年": "full year",
    "去年": "last year", "今年": "this year", "上季": "last quarter", "当季": "in the quarter", "部分": "some",
    "总": "total", "新客": "new customers", "客户": "customers", "企业": "enterprise", "商家": "merchants",
    "中小": "small and medium", "线上": "online", "在线": "online", "营销": "marketing", "广告": "advertising",
    "云": "cloud", "包含": "including", "包括": "including", "及": "and", "与": "and", "和": "and",
    "其他": "other", "目前": "currently", "付费": "paying", "研究人员": "researchers", "人员": "staff",
    "生成式": "generative", "基础模型": "foundation models", "模型": "model", "大模型": "large model",
    "系列": "series", "数字人": "digital human", "直播": "livestreaming", "推广": "promotion",
    "引导": "driven", "成交额": "GMV", "素材": "content", "输入": "input", "输出": "output",
    "主力版本": "main version", "版本": "version", "旗舰": "flagship", "调用": "calls", "价格": "price",
    "代理商": "agencies", "整车": "vehicle", "集团": "group", "共": "in total", "上线首月": "first month after launch",
    "首月": "first month", "月活跃": "monthly active", "活跃": "active", "贡献": "contributed", "是": "",
    "的": "", "了": "", "港股": "Hong Kong shares", "美股": "US shares", "收入": "revenue", "营收": "revenue",
    "相关服务": "related services", "订阅": "subscription", "高阶": "advanced", "智驾": "driver assistance",
    "车载": "in-car", "助手": "assistant", "市场": "market", "规模": "size", "企业级": "enterprise",
    "交易": "transaction", "智能体": "AI agent", "城市": "cities", "行业": "industries", "场景": "scenarios", "内部": "internal",
    "更新": "updates", "游戏": "games", "车型": "vehicle models", "国家": "countries", "新增": "new",
    "就业": "jobs", "定点": "design wins", "重磅": "major", "营销市场": "marketing market", "研发费用": "R&D expense", "资本支出": "capital expenditure",
}

_EN_GLOSSARY: dict[tuple[str, ...], str] = {}
for _zh, _en in _GLOSSARY.items():
    if _en:
        _EN_GLOSSARY.setdefault(tuple(_en.lower().split()), _zh)


def chinese_phrase(english: str) -> str | None:
    """An English name in Chinese, word by word from the business glossary (longest run of words first);
    None when a word is not covered.

    >>> chinese_phrase("transaction services"), chinese_phrase("online marketing services"), chinese_phrase("Acme")
    ('交易服务', '线上营销服务', None)
    """
    words = re.findall(r"[a-z0-9&]+", english.lower())
    out, i = [], 0
    while i < len(words):
        for n in range(min(3, len(words) - i), 0, -1):
            zh = _EN_GLOSSARY.get(tuple(words[i:i + n]))
            if zh is not None:
                out.append(zh)
                i += n
                break
        else:
            return None
    return "".join(out) or None


_LANGS = {"zh-hant": "zh-Hant", "zh-hans": "zh-Hans", "en": "en"}  # Oxigraph lower-cases language tags


def pick_label(by_lang: dict[str, str], lang: str, fallback: str, *, english: str | None = None) -> str:
    """The label in ``lang``; else the other Chinese script converted; else ``english`` (a gloss, for
    ``lang="en"``); else English, Traditional, Simplified, untagged; else any label; else ``fallback``.

    >>> pick_label({"zh-Hant": "騰訊"}, "zh-Hans", "tencent"), pick_label({}, "en", "tencent")
    ('腾讯', 'tencent')
    """
    if lang in by_lang:
        return by_lang[lang]
    if lang in ("zh-Hant", "zh-Hans"):
        other = "zh-Hans" if lang == "zh-Hant" else "zh-Hant"
        if other in by_lang:
            return to_script(by_lang[other], lang)
    if english is not None:
        return english
    for pref in ("en", "zh-Hant", "zh-Hans", ""):
        if pref in by_lang:
            return by_lang[pref]
    return next(iter(by_lang.values()), fallback)


@dataclass
class GraphIndex:
    store: Store
    lexicon: Lexicon
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # iri -> lang -> prefLabel
    types: dict[str, str] = field(default_factory=dict)
    owners: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # child -> owners
    children: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # owner -> what it owns
    parts: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # whole -> its kgo:partOf parts
    broader: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # metric -> itself and broader
    loss_of: dict[str, str] = field(default_factory=dict)  # loss metric -> the profit it is the negative of
    mentioned: set[str] = field(default_factory=set)
    ref_year: int | None = None  # the year relative questions count from: the latest document date's
    # English names made word by word for entities the graph names only in Chinese ("全球AI廣告市場")
    english: dict[str, str] = field(default_factory=dict)
    english_names: PhraseMatcher[EntityRef] = field(default_factory=PhraseMatcher)
    # Chinese names made word by word for entities the graph names only in English ("transaction services")
    chinese_names: PhraseMatcher[EntityRef] = field(default_factory=PhraseMatcher)
    _label_text: str | None = field(default=None, repr=False)
    stamp: tuple[object, ...] = ()

    @classmethod
    def build(cls, store: Store) -> "GraphIndex":
        lex = Lexicon.from_store(store)
        g = cls(store=store, lexicon=lex)
        for e, label, lang in store.select(f"SELECT ?e ?l (LANG(?l) AS ?lang) WHERE {{ ?e <{SKOS}prefLabel> ?l }}"):
            g.labels.setdefault(e, {}).setdefault(_LANGS.get((lang or "").lower(), lang or ""), label)
        for e, ref in lex.by_iri.items():
            g.types[e] = ref.type
        for parent, child in store.select(f"SELECT DISTINCT ?p ?c WHERE {{ ?p <{KGO}owns> ?c }}"):
            g.owners[child].add(parent)
            g.children[parent].add(child)
        for part, whole in store.select(f"SELECT DISTINCT ?c ?w WHERE {{ ?c <{KGO}partOf> ?w }}"):
            g.parts[whole].add(part)  # 「通義千問Qwen3」: the part is the more specific name, not another owner
        for m in lex.metric_form:  # every metric: itself and its broader ones, as the lexicon read them
            g.broader[m] = {m, *lex.metric_broader.get(m, ())}
        g.loss_of = dict(lex.metric_loss_of)
        g.mentioned = {e for (e,) in store.select(f"SELECT DISTINCT ?e WHERE {{ ?e <{KGO}mentionedIn> ?d }}")}
        g.ref_year = _reference_year(store)
        for e, ref in lex.by_iri.items():
            by = g.labels.get(e, {})
            name = by.get("zh-Hant") or by.get("zh-Hans")
            if "en" in by or not name or not _HAN.search(name):
                continue
            english = g.english_phrase(name)
            if english and not _HAN.search(english) and len(english.split()) >= 2:
                g.english[e] = english[0].upper() + english[1:]
                g.english_names.add(canonical(english), ref)
        for e, ref in lex.by_iri.items():
            by = g.labels.get(e, {})
            if "en" not in by or any(_HAN.search(v) for v in by.values()):
                continue
            chinese = chinese_phrase(by["en"])
            if chinese is not None and len(chinese) >= 4:
                g.chinese_names.add(canonical(chinese), ref)
        g.stamp = cls.stamp_of(store)
        return g

    @staticmethod
    def stamp_of(store: Store) -> tuple[object, ...]:
        """What the index was built from: the store's own change stamp when it keeps one (counting
        every triple is a full scan, ~0.3 s at 1M triples), else its size and graphs."""
        change_stamp = getattr(store, "change_stamp", None)
        if change_stamp is not None:
            return tuple(change_stamp())
        return (store.count(), tuple(store.graphs()))

    def label(self, iri: str, lang: str) -> str:
        """The entity's name in ``lang`` (see :func:`pick_label`); a Chinese-only name gets its English gloss."""
        by = self.labels.get(iri, {})
        english = self.english.get(iri) if lang == "en" and "en" not in by else None
        return pick_label(by, lang, iri.rsplit("/", 1)[-1], english=english)

    def metric_label(self, iri: str, lang: str) -> str:
        return self.label(iri, lang) if iri in self.labels else iri[len(KGM):]

    def ancestors(self, iri: str) -> set[str]:
        seen: set[str] = set()
        todo = [iri]
        while todo:
            x = todo.pop()
            for p in self.owners.get(x, ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    def descendants(self, iri: str, *, parts: bool = True) -> set[str]:
        """What an entity owns and (with ``parts``) what is part of it, directly or further down."""
        seen: set[str] = set()
        todo = [iri]
        while todo:
            x = todo.pop()
            for c in (*self.children.get(x, ()), *(self.parts.get(x, ()) if parts else ())):
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        return seen

    def is_metric_match(self, observed: str, asked: str) -> int:
        """2 for the same metric, 1 when the observed one is narrower than the asked one or is the loss
        of the profit asked about (淨虧損 answers 淨利潤), else 0."""
        if observed == asked:
            return 2
        if asked in self.broader.get(observed, ()):
            return 1
        profit = self.loss_of.get(observed)
        return 1 if profit is not None and asked in self.broader.get(profit, {profit}) else 0

    def english_phrase(self, text: str) -> str | None:
        """A short Chinese phrase (a fact's qualifier) in English, word by word from the graph's labels and a
        small business glossary; None when a word is not covered.

        >>> from kg.store import OxigraphStore
        >>> g = GraphIndex.build(OxigraphStore.in_memory())
        >>> g.english_phrase("AI相關產品"), g.english_phrase("核心"), g.english_phrase("某某")
        ('AI related products', 'core', None)
        """
        canon = canonical(text)
        words: list[str] = []
        i = 0
        while i < len(canon):
            c = canon[i]
            if not ("\u4e00" <= c <= "\u9fff"):
                m = re.match(r"[a-z0-9][a-z0-9.\-]*", text[i:].lower()) if c.isalnum() else None
                if m:
                    words.append(text[i:i + m.end()])
                    i += m.end()
                else:
                    if c.strip() and c not in "「」“”\"'":
                        words.append(c)
                    i += 1
                continue
            hit = self.lexicon.entities.match_at(canon, i)
            en = None
            if hit is not None:
                en = self.label(hit.value.iri, "en")
            else:
                mhit = self.lexicon.metrics.match_at(canon, i)
                if mhit is not None:
                    hit, en = mhit, self.metric_label(mhit.value.iri, "en")
            if hit is None or en is None or _HAN.search(en):
                for n in range(min(6, len(canon) - i), 0, -1):
                    if canon[i:i + n] in _GLOSSARY:
                        en = _GLOSSARY[canon[i:i + n]]
                        i += n
                        break
                else:
                    return None
            else:
                i = hit.end
            if en:
                words.append(en)
        out = " ".join(words)
        return re.sub(r"\s*([/、,])\s*", lambda m: "/" if m.group(1) in "/、" else ", ", out).strip() or None

    def names_part_of_a_label(self, word: str) -> bool:
        """Whether a word is part of some entity's name or label (a partial name, not an unknown one)."""
        if self._label_text is None:
            self._label_text = "\n".join(canonical(x) for iri in self.lexicon.by_iri for x in self.all_labels(iri))
        key = canonical(word)
        if key.isascii():  # Latin names match whole words: "San" is not part of "Sandbox"
            return re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", self._label_text) is not None
        return key in self._label_text

    def all_labels(self, iri: str) -> list[str]:
        return list(self.labels.get(iri, {}).values())

    def canon_labels(self, iri: str) -> set[str]:
        return {canonical(x) for x in self.all_labels(iri)}


def _reference_year(store: Store) -> int | None:
    """The latest document date's year; without dates, the year most facts are about."""
    from collections import Counter

    years = [int(str(d)[:4]) for (d,) in store.select("SELECT ?d WHERE { ?doc <http://purl.org/dc/terms/date> ?d }")
             if re.match(r"\d{4}", str(d))]
    if years:
        return max(years)
    counts: Counter[int] = Counter()
    for p, n in store.select(f"SELECT ?p (COUNT(?o) AS ?n) WHERE {{ ?o <{KGO}period> ?p }} GROUP BY ?p"):
        m = re.search(r"(\d{4})", str(p).rsplit("/", 1)[-1])
        if m:
            counts[int(m.group(1))] += int(n)
    return counts.most_common(1)[0][0] if counts else None
