"""The chart's and the expandable graph's payloads: ``kgqa.web.series.series_view`` and
``kgqa.web.views.graph_view``, and their routes ``/api/series`` and ``/api/graph``.

Views run on an in-memory store holding the shared corpus and the four quarterly articles of
tests/data/web (invented figures, one Tencent revenue figure per quarter); routes run on the
real ``kgqa serve`` over the same articles (``live_web``). Expected values are read from the
graph or the articles.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingestion import Ingestor
from kg.namespaces import KGO, KGP, KGR
from kg.store import OxigraphStore, ensure_reference_graphs
from kgqa.web import series, views

WEB = Path(__file__).resolve().parents[1] / "data" / "web"
TENCENT = KGR + "tencent"


@pytest.fixture(scope="module")
def web_store(corpus_file: Path) -> Any:
    s = OxigraphStore.in_memory()
    ensure_reference_graphs(s)
    ing = Ingestor(s)
    ing.ingest_path(corpus_file)
    for f in sorted(WEB.iterdir()):
        ing.ingest_path(f)
    yield s
    s.close()


def _texts(store: Any) -> dict[str, str]:
    return dict(store.select(f"SELECT ?d ?t WHERE {{ ?d a <{KGO}Document> ; <{KGO}text> ?t }}"))


def test_revenue_over_four_quarters_in_calendar_order_with_quotes(web_store: Any) -> None:
    view = series.series_view(web_store, TENCENT, "Revenue", lang="en")
    first = view["series"][0]
    assert (first["granularity"], first["unit"], first["qualifier"], first["estimate"]) == ("quarter", "CNY", None, None)
    assert [p["period"] for p in first["points"]] == ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]  # tests/data/README.md
    texts = _texts(web_store)
    for p in first["points"]:
        s = p["source"]
        assert texts[s["document"]][s["start"]:s["end"]] == s["quote"]
        value = web_store.select(f"SELECT ?v WHERE {{ <{p['fact']}> <{KGO}value> ?v }}")[0][0]
        assert p["value"] == value
        assert p["period_labels"]["en"] and p["period_labels"]["zh-Hant"]
    # the 2024-Q4 article repeats the 2024-Q3 figure: one point, two sources in two documents
    q3 = first["points"][0]
    assert len(q3["more_sources"]) == 1 and q3["more_sources"][0]["document"] != q3["source"]["document"]
    assert all(not p["more_sources"] for p in first["points"][1:])


def test_without_a_metric_the_most_observed_one_and_every_metric_listed(web_store: Any) -> None:
    view = series.series_view(web_store, TENCENT)
    counts = [m["facts"] for m in view["metrics"]]
    assert counts == sorted(counts, reverse=True) and view["metric"] == view["metrics"][0]["metric"]
    dated = web_store.select(f"""SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?f a <{KGO}Observation> ;
        <{KGO}subject> <{TENCENT}> ; <{KGO}metric> ?m ; <{KGO}value> ?v ; <{KGO}period> ?p }}""")[0][0]
    assert len(view["metrics"]) == int(dated)


def test_no_series_mixes_granularities_units_or_qualifiers(web_store: Any) -> None:
    subjects = [s for (s,) in web_store.select(f"SELECT DISTINCT ?s WHERE {{ ?f a <{KGO}Observation> ; <{KGO}subject> ?s }}")]
    checked = 0
    for subject in subjects:
        for m in series.series_view(web_store, subject)["metrics"]:
            for s in series.series_view(web_store, subject, m["metric"])["series"]:
                props = series._period_props(web_store, {p["period"] for p in s["points"]})
                assert {series._granularity(props[p["period"]]) for p in s["points"]} == {s["granularity"]}
                units = {web_store.select(f"SELECT ?u WHERE {{ OPTIONAL {{ <{p['fact']}> <{KGO}unit> ?u }} }}")[0][0]
                         for p in s["points"]}
                assert len(units) == 1
                keys = [(p["period"], p["value"]) for p in s["points"]]
                assert len(keys) == len(set(keys))
                checked += 1
    assert checked >= 10


def test_a_forecast_is_a_series_of_its_own(web_store: Any) -> None:
    """A figure marked kgo:estimate never joins the reported ones (a copy of a real observation,
    moved to 2025-Q3 and marked a forecast, in a graph of its own that the test removes)."""
    fact = series.series_view(web_store, TENCENT, "Revenue")["series"][0]["points"][-1]["fact"]
    g = "urn:test:forecast"
    rows = web_store.select_terms(f"SELECT ?p ?o WHERE {{ <{fact}> ?p ?o FILTER(?p != <{KGO}period>) }}")
    lines = [f"<urn:test:f> {p} {o} ." for p, o in rows]
    lines += [f'<urn:test:f> <{KGO}estimate> "forecast" .', f"<urn:test:f> <{KGO}period> <{KGP}2025-Q3> ."]
    web_store.load("\n".join(lines).encode(), "ntriples", graph=g)
    try:
        got = series.series_view(web_store, TENCENT, "Revenue")["series"]
        assert [p["period"] for p in got[0]["points"]] == ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
        forecast = [s for s in got if s["estimate"] == "forecast"]
        assert len(forecast) == 1 and [p["period"] for p in forecast[0]["points"]] == ["2025-Q3"]
    finally:
        assert web_store.drop_graph(g)


def test_an_unknown_metric_is_an_error(web_store: Any) -> None:
    with pytest.raises(series.UnknownMetricError):
        series.series_view(web_store, TENCENT, "NoSuchMetric")


def _grows(store: Any, centre: str) -> tuple[dict[str, Any], str, set[str]]:
    """The centre's graph, a neighbour whose expansion adds nodes, and the nodes it adds."""
    base = views.entity_view(store, centre)["graph"]
    have = {n["id"] for n in base["nodes"]}
    for n in base["nodes"]:
        if n["centre"]:
            continue
        own = {m["id"] for m in views.entity_view(store, n["id"])["graph"]["nodes"]}
        if own - have:
            return base, n["id"], own - have
    raise AssertionError(f"no neighbour of {centre} has neighbours of its own")


