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


@pytest.fixture(scope="module")
def qa():
    store = OxigraphStore.in_memory()
    docs = [
        ("loss.txt", "2025-03-20", "星河科技公佈2024年全年業績。星河科技2024年淨虧損12.5億元,同比收窄20.5%。"),
        ("trip.txt", "2025-08-29", "攜程集團昨日公佈第二季業績。\n\n攜程集團股價收市升5.5%,報512港元。"),
    ]
    for name, date, text in docs:
        Ingestor(store).ingest_document(parse_document(f"---\ntitle: t\ndate: {date}\n---\n{text}", name=name))
    yield QA(store)
    store.close()


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
