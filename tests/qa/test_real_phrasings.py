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
