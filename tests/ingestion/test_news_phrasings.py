"""Phrasings of real financial news, in invented sentences of the same shape, read end to end.

Each case is a grammar rule found across several real articles: an abbreviation before a
number, a sign after a basis, a relative year before a quarter, a change measured against
a year earlier, a pronoun that opens on the figure just stated, the bare word for the
article's company, a title before a name with a stock code between.
"""
from __future__ import annotations

import pytest

from ingestion import Ingestor, parse_document
from kg.store import OxigraphStore

KGO = "https://w3id.org/kgqa/ontology#"


def _read(text: str, date: str) -> list[tuple[str, str, str | None, float | None, float | None]]:
    store = OxigraphStore.in_memory()
    try:
        Ingestor(store).ingest_document(parse_document(f"---\ntitle: t\ndate: {date}\n---\n{text}", name="t.txt"))
        rows = store.select(f"""SELECT ?s ?m ?p ?v ?c WHERE {{ ?o a <{KGO}Observation> ; <{KGO}subject> ?s ; <{KGO}metric> ?m .
                                 OPTIONAL {{ ?o <{KGO}period> ?p }} OPTIONAL {{ ?o <{KGO}value> ?v }}
                                 OPTIONAL {{ ?o <{KGO}change> ?c }} }}""")
        return [(s.rsplit("/", 1)[-1], m.rsplit("/", 1)[-1], p.rsplit("/", 1)[-1] if p else None,
                 float(v) if v is not None else None, float(c) if c is not None else None) for s, m, p, v, c in rows]
    finally:
        store.close()


def _relations(text: str, date: str) -> list[tuple[str, str, str]]:
    store = OxigraphStore.in_memory()
    try:
        Ingestor(store).ingest_document(parse_document(f"---\ntitle: t\ndate: {date}\n---\n{text}", name="t.txt"))
        rows = store.select(f"""SELECT ?s ?o ?r WHERE {{ ?a <{KGO}predicate> <{KGO}worksFor> ; <{KGO}subject> ?s ;
                                 <{KGO}object> ?o ; <{KGO}role> ?r }}""")
        return [(s.rsplit("/", 1)[-1], o.rsplit("/", 1)[-1], r) for s, o, r in rows]
    finally:
        store.close()


def test_a_month_abbreviation_before_a_day_does_not_end_the_sentence():
    obs = _read("Meituan reported revenue in the three months to Sept. 30 at 12.5 billion yuan.", "2024-11-20")
    assert ("meituan", "Revenue", "2024-Q3", 12.5e9, None) in obs


def test_a_sign_after_the_basis_is_the_change_sign():
    obs = _read("美團2025年第二季度研發費用12.3億元,yoy-4.5%,qoq+2.0%。", "2025-08-28")
    changes = sorted(c for *_, c in obs if c is not None)
    assert changes == [-0.045, 0.02], obs


def test_a_relative_year_before_a_quarter_is_that_years_quarter():
    obs = _read("去年第4季度,騰訊收入1,234億元。", "2024-03-20")
    assert ("tencent", "Revenue", "2023-Q4", 123.4e9, None) in obs


def test_a_change_against_a_year_earlier_and_a_pronoun_change_join_their_values():
    text = ("京东公布2024年业绩。2024年,京东全年的收入达到 10000 亿元,与去年同期相比增长了 5.5%。"
            "其中,第四季度京东的收入是 3000 亿元。它同比增长了 10.1%。")
    obs = _read(text, "2025-03-07")
    assert ("jd-com", "Revenue", "2024", 1e12, 0.055) in obs, obs
    assert ("jd-com", "Revenue", "2024-Q4", 3e11, 0.101) in obs, obs
    assert not [o for o in obs if o[2] == "2023" or o[2] == "2023-Q4"], obs  # 去年同期 is the base, not the period


def test_the_group_is_the_articles_company_not_the_unit_named_last():
    text = "騰訊公佈2024年第四季度業績。社交網絡收入增長5%至300億元。集團2024年第四季度收入1,000億元。"
    obs = _read(text, "2025-03-20")
    assert ("tencent", "Revenue", "2024-Q4", 100e9, None) in obs, obs


@pytest.mark.parametrize("text, role", [
    ("快手(01024)首席執行官程一笑表示,收入將繼續增長。", "首席執行官"),
    ("京东集团的首席执行官(CEO)许冉指出,收入将继续增长。", "首席执行官"),
])
def test_a_title_before_a_name_with_a_code_or_alias_between(text, role):
    rels = _relations(text, "2025-03-20")
    assert any(r == role for _, _, r in rels), rels


def test_the_characters_of_a_metric_name_are_no_cue():
    """「自由現金流」 holds 由 (a prior-value cue in 「由120億元增至…」): the figure is still this year's value."""
    obs = _read("騰訊公佈2023年業績。集團2023年自由現金流逾240億美元。騰訊2023年自由現金流為240億美元。", "2024-03-21")
    assert ("tencent", "FreeCashFlow", "2023", 24e9, None) in obs, obs


def test_names_in_a_bracketed_aside_are_not_the_subject():
    text = "京東公佈2025年第一季度業績。京東零售(包括京東健康及京東工業)25Q1實現營業收入2000.5億元,同比增長10.1%。"
    obs = _read(text, "2025-05-14")
    assert ("jd-retail", "Revenue", "2025-Q1", 200.05e9, 0.101) in obs, obs


def test_a_days_move_is_the_change_of_that_days_price():
    obs = _read("美團公佈業績前,股價全日收挫3.5%,報120.4港元。", "2025-08-27")
    assert ("meituan", "StockPriceChange", "2025-08-27", 120.4, -0.035) in obs, obs
    assert ("meituan", "StockPriceChange", "2025-08-27", -3.5, -0.035) in obs, obs


