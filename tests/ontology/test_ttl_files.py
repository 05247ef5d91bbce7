"""Checks of the ontology data files: kgqa.ttl, shapes.ttl, metrics.ttl, catalog.ttl.

The SHACL shapes are exercised with the example data graphs in tests/data/shapes/:
every shape has at least one conforming and one violating example, and every
violating example must fail for exactly the reason it was written for.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, Namespace, URIRef

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DATA_DIR = ROOT / "tests" / "data" / "shapes"

KGO = Namespace("https://w3id.org/kgqa/ontology#")
KGR = Namespace("https://w3id.org/kgqa/resource/")
KGM = Namespace("https://w3id.org/kgqa/metric/")
KGU = Namespace("https://w3id.org/kgqa/unit/")
SH = Namespace("http://www.w3.org/ns/shacl#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SCHEMA = Namespace("https://schema.org/")

LANGS = ("en", "zh-Hant", "zh-Hans")
TTL_FILES = ("kgqa.ttl", "shapes.ttl", "metrics.ttl", "catalog.ttl")


@lru_cache(maxsize=None)
def load(name: str) -> Graph:
    g = Graph()
    g.parse(ONTOLOGY_DIR / name, format="turtle")
    return g


def langs_of(g: Graph, s, p) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for o in g.objects(s, p):
        if isinstance(o, Literal):
            out[o.language or ""].append(str(o))
    return out


def superclasses(g: Graph, cls) -> set:
    return set(g.transitive_objects(cls, RDFS.subClassOf))


# ---------------------------------------------------------------------------
# Parsing and prefixes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", TTL_FILES)
def test_ttl_parses(name):
    g = load(name)
    assert len(g) > 0


@pytest.mark.parametrize("name", TTL_FILES)
def test_ttl_uses_project_prefixes(name):
    text = (ONTOLOGY_DIR / name).read_text(encoding="utf-8")
    expected = {
        "kgo": str(KGO), "kgr": str(KGR), "kgm": str(KGM),
        "kgp": "https://w3id.org/kgqa/period/", "kgu": str(KGU),
    }
    for prefix, iri in re.findall(r"@prefix\s+(\w+):\s*<([^>]*)>", text):
        if prefix in expected:
            assert iri == expected[prefix], (name, prefix, iri)


# ---------------------------------------------------------------------------
# kgqa.ttl
# ---------------------------------------------------------------------------

REQUIRED_CLASSES = {
    "Entity": None, "Organization": KGO.Entity, "BusinessUnit": KGO.Organization,
    "Product": SCHEMA.Product, "AIModel": KGO.Product, "Platform": KGO.Product,
    "Lab": KGO.Organization, "Person": SCHEMA.Person, "Market": KGO.Entity,
    "Document": PROV.Entity, "Mention": PROV.Entity, "Fact": PROV.Entity,
    "Observation": KGO.Fact, "Assertion": KGO.Fact, "Metric": SKOS.Concept,
    "Period": None, "Unit": None, "ChangeBasis": None, "Bound": None,
}

REQUIRED_PROPERTIES = """
subject metric period value unit asWritten bound change changeUnit changeBasis
changeBound qualitative qualifier forecast consecutivePeriods comparedTo perQuantity
perUnit reportedBy predicate object objectLiteral year role owns ownedBy launched
develops founded integrates runsOn worksFor said appliesAITo partOf document start end
quote text contentHash encoding quarter half month fiscal yearToDate currencyCode kind
""".split()

REQUIRED_INDIVIDUALS = {
    KGO.ChangeBasis: ["YearOverYear", "QuarterOverQuarter", "MonthOverMonth", "SinceYearStart", "Unspecified"],
    KGO.Bound: ["MoreThan", "AtLeast", "LessThan", "AtMost", "Approximately"],
}
REQUIRED_UNITS = "CNY USD HKD EUR JPY GBP Percent PercentagePoint Multiple Count Ratio Tokens Year Hour".split()


def test_ontology_header():
    g = load("kgqa.ttl")
    assert (URIRef("https://w3id.org/kgqa/ontology"), RDF.type, OWL.Ontology) in g


@pytest.mark.parametrize("name,parent", sorted(REQUIRED_CLASSES.items()))
def test_required_class(name, parent):
    g = load("kgqa.ttl")
    cls = KGO[name]
    assert (cls, RDF.type, OWL.Class) in g
    if parent is not None:
        assert parent in superclasses(g, cls)


def test_entity_classes_are_entities():
    g = load("kgqa.ttl")
    for name in ("Organization", "BusinessUnit", "Lab", "Product", "AIModel", "Platform", "Person", "Market"):
        assert KGO.Entity in superclasses(g, KGO[name]), name


@pytest.mark.parametrize("name", REQUIRED_PROPERTIES)
def test_required_property(name):
    g = load("kgqa.ttl")
    kinds = set(g.objects(KGO[name], RDF.type))
    assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, name


def test_owns_inverse():
    g = load("kgqa.ttl")
    assert (KGO.owns, OWL.inverseOf, KGO.ownedBy) in g


def test_every_kgo_term_is_labelled_in_three_scripts_and_commented():
    g = load("kgqa.ttl")
    terms = {
        s for s in g.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(str(KGO))
    }
    terms |= {s for s in g.subjects(RDF.type, KGO.Unit)}
    assert terms
    for t in terms:
        labels = langs_of(g, t, RDFS.label)
        for lang in LANGS:
            assert len(labels.get(lang, [])) == 1, (t, lang, labels)
        is_schema_term = set(g.objects(t, RDF.type)) & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
        if is_schema_term:
            assert g.value(t, RDFS.comment) is not None, t


@pytest.mark.parametrize("cls,names", sorted(REQUIRED_INDIVIDUALS.items()))
def test_required_individuals(cls, names):
    g = load("kgqa.ttl")
    for n in names:
        assert (KGO[n], RDF.type, cls) in g, n


def test_required_units():
    g = load("kgqa.ttl")
    for n in REQUIRED_UNITS:
        assert (KGU[n], RDF.type, KGO.Unit) in g, n
    for code in ("CNY", "USD", "HKD", "EUR", "JPY", "GBP"):
        assert str(g.value(KGU[code], KGO.currencyCode)) == code


def test_property_domains_and_ranges_are_declared_terms():
    g = load("kgqa.ttl")
    known = set(g.subjects(RDF.type, OWL.Class)) | set(g.subjects(RDF.type, RDFS.Datatype))
    for p in set(g.subjects(RDF.type, OWL.ObjectProperty)) | set(g.subjects(RDF.type, OWL.DatatypeProperty)):
        if not str(p).startswith(str(KGO)):
            continue
        for rel in (RDFS.domain, RDFS.range):
            for o in g.objects(p, rel):
                if str(o).startswith(str(KGO)):
                    assert o in known, (p, rel, o)


def _declared_kgo_terms() -> set:
    g = load("kgqa.ttl")
    return {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(str(KGO))}


def _used_kgo_terms(g: Graph) -> set:
    used = set()
    for triple in g:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(str(KGO)):
                used.add(term)
    return used


@pytest.mark.parametrize("name", ["metrics.ttl", "catalog.ttl"])
def test_data_files_use_only_declared_terms(name):
    undeclared = _used_kgo_terms(load(name)) - _declared_kgo_terms()
    assert not undeclared, sorted(undeclared)


def test_shapes_and_examples_use_only_declared_terms():
    shape_nodes = {s for s in load("shapes.ttl").subjects(RDF.type, SH.NodeShape)}
    used = _used_kgo_terms(load("shapes.ttl")) - shape_nodes
    for f in SHAPES_DATA_DIR.glob("*.ttl"):
        used |= _used_kgo_terms(Graph().parse(f, format="turtle"))
    undeclared = used - _declared_kgo_terms()
    assert not undeclared, sorted(undeclared)


# ---------------------------------------------------------------------------
# metrics.ttl
# ---------------------------------------------------------------------------

METRIC_KINDS = {"amount", "ratio", "count", "rate", "multiple"}

# Required metrics and phrasings the text matcher must find (lang, label).
REQUIRED_METRIC_LABELS = {
    "Revenue": [("zh-Hant", "營收"), ("zh-Hans", "营收"), ("zh-Hant", "收入"), ("zh-Hant", "營業收入"),
                ("zh-Hant", "總營收"), ("en", "revenue"), ("en", "revenues"), ("en", "sales"), ("en", "turnover")],
    "AdvertisingRevenue": [("zh-Hant", "廣告收入"), ("zh-Hans", "广告收入"), ("en", "ad revenue"), ("en", "advertising revenue")],
    "NetProfit": [("zh-Hant", "淨利潤"), ("zh-Hant", "淨利"), ("zh-Hans", "净利润"), ("en", "net profit"), ("en", "net income")],
    "AdjustedNetProfit": [("zh-Hant", "經調整淨利潤"), ("zh-Hant", "調整後淨利潤"), ("en", "non-GAAP net income"), ("en", "adjusted net profit")],
    "OperatingProfit": [],
    "GrossProfit": [("zh-Hant", "毛利")],
    "GrossMargin": [("zh-Hant", "毛利率"), ("en", "gross margin")],
    "RnDExpense": [("zh-Hant", "研發費用"), ("zh-Hant", "研發支出"), ("zh-Hant", "研發投入"), ("zh-Hans", "研发费用"),
                   ("en", "R&D expense"), ("en", "R&D spending"), ("en", "research and development expenses")],
    "Capex": [("zh-Hant", "資本支出"), ("zh-Hant", "資本開支"), ("zh-Hans", "资本支出"), ("en", "capital expenditure"), ("en", "capex")],
    "GMV": [("zh-Hant", "GMV"), ("zh-Hant", "成交額"), ("zh-Hant", "商品交易總額"), ("zh-Hant", "交易額"), ("en", "gross merchandise volume")],
    "ClickThroughRate": [("zh-Hant", "點擊率"), ("zh-Hans", "点击率"), ("en", "click-through rate"), ("en", "CTR")],
    "Customers": [("zh-Hant", "客戶"), ("zh-Hant", "企業客戶"), ("en", "customers"), ("en", "enterprise customers"), ("en", "clients")],
    "Users": [("zh-Hant", "用戶"), ("zh-Hant", "月活躍用戶"), ("zh-Hant", "月活"), ("en", "users"), ("en", "monthly active users"), ("en", "MAU")],
    "Advertisers": [("zh-Hant", "廣告主"), ("zh-Hans", "广告主"), ("en", "advertisers")],
    "Share": [("zh-Hant", "占比"), ("zh-Hant", "佔比"), ("zh-Hant", "比例"), ("en", "share"), ("en", "proportion"), ("en", "percentage of")],
    "ShareOfResults": [("zh-Hant", "搜索結果"), ("zh-Hans", "搜索结果"), ("zh-Hant", "移動搜索結果"), ("en", "search results")],
    "StockPriceChange": [("zh-Hant", "股價"), ("zh-Hant", "股價漲幅"), ("zh-Hans", "股价"), ("en", "share price"), ("en", "stock price"), ("en", "shares")],
    "MarketSize": [("zh-Hant", "市場規模"), ("zh-Hant", "市場銷售額"), ("zh-Hans", "市场规模"), ("en", "market size"), ("en", "market sales")],
    "MarketShare": [("zh-Hant", "市場份額"), ("zh-Hant", "份額"), ("zh-Hant", "市佔率"), ("en", "market share")],
    "CAGR": [("zh-Hant", "年復合增長率"), ("zh-Hant", "年複合增長率"), ("zh-Hant", "複合年增長率"), ("zh-Hans", "复合年增长率"),
             ("zh-Hans", "年复合增长率"), ("en", "CAGR"), ("en", "compound annual growth rate")],
    "Downloads": [("zh-Hant", "下載量"), ("zh-Hant", "下載"), ("en", "downloads")],
    "Cost": [("zh-Hant", "成本"), ("zh-Hant", "調用成本"), ("zh-Hant", "輸出成本"), ("zh-Hant", "推理成本"), ("en", "cost"), ("en", "inference cost")],
    "Price": [("zh-Hant", "價格"), ("zh-Hant", "售價"), ("zh-Hant", "定價"), ("en", "price"), ("en", "pricing")],
    "AdSpend": [("zh-Hant", "廣告消耗"), ("zh-Hant", "廣告支出"), ("en", "ad spend"), ("en", "advertising spend")],
    "Efficiency": [("zh-Hant", "效率"), ("zh-Hant", "投放效率"), ("en", "efficiency")],
    "RenewalRate": [("zh-Hant", "續費率"), ("en", "renewal rate")],
    "Employees": [("zh-Hant", "員工"), ("en", "employees"), ("en", "staff"), ("en", "headcount")],
    "Valuation": [("zh-Hant", "估值"), ("en", "valuation")],
    "Funding": [("zh-Hant", "融資"), ("en", "funding"), ("en", "raised")],
    "OperatingCashFlow": [("zh-Hant", "經營現金流"), ("en", "operating cash flow")],
    "FreeCashFlow": [("zh-Hant", "自由現金流"), ("en", "free cash flow")],
    "PayingUsers": [("zh-Hant", "付費用戶"), ("en", "paying users")],
    "ARPU": [("en", "ARPU")],
    "Orders": [("zh-Hant", "訂單量"), ("zh-Hant", "訂單"), ("en", "orders")],
    "Deliveries": [("zh-Hant", "交付量"), ("en", "deliveries")],
    "PERatio": [("zh-Hant", "市盈率"), ("zh-Hant", "本益比"), ("en", "P/E")],
    "Upside": [("zh-Hant", "上升空間"), ("en", "upside")],
}
REQUIRED_METRIC_KINDS = {
    "GrossMargin": "ratio", "ClickThroughRate": "ratio", "Customers": "count", "Users": "count",
    "Advertisers": "count", "Share": "ratio", "ShareOfResults": "ratio", "StockPriceChange": "ratio",
    "MarketSize": "amount", "CAGR": "ratio", "Downloads": "count", "Employees": "count",
    "PERatio": "multiple", "PEGRatio": "multiple", "Upside": "ratio",
}


def metric_iris() -> set:
    return set(load("metrics.ttl").subjects(RDF.type, KGO.Metric))


def test_metric_scheme():
    g = load("metrics.ttl")
    assert (KGM.scheme, RDF.type, SKOS.ConceptScheme) in g
    assert len(metric_iris()) >= len(REQUIRED_METRIC_LABELS)


def test_every_metric_is_complete():
    g = load("metrics.ttl")
    for m in metric_iris():
        assert str(m).startswith(str(KGM)), m
        assert (m, RDF.type, SKOS.Concept) in g, m
        assert (m, SKOS.inScheme, KGM.scheme) in g, m
        pref = langs_of(g, m, SKOS.prefLabel)
        for lang in LANGS:
            assert len(pref.get(lang, [])) == 1, (m, lang, pref)
        kinds = [str(k) for k in g.objects(m, KGO.kind)]
        assert len(kinds) == 1 and kinds[0] in METRIC_KINDS, (m, kinds)
        assert langs_of(g, m, SKOS.definition).get("en"), m
        for b in g.objects(m, SKOS.broader):
            assert b in metric_iris(), (m, b)
        # SKOS: a label is not both preferred and alternative in one language
        alts = set(g.objects(m, SKOS.altLabel))
        assert not alts & set(g.objects(m, SKOS.prefLabel)), m
        for o in g.objects(m, SKOS.altLabel):
            assert isinstance(o, Literal) and o.language in LANGS, (m, o)


@pytest.mark.parametrize("name", sorted(REQUIRED_METRIC_LABELS))
def test_required_metric_and_phrasings(name):
    g = load("metrics.ttl")
    m = KGM[name]
    assert m in metric_iris(), name
    labels = {(o.language, str(o)) for p in (SKOS.prefLabel, SKOS.altLabel) for o in g.objects(m, p)}
    missing = [pair for pair in REQUIRED_METRIC_LABELS[name] if pair not in labels]
    assert not missing, (name, missing)


def test_required_metric_kinds_and_broader():
    g = load("metrics.ttl")
    for name, kind in REQUIRED_METRIC_KINDS.items():
        assert str(g.value(KGM[name], KGO.kind)) == kind, name
    assert (KGM.AdvertisingRevenue, SKOS.broader, KGM.Revenue) in g


def test_no_phrase_names_two_metrics():
    g = load("metrics.ttl")
    owners: dict[tuple[str, str], set] = defaultdict(set)
    for m in metric_iris():
        for p in (SKOS.prefLabel, SKOS.altLabel):
            for o in g.objects(m, p):
                key = str(o).casefold() if o.language == "en" else str(o)
                owners[(o.language, key)].add(m)
    shared = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    assert not shared, shared


def test_metrics_conform_to_shapes():
    conforms, _, text = validate(load("metrics.ttl"))
    assert conforms, text


# ---------------------------------------------------------------------------
# catalog.ttl
# ---------------------------------------------------------------------------

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

REQUIRED_ENTITIES = {
    # slug: (class, {(lang, label) that must be a pref or alt label})
    "baidu": ("Organization", {("zh-Hant", "百度"), ("en", "Baidu"), ("en", "Baidu Inc.")}),
    "baidu-ai-cloud": ("BusinessUnit", {("zh-Hant", "百度智能雲"), ("zh-Hans", "百度智能云"), ("zh-Hant", "百度雲"), ("en", "Baidu Cloud")}),
    "ernie": ("AIModel", {("zh-Hant", "文心"), ("zh-Hant", "文心一言"), ("zh-Hant", "文心大模型"), ("en", "ERNIE Bot")}),
    "qianfan": ("Platform", {("zh-Hant", "千帆"), ("zh-Hant", "千帆平臺"), ("zh-Hans", "千帆大模型平台")}),
    "huiboxing": ("Product", {("zh-Hant", "慧播星")}),
    "apollo-go": ("Product", {("zh-Hant", "蘿蔔快跑"), ("zh-Hans", "萝卜快跑")}),
    "alibaba": ("Organization", {("zh-Hant", "阿里巴巴"), ("zh-Hant", "阿里"), ("en", "Alibaba Group"), ("zh-Hant", "阿里集團")}),
    "alibaba-cloud": ("BusinessUnit", {("zh-Hant", "阿里雲"), ("zh-Hans", "阿里云"), ("en", "Aliyun")}),
    "alimama": ("BusinessUnit", {("zh-Hant", "阿里媽媽"), ("zh-Hans", "阿里妈妈")}),
    "taobao-tmall-group": ("BusinessUnit", {("zh-Hant", "淘寶天貓集團"), ("zh-Hans", "淘宝天猫集团"), ("zh-Hant", "淘天"), ("en", "Taotian")}),
    "taobao": (None, {("zh-Hant", "淘寶")}),
    "tmall": (None, {("zh-Hant", "天貓")}),
    "bailian": ("Platform", {("zh-Hant", "百煉"), ("zh-Hans", "百炼"), ("zh-Hant", "百煉平臺"), ("en", "Model Studio")}),
    "qwen": ("AIModel", {("zh-Hant", "通義千問"), ("zh-Hans", "通义千问"), ("zh-Hant", "通義"), ("en", "Tongyi Qianwen"), ("en", "Qwen")}),
    "quanzhantui": ("Product", {("zh-Hant", "全站推廣"), ("zh-Hans", "全站推广"), ("en", "Quanzhantui"), ("zh-Hant", "全站推")}),
    "damo-academy": ("Lab", {("zh-Hant", "達摩院"), ("zh-Hans", "达摩院"), ("en", "DAMO Academy"), ("en", "Alibaba DAMO Academy")}),
    "tencent": ("Organization", {("zh-Hant", "騰訊"), ("zh-Hans", "腾讯")}),
    "tencent-cloud": (None, {("zh-Hant", "騰訊雲")}),
    "tencent-fintech-business-services": ("BusinessUnit", {("zh-Hant", "騰訊金融科技及企業服務"), ("zh-Hant", "金融科技及企業服務"), ("en", "FinTech and Business Services")}),
    "wechat": (None, {("zh-Hant", "微信")}),
    "wechat-channels": (None, {("zh-Hant", "視頻號"), ("zh-Hans", "视频号")}),
    "qq": (None, {("zh-Hant", "QQ"), ("zh-Hans", "QQ"), ("en", "QQ")}),
    "hunyuan": ("AIModel", {("zh-Hant", "混元"), ("zh-Hant", "混元大模型")}),
    "hunyuan-t1": ("AIModel", {("zh-Hant", "混元T1")}),
    "youtu-lab": ("Lab", {("zh-Hant", "優圖實驗室"), ("zh-Hans", "优图实验室")}),
    "kuaishou": ("Organization", {("zh-Hant", "快手")}),
    "kling-ai": ("Product", {("zh-Hant", "可靈"), ("zh-Hans", "可灵"), ("en", "Kling"), ("en", "KlingAI"), ("zh-Hant", "可靈AI"), ("en", "Kling AI")}),
    "meituan": (None, {("zh-Hant", "美團")}),
    "jd-com": (None, {("zh-Hant", "京東")}),
    "bytedance": (None, {("zh-Hant", "字節跳動")}),
    "doubao": (None, {("zh-Hant", "豆包")}),
    "douyin": (None, {("zh-Hant", "抖音")}),
    "volcano-engine": (None, {("zh-Hant", "火山引擎")}),
    "pinduoduo": (None, {("zh-Hant", "拼多多")}),
    "pdd-holdings": (None, {("en", "PDD Holdings")}),
    "xiaomi": (None, {("zh-Hant", "小米")}),
    "huawei": (None, {("zh-Hant", "華為"), ("zh-Hans", "华为")}),
    "huawei-cloud": (None, {("en", "Huawei Cloud")}),
    "pangu": (None, {("zh-Hant", "盤古")}),
    "iflytek": (None, {("zh-Hant", "科大訊飛")}),
    "sensetime": (None, {("zh-Hant", "商湯")}),
    "zhipu-ai": (None, {("zh-Hant", "智譜")}),
    "moonshot-ai": (None, {("zh-Hant", "月之暗面")}),
    "kimi": (None, {("en", "Kimi")}),
    "minimax": (None, {("en", "MiniMax")}),
    "baichuan": (None, {("zh-Hant", "百川智能")}),
    "deepseek": ("Organization", {("zh-Hant", "深度求索"), ("en", "DeepSeek")}),
    "deepseek-v3": ("AIModel", {("en", "DeepSeek-V3"), ("en", "DeepSeek V3")}),
    "deepseek-r1": ("AIModel", {("en", "DeepSeek-R1"), ("en", "DeepSeek R1")}),
    "meta": (None, {("en", "Meta")}),
    "meta-ai-sandbox": ("Product", {("en", "AI Sandbox"), ("en", "AISandbox"), ("en", "Meta AI Sandbox")}),
    "llama": (None, {("en", "Llama")}),
    "alphabet": (None, {("en", "Alphabet")}),
    "google": (None, {("zh-Hant", "谷歌"), ("en", "Google")}),
    "youtube": (None, {("en", "YouTube")}),
    "gemini": (None, {("en", "Gemini")}),
    "microsoft": (None, {("zh-Hant", "微軟")}),
    "openai": (None, {("en", "OpenAI")}),
    "chatgpt": (None, {("en", "ChatGPT")}),
    "azure": (None, {("en", "Azure")}),
    "amazon": (None, {("zh-Hant", "亞馬遜")}),
    "aws": (None, {("zh-Hant", "亞馬遜雲科技"), ("en", "AWS")}),
    "apple": (None, {("zh-Hant", "蘋果")}),
    "nvidia": (None, {("zh-Hant", "英偉達"), ("zh-Hant", "輝達"), ("zh-Hans", "英伟达")}),
    "anthropic": (None, {("en", "Anthropic")}),
    "claude": (None, {("en", "Claude")}),
    "xai": (None, {("en", "xAI")}),
    "grok": (None, {("en", "Grok")}),
    "samsung": (None, {("en", "Samsung")}),
    "tsmc": (None, {("zh-Hant", "台積電")}),
    "qyresearch": ("Organization", {("en", "QYResearch")}),
    "pony-ma": ("Person", {("zh-Hant", "馬化騰"), ("zh-Hans", "马化腾"), ("en", "Pony Ma")}),
    "martin-lau": ("Person", {("zh-Hant", "劉熾平"), ("zh-Hans", "刘炽平"), ("en", "Martin Lau"), ("en", "Lau Chi Ping")}),
    "robin-li": ("Person", {("zh-Hant", "李彥宏"), ("zh-Hans", "李彦宏"), ("en", "Robin Li")}),
    "eddie-wu": ("Person", {("zh-Hant", "吳泳銘"), ("zh-Hans", "吴泳铭"), ("en", "Eddie Wu")}),
    "joe-tsai": ("Person", {("zh-Hant", "蔡崇信"), ("en", "Joe Tsai")}),
    "cheng-yixiao": ("Person", {("zh-Hant", "程一笑"), ("en", "Cheng Yixiao")}),
    "wang-xing": ("Person", {("zh-Hant", "王興"), ("zh-Hans", "王兴"), ("en", "Wang Xing")}),
    "liang-wenfeng": ("Person", {("zh-Hant", "梁文鋒"), ("zh-Hans", "梁文锋"), ("en", "Liang Wenfeng")}),
    "sundar-pichai": ("Person", {("en", "Sundar Pichai")}),
    "mark-zuckerberg": ("Person", {("en", "Mark Zuckerberg")}),
    "jensen-huang": ("Person", {("zh-Hant", "黃仁勳"), ("en", "Jensen Huang")}),
    "sam-altman": ("Person", {("en", "Sam Altman")}),
}

REQUIRED_OWNERSHIP = [
    ("baidu", "baidu-ai-cloud"), ("baidu", "ernie"), ("baidu", "huiboxing"), ("baidu-ai-cloud", "qianfan"),
    ("alibaba", "alibaba-cloud"), ("alibaba", "alimama"), ("alibaba", "taobao-tmall-group"),
    ("alibaba", "damo-academy"), ("alibaba", "qwen"), ("alibaba-cloud", "bailian"), ("alimama", "quanzhantui"),
    ("tencent", "tencent-cloud"), ("tencent", "wechat"), ("tencent", "wechat-channels"), ("tencent", "qq"),
    ("tencent", "hunyuan"), ("tencent", "hunyuan-t1"), ("tencent", "youtu-lab"),
    ("tencent", "tencent-fintech-business-services"), ("kuaishou", "kling-ai"),
    ("deepseek", "deepseek-v3"), ("deepseek", "deepseek-r1"), ("meta", "meta-ai-sandbox"), ("meta", "llama"),
    ("alphabet", "google"), ("google", "youtube"), ("google", "gemini"),
]

REQUIRED_WORKS_FOR = {
    "pony-ma": "tencent", "martin-lau": "tencent", "robin-li": "baidu", "eddie-wu": "alibaba",
    "joe-tsai": "alibaba", "cheng-yixiao": "kuaishou", "wang-xing": "meituan", "liang-wenfeng": "deepseek",
}

BARE_AMBIGUOUS_ALIASES = {"R1", "V3", "R1-1.5B"}


def catalog_entities() -> set:
    g = load("catalog.ttl")
    return {s for s in g.subjects(SKOS.prefLabel, None) if isinstance(s, URIRef)}


def test_catalog_has_entities():
    assert len(catalog_entities()) >= len(REQUIRED_ENTITIES)


def test_catalog_iris_are_slugs():
    for e in catalog_entities():
        assert str(e).startswith(str(KGR)), e
        assert SLUG.match(str(e)[len(str(KGR)):]), e


def test_every_catalog_entity_is_labelled_and_typed():
    g, onto = load("catalog.ttl"), load("kgqa.ttl")
    for e in catalog_entities():
        pref = langs_of(g, e, SKOS.prefLabel)
        assert len(pref.get("en", [])) == 1, (e, pref)
        assert pref.get("zh-Hant") or pref.get("zh-Hans"), (e, pref)
        for lang, values in pref.items():
            assert lang in LANGS and len(values) == 1, (e, lang, values)
        types = list(g.objects(e, RDF.type))
        assert types, e
        for t in types:
            assert KGO.Entity in superclasses(onto, t), (e, t)
        for o in g.objects(e, SKOS.altLabel):
            assert isinstance(o, Literal) and o.language in LANGS, (e, o)
            assert str(o).strip() == str(o) and str(o), (e, o)


def test_catalog_labels_are_unique():
    g = load("catalog.ttl")
    owners: dict[tuple[str, str], set] = defaultdict(set)
    for e in catalog_entities():
        for p in (SKOS.prefLabel, SKOS.altLabel):
            for o in g.objects(e, p):
                owners[(o.language, str(o))].add(e)
    shared = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    assert not shared, shared


def test_catalog_avoids_bare_ambiguous_aliases():
    g = load("catalog.ttl")
    labels = {str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in g.objects(None, p)}
    assert not labels & BARE_AMBIGUOUS_ALIASES


@pytest.mark.parametrize("slug", sorted(REQUIRED_ENTITIES))
def test_required_entity(slug):
    g = load("catalog.ttl")
    e = KGR[slug]
    assert e in catalog_entities(), slug
    cls, labels = REQUIRED_ENTITIES[slug]
    if cls is not None:
        assert (e, RDF.type, KGO[cls]) in g, (slug, cls)
    have = {(o.language, str(o)) for p in (SKOS.prefLabel, SKOS.altLabel) for o in g.objects(e, p)}
    missing = labels - have
    assert not missing, (slug, missing)
    for lang in LANGS:
        assert langs_of(g, e, SKOS.prefLabel).get(lang), (slug, lang)


def test_catalog_links_point_to_catalog_entities():
    g, onto = load("catalog.ttl"), load("kgqa.ttl")
    entities = catalog_entities()
    for p in (KGO.owns, KGO.ownedBy, KGO.worksFor, KGO.founded, KGO.partOf, KGO.develops, KGO.launched):
        for s, o in g.subject_objects(p):
            assert s in entities and o in entities, (s, p, o)
    for s, o in g.subject_objects(KGO.owns):
        assert any(KGO.Organization in superclasses(onto, t) for t in g.objects(s, RDF.type)), (s, "owns", o)
    for s, o in g.subject_objects(KGO.worksFor):
        assert (s, RDF.type, KGO.Person) in g, s
        assert any(KGO.Organization in superclasses(onto, t) for t in g.objects(o, RDF.type)), o


def test_no_entity_owns_itself_or_has_two_parents():
    g = load("catalog.ttl")
    parents: dict = defaultdict(set)
    for s, o in g.subject_objects(KGO.owns):
        assert s != o
        parents[o].add(s)
    for p, o in g.subject_objects(KGO.ownedBy):
        parents[p].add(o)
    assert not {k: v for k, v in parents.items() if len(v) > 1}


@pytest.mark.parametrize("parent,child", REQUIRED_OWNERSHIP)
def test_required_ownership(parent, child):
    g = load("catalog.ttl")
    assert (KGR[parent], KGO.owns, KGR[child]) in g or (KGR[child], KGO.ownedBy, KGR[parent]) in g


def test_people_work_for_and_have_roles_in_three_scripts():
    g = load("catalog.ttl")
    for slug, org in REQUIRED_WORKS_FOR.items():
        assert (KGR[slug], KGO.worksFor, KGR[org]) in g, slug
    assert (KGR["martin-lau"], KGO.role, Literal("總裁", lang="zh-Hant")) in g
    assert (KGR["martin-lau"], KGO.role, Literal("总裁", lang="zh-Hans")) in g
    assert (KGR["martin-lau"], KGO.role, Literal("President", lang="en")) in g
    for person in g.subjects(RDF.type, KGO.Person):
        roles = langs_of(g, person, KGO.role)
        if roles:
            assert all(len(roles.get(lang, [])) == 1 for lang in LANGS), (person, roles)


# ---------------------------------------------------------------------------
# Traditional / Simplified script sanity (labels in all files)
# ---------------------------------------------------------------------------

# Characters OpenCC would convert but that are correct in the names used here:
# 里 (阿里巴巴), 台 (台積電), 夸 (夸克), 占 (占比) in Traditional; 昇 (昇腾, Huawei Ascend) in Simplified.
HANT_OK = set("里台夸占")
HANS_OK = set("昇")


def _label_literals():
    for name in ("kgqa.ttl", "metrics.ttl", "catalog.ttl"):
        g = load(name)
        for p in (SKOS.prefLabel, SKOS.altLabel, RDFS.label, KGO.role):
            for s, o in g.subject_objects(p):
                if isinstance(o, Literal) and o.language in ("zh-Hant", "zh-Hans"):
                    yield name, s, o


def test_chinese_labels_are_in_the_tagged_script():
    import opencc
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    bad = []
    for name, s, o in _label_literals():
        text = str(o)
        if o.language == "zh-Hans":
            wrong = [c for c in text if c not in HANS_OK and t2s.convert(c) != c]
        else:
            wrong = [c for c in text if c not in HANT_OK and s2t.convert(c) != c]
        if wrong:
            bad.append((name, str(s), o.language, text, wrong))
    assert not bad, bad


# Traditional-only regional (Taiwan / Hong Kong) forms that have no Simplified twin.
REGIONAL_HANT_ONLY = {
    "百度搜尋", "Google搜尋", "提姆·庫克", "桑德爾·皮查伊", "伊隆·馬斯克",
    "馬克·祖克柏", "祖克柏", "朱克伯格",
}


def test_chinese_labels_come_in_both_scripts():
    """Every Traditional label of a metric or entity has its Simplified counterpart."""
    import opencc
    t2s = opencc.OpenCC("t2s")
    hant_only = set()
    for name in ("metrics.ttl", "catalog.ttl"):
        g = load(name)
        for s in set(g.subjects(SKOS.prefLabel, None)):
            labels = {(o.language, str(o)) for p in (SKOS.prefLabel, SKOS.altLabel) for o in g.objects(s, p)}
            hans = {text for lang, text in labels if lang == "zh-Hans"}
            assert hans, (name, s)
            for lang, text in labels:
                if lang != "zh-Hant":
                    continue
                candidates = {
                    t2s.convert(text),
                    "".join(c if c in HANS_OK else t2s.convert(c) for c in text),
                }
                if not candidates & hans:
                    hant_only.add(text)
    assert hant_only == REGIONAL_HANT_ONLY, hant_only ^ REGIONAL_HANT_ONLY


# ---------------------------------------------------------------------------
# SHACL shapes and examples
# ---------------------------------------------------------------------------

# file -> expected violations: set of (constraint component, result path or None)
SHAPE_CASES: dict[str, set] = {
    "observation-ok.ttl": set(),
    "observation-qualitative-ok.ttl": set(),
    "observation-no-mention.ttl": {(SH.MinCountConstraintComponent, PROV.wasDerivedFrom)},
    "observation-derived-from-document.ttl": {(SH.ClassConstraintComponent, PROV.wasDerivedFrom)},
    "observation-value-without-unit.ttl": {(SH.OrConstraintComponent, None)},
    "observation-no-figure.ttl": {(SH.OrConstraintComponent, None)},
    "observation-no-metric.ttl": {(SH.MinCountConstraintComponent, KGO.metric)},
    "assertion-ok.ttl": set(),
    "assertion-no-object.ttl": {(SH.OrConstraintComponent, None)},
    "assertion-no-predicate.ttl": {(SH.MinCountConstraintComponent, KGO.predicate)},
    "mention-ok.ttl": set(),
    "mention-bad-offsets.ttl": {(SH.MinInclusiveConstraintComponent, KGO.start)},
    "mention-end-before-start.ttl": {(SH.LessThanConstraintComponent, KGO.start)},
    "mention-no-document.ttl": {(SH.MinCountConstraintComponent, KGO.document)},
    "mention-empty-quote.ttl": {(SH.MinLengthConstraintComponent, KGO.quote)},
    "document-ok.ttl": set(),
    "document-no-hash.ttl": {(SH.MinCountConstraintComponent, KGO.contentHash)},
    "document-two-titles.ttl": {(SH.MaxCountConstraintComponent, DCTERMS.title)},
    "metric-ok.ttl": set(),
    "metric-bad-kind.ttl": {(SH.InConstraintComponent, KGO.kind)},
}

# which node shape each example is about (the conforming/violating pairs)
SHAPE_OF_PREFIX = {
    "observation": KGO.ObservationShape,
    "assertion": KGO.AssertionShape,
    "mention": KGO.MentionShape,
    "document": KGO.DocumentShape,
    "metric": KGO.MetricShape,
}


def validate(data: Graph):
    from pyshacl import validate as shacl_validate

    return shacl_validate(
        data,
        shacl_graph=load("shapes.ttl"),
        ont_graph=load("kgqa.ttl"),
        inference="none",
    )


def violations(report: Graph) -> set:
    out = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.add((report.value(r, SH.sourceConstraintComponent), report.value(r, SH.resultPath)))
    return out


@pytest.mark.parametrize("filename", sorted(SHAPE_CASES))
def test_shape_example(filename):
    data = Graph().parse(SHAPES_DATA_DIR / filename, format="turtle")
    conforms, report, text = validate(data)
    expected = SHAPE_CASES[filename]
    assert conforms == (not expected), text
    assert violations(report) == expected, text


@pytest.mark.parametrize("filename", sorted(f for f, v in SHAPE_CASES.items() if not v))
def test_conforming_examples_quote_their_document(filename):
    """In conforming examples, text[start:end] == quote wherever the document text is given."""
    g = Graph().parse(SHAPES_DATA_DIR / filename, format="turtle")
    for m in g.subjects(RDF.type, KGO.Mention):
        text = g.value(g.value(m, KGO.document), KGO.text)
        if text is not None:
            start, end = int(g.value(m, KGO.start)), int(g.value(m, KGO.end))
            assert str(text)[start:end] == str(g.value(m, KGO.quote)), m


def test_every_shape_example_is_used():
    on_disk = {p.name for p in SHAPES_DATA_DIR.glob("*.ttl")}
    assert on_disk == set(SHAPE_CASES), (on_disk ^ set(SHAPE_CASES))


def test_every_shape_example_is_described_in_readme():
    readme = (SHAPES_DATA_DIR / "README.md").read_text(encoding="utf-8")
    for name in SHAPE_CASES:
        assert f"`{name}`" in readme, name


def test_every_node_shape_has_conforming_and_violating_examples():
    g = load("shapes.ttl")
    node_shapes = set(g.subjects(RDF.type, SH.NodeShape))
    assert node_shapes == set(SHAPE_OF_PREFIX.values())
    for prefix, shape in SHAPE_OF_PREFIX.items():
        files = [f for f in SHAPE_CASES if f.startswith(prefix + "-")]
        assert any(not SHAPE_CASES[f] for f in files), (shape, "no conforming example")
        assert any(SHAPE_CASES[f] for f in files), (shape, "no violating example")


def test_every_shape_has_a_comment():
    g = load("shapes.ttl")
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.objects(None, SH.property))
    # members of sh:or lists that are property shapes
    for lst in g.objects(None, SH["or"]):
        for member in g.items(lst):
            if (member, SH.path, None) in g:
                shapes.add(member)
    assert shapes
    for s in shapes:
        assert g.value(s, RDFS.comment) is not None, s
    # targets: the classes exist in the ontology
    onto = load("kgqa.ttl")
    for cls in g.objects(None, SH.targetClass):
        assert (cls, RDF.type, OWL.Class) in onto, cls
    assert all(isinstance(s, (URIRef, BNode)) for s in shapes)