def test_expanding_a_node_adds_its_neighbours_and_keeps_the_centre(web_store: Any) -> None:
    base, neighbour, new = _grows(web_store, TENCENT)
    grown = views.graph_view(web_store, TENCENT, [neighbour])
    ids = {n["id"] for n in grown["nodes"]}
    assert {n["id"] for n in base["nodes"]} | new <= ids
    assert grown["expanded"] == [neighbour]
    flags = {n["id"]: (n["centre"], n["expanded"]) for n in grown["nodes"]}
    assert flags[TENCENT] == (True, True) and flags[neighbour] == (False, True)
    assert all(not flags[n][1] for n in new)
    centre = next(n for n in grown["nodes"] if n["centre"])
    assert (centre["x"], centre["y"]) == (0.0, 0.0)
    assert all(-1 <= n["x"] <= 1 and -1 <= n["y"] <= 1 for n in grown["nodes"])
    assert any(neighbour in (e["source"], e["target"]) and (e["source"] in new or e["target"] in new)
               for e in grown["edges"])
    assert all(e["source"] in ids and e["target"] in ids for e in grown["edges"])
    # nothing expanded: the entity page's own graph
    assert {n["id"] for n in views.graph_view(web_store, TENCENT, [])["nodes"]} == {n["id"] for n in base["nodes"]}


def test_too_many_expansions_are_refused(web_store: Any) -> None:
    with pytest.raises(ValueError, match="at most"):
        views.graph_view(web_store, TENCENT, [TENCENT] * (views.MAX_EXPANDED + 1))


# -- routes ---------------------------------------------------------------------------------

def test_series_route(live_web: Any) -> None:
    with live_web.client() as c:
        r = c.get("/api/series", params={"entity": "tencent", "metric": "Revenue", "lang": "zh-Hant"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert [p["period"] for p in body["series"][0]["points"]] == ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
        assert body["label"] == "騰訊" and body["metric_labels"]["en"]
        doc = c.get("/documents/" + body["series"][0]["points"][-1]["source"]["document"].rsplit("/", 1)[-1]).json()
        s = body["series"][0]["points"][-1]["source"]
        assert doc["text"][s["start"]:s["end"]] == s["quote"]
        for params, status, code in [({"entity": "tencent", "metric": "NoSuchMetric"}, 404, "metric_not_found"),
                                     ({"entity": "no-such-entity-xyz"}, 404, "entity_not_found"),
                                     ({"entity": "tencent", "metric": "bad metric!"}, 422, "invalid_request"),
                                     ({}, 422, "invalid_request")]:
            r = c.get("/api/series", params=params)
            assert r.status_code == status and r.json()["error"]["code"] == code, (params, r.text)


def test_graph_route(live: Any) -> None:
    with live.client() as c:
        base = c.get("/entities/tencent").json()["graph"]
        have = {n["id"] for n in base["nodes"]}
        grown = None
        for n in base["nodes"]:
            if n["centre"]:
                continue
            r = c.get("/api/graph", params={"entity": "tencent", "expand": n["short_id"]})
            assert r.status_code == 200, r.text
            if {m["id"] for m in r.json()["nodes"]} - have:
                grown = r.json()
                break
        assert grown is not None, "no neighbour of tencent has neighbours of its own"
        assert have < {m["id"] for m in grown["nodes"]}
        r = c.get("/api/graph", params={"entity": "tencent", "expand": "no-such-entity-xyz"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "entity_not_found"
        r = c.get("/api/graph", params=[("entity", "tencent")] + [("expand", "qq")] * (views.MAX_EXPANDED + 1))
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text