def test_a_loss_is_stored_as_written_and_improves_as_it_falls():
    obs = _read("星河科技2024年淨虧損12.5億元,同比收窄20.5%。經營虧損率按年改善3.5個百分點至8.5%。"
                "毛利率按年改善1.5個百分點至40.5%。", "2025-03-20")
    loss = [o for o in obs if o[1] == "NetLoss"]
    assert loss and all(v == 12.5e8 for *_, v, _c in loss), obs
    assert any(c == -0.205 for *_, c in loss), obs
    margin = {(v, c) for _s, m, _p, v, c in obs if m == "OperatingLossMargin"}
    assert (8.5, -3.5) in margin, obs
    assert any(m == "GrossMargin" and v == 40.5 and c == 1.5 for _s, m, _p, v, c in obs), obs


def _subject_examples(role: str, metric: str, pos_subject: str, neg_subject: str) -> None:
    """Every entry of a names.yaml role: its positive examples give ``metric`` the subject ``pos_subject``,
    its negative ones ``neg_subject``."""
    from kg.phrasebook import Phrasebook

    entries = Phrasebook.load().of(role)
    assert entries
    for e in entries:
        assert e.pos and e.neg, e.id
        for text, want in [(t, pos_subject) for t in e.pos] + [(t, neg_subject) for t in e.neg]:
            assert {s for s, m, *_ in _read(text, "2025-03-01") if m == metric} == {want}, (e.id, text)


def test_a_sub_item_ends_at_the_semicolon():
    """「其中X…;…」: after the semicolon the figures are the whole company's again (names.yaml subitem_cue)."""
    _subject_examples("subitem_cue", "NetLoss", "baidu", "baidu-ai-cloud")


def test_a_heading_that_names_a_period_frames_the_paragraphs_after_it():
    """frame.yaml period_lead: "In the first quarter of 2025, …" as a heading of its own frames what follows
    (after a lead that names no period, so that the article's frame does not decide it)."""
    from kg.phrasebook import Phrasebook

    entries = Phrasebook.load().of("period_lead")
    assert entries
    for e in entries:
        assert e.pos and e.neg, e.id
        for text in e.pos + e.neg:
            follow = "Revenue reached 5.5 billion yuan." if text.isascii() else "收入達55億元。"
            filler = "Baidu held a call.\n\nAnalysts asked about AI.\n\nShares were steady.\n\nThe call ended.\n\n"
            periods = {p for _s, m, p, *_ in _read(f"{filler}{text}\n\n{follow}", "2025-11-20") if m == "Revenue"}
            assert (periods == {"2025-Q1"}) == (text in e.pos), (e.id, text, periods)


def test_the_share_character_inside_a_metric_name_is_no_share_of_cue():
    obs = _read("小米2025年第三季度在中國大陸智能手機銷量排名第二,市佔率16.5%。期內公司出貨量為43.5百萬台。", "2025-11-18")
    assert ("xiaomi", "MarketShare", "2025-Q3", 16.5, None) in obs, obs
    assert any(s == "xiaomi" and m == "Shipments" for s, m, *_ in obs), obs  # 期內 starts no name


def test_names_in_a_relative_clause_set_off_by_commas_are_not_the_subject():
    """names.yaml aside_open: ", which includes A," describes the name before it."""
    _subject_examples("aside_open", "Revenue", "meituan-core-local-commerce", "meituan-instashopping")


def test_a_qualifier_written_apart_from_the_metric_is_added_to_it():
    """metrics.ttl kgo:baseMetric/kgo:modifier with metrics.yaml metric_modifier: 「歸屬於百度的淨利潤(Non-GAAP)」."""
    from kg.phrasebook import Phrasebook

    entries = Phrasebook.load().of("metric_modifier")
    assert entries
    for e in entries:
        assert e.pos and e.neg, e.id
        want = "NetProfitAttributable" if e.get("modifier") == "attributable" else "AdjustedNetProfit"
        for text in e.pos:
            assert {m for _s, m, *_ in _read(text, "2025-03-01")} == {want}, (e.id, text)
        for text in e.neg:
            assert {m for _s, m, *_ in _read(text, "2025-03-01")} == {"NetProfit"}, (e.id, text)
    both = _read("歸屬於百度的淨利潤(Non-GAAP)為70.5億元。", "2025-03-01")
    assert {m for _s, m, *_ in both} == {"AdjustedNetProfitAttributable"}, both
    restated = _read("百度全年歸屬於普通股股東的淨利潤(即「淨利潤」)為415億元。", "2025-03-01")
    assert {m for _s, m, *_ in restated} == {"NetProfitAttributable"}, restated


def test_a_company_described_by_a_relative_clause_keeps_its_figure():
    obs = _read("PDD Holdings beat forecasts on Tuesday. US-listed shares of the company, which runs the Pinduoduo "
                "platform and Temu, were down 4.5 per cent in premarket trading.", "2025-11-18")
    assert {s for s, m, *_ in obs if m == "StockPriceChange"} == {"pdd-holdings"}, obs


def test_a_general_metric_compared_with_a_specific_one_is_that_one():
    obs = _read("Meituan's net profit for the quarter ended Sept. 30 hit 12.5 billion yuan, up from a profit of "
                "3.5 billion yuan a year earlier.", "2024-11-29")
    assert ("meituan", "NetProfit", "2023-Q3", 3.5e9, None) in obs, obs
    assert not any(m == "Profit" for _s, m, *_ in obs), obs


