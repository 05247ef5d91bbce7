"""Question shapes that used to go wrong, each checked on a real store built from the test articles.

The corpus store is the shared article (../shared/corpus/); the fixtures store holds the five
articles under tests/data/articles. Expected figures are the ones those articles state.
"""
from __future__ import annotations

import re


from kg.store import OxigraphStore
from qa.analyze import analyse
from qa.answer import Fact
from qa.graph import GraphIndex
from qa.verify import unsupported_numbers

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_a_script_neutral_follow_up_keeps_the_conversation_script(fixtures_qa):
    # "那拼多多呢?" is written the same in both scripts: the answer follows the first question's script
    fixtures_qa.ask("快手2025年上半年線上營銷服務收入是多少?", "neutral-hant")
    hant = fixtures_qa.ask("那拼多多呢?", "neutral-hant")
    fixtures_qa.ask("快手2025年上半年线上营销服务收入是多少?", "neutral-hans")
    hans = fixtures_qa.ask("那拼多多呢?", "neutral-hans")
    assert hant.status == hans.status == "answered"
    assert (hant.language, hans.language) == ("zh-Hant", "zh-Hans")
    assert "1042.8億元" in hant.answer and "1042.8亿元" in hans.answer


def test_an_english_answer_puts_a_chinese_qualifier_into_english(corpus_qa):
    a = corpus_qa.ask("How much did Tencent's marketing services revenue grow?")
    assert a.status == "answered" and "20%" in a.answer
    assert "marketing services" in a.answer and not HAN.search(a.answer), a.answer


def test_a_simplified_answer_shows_a_traditional_qualifier_in_simplified(corpus_qa):
    a = corpus_qa.ask("快手线上营销服务收入是多少?")
    assert a.status == "answered" and "180亿元" in a.answer
    assert "线上营销服务" in a.answer and "線上營銷服務" not in a.answer


def test_the_same_figure_with_and_without_a_bound_is_shown_once(corpus_qa):
    a = corpus_qa.ask("Kling AI第一季度收入是多少?")
    assert a.status == "answered"
    assert len(re.findall(r"1\.5", a.answer)) == 1, a.answer


def test_which_grew_faster_compares_the_changes(corpus_qa):
    a = corpus_qa.ask("Which grew faster, Alibaba Cloud or Baidu AI Cloud?")
    assert a.status == "answered" and a.kind == "superlative"
    assert a.answer.startswith("Baidu AI Cloud") and "42%" in a.answer and "18%" in a.answer


def test_has_the_stock_risen_reads_the_share_price_change(fixtures_qa):
    a = fixtures_qa.ask("Has Alibaba's stock risen this year?")
    assert a.status == "answered" and "38.6%" in a.answer
    assert a.facts[0].metric == "StockPriceChange"


def test_two_owners_each_get_their_own_list(corpus_qa):
    a = corpus_qa.ask("腾讯和阿里巴巴分别成立了哪些实验室?")
    assert a.status == "answered" and a.kind == "list"
    tencent, alibaba = a.answer.split("。")[:2]
    assert "优图实验室" in tencent and "达摩院" in alibaba


def test_where_does_a_person_work_and_in_what_role(fixtures_qa):
    a = fixtures_qa.ask("周啟明在哪家公司擔任什麼職位?")
    assert a.status == "answered" and "快手" in a.answer and "負責人" in a.answer
    assert a.facts[0].predicate == "worksFor"


def test_a_company_with_no_known_chief_is_not_found(fixtures_qa):
    assert fixtures_qa.ask("Who is the CEO of JD.com?").status == "not_found"


def test_an_unknown_company_does_not_borrow_another_ones_figure(fixtures_qa):
    # only one company in the fixtures has a Q2 2025 net profit: it must not answer for "Acme"
    assert fixtures_qa.ask("What was Acme Corp's net profit in Q2 2025?").status == "not_found"
    assert fixtures_qa.ask("苹果公司2025年第二季度的净利润是多少?").status == "not_found"
    assert fixtures_qa.ask("2025年第二季度的净利润是多少?").status == "answered"


