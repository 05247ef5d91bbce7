"""The growth metrics derived from the metric scheme when it is loaded (kg/growth.py)."""
from __future__ import annotations

from kg.lexicon import Lexicon
from kg.namespaces import KGM, KGO, SKOS
from kg.store import OxigraphStore, ensure_reference_graphs
from kg.text import canonical


def _store() -> OxigraphStore:
    store = OxigraphStore.in_memory()
    ensure_reference_graphs(store)
    return store


def test_every_amount_or_count_metric_has_a_growth_metric_and_no_ratio_does():
    store = _store()
    try:
        grown = {m for (m,) in store.select(f"SELECT ?m WHERE {{ ?g <{KGO}growthOf> ?m }}")}
        assert {KGM + "Revenue", KGM + "MarketingExpense", KGM + "DailyActiveUsers"} <= grown
        assert KGM + "GrossMargin" not in grown and KGM + "StockPriceChange" not in grown  # points, not a growth
        labels = {str(l) for (l,) in store.select(f"SELECT ?l WHERE {{ <{KGM}RevenueGrowth> <{SKOS}altLabel>|<{SKOS}prefLabel> ?l }}")}
        assert {"revenue growth", "net revenue growth", "營收增長", "营收增长"} <= labels, labels
        kinds = {str(k) for (k,) in store.select(f"SELECT DISTINCT ?k WHERE {{ ?g <{KGO}growthOf> ?m ; <{KGO}kind> ?k }}")}
        assert kinds == {"growth"}
    finally:
        store.close()


def test_the_reader_never_matches_a_growth_metric_by_its_label():
    """「營收增長」 is the revenue metric and a change cue, not a metric of its own; the revenue metric knows its
    growth metric for a rate stated alone."""
    store = _store()
    try:
        lex = Lexicon.from_store(store)
        hit = lex.metrics.match_at(canonical("營收增長"), 0)
        assert hit is not None and hit.value.name == "Revenue" and hit.end == 2
        assert hit.value.growth == KGM + "RevenueGrowth"
        assert all(not ref.name.endswith("Growth") for _k, ref in lex.metrics.items())
    finally:
        store.close()