def test_an_estimate_with_no_metric_is_of_the_last_figure_in_its_currency():
    obs = _read("For Q4 2024, PDD posted total revenue of RMB 110.5 billion (US$15.1 billion), up 24%.\n\n"
                "It marked the slowest growth since 2022, falling short of analyst estimates of RMB 115.5 billion.",
                "2025-03-20")
    assert ("pdd-holdings", "Revenue", "2024-Q4", 115.5e9, None) in obs, obs
    year_ago = _read("美團公佈2025年第二季度業績。核心本地商業經營利潤率由25.5%下降至5.5%。", "2025-08-28")
    assert ("meituan-core-local-commerce", "OperatingMargin", "2024-Q2", 25.5, None) in year_ago, year_ago


def test_a_figure_up_from_the_same_period_a_year_earlier_is_that_period_once():
    obs = _read("Meituan reported revenue in the three months to Sept. 30 at 93.5 billion yuan, up from 76.5 billion "
                "yuan in the same period a year earlier.", "2024-11-29")
    assert ("meituan", "Revenue", "2023-Q3", 76.5e9, None) in obs, obs


def test_a_year_ended_date_before_the_subject_and_full_year_is_that_year():
    obs = _read("截至2024年12月31日止,地平線全年營收23.5億元,同比增長53.5%。", "2025-03-22")
    assert ("horizon-robotics", "Revenue", "2024", 23.5e8, 0.535) in obs, obs


def test_a_respective_cue_pairs_metrics_and_figures_in_order():
    """names.yaml respective_cue and coordinator: 「A和B分別為X和Y」, "A and B were X and Y respectively"."""
    from kg.phrasebook import Phrasebook

    entries = Phrasebook.load().of("respective_cue", "coordinator")
    assert len(entries) >= 4
    for e in entries:
        assert e.pos and e.neg, e.id
        for text in e.pos:
            obs = _read(text, "2025-08-28")
            assert ("meituan", "Cash", None, 101.7e9, None) in obs, (e.id, text, obs)
            assert ("meituan", "ShortTermInvestments", None, 69.4e9, None) in obs, (e.id, text, obs)
        for text in e.neg:
            assert ("meituan", "Cash", None, 101.7e9, None) not in _read(text, "2025-08-28"), (e.id, text)


def test_business_lines_that_grow_respectively_grow_their_revenue():
    obs = _read("PDD Holdings reported fourth-quarter results. Online marketing services and transaction services "
                "contributed nearly equally, growing 17% and 33% respectively.", "2025-03-21")
    assert ("pdd-online-marketing-services", "RevenueGrowth", "2024-Q4", 17.0, 0.17) in obs, obs
    assert ("pdd-transaction-services", "RevenueGrowth", "2024-Q4", 33.0, 0.33) in obs, obs


def test_a_sentence_opening_on_a_pronoun_is_about_the_metric_named_just_before():
    text = "京东公布2024年第四季度业绩。同期,净利润数据也超出了市场的预期。其同比增长了191.2%,达到了99 亿元。"
    assert ("jd-com", "NetProfit", "2024-Q4", 9.9e9, 1.912) in _read(text, "2025-03-07")
    # a pronoun after a sentence that named no metric reads nothing
    assert _read("京东公布2024年第四季度业绩。同期,市场反应积极。其同比增长了191.2%,达到了99 亿元。", "2025-03-07") == []


def test_a_reported_figure_takes_the_quarter_named_beside_the_announcement_day():
    text = ("China's PDD Holdings beat forecasts on Tuesday (Nov 18) with a 14 per cent rise in third-quarter "
            "adjusted earnings. PDD shares fell 4 per cent on Tuesday (Nov 18) after the third-quarter results.")
    obs = _read(text, "2025-11-18")
    assert ("pdd-holdings", "AdjustedNetProfitGrowth", "2025-Q3", 14.0, 0.14) in obs, obs
    assert any(m == "StockPriceChange" and p == "2025-11-18" for _s, m, p, _v, _c in obs), obs  # a day's move keeps its day


def test_a_plain_margin_after_a_qualified_profit_is_that_profits_margin():
    text = "In the first quarter of 2025, Kuaishou's adjusted net profit reached 4.6 billion yuan, with a profit margin of 14%."
    assert ("kuaishou", "AdjustedNetMargin", "2025-Q1", 14.0, None) in _read(text, "2025-05-27")
    text = "In the first quarter of 2025, Kuaishou's net profit reached 4.6 billion yuan, with a profit margin of 14%."
    assert ("kuaishou", "NetMargin", "2025-Q1", 14.0, None) in _read(text, "2025-05-27")


def test_a_balance_at_the_close_of_the_reported_quarter_is_that_quarters():
    text = "美團公佈2025年第二季度業績。截至2025年6月30日，美團持有的現金及現金等價物為1,017億元。"
    assert ("meituan", "Cash", "2025-Q2", 101.7e9, None) in _read(text, "2025-08-28")
    text = "美團公佈2025年第二季度業績。截至2025年5月31日，美團持有的現金及現金等價物為1,017億元。"
    assert ("meituan", "Cash", "2025-05", 101.7e9, None) in _read(text, "2025-08-28")  # not the quarter's close


def test_a_title_with_no_company_before_it_is_the_articles_company():
    """names.yaml title_company_word: "company founder Lei Jun said"; "said Chief Executive X"; "PDD's co-CEO X"."""
    from kg.phrasebook import Phrasebook

    for e in Phrasebook.load().of("title_company_word"):
        assert e.pos and e.neg, e.id
        assert any(o == "xiaomi" for _s, o, _r in _relations(e.pos[0], "2025-05-27")), e.id
        assert not _relations(e.neg[0], "2025-05-27"), e.id
    assert ("lei-jun", "xiaomi", "Chief Executive") in _relations(
        "Xiaomi reported results. Revenue rose 5%, said Chief Executive Lei Jun.", "2025-05-27")
    assert ("zhao-jiazhen", "pdd-holdings", "co-CEO") in _relations(
        "“Competition is fierce,” said PDD’s co-CEO Zhao Jiazhen in a post-earnings call.", "2025-11-18")


