"""Questions analysts ask about real results coverage, on small invented articles of the same shape.

A loss asked as a profit, a platform's shares asked for by the platform's name, a trading day
asked for by the results it followed: each answered from the graph, and each shown refusing
what it must not answer.
"""
from __future__ import annotations

import pytest

from ingestion import Ingestor, parse_document
from kg.store import OxigraphStore
from qa.engine import QA


def _answerer(store: OxigraphStore, docs: list[tuple[str, str, str]]):
    """A QA over ``docs`` (name, date, text) ingested into ``store``, closed after the module's tests."""
    for name, date, text in docs:
        Ingestor(store).ingest_document(parse_document(f"---\ntitle: t\ndate: {date}\n---\n{text}", name=name))
    yield QA(store)
    store.close()


@pytest.fixture(scope="module")
def qa():
    store = OxigraphStore.in_memory()
    docs = [
        ("loss.txt", "2025-03-20", "星河科技公佈2024年全年業績。星河科技2024年淨虧損12.5億元,同比收窄20.5%。"),
        ("trip.txt", "2025-08-29", "攜程集團昨日公佈第二季業績。\n\n攜程集團股價收市升5.5%,報512港元。"),
    ]
    yield from _answerer(store, docs)


def test_a_loss_answers_a_question_about_the_profit_and_says_it_is_a_loss(qa):
    a = qa.ask("星河科技2024年淨利潤是多少?")
    assert a.status == "answered" and "12.5億元" in a.answer and "虧損" in a.answer, a.answer
    a = qa.ask("星河科技2024年淨虧損比上年收窄了多少?")
    assert a.status == "answered" and "20.5%" in a.answer, a.answer


def test_a_platforms_name_reaches_its_companys_share_price(qa):
    a = qa.ask("How much did Trip.com's shares gain after the Q2 2025 results?")
    assert a.status == "answered" and "5.5%" in a.answer, a.answer
    assert qa.ask("What was Trip.com's GMV in Q2 2025?").status == "not_found"  # a platform's own figure


def test_a_trading_day_answers_only_for_the_results_it_followed(qa):
    assert qa.ask("How much did Trip.com Group's shares gain after the Q2 2025 results?").status == "answered"
    assert qa.ask("How much did Trip.com Group's shares gain after the Q4 2024 results?").status == "not_found"


def test_two_periods_compared_by_how_much_a_loss_fell_give_the_difference_of_the_levels():
    store = OxigraphStore.in_memory()
    text = "星河科技公佈2024年業績。星河科技2024年經調整經營虧損為14.5億元,較上年同期的16.5億元收窄12.1%。"
    Ingestor(store).ingest_document(parse_document(f"---\ntitle: t\ndate: 2025-03-20\n---\n{text}", name="h.txt"))
    a = QA(store).ask("星河科技經調整經營虧損2024年比2023年減少了多少?")
    store.close()
    assert a.status == "answered" and "2億元" in a.answer and "14.5億元" in a.answer and "16.5億元" in a.answer, a.answer


def test_a_follow_up_naming_a_sibling_unit_by_its_short_name_is_about_that_unit():
    store = OxigraphStore.in_memory()
    text = "嗶哩嗶哩公佈2025年第二季度業績。增值服務收入28.5億元,同比增長11.5%。廣告收入24.5億元,同比增長20.5%。"
    Ingestor(store).ingest_document(parse_document(f"---\ntitle: t\ndate: 2025-08-22\n---\n{text}", name="b.txt"))
    qa = QA(store)
    first = qa.ask("B站2025年二季度增值服务收入多少?", "s")
    follow = qa.ask("那广告业务呢?", "s")
    other = qa.ask("那广告业务呢?", "fresh")  # no conversation: no unit to speak of
    store.close()
    assert first.status == "answered" and "28.5亿元" in first.answer, first.answer
    assert follow.status == "answered" and "24.5亿元" in follow.answer and "28.5" not in follow.answer, follow.answer
    assert "24.5" not in other.answer


