"""The web page on a phone and a desktop, light and dark, in a real browser (Debian's Chromium
under Playwright) against the real ``kgqa serve`` over the shared corpus and the quarterly
articles of tests/data/web (``live_web``): the layout, the chart of a metric over periods,
CSV/JSON export, the expandable entity graph and the SPARQL editor.

Screenshots go to each test's ``tmp_path`` and to ``.test-output/screenshots/`` (git-ignored).
Expected values come from the server's JSON, never from this file.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browsing import BACKGROUND_LUMINANCE_JS, CONTRAST_JS, OVERFLOW_JS, SIZES, launch, open_page, shot
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "tests" / "data" / "questions" / "corpus.jsonl"
FACT_COLUMNS = ["subject", "subject_label", "metric", "period", "value", "unit", "as_written", "change", "change_unit",
                "change_basis", "bound", "qualitative", "qualifier", "predicate", "object", "object_label", "fact",
                "document", "document_title", "start", "end", "quote"]
# text that must stay readable (WCAG AA, 4.5:1) in both colour schemes, where the pane has it
READABLE = ["body", ".card-title", ".muted", ".tagline", "table.facts td", "table.facts th", "table.grid td",
            ".answer-text", ".badge", ".chip.citation", ".type-badge", "a.entity-link", ".article", ".article .hl",
            ".fact-list .quote", "svg.chart .tick", "svg.chart .value-label", "svg.graph .node-label", ".status-line",
            ".tok-keyword", ".tok-var", ".tok-pname", ".tok-iri", ".tok-string", ".tok-number", ".tok-comment",
            ".tok-function", ".question", ".ghost", ".primary", "select"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def tencent(live_web: Any) -> dict[str, Any]:
    with live_web.client() as c:
        entity = c.get("/entities/tencent").json()
        chart = c.get("/api/series", params={"entity": "tencent"}).json()
    return {"entity": entity, "series": chart}


def _close(page: Page) -> None:
    errors = page.errors  # type: ignore[attr-defined]
    page.context.close()
    assert not errors, errors


def _question() -> str:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return next(r["q"] for r in rows if r["kind"] == "lookup" and r["lang"] == "zh-Hant")


def _check_layout(page: Page, width: int, scheme: str, pane: str) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert page.evaluate(OVERFLOW_JS, width) == []
    # not by hiding what sticks out: the page may not clip sideways
    for node in ("document.documentElement", "document.body"):
        assert page.evaluate(f"getComputedStyle({node}).overflowX") not in ("hidden", "clip")
    box = page.locator(f"#pane-{pane}").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    lum = page.evaluate(BACKGROUND_LUMINANCE_JS)
    assert (lum < 0.05) if scheme == "dark" else (lum > 0.85), lum
    low = [r for r in page.evaluate(CONTRAST_JS, READABLE) if r["ratio"] < 4.5]
    assert not low, low


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_pane_fits_the_screen_in_both_colour_schemes(browser: Browser, live_web: Any, tencent: dict[str, Any],
                                                            size: str, scheme: str, tmp_path: Path) -> None:
    width = SIZES[size][0]
    page = open_page(browser, live_web.url, size=size, scheme=scheme)
    tag = f"{size}-{scheme}"
    page.goto("/")
    page.fill("#chat-input", _question())
    page.press("#chat-input", "Enter")
    expect(page.locator(".turn").last).to_have_class(re.compile("turn-answered"), timeout=60_000)
    _check_layout(page, width, scheme, "chat")
    shot(page, tmp_path, f"page-{tag}-chat", full_page=True)

    page.goto("/entities/tencent")
    expect(page.locator("svg.chart a.point")).to_have_count(len(tencent["series"]["series"][0]["points"]), timeout=60_000)
    expect(page.locator("svg.graph .node")).to_have_count(len(tencent["entity"]["graph"]["nodes"]))
    _check_layout(page, width, scheme, "entity")
    shot(page, tmp_path, f"page-{tag}-entity", full_page=True)

    page.goto("/#sparql")
    page.select_option("#sparql-examples", label="Observations of an entity")
    page.click("#sparql-run")
    expect(page.locator("#sparql-results table.grid tbody tr").first).to_be_visible(timeout=60_000)
    _check_layout(page, width, scheme, "sparql")
    shot(page, tmp_path, f"page-{tag}-sparql")

    src = tencent["series"]["series"][0]["points"][-1]["source"]
    page.goto(f"/documents/{quote(src['document'].rsplit('/', 1)[-1])}?start={src['start']}&end={src['end']}")
    mark = page.locator(".article .hl").first
    expect(mark).to_be_visible(timeout=60_000)
    _check_layout(page, width, scheme, "document")
    card = page.locator(".article-card").bounding_box()
    assert card is not None and card["x"] >= 0 and card["x"] + card["width"] <= width
    assert mark.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight"
                         " && r.left >= 0 && r.right <= innerWidth }")
    shot(page, tmp_path, f"page-{tag}-document")
    _close(page)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_chart_of_a_metric_over_periods_links_each_point_to_its_sentence(browser: Browser, live_web: Any,
                                                                         tencent: dict[str, Any], size: str,
                                                                         tmp_path: Path) -> None:
    chart = tencent["series"]
    first = chart["series"][0]
    assert len(first["points"]) >= 4  # the four quarters of tests/data/web
    page = open_page(browser, live_web.url, size=size)
    page.goto("/entities/tencent")
    points = page.locator("svg.chart a.point")
    expect(points).to_have_count(len(first["points"]), timeout=60_000)
    expect(page.locator("#chart-metric")).to_have_value(chart["metric"])
    xs = []
    for i, p in enumerate(first["points"]):
        a = points.nth(i)
        s = p["source"]
        assert a.get_attribute("data-period") == p["period"]
        assert a.get_attribute("data-quote") == s["quote"]
        assert s["quote"] in a.locator("title").text_content()
        assert a.get_attribute("href").endswith(f"/documents/{s['document'].rsplit('/', 1)[-1]}?start={s['start']}&end={s['end']}")
        xs.append(a.locator("circle").bounding_box()["x"])
    assert xs == sorted(xs) and len(set(xs)) == len(xs)  # left to right in calendar order
    ys = [points.nth(i).locator("circle").bounding_box()["y"] for i in range(len(xs))]
    values = [p["value"] for p in first["points"]]
    assert sorted(range(len(ys)), key=lambda i: -ys[i]) == sorted(range(len(values)), key=lambda i: values[i])
    page.locator("#chart-card").scroll_into_view_if_needed()
    page.locator("#chart-card").screenshot(path=str(tmp_path / f"chart-{size}.png"))
    shot(page, tmp_path, f"chart-{size}-page")

    third = first["points"][2]["source"]
    points.nth(2).click()
    expect(page.locator("#pane-document")).to_be_visible()
    mark = page.locator(".article .hl")
    expect(mark.first).to_be_visible(timeout=60_000)
    assert "".join(mark.all_inner_texts()) == third["quote"]
    assert page.url.endswith(f"?start={third['start']}&end={third['end']}")

    other = next(m for m in chart["metrics"] if m["metric"] != chart["metric"])
    with live_web.client() as c:
        want = c.get("/api/series", params={"entity": "tencent", "metric": other["metric"]}).json()
    page.go_back()
    expect(page.locator("svg.chart a.point").first).to_be_visible(timeout=60_000)
    page.select_option("#chart-metric", other["metric"])
    expect(page.locator("svg.chart .point")).to_have_count(len(want["series"][0]["points"]), timeout=60_000)
    _close(page)


def _download(page: Page, selector: str) -> tuple[str, bytes]:
    with page.expect_download() as d:
        page.click(selector)
    path = d.value.path()
    return d.value.suggested_filename, Path(path).read_bytes()


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # so that spreadsheet programs read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _cell(v: Any) -> str:
    return "" if v is None else str(v)


def test_facts_and_sparql_results_export_as_csv_and_json(browser: Browser, live_web: Any, tencent: dict[str, Any],
                                                         tmp_path: Path) -> None:
    facts = tencent["entity"]["facts"]
    page = open_page(browser, live_web.url, downloads=True)
    page.goto("/entities/tencent")
    expect(page.locator(".facts-card table.facts tbody tr")).to_have_count(len(facts), timeout=60_000)
    name, data = _download(page, ".facts-card .export-csv")
    assert name.endswith(".csv")
    rows = _csv(data)
    assert rows[0] == FACT_COLUMNS and len(rows) == len(facts) + 1
    for f, row in zip(facts, rows[1:]):
        got = dict(zip(FACT_COLUMNS, row))
        assert got["fact"] == f["iri"] and got["metric"] == _cell(f["metric"]) and got["period"] == _cell(f["period"])
        assert got["as_written"] == _cell(f["as_written"]) and got["quote"] == _cell((f["source"] or {}).get("quote"))
        assert got["start"] == _cell((f["source"] or {}).get("start"))
    name, data = _download(page, ".facts-card .export-json")
    assert name.endswith(".json") and json.loads(data) == facts

    # the chart's points export as facts too
    points = tencent["series"]["series"][0]["points"]
    rows = _csv(_download(page, "#chart-card .export-csv")[1])
    assert [r[FACT_COLUMNS.index("period")] for r in rows[1:]] == [p["period"] for p in points]
    assert [r[FACT_COLUMNS.index("quote")] for r in rows[1:]] == [p["source"]["quote"] for p in points]

    page.goto("/#sparql")
    page.select_option("#sparql-examples", label="Labels in three scripts")
    query = page.input_value("#sparql-editor")
    page.click("#sparql-run")
    expect(page.locator("#sparql-results table.grid tbody tr").first).to_be_visible(timeout=60_000)
    with live_web.client() as c:
        as_csv = c.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
        as_json = c.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    name, data = _download(page, "#sparql-results .export-csv")
    assert name == "sparql-results.csv"
    server_rows = list(csv.reader(io.StringIO(as_csv.text, newline="")))
    assert _csv(data) == server_rows and len(server_rows) > 2
    expect(page.locator("#sparql-results table.grid tbody tr")).to_have_count(len(server_rows) - 1)
    name, data = _download(page, "#sparql-results .export-json")
    assert json.loads(data) == as_json.json()

    page.goto("/")
    page.fill("#chat-input", _question())
    page.press("#chat-input", "Enter")
    turn = page.locator(".turn").last
    expect(turn).to_have_class(re.compile("turn-answered"), timeout=60_000)
    n = turn.locator("table.facts tbody tr").count()
    rows = _csv(_download(page, ".turn .facts-box .export-csv")[1])
    assert n >= 1 and len(rows) == n + 1
    shot(page, tmp_path, "export-chat")
    _close(page)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_entity_graph_expands_beyond_one_hop(browser: Browser, live_web: Any, tencent: dict[str, Any], size: str,
                                             tmp_path: Path) -> None:
    base = tencent["entity"]["graph"]
    have = {n["id"] for n in base["nodes"]}
    with live_web.client() as c:
        grown = None
        for n in (n for n in base["nodes"] if not n["centre"]):
            g = c.get("/api/graph", params={"entity": "tencent", "expand": n["short_id"]}).json()
            if {m["id"] for m in g["nodes"]} - have:
                grown, first = g, n
                break
        assert grown is not None
        second_hop = next(m for m in grown["nodes"] if m["id"] not in have)
        twice = c.get("/api/graph", params=[("entity", "tencent"), ("expand", first["short_id"]),
                                            ("expand", second_hop["short_id"])]).json()
    page = open_page(browser, live_web.url, size=size)
    page.goto("/entities/tencent")
    nodes = page.locator("svg.graph .node")
    expect(nodes).to_have_count(len(base["nodes"]), timeout=60_000)
    page.locator(f"svg.graph .node[data-id='{first['short_id']}']").click()
    expect(nodes).to_have_count(len(grown["nodes"]), timeout=60_000)
    expect(page.locator("svg.graph .edge")).to_have_count(len(grown["edges"]))
    expect(page.locator(f"svg.graph .node.expanded.selected[data-id='{first['short_id']}']")).to_have_count(1)
    expect(page.locator(f"svg.graph .node[data-id='{second_hop['short_id']}']")).to_have_count(1)
    shot(page, tmp_path, f"graph-{size}-expanded", full_page=True)

    page.locator(f"svg.graph .node[data-id='{second_hop['short_id']}']").click()  # two hops from the centre
    expect(nodes).to_have_count(len(twice["nodes"]), timeout=60_000)
    expect(page.locator("svg.graph .node.expanded")).to_have_count(3)
    expect(page.locator("#graph-bar .graph-count")).to_contain_text(f"{len(twice['nodes'])} nodes")
    page.click("#graph-reset")
    expect(nodes).to_have_count(len(base["nodes"]), timeout=60_000)
    expect(page.locator("svg.graph .node.expanded")).to_have_count(1)  # the centre

    node = page.locator(f"svg.graph .node[data-id='{first['short_id']}']")
    node.focus()
    page.keyboard.press("Enter")
    expect(nodes).to_have_count(len(grown["nodes"]), timeout=60_000)
    page.click("#graph-open")
    expect(page.locator(".entity-head h1")).to_have_text(first["labels"]["en"], timeout=60_000)
    assert page.url.endswith("/entities/" + quote(first["short_id"], safe=""))
    _close(page)


def test_sparql_editor_highlights_keeps_history_and_declares_prefixes(browser: Browser, live_web: Any,
                                                                      tmp_path: Path) -> None:
    page = open_page(browser, live_web.url, scheme="dark")
    page.goto("/#sparql")
    editor = page.locator("#sparql-editor")
    layer = page.locator("#sparql-highlight")
    query = ('SELECT ?org ?name WHERE {\n  ?org a kgo:Organization ; skos:prefLabel ?name .\n'
             '  FILTER(LANG(?name) = "en") # English names\n} ORDER BY ?name LIMIT 5')
    page.fill("#sparql-editor", query)
    # the layer under the textarea holds the same text, split into tokens, in the same box
    assert layer.text_content().rstrip(" ") == query
    assert layer.bounding_box() == editor.bounding_box()
    for prop in ("font-family", "font-size", "line-height", "padding-top", "padding-left", "white-space"):
        assert layer.evaluate(f"e => getComputedStyle(e)['{prop}']") == editor.evaluate(f"e => getComputedStyle(e)['{prop}']")
    assert editor.evaluate("e => getComputedStyle(e).color") == "rgba(0, 0, 0, 0)"
    kinds = {k: layer.locator(f".tok-{k}").all_text_contents() for k in ("keyword", "var", "pname", "string", "comment", "function")}
    assert {"SELECT", "WHERE", "a", "FILTER", "ORDER", "BY", "LIMIT"} <= set(kinds["keyword"])
    assert {"?org", "?name"} == set(kinds["var"]) and {"kgo:Organization", "skos:prefLabel"} == set(kinds["pname"])
    assert kinds["string"] == ['"en"'] and kinds["comment"] == ["# English names"] and kinds["function"] == ["LANG"]
    colours = {k: layer.locator(f".tok-{k}").first.evaluate("e => getComputedStyle(e).color") for k in kinds}
    assert len(set(colours.values())) == len(colours)

    # the query uses kgo: and skos: without declaring them; one click declares both
    fix = page.locator("#sparql-fix-prefixes")
    expect(fix).to_be_visible()
    expect(fix).to_contain_text("kgo:")
    expect(fix).to_contain_text("skos:")
    shot(page, tmp_path, "editor-undeclared")
    fix.click()
    expect(fix).to_be_hidden()
    text = editor.input_value()
    assert text.startswith("PREFIX kgo: <https://w3id.org/kgqa/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
    assert text.endswith(query)
    page.select_option("#sparql-prefix", "rdfs")
    page.select_option("#sparql-prefix", "rdfs")  # a second time adds nothing
    text = editor.input_value()
    assert text.count("PREFIX rdfs:") == 1 and text.index("PREFIX rdfs:") < text.index("SELECT")
    assert layer.text_content().rstrip(" ") == text
    page.click("#sparql-run")
    expect(page.locator("#sparql-results table.grid tbody tr")).to_have_count(5, timeout=60_000)
    ran = editor.input_value()

    # a long query: the layer scrolls with the textarea
    long = "\n".join(f"# line {i}" for i in range(200)) + "\nASK { ?s ?p ?o }"
    page.fill("#sparql-editor", long)
    editor.evaluate("e => { e.scrollTop = 1500; e.dispatchEvent(new Event('scroll')); }")
    expect(layer).to_have_js_property("scrollTop", editor.evaluate("e => e.scrollTop"))
    page.click("#sparql-run")
    expect(page.locator("#sparql-results .boolean")).to_be_visible(timeout=60_000)
    page.fill("#sparql-editor", "SELECT ?s WHERE { ?s ?p }")
    page.click("#sparql-run")
    expect(page.locator("#sparql-results .error-box")).to_be_visible(timeout=60_000)

    # history: newest first, kept across a reload, an error marked; choosing one puts it back
    page.reload()
    options = page.locator("#sparql-history option")
    expect(options).to_have_count(5)  # the heading, three queries, "clear"
    labels = options.all_text_contents()
    assert labels[0].endswith("(3)") and labels[1].startswith("✗") and "SELECT ?s WHERE" in labels[1]
    assert "ASK" in labels[2] and "SELECT ?org ?name WHERE" in labels[3]
    page.select_option("#sparql-history", index=3)
    assert editor.input_value() == ran
    assert layer.text_content().rstrip(" ") == ran
    shot(page, tmp_path, "editor-history")
    page.select_option("#sparql-history", "clear")
    expect(page.locator("#sparql-history option")).to_have_count(1)
    _close(page)