def _counts(text: str) -> list[tuple[float | None, str]]:
    store = OxigraphStore.in_memory()
    try:
        Ingestor(store).ingest_document(parse_document(f"---\ntitle: t\ndate: 2025-04-29\n---\n{text}", name="t.txt"))
        rows = store.select(f"""SELECT ?v ?q WHERE {{ ?o a <{KGO}Observation> ; <{KGO}metric> <https://w3id.org/kgqa/metric/Count> ;
                                 <{KGO}value> ?v ; <{KGO}qualifier> ?q }}""")
        return [(float(v), str(q)) for v, q in rows]
    finally:
        store.close()


def test_a_bare_count_is_read_with_the_noun_it_counts():
    assert sorted(_counts("Alibaba released Qwen3, including 2 MoE models and 6 dense models.")) == [
        (2.0, "MoE models"), (6.0, "dense models")]
    assert _counts("騰訊元寶已在35天內進行了30次版本更新,其中電腦版更新15次、手機版更新15次。") == [(30.0, "版本更新")]
    # a classifier of time, an ordinal, a year and a set phrase count nothing
    assert _counts("騰訊收入創下11個季度的最大增速,在全球找不出第二家。騰訊秉承三位一體的戰略。") == []
    assert _counts("Tencent posted its slowest growth since 2022 results and ranked No. 31 apps.") == []


@pytest.mark.parametrize("role", ["count_noun_stop"])
def test_count_noun_stops(role):
    """numbers.yaml count_noun_stop: the counted noun stops at (or is ruled out by) the word."""
    from kg.phrasebook import Phrasebook
    from kg.text import canonical

    for e in Phrasebook.load().of(role):
        assert e.pos and e.neg, e.id
        lead = "Tencent " if e.pos[0].isascii() else "騰訊"
        for text in e.pos:
            assert all(e.key not in (canonical(q).split() if text.isascii() else canonical(q))
                       for _v, q in _counts(lead + text)), (e.id, text)
        for text in e.neg:
            assert _counts(lead + text), (e.id, text)


def test_a_rank_cue_makes_a_place_in_a_ranking():
    """numbers.yaml rank_cue: 「銷量排名第二」, "the No. 14 free app"; "up from No. 133 on January 24" is that day's."""
    from kg.phrasebook import Phrasebook

    for e in Phrasebook.load().of("rank_cue"):
        assert e.pos and e.neg, e.id
        for text in e.pos:
            assert [v for _s, m, _p, v, _c in _read(text, "2025-01-27") if m == "Rank"] == [14.0 if text.isascii() else 2.0], (e.id, text)
        for text in e.neg:
            assert not [o for o in _read(text, "2025-01-27") if o[1] == "Rank"], (e.id, text)
    obs = _read("DeepSeek is currently the No. 14 overall free app on Google Play, up from No. 133 on January 24.", "2025-01-27")
    assert ("deepseek", "Rank", "2025-01-24", 133.0, None) in obs, obs


def test_a_description_before_a_known_name_is_not_a_new_name():
    obs = _read("Temu-owner PDD Holdings beats profit expectations\n\nAdjusted earnings per share of 21.08 yuan "
                "topped forecasts in the third quarter.", "2025-11-18")
    assert {s for s, m, *_ in obs if m == "AdjustedEPS"} == {"pdd-holdings"}, obs


def test_now_frames_its_own_clause_not_the_list_item_after_a_semicolon():
    text = "地平線公佈2024年業績。2024年全年,地平線收獲超100款車型定點,目前累計超過310款車型;全年交付產品290萬套,目前累計交付770萬套。"
    obs = _read(text, "2025-03-22")
    assert ("horizon-robotics", "Deliveries", "2024", 2.9e6, None) in obs, obs
    assert ("horizon-robotics", "Deliveries", "2025-03", 7.7e6, None) in obs, obs


def test_a_chart_place_held_currently_is_the_datelines_day():
    obs = _read("DeepSeek is currently the No. 14 overall free app on Google Play.", "2025-01-27")
    assert ("deepseek", "Rank", "2025-01-27", 14.0, None) in obs, obs


def test_game_billings_are_a_metric_of_their_own():
    obs = _read("網易公佈2025年第三季度業績。海外手遊上,iOS 端流水增速 18%。", "2025-11-20")
    assert any(m == "GrossBillingsGrowth" and p == "2025-Q3" and c == 0.18 for _s, m, p, _v, c in obs), obs


def _units(text: str, date: str) -> list[tuple[str, str, float | None, str | None]]:
    store = OxigraphStore.in_memory()
    try:
        Ingestor(store).ingest_document(parse_document(f"---\ntitle: t\ndate: {date}\n---\n{text}", name="t.txt"))
        rows = store.select(f"""SELECT ?s ?m ?v ?u WHERE {{ ?o a <{KGO}Observation> ; <{KGO}subject> ?s ; <{KGO}metric> ?m .
                                 OPTIONAL {{ ?o <{KGO}value> ?v }} OPTIONAL {{ ?o <{KGO}unit> ?u }} }}""")
        return sorted((s.rsplit("/", 1)[-1], m.rsplit("/", 1)[-1], float(v) if v is not None else None,
                       u.rsplit("/", 1)[-1] if u else None) for s, m, v, u in rows)
    finally:
        store.close()