@pytest.fixture(scope="module")
def qa_units():
    store = OxigraphStore.in_memory()
    docs = [
        ("xm.txt", "2025-11-18", "小米公佈截至9月底季度業績。智能電動汽車及AI等創新業務分部首次實現單季度經營盈利。"
                                 "第三季度，共交付108,796輛新車。小米第三季度收入1,131億元。"),
        ("pdd.txt", "2025-03-21", "PDD Holdings reported fourth-quarter results. Online marketing services and transaction "
                                  "services contributed nearly equally, growing 17% and 33% respectively."),
        ("trip.txt", "2025-08-29", "攜程集團公佈第二季業績。攜程次季旗下住宿預訂收入按年升21%至62億元。"),
        ("mt.txt", "2025-05-26", "美團公佈2025年第一季度業績。研发支出 57.7 亿元。"),
        ("xm2.txt", "2025-05-27", "Xiaomi reported results. Deliveries rose, company founder Lei Jun said last week."),
        ("ks.txt", "2025-05-27", "In the first quarter of 2025, Kuaishou's adjusted net profit reached 4.6 billion yuan, "
                                 "with a profit margin of 14%. Kuaishou's net margin was 12%."),
        ("qw.txt", "2025-04-29", "Alibaba released Qwen3 in April 2025, including 2 MoE models and 6 dense models."),
        ("ds.txt", "2025-01-27", "DeepSeek is the No. 14 overall free app on Google Play on January 27, up from No. 133 on "
                                 "January 24."),
    ]
    yield from _answerer(store, docs)


def test_a_companys_count_held_only_by_its_unit_is_answered_as_the_units(qa_units):
    a = qa_units.ask("小米2025年第三季交付了多少輛新車?")
    assert a.status == "answered" and "10.8796萬" in a.answer and "創新業務" in a.answer, a.answer
    assert "而非小米本身" in a.answer, a.answer  # it says the figure is the unit's
    # an amount is never taken from a unit: the company's revenue is its own or not found
    assert qa_units.ask("小米2025年第三季度毛利是多少?").status == "not_found"


def test_a_unit_named_before_its_owner_or_after_its_platform_is_the_unit(qa_units):
    a = qa_units.ask("How much accommodation reservation revenue did Trip.com book in Q2 2025?")
    assert a.status == "answered" and "6.2 billion" in a.answer, a.answer
    a = qa_units.ask("拼多多2024年第四季度交易服务收入同比增长多少?")
    assert a.status == "answered" and "33%" in a.answer and "17%" not in a.answer, a.answer


def test_rnd_spending_and_founders_as_asked(qa_units):
    a = qa_units.ask("How much did Meituan spend on R&D in Q1 2025?")
    assert a.status == "answered" and "5.77 billion" in a.answer, a.answer
    a = qa_units.ask("Who founded Xiaomi?")
    assert a.status == "answered" and "Lei Jun" in a.answer, a.answer


def test_a_total_of_something_the_graph_does_not_count_is_not_found(qa_units):
    a = qa_units.ask("How many videos had Xiaomi generated in total by July 2025?")
    assert a.status == "not_found", a.answer


def test_a_follow_up_for_a_plain_margin_keeps_the_qualifier_of_the_profit_before(qa_units):
    from qa.session import Session

    sess = Session()
    qa_units.ask("What was Kuaishou's adjusted net profit in Q1 2025?", session=sess)
    a = qa_units.ask("And its margin?", session=sess)
    assert a.status == "answered" and "adjusted net margin" in a.answer and "14%" in a.answer, a.answer


def test_counts_and_ranks_are_asked_by_their_noun(qa_units):
    a = qa_units.ask("How many dense models are in Alibaba's Qwen3 lineup?")
    assert a.status == "answered" and "6" in a.answer and "dense models" in a.answer, a.answer
    a = qa_units.ask("What rank did DeepSeek hold on Google Play on January 24, 2025?")
    assert a.status == "answered" and "133" in a.answer, a.answer


@pytest.fixture(scope="module")
def qa_figures():
    """Invented articles shaped like results coverage: two currencies in one sentence, a reported and an
    adjusted profit, segments listed and subtracted, a year and its fourth quarter, a Hong Kong close."""
    store = OxigraphStore.in_memory()
    docs = [
        ("hq.txt", "2025-02-21", "Northwind Group's net profit was CNY48.9 billion (USD6.7 billion) in the three "
                                 "months ended Dec. 31. Northwind Group closed 14.6 percent higher at HKD138.50 (USD17.83) "
                                 "a share in Hong Kong today."),
        ("lk.txt", "2025-03-20", "Lakeside Holdings reported fourth-quarter results. Net income attributable to "
                                 "shareholders rose 18% to RMB 27.45 billion (US$3.76 billion), with non-GAAP net income "
                                 "reaching RMB 29.85 billion (US$4.09 billion), up 17%."),
        ("xm.txt", "2025-03-19", "小米公佈2024年全年業績。去年「手機×AIoT」分部收入3,332億元,當中智能手機業務收入1,918億元。"
                                 "智能手機的ASP由2023年的每部1,100元下降至每部1,050元。"),
        ("bz.txt", "2025-08-22", "嗶哩嗶哩公佈2025年第二季度業績。增值服務收入28.5億元。廣告收入24.5億元。移動遊戲收入16.1億元。"),
        ("jd.txt", "2025-03-07", "京東公佈2024年第四季度及全年業績。2024年,京東全年收入為11,500億元。第四季度,京東收入為3,400億元。"),
        ("ds.txt", "2025-01-27", "DeepSeek's app is the No. 1 free app in the US. It sits in the top 10 free apps in 111 "
                                 "countries on the App Store."),
    ]
    yield from _answerer(store, docs)


