"""The web page in a real browser: headless Debian Chromium driven by Playwright, against the
real ``kgqa serve`` (the ``live`` fixture) with the shared corpus ingested.

Questions come from the golden question set (tests/data/questions/corpus.jsonl); expected
quotes are checked against the article text. Screenshots go to the test's ``tmp_path``
and to ``.test-output/screenshots/`` in the repository (git-ignored), to be looked at.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from browsing import shot
from kg.text import to_script

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
QUESTIONS = ROOT / "tests" / "data" / "questions" / "corpus.jsonl"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium (scripts/setup-browser.sh)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser: Browser, live: Any, locale: str = "en-US") -> Page:
    ctx = browser.new_context(viewport={"width": 1360, "height": 900}, locale=locale, base_url=live.url)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}") if "127.0.0.1" not in r.url else None)
    page.errors = errors  # type: ignore[attr-defined]
    return page


@pytest.fixture
def page(browser: Browser, live: Any) -> Iterator[Page]:
    p = _page(browser, live)
    yield p
    assert not p.errors, p.errors  # type: ignore[attr-defined]
    p.context.close()


def lookup_questions(lang: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["kind"] == "lookup" and r["lang"] == lang]


def test_chat_answer_cites_and_opens_the_source_sentence(page: Page, live: Any, corpus_file: Path,
                                                          tmp_path: Path) -> None:
    article = corpus_file.read_text(encoding="utf-8")
    question = lookup_questions("zh-Hant")[0]["q"]
    with live.client() as c:
        expected = c.post("/ask", json={"question": question}).json()
    assert expected["status"] == "answered" and expected["facts"]
    page.goto("/")
    page.fill("#chat-input", question)
    page.press("#chat-input", "Enter")
    turn = page.locator(".turn").last
    expect(turn).to_have_class(re.compile("turn-answered"), timeout=60_000)
    expect(turn.locator(".answer-text")).to_have_text(expected["answer"])
    expect(turn.locator(".badge")).to_have_text("answered")
    expect(turn.locator("table.facts tbody tr")).to_have_count(len(expected["facts"]))
    chips = turn.locator(".citations .citation")
    assert chips.count() >= 1
    cited = expected["facts"][0]["source"]
    assert chips.first.get_attribute("title") == cited["quote"]
    shot(page, tmp_path, "1-chat-answer")

    chips.first.click()
    expect(page.locator("#pane-document")).to_be_visible()
    mark = page.locator(".article .hl")
    expect(mark.first).to_be_visible()
    assert "".join(mark.all_inner_texts()) == cited["quote"]
    assert cited["quote"] in article
    assert mark.first.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight }")
    assert re.search(rf"/documents/[^?]+\?start={cited['start']}&end={cited['end']}$", page.url)
    assert page.locator(".article .mention").count() >= 1
    shot(page, tmp_path, "2-source-sentence")

    page.go_back()
    expect(page.locator("#pane-chat")).to_be_visible()


def test_chat_follow_up_keeps_the_session(page: Page, live: Any) -> None:
    question = lookup_questions("zh-Hant")[0]["q"]
    page.goto("/")
    page.fill("#chat-input", question)
    page.press("#chat-input", "Enter")
    expect(page.locator(".turn").last).to_have_class(re.compile("turn-"), timeout=60_000)
    tag = page.locator("#session-tag")
    expect(tag).to_contain_text(re.compile(r"session \w+"))
    first = tag.inner_text()
    page.fill("#chat-input", "那同比增長多少?")
    page.press("#chat-input", "Enter")
    expect(page.locator(".turn")).to_have_count(2)
    expect(page.locator(".turn").last).to_have_class(re.compile("turn-"), timeout=60_000)
    assert tag.inner_text() == first


def test_sparql_editor_runs_a_query_and_shows_errors(page: Page, live: Any, tmp_path: Path) -> None:
    with live.client() as c:
        n_docs = c.post("/sparql", data={"query": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://w3id.org/kgqa/ontology#Document> }"},
                        headers={"Accept": "application/sparql-results+json"}).json()
    docs = int(n_docs["results"]["bindings"][0]["n"]["value"])
    page.goto("/#sparql")
    expect(page.locator("#pane-sparql")).to_be_visible()
    options = page.locator("#sparql-examples option")
    assert options.count() >= 5
    page.select_option("#sparql-examples", label="Documents")
    page.locator("#sparql-editor").press("Control+Enter")
    rows = page.locator("#sparql-results table.grid tbody tr")
    expect(rows).to_have_count(docs, timeout=20_000)
    expect(page.locator("#sparql-status")).to_contain_text(re.compile(rf"^{docs} rows? · \d+ ms$"))
    page.select_option("#sparql-examples", label="Top metrics")
    page.click("#sparql-run")
    expect(page.locator("#sparql-results th").nth(1)).to_have_text("?metric", timeout=20_000)
    assert page.locator("#sparql-results tbody tr").count() >= 1
    shot(page, tmp_path, "3-sparql-results")

    page.fill("#sparql-editor", "SELECT ?s WHERE { ?s ?p }")
    page.click("#sparql-run")
    box = page.locator("#sparql-results .error-box")
    expect(box).to_be_visible(timeout=20_000)
    expect(box).to_contain_text("400")
    expect(page.locator("#sparql-status")).to_have_class(re.compile("bad"))
    page.fill("#sparql-editor", "INSERT DATA { <http://a> <http://b> <http://c> }")
    page.click("#sparql-run")
    expect(page.locator("#sparql-results .error-box")).to_be_visible(timeout=20_000)
    shot(page, tmp_path, "4-sparql-error")


def test_entity_page_from_search_shows_facts_and_graph(page: Page, live: Any, tmp_path: Path) -> None:
    with live.client() as c:
        top = c.post("/sparql", data={"query": """SELECT ?s (COUNT(?o) AS ?n) WHERE {
            ?o a <https://w3id.org/kgqa/ontology#Observation> ; <https://w3id.org/kgqa/ontology#subject> ?s }
            GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1"""}, headers={"Accept": "application/sparql-results+json"}).json()
        iri = top["results"]["bindings"][0]["s"]["value"]
        entity = c.get("/entities/" + quote(iri, safe=""), params={"lang": "en"}).json()
        zh = c.get("/entities/" + quote(iri, safe=""), params={"lang": "zh-Hant"}).json()["label"]
    simplified = to_script(zh, "zh-Hans")
    page.goto("/")
    page.fill("#entity-search", simplified)
    hit = page.locator("#search-results li").first
    expect(hit).to_be_visible(timeout=10_000)
    shot(page, tmp_path, "5-entity-search")
    page.press("#entity-search", "Enter")
    expect(page.locator("#pane-entity")).to_be_visible()
    expect(page.locator(".entity-head h1")).to_have_text(entity["label"], timeout=20_000)
    nodes = page.locator("svg.graph .node")
    expect(nodes).to_have_count(len(entity["graph"]["nodes"]))
    expect(page.locator("svg.graph .edge")).to_have_count(len(entity["graph"]["edges"]))
    expect(page.locator(".entity-grid table.facts").first.locator("tbody tr")).to_have_count(len(entity["facts"]))
    shot(page, tmp_path, "6-entity-graph", full_page=True)

    # a click expands a node (tests/web/test_page.py checks what it adds); "Open" goes to its page
    neighbour = next(n for n in entity["graph"]["nodes"] if not n["centre"])
    page.locator(f"svg.graph .node[data-id='{neighbour['short_id']}']").click()
    expect(page.locator(f"svg.graph .node.expanded[data-id='{neighbour['short_id']}']")).to_have_count(1, timeout=20_000)
    page.click("#graph-open")
    expect(page.locator(".entity-head h1")).to_have_text(neighbour["labels"]["en"], timeout=20_000)
    assert page.url.endswith("/entities/" + quote(neighbour["short_id"], safe=""))
    expect(page.locator("svg.graph .node.centre")).to_have_count(1)


def test_direct_links_and_chinese_interface(browser: Browser, live: Any, tmp_path: Path, corpus_file: Path) -> None:
    page = _page(browser, live, locale="zh-TW")
    with live.client() as c:
        doc = c.get(f"/documents/{corpus_file.name}").json()
    page.goto(f"/documents/{doc['id']}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.locator(".tab[data-tab=document]")).to_have_text("文檔")
    expect(page.locator(".tab[data-tab=document]")).to_have_class(re.compile("active"))
    mentions = page.locator(".article .mention")
    expect(mentions.first).to_be_visible(timeout=20_000)
    first = doc["mentions"][0]
    assert mentions.first.inner_text() == doc["text"][first["start"]:first["end"]]
    assert mentions.count() >= len({(m["start"], m["end"]) for m in doc["mentions"]})
    shot(page, tmp_path, "7-document-zh")
    page.click(".lang-toggle button[data-lang=en]")
    expect(page.locator(".tab[data-tab=document]")).to_have_text("Document")
    page.click(".lang-toggle button[data-lang=zh]")
    expect(page.locator(".tab[data-tab=chat]")).to_have_text("問答")
    page.goto("/#chat")
    expect(page.locator(".chat-empty h2")).to_have_text("向圖譜提問")
    shot(page, tmp_path, "8-chat-zh")
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    page.context.close()