def test_an_amount_written_without_its_currency_takes_the_articles_or_is_not_an_amount():
    """kgo:kind "amount" accepts no bare number: 「643 亿」 after yuan figures is in yuan; 「千億大關」 with no
    currency read before it is no revenue figure; a distance keeps its kilometres."""
    obs = _units("美团公布2025年第一季度业绩。总收入达到866亿元。本地商业分部收入达 643 亿,同比增长 17.8%。", "2025-05-26")
    assert ("meituan-core-local-commerce", "Revenue", 64.3e9, "CNY") in obs, obs
    assert not [o for o in _units("小米收入首次突破千億大關。", "2025-03-19") if o[1] == "Revenue"]
    assert ("apollo-go", "Mileage", 1.3e8, "Kilometre") in _units("萝卜快跑安全行驶里程超过1.3亿公里。", "2025-02-20")


def test_a_trading_day_cue_before_the_figure_in_its_sentence_or_right_after_it():
    """market.yaml market_cue: 「港股早盤開盤後,跌幅曾一度擴大到5.75%」 and 「以175.8港元/股報收」."""
    obs = _read("3月7日,京東港股早盤開盤後,跌幅曾一度擴大到5.75%。截至午盤收盤,跌幅為1.79%,以175.8港元/股報收。",
                "2025-03-07")
    moves = {(v, c) for s, m, p, v, c in obs if s == "jd-com" and m == "StockPriceChange" and p == "2025-03-07"}
    assert {(-5.75, -0.0575), (-1.79, -0.0179), (175.8, -0.0179)} <= moves, obs
    assert not _read("京東今日以175.8億元收購一家公司。", "2025-03-07")  # no trading word: no share price


def test_the_product_counted_is_the_counts_subject():
    """"delivering 75,869 SU7 sedans", 「交付75869輛SU7」: the product, not the unit or company that delivers it."""
    for text in ("Xiaomi's EV business generated 18.1 billion yuan in revenue during the first quarter, delivering "
                 "75,869 SU7 sedans.", "小米第一季度交付75869輛SU7。"):
        obs = _read(text, "2025-05-28")
        assert ("xiaomi-su7", "Deliveries", "2025-Q1", 75869.0, None) in obs, obs
    assert ("xiaomi", "Deliveries", "2025-Q1", 75869.0, None) in _read("小米第一季度交付75869輛汽車。", "2025-05-28")


def test_a_percentage_of_a_named_whole_is_a_share_of_it():
    """"more than 80% of DeepSeek's total mobile app downloads": a share, owned by the whole's owner; the
    figure after it ("300% more downloads") is not a share too."""
    obs = _read("Sensor Tower reports that more than 80% of DeepSeek's total mobile app downloads have come in the "
                "past 7 days, with the app seeing nearly 300% more app downloads than Perplexity.", "2025-01-27")
    assert ("deepseek", "Share", "2025-01", 80.0, None) in obs, obs
    assert [o for o in obs if o[1] == "Share"] == [("deepseek", "Share", "2025-01", 80.0, None)], obs
    assert not [o for o in _read("Revenue rose 12% in the first quarter of the year.", "2025-05-27") if o[1] == "Share"]


def test_a_name_after_a_preposition_of_place_is_not_what_the_next_sentence_is_about():
    """names.yaml place_preposition: "across the App Store and Google Play" says where, not about whom."""
    _subject_examples("place_preposition", "Count", "deepseek", "google")


def test_a_space_between_chinese_words_parts_a_headlines_clauses():
    """「小米上季收入首次破千億人幣 經調整利潤升七成」: the 千億 is the revenue's (a bound), the 七成 the profit's change;
    「上季」 before the metric is its period, no qualifier."""
    obs = _read("小米上季收入首次破千億人幣 經調整利潤升七成", "2025-03-19")
    assert ("xiaomi", "Revenue", "2024-Q4", 1e11, None) in obs, obs
    assert ("xiaomi", "AdjustedNetProfitGrowth", "2024-Q4", 70.0, 0.7) in obs, obs


def test_a_year_ago_in_a_change_basis_frames_no_later_figure():
    """changes.yaml 「和去年同期相比」: the change is measured against it; 「平均每天的淨利潤」 after it is the year's."""
    obs = _read("京東公佈2024年第四季度及全年業績。2024年,京東淨利潤為414億元,和去年同期相比增長了71.1%,平均每天的淨利潤是1.13億元。",
                "2025-03-07")
    assert ("jd-com", "NetProfit", "2024", 1.13e8, None) in obs, obs


def test_a_point_after_a_date_ends_the_sentence_before_a_capitalised_word():
    obs = _read("Northwind Group's net profit was CNY48.9 billion in the three months ended Dec. 31. Northwind Group "
                "closed 14.6 percent higher at HKD138.50 a share in Hong Kong today.", "2025-02-21")
    assert ("northwind-group", "StockPriceChange", "2025-02-21", 138.5, 0.146) in obs, obs
    assert ("northwind-group", "NetProfit", "2024-Q4", 48.9e9, None) in obs, obs


def test_income_from_a_business_is_its_revenue():
    """metrics.yaml unit_income: "Income from <a business>" names the business's revenue; from anything else, no figure."""
    from phrase_examples import role_examples

    for e, text, positive in role_examples("unit_income"):
        assert [m for _s, m, *_ in _read(text, "2025-02-21")] == (["Revenue"] if positive else []), (e.id, text)


def test_a_trading_figure_with_no_day_takes_the_day_its_paragraph_just_named():
    """「在美東時間3月6日,…盤中曾一度上漲超過5%。之後…以43.92美元/股報收」: the 6th, not the dateline's 7th;
    a new paragraph with no day is the dateline's again."""
    obs = _read("京東公佈業績。在美東時間3月6日,京東美股盤中曾一度上漲超過5%。之後漲幅收窄,以43.92美元/股報收。\n\n"
                "京東港股股價收市跌2%。", "2025-03-07")
    days = {(v, p) for s, m, p, v, c in obs if m == "StockPriceChange"}
    assert (43.92, "2025-03-06") in days and (-2.0, "2025-03-07") in days, obs