def test_a_comparison_sets_figures_in_one_currency_and_prefers_the_reported_profit(qa_figures):
    a = qa_figures.ask("Which earned more net profit in the December 2024 quarter, Northwind Group or Lakeside Holdings?")
    assert a.status == "answered", a.answer
    assert "48.9 billion" in a.answer and "27.45 billion" in a.answer, a.answer
    assert "6.7 billion" not in a.answer and "29.85" not in a.answer, a.answer  # no conversion, no adjusted figure


def test_a_price_asked_in_a_currency_or_by_its_listing_is_that_price(qa_figures):
    a = qa_figures.ask("Where did Northwind Group's Hong Kong shares close on February 21, 2025?")
    assert a.status == "answered" and a.facts[0].unit == "HKD" and a.facts[0].value == 138.5, a.answer
    assert a.answer.startswith("Northwind Group's share price on February 21, 2025 was HK$138.5"), a.answer


def test_units_listed_or_subtracted_are_each_an_operand(qa_figures):
    total = qa_figures.ask("B站2025年二季度增值服务、广告和移动游戏三项收入合计多少?")
    assert total.status == "answered" and "69.1亿元" in total.answer, total.answer
    rest = qa_figures.ask("小米2024年「手機×AIoT」分部收入扣除智能手機業務後還有多少?")
    assert rest.status == "answered" and "1414億元" in rest.answer, rest.answer


def test_a_part_of_the_year_no_article_states_is_the_year_less_the_rest(qa_figures):
    a = qa_figures.ask("京东2024年前三季度合计收入是多少(全年减去第四季度)?")
    assert a.status == "answered" and "8100亿元" in a.answer, a.answer
    assert {f.period for f in a.facts} == {"2024", "2024-Q4"}
    # the rest of a year is computed only from the year and its stated part: no half-year is made up
    assert qa_figures.ask("京东2024年上半年收入是多少?").status == "not_found"


def test_a_units_figure_stored_on_its_owner_answers_only_where_the_quote_names_the_unit(qa_figures):
    a = qa_figures.ask("小米智能手机2024年ASP是多少?")
    assert a.status == "answered" and "1050元" in a.answer and "小米" in a.answer, a.answer
    assert qa_figures.ask("小米互联网服务2024年ASP是多少?").status == "not_found"  # the quote names smartphones


def test_listing_market_entries_name_the_currency_a_question_asks_in():
    """market.yaml listing_market: 「港股」, "Hong Kong shares" ask for the HKD price; the negative examples do not."""
    from phrase_examples import role_examples
    from kg.text import canonical
    from qa.analyze import asked_currency

    for e, text, positive in role_examples("listing_market"):
        assert (asked_currency(canonical(text)) == e.get("code")) is positive, (e.id, text)
    assert asked_currency(canonical("京東收入多少元?")) is None  # a bare 元 names no currency to prefer


def test_a_chinese_question_reads_an_english_counted_noun(qa_figures):
    a = qa_figures.ask("DeepSeek应用在多少个国家的App Store免费榜进入前十?")
    assert a.status == "answered" and "111" in a.answer and "国家" in a.answer and "countries" not in a.answer, a.answer


@pytest.fixture(scope="module")
def growth_qa():
    store = OxigraphStore.in_memory()
    docs = [("growth.txt", "2025-11-20", "網易公佈第三季業績。網易第三季營銷費用同比增長17.2%。網易第三季收入283.6億元。")]
    yield from _answerer(store, docs)


def test_a_growth_rate_stated_alone_answers_the_change_of_its_metric(growth_qa):
    """kg/growth.py: 「營銷費用同比增長17.2%」 is stored as MarketingExpenseGrowth; asked as the expense's change
    it is found, and it is never given as the expense's amount."""
    a = growth_qa.ask("網易2025年第三季營銷費用同比增長多少?")
    assert a.status == "answered" and "17.2%" in a.answer, a.answer
    assert a.facts and a.facts[0].metric == "MarketingExpense" and a.facts[0].value is None, a.facts
    a = growth_qa.ask("What was NetEase's marketing expense growth in Q3 2025?")
    assert a.status == "answered" and "17.2%" in a.answer, a.answer
    a = growth_qa.ask("How much did NetEase's revenue grow in Q3 2025?")
    assert "17.2" not in a.answer, a.answer  # another metric's growth is not this one's