def test_an_unknown_name_in_a_chat_is_not_read_as_the_last_subject(corpus_qa):
    assert corpus_qa.ask("What did Ma Huateng say?", "unknown-name").status == "answered"
    assert corpus_qa.ask("Who is Zhang San?", "unknown-name").status == "not_found"


def test_last_year_counts_from_the_documents_date(fixtures_qa):
    a = fixtures_qa.ask("字節跳動去年的資本開支是多少?")  # the article is dated 2025: 去年 is 2024
    assert a.status == "answered" and "800億元" in a.answer and a.facts[0].period == "2024"


def test_a_sum_is_a_sum_and_a_difference_in_simplified_is_simplified(corpus_qa):
    total = corpus_qa.ask("快手和騰訊的營銷服務收入加起來是多少?")
    assert total.status == "answered" and "499億元" in total.answer
    diff = corpus_qa.ask("快手的营销服务收入比腾讯低多少?")
    assert diff.status == "answered" and "139亿元" in diff.answer and "與" not in diff.answer


def test_superlative_over_all_companies_orders_by_the_figure(fixtures_qa):
    a = fixtures_qa.ask("Which company had the lowest market share in the first half of 2025?")
    assert a.status == "answered" and a.answer.startswith("Huawei Cloud") and "7.5%" in a.answer


def test_a_chinese_only_market_is_found_by_its_english_name(corpus_qa):
    a = corpus_qa.ask("What is the global AI advertising market expected to reach by 2031?")
    assert a.status == "answered" and "US$10.32 billion" in a.answer


def test_english_phrase_is_none_when_a_word_is_not_covered():
    g = GraphIndex.build(OxigraphStore.in_memory())
    assert g.english_phrase("其中AI相關產品") == "of which AI related products"
    assert g.english_phrase("星河") is None


def test_relative_years_in_questions_follow_the_reference_year():
    g = GraphIndex.build(OxigraphStore.in_memory())
    assert analyse("去年营收是多少?", g.lexicon, 2025).period.year == 2024
    assert analyse("2023年营收是多少?", g.lexicon, 2025).period.year == 2023


def test_a_loss_written_without_its_sign_is_verified():
    f = Fact(iri="o", subject="x", subject_label="X", source=None, value=-3.2e8)
    assert unsupported_numbers("X淨虧損3.2億元。", [f], strict=True) == []
    assert unsupported_numbers("X淨利潤為約-3.2億元。", [f]) == []
    assert unsupported_numbers("X淨虧損3.5億元。", [f], strict=True) == ["3.5"]


def test_a_question_asking_two_periods_answers_each():
    """「…全年收入和第四季收入各是多少?」 and "…compare with the same quarter a year earlier?" ask two figures."""
    from ingestion import Ingestor, parse_document
    from qa import QA

    store = OxigraphStore.in_memory()
    try:
        text = ("騰訊公佈2023年業績。騰訊2023年全年收入1,200億元。騰訊2023年第四季度收入350億元。"
                "騰訊2022年第四季度收入300億元。")
        Ingestor(store).ingest_document(parse_document(f"---\ntitle: t\ndate: 2024-03-20\n---\n{text}", name="t.txt"))
        qa = QA(store)
        both = qa.ask("騰訊2023年全年收入和第四季收入各是多少?")
        assert both.status == "answered"
        assert {f.value for f in both.facts} >= {1.2e11, 3.5e10}, both.answer
        earlier = qa.ask("How did Tencent's fourth-quarter 2023 revenue compare with the same quarter a year earlier?")
        assert {f.value for f in earlier.facts} >= {3.5e10, 3e10}, earlier.answer
        one = qa.ask("騰訊2023年第四季度收入是多少?")
        assert [f.value for f in one.facts] == [3.5e10], one.answer  # one period asked: one figure
    finally:
        store.close()