def test_a_rival_named_after_a_verb_of_rivalry_is_not_the_subject():
    """names.yaml rival_verb: 「為應對騰訊《元夢之星》的競爭」 names a competitor, the expense is the article's company's."""
    _subject_examples("rival_verb", "MarketingExpense", "netease", "tencent")


def test_the_full_year_of_a_fourth_quarter_report_is_that_year():
    """periods.yaml frame-full-year: 「全年」 with no year before it, in a report on 2023-Q4, is 2023."""
    obs = _read("騰訊公佈2023年第四季及全年業績。全年收入6,090億元,增長9.8%。第四季收入1,552億元。", "2024-03-20")
    assert ("tencent", "Revenue", "2023", 609e9, 0.098) in obs and ("tencent", "Revenue", "2023-Q4", 155.2e9, None) in obs, obs


def test_a_broker_valuation_states_multiples_target_prices_in_two_currencies_and_upside():
    """PERatio and PEGRatio hold a multiple (19倍PE is 19, not a change); a dual-listed target price
    「165.00美元/256.74港元」 is two figures; 「18.04%/18.42%的上升空間」 is the upside, not a rise."""
    obs = _read("網易2025年第三季營收283.6億元。給予遊戲業務1.5倍PEG,對應19倍PE。目標價165.00美元/256.74港元,"
                "對比美股和港股股價分別有18.04%/18.42%的上升空間。", "2025-11-24")
    got = {(m, v, c) for _s, m, _p, v, c in obs}
    assert {("PEGRatio", 1.5, None), ("PERatio", 19.0, None), ("TargetPrice", 165.0, None),
            ("TargetPrice", 256.74, None), ("Upside", 18.04, None), ("Upside", 18.42, None)} <= got, obs
    assert not any(m == "StockPriceChange" for _s, m, _p, _v, _c in obs), obs




def test_a_valuation_with_no_reporting_period_holds_at_the_dateline_month_and_a_flow_gets_none():
    """A broker note with no reporting period: the target price is as of the month it was published;
    a revenue with no period, and a product's count, stay without one."""
    obs = _read("摩根士丹利給予阿里巴巴目標價165港元。阿里巴巴收入50億元。通義千問系列包括8款模型。", "2025-04-29")
    assert any(m == "TargetPrice" and p == "2025-04" and v == 165 for _s, m, p, v, _c in obs), obs
    assert any(m == "Revenue" and p is None for _s, m, p, _v, _c in obs), obs
    assert not any(p == "2025-04" for _s, m, p, _v, _c in obs if m != "TargetPrice"), obs


COMPARISON = [e for e in __import__("kg.phrasebook", fromlist=["Phrasebook"]).Phrasebook.load().of("comparison_word")]


@pytest.mark.parametrize("entry", COMPARISON, ids=[e.id for e in COMPARISON])
def test_a_period_after_a_comparison_word_is_what_the_change_is_measured_from(entry):
    """changes.yaml comparison_word: 「較4月之前增長200%」 is a growth since April, not April's figure."""
    assert entry.pos and entry.neg
    for text in entry.pos:
        obs = _read(text, "2025-08-30")
        assert obs and all(p != "2025-04" for _s, _m, p, _v, _c in obs), (text, obs)
    for text in entry.neg:
        obs = _read(text, "2025-08-30")
        assert any(p == "2025-04" for _s, _m, p, _v, _c in obs), (text, obs)


def test_a_rate_stated_alone_is_a_value_of_the_metrics_growth():
    """kg/growth.py: 「營銷費用同比增長17.2%」 is MarketingExpenseGrowth 17.2% (change 0.172); a rate beside its
    amount stays the change of the amount's observation; a margin's change in points gets no growth metric."""
    alone = _read("網易第三季營銷費用同比增長17.2%。", "2025-11-20")
    assert ("netease", "MarketingExpenseGrowth", "2025-Q3", 17.2, 0.172) in alone, alone
    beside = _read("網易第三季收入283.6億元，同比增長8.2%。", "2025-11-20")
    assert [(m, v, c) for _s, m, _p, v, c in beside] == [("Revenue", 2.836e10, 0.082)], beside
    fold = _read("騰訊元寶DAU增長超20倍。", "2025-03-20")
    assert [(m, v, c) for _s, m, _p, v, c in fold] == [("DailyActiveUsersGrowth", 20.0, 20.0)], fold
    points = _read("網易第三季毛利率上升1.2個百分點。", "2025-11-20")
    assert [(m, v) for _s, m, _p, v, _c in points] == [("GrossMargin", None)], points


def test_a_ratio_moved_from_a_stated_prior_changes_by_their_difference_in_points():
    """「毛利率從2023年的70.5%增至77.3%」, "rose to 21.5% from 18.9% a year earlier": the prior ratio is the
    earlier period's and the later one moved by the difference in points; "a year earlier" after the
    prior figure is the prior's period, not the reported one's."""
    obs = _read("地平線2024年營收23.84億元。毛利率從2023年的70.5%進一步增至77.3%。", "2025-03-22")
    assert ("horizon-robotics", "GrossMargin", "2023", 70.5, None) in obs, obs
    assert ("horizon-robotics", "GrossMargin", "2024", 77.3, 6.8) in obs, obs
    en = _read("Acme Corp reported first-quarter revenue of 5 billion yuan. Its gross margin rose to 21.5% from "
               "18.9% a year earlier. Its net margin was 10%, compared with 8% in the fourth quarter.", "2025-05-22")
    assert ("acme-corp", "GrossMargin", "2024-Q1", 18.9, None) in en, en
    assert ("acme-corp", "GrossMargin", "2025-Q1", 21.5, 2.6) in en, en
    assert ("acme-corp", "NetMargin", "2025-Q1", 10.0, 2.0) in en, en
    hk = _read("騰訊公布第二季業績。毛利率為56%，去年同期為53%。", "2025-08-14")
    assert ("tencent", "GrossMargin", "2025-Q2", 56.0, 3.0) in hk, hk
    plain = _read("Acme Corp reported first-quarter revenue of 5 billion yuan. Its gross margin was 21.5%.", "2025-05-22")
    assert ("acme-corp", "GrossMargin", "2025-Q1", 21.5, None) in plain, plain


def test_a_figure_in_brackets_with_a_year_ago_period_is_the_figure_a_year_earlier():
    """"reached 54% (47% in the same period last year)": 47% is the share of 2024-Q1, not a change of 54%;
    a percentage stated as the level of an amount ("revenue contribution … reached") is never its value."""
    obs = _read("Bilibili reported first-quarter revenue of 7 billion yuan. The revenue contribution of games "
                "in Q1 reached 54% (47% in the same period last year).", "2025-05-22")
    assert ("bilibili", "Share", "2025-Q1", 54.0, 7.0) in obs, obs
    assert ("bilibili", "Share", "2024-Q1", 47.0, None) in obs, obs
    zh = _read("嗶哩嗶哩第一季收入70億元。遊戲收入佔比54%（去年同期為47%）。", "2025-05-22")
    assert any(m == "Share" and p == "2025-Q1" and v == 54 for _s, m, p, v, _c in zh), zh
    assert any(m == "Share" and p == "2024-Q1" and v == 47 for _s, m, p, v, _c in zh), zh
    assert not any(m == "Revenue" and v in (54, 47) for _s, m, _p, v, _c in obs + zh), (obs, zh)


def test_a_year_ago_period_after_a_prior_figure_is_that_figures_alone():
    """"decreased from 25% in the same period last year to 20% this quarter": 20% is the quarter's (down 5
    points), and a change stated after it is not carried back a year either."""
    obs = _read("Bilibili reported first-quarter revenue of 7 billion yuan. The proportion of revenue decreased "
                "from 25% in the same period last year to 20% this quarter. Revenue rose 5% from the same period "
                "last year.", "2025-05-22")
    assert ("bilibili", "Share", "2024-Q1", 25.0, None) in obs, obs
    assert ("bilibili", "Share", "2025-Q1", 20.0, -5.0) in obs, obs
    assert ("bilibili", "Revenue", "2025-Q1", 7000000000.0, 0.05) in obs, obs


def test_a_wire_sentence_with_a_prior_an_estimate_and_a_headline_rise():
    """"rose to 184.5 billion yuan ($25.7 billion) from 161.1 billion yuan a year earlier, compared with the 179
    billion yuan average of analysts' estimates": the prior is a year earlier, the estimate is no prior, and the
    headline's 15% rise is the change of the reported figure in both currencies."""
    obs = _read("Tencent Holdings reported a 15% rise in second-quarter revenue on Wednesday. Revenue for the three "
                "months ended June 30 rose to 184.5 billion yuan ($25.7 billion) from 161.1 billion yuan a year "
                "earlier, compared with the 179 billion yuan average of analysts' estimates compiled by LSEG.",
                "2025-08-15")
    assert ("tencent", "Revenue", "2024-Q2", 161100000000.0, None) in obs, obs
    assert ("tencent", "Revenue", "2025-Q2", 184500000000.0, 0.15) in obs, obs
    assert ("tencent", "Revenue", "2025-Q2", 25700000000.0, 0.15) in obs, obs
    assert not any(v == 179000000000.0 and p == "2024-Q2" for _s, _m, p, v, _c in obs), obs


def test_the_items_of_a_list_opened_by_qizhong_close_with_their_sentence():
    """「其中，A收入…；B收入…。報告期內，研發投入…」: both units are sub-items of the total, and the next sentence,
    naming no one, is the company's again; 「非國際財務報告準則下經營盈利」 is the adjusted operating profit."""
    obs = _read("小米集團發布2025年第一季度財報，總營收1112.9億元。其中，智能手機業務收入506億元，同比增長8.9%；"
                "智能電動汽車等創新業務收入186億元，經營虧損5億元。報告期內，研發投入67億元，同比增長30.1%。", "2025-05-28")
    assert ("xiaomi-smartphones", "Revenue", "2025-Q1", 50600000000.0, 0.089) in obs, obs
    assert ("xiaomi-smart-ev-ai", "Revenue", "2025-Q1", 18600000000.0, None) in obs, obs
    assert ("xiaomi", "RnDExpense", "2025-Q1", 6700000000.0, 0.301) in obs, obs
    hk = _read("騰訊公布第二季業績。期內非國際財務報告準則下經營盈利按年增18%至692億元。", "2025-08-14")
    assert ("tencent", "AdjustedOperatingProfit", "2025-Q2", 69200000000.0, 0.18) in hk, hk


def test_a_verb_that_names_its_metric_wins_over_a_metric_of_an_earlier_clause():
    """「首錄經營盈利 經調整多賺80.9%」: 多賺 is the (adjusted) net profit, not the operating profit named before."""
    obs = _read("小米上季首錄經營盈利 經調整多賺80.9%", "2025-11-18")
    assert [m for _s, m, *_ in obs] == ["AdjustedNetProfitGrowth"], obs


def test_a_taiwan_results_report_of_a_company_named_only_with_its_stock_code():
    """「鴻海(2317)…營收1.79兆元，季增9%、年增16%」: a name before a bracketed stock code is a listed company (the
    article's), 兆 is a trillion, 年增 / 季增 fuse the basis with the verb (one observation per basis), 每股純益 is EPS."""
    obs = _read("鴻海(2317)今(8)日公布第二季財報，營收1.79兆元，季增9%、年增16%；稅後淨利443.62億元，年增27%，"
                "每股純益3.19元。", "2025-08-08")
    subjects = {s for s, *_ in obs}
    assert len(subjects) == 1, obs
    got = {(m, p, v, c) for _s, m, p, v, c in obs}
    assert {("Revenue", "2025-Q2", 1.79e12, 0.09), ("Revenue", "2025-Q2", 1.79e12, 0.16),
            ("NetProfit", "2025-Q2", 44362000000.0, 0.27), ("EPS", "2025-Q2", 3.19, None)} <= got, obs
    unknown = _read("市場人士指出，今(8)日股價上漲。", "2025-08-08")
    assert unknown == [], unknown


def test_interim_results_frame_the_first_half_and_units_sold_are_a_sales_volume():
    """「公布中期業績」 frames the half just reported (中期息, an interim dividend, frames nothing);
    「汽車銷量約214.6萬輛」 is a count of units sold, not revenue."""
    obs = _read("比亞迪(1211)公布中期業績，收入3712.8億元人民幣，按年升23.3%，不派中期息。期內汽車銷量約214.6萬輛，"
                "按年增33%。", "2025-08-28")
    assert ("byd", "Revenue", "2025-H1", 371280000000.0, 0.233) in obs, obs
    assert ("byd", "SalesVolume", "2025-H1", 2146000.0, 0.33) in obs, obs
    dividend = _read("比亞迪(1211)不派中期息。比亞迪收入3712.8億元人民幣。", "2025-08-28")
    assert all(p is None for _s, _m, p, _v, _c in dividend), dividend


def test_a_quarter_to_end_month_and_analysts_forecasts():
    """"the quarter to end-June" is the quarter ending in June; "missing analysts' forecasts of Rmb9.85bn" is
    the consensus, not a second figure of the company."""
    obs = _read("Meituan's revenue for the quarter to end-June rose 11.7 per cent to Rmb91.8bn, while adjusted net "
                "profit plunged 89 per cent to Rmb1.49bn, missing analysts' forecasts of Rmb9.85bn.", "2025-08-21")
    assert ("meituan", "Revenue", "2025-Q2", 91800000000.0, 0.117) in obs, obs
    assert ("meituan", "AdjustedNetProfit", "2025-Q2", 1490000000.0, -0.89) in obs, obs
    store = OxigraphStore.in_memory()
    try:
        Ingestor(store).ingest_document(parse_document(
            "---\ntitle: t\ndate: 2025-08-21\n---\nMeituan's adjusted net profit for the quarter to end-June plunged "
            "89 per cent to Rmb1.49bn, missing analysts' forecasts of Rmb9.85bn.", name="t.txt"))
        rows = store.select(f"SELECT ?v ?e WHERE {{ ?o <{KGO}value> ?v OPTIONAL {{ ?o <{KGO}estimate> ?e }} }}")
    finally:
        store.close()
    est = {float(v): e for v, e in rows}
    assert est[9850000000.0] is not None and est[1490000000.0] is None, rows


def test_a_profit_per_share_is_the_eps_and_the_same_quarter_of_a_year_is_the_year_ago_basis():
    """"RMB8.6 billion, or RMB2.73 per share" is a profit and its EPS (adjusted → AdjustedEPS); "compared with
    the same quarter of 2024" is what the change is measured against, never the period of later figures."""
    obs = _read("NetEase reported third-quarter net revenues of RMB28.4 billion, an increase of 8.2% compared with the "
                "same quarter of 2024. Net income attributable to shareholders was RMB8.6 billion, or RMB2.73 per "
                "share. Adjusted net income was RMB9.5 billion, or RMB3.01 per share.", "2025-11-20")
    assert ("netease", "Revenue", "2025-Q3", 28400000000.0, 0.082) in obs, obs
    assert ("netease", "EPS", "2025-Q3", 2.73, None) in obs, obs
    assert ("netease", "AdjustedEPS", "2025-Q3", 3.01, None) in obs, obs
    assert ("netease", "NetProfitAttributable", "2025-Q3", 8600000000.0, None) in obs, obs


def test_a_known_company_with_its_legal_suffix_is_that_company():
    """"Xiaomi Corp's quarterly revenue", "Tencent Holdings Ltd shares": the catalog's company, not a new one."""
    obs = _read("Xiaomi Corp's first-quarter revenue rose 47.4% to 111.3 billion yuan. Tencent Holdings Ltd shares "
                "rose 2% on Tuesday.", "2025-05-27")
    assert {s for s, *_ in obs} == {"xiaomi", "tencent"}, obs


def test_a_prior_figure_is_of_the_subject_of_the_figure_it_is_compared_with():
    """"Operating margin of JD Retail reached 4.5%, up from 4.0% …": 4.0% is JD Retail's a year earlier, not the
    company's, and the margin moved by half a point."""
    obs = _read("JD.com's second-quarter revenue grew 22.4% y/y to RMB356.7 billion. Operating margin of JD Retail "
                "reached 4.5%, up from 4.0% in the same period last year.", "2025-08-29")
    assert ("jd-retail", "OperatingMargin", "2024-Q2", 4.0, None) in obs, obs
    assert ("jd-retail", "OperatingMargin", "2025-Q2", 4.5, 0.5) in obs, obs
