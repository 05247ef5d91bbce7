"""The web page's payloads (``kgqa.web.views``) and their routes (``kgqa.web.ui``).

Views run on an in-memory store with the shared corpus ingested; the routes run on the
real ``kgqa serve`` (the ``live`` fixture), whose store is the child Oxigraph server, so
the same payloads are checked on both backends. Expected values are read from the graph
or the article, never written here.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from ingestion import Ingestor
from kg.graphview import entity_graph
from kg.namespaces import KGO, KGR
from kg.store import OxigraphStore, ensure_reference_graphs
from kg.text import to_script
from kgqa.web import views
from kgqa.web.ui import prefers_html
from qa import QA, Fact, Source

FACT_KEYS = {f.name for f in dataclasses.fields(Fact)}
SOURCE_KEYS = {f.name for f in dataclasses.fields(Source)}


@pytest.fixture(scope="module")
def corpus_store(corpus_file: Path) -> Any:
    s = OxigraphStore.in_memory()
    ensure_reference_graphs(s)
    Ingestor(s).ingest_path(corpus_file)
    yield s
    s.close()


@pytest.fixture(scope="module")
def doc(corpus_store: Any, corpus_file: Path) -> dict[str, Any]:
    d = views.document_view(corpus_store, corpus_file.name)
    assert d is not None
    return d


def _most_observed(store: Any) -> str:
    rows = store.select(f"""SELECT ?s (COUNT(?o) AS ?n) WHERE {{ ?o a <{KGO}Observation> ; <{KGO}subject> ?s }}
                            GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1""")
    return rows[0][0]


def _check_fact(f: dict[str, Any], text_of: dict[str, str]) -> None:
    assert set(f) == FACT_KEYS
    if f["source"] is not None:
        assert set(f["source"]) == SOURCE_KEYS
        s = f["source"]
        assert text_of[s["document"]][s["start"]:s["end"]] == s["quote"]


# -- documents ----------------------------------------------------------------------------

def test_document_text_is_the_article_and_offsets_point_into_it(doc: dict[str, Any], corpus_file: Path) -> None:
    article = corpus_file.read_text(encoding="utf-8")
    assert doc["text"] and doc["text"] in article
    assert doc["mentions"] and doc["facts"]
    for m in doc["mentions"]:
        assert 0 <= m["start"] < m["end"] <= len(doc["text"])
        assert m["label"] and m["type"] and m["entity"].startswith("http")
    starts = [m["start"] for m in doc["mentions"]]
    assert starts == sorted(starts)
    for f in doc["facts"]:
        _check_fact(f, {doc["iri"]: doc["text"]})


def test_document_found_by_iri_short_id_name_and_hash_prefix(corpus_store: Any, doc: dict[str, Any]) -> None:
    for ref in (doc["iri"], doc["id"], doc["name"], doc["content_hash"][:8]):
        again = views.document_view(corpus_store, ref)
        assert again is not None and again["iri"] == doc["iri"], ref
    assert views.document_view(corpus_store, "no-such-document") is None
    assert views.document_view(corpus_store, "   ") is None


def test_document_found_by_its_source(tmp_path: Path) -> None:
    s = OxigraphStore.in_memory()
    ensure_reference_graphs(s)
    path = tmp_path / "note.txt"
    path.write_text("百度2025年Q1營收達100億元。", encoding="utf-8")
    result = Ingestor(s).ingest_path(path, source="https://news.example/a/1", title="A note")
    d = views.document_view(s, "https://news.example/a/1")
    assert d is not None and d["iri"] == result.document
    assert d["title"] == "A note" and d["source"] == "https://news.example/a/1"
    assert all(f["source"]["title"] == "A note" for f in d["facts"] if f["source"])


def test_ambiguous_document_reference_is_an_error(tmp_path: Path) -> None:
    s = OxigraphStore.in_memory()
    ensure_reference_graphs(s)
    for i, sub in enumerate(("a", "b")):
        (tmp_path / sub).mkdir()
        path = tmp_path / sub / "same-name.txt"
        path.write_text(f"百度2025年Q{i + 1}營收達{100 + i}億元。", encoding="utf-8")
        Ingestor(s).ingest_path(path)
    with pytest.raises(ValueError, match="matches 2 documents"):
        views.document_view(s, "same-name.txt")


# -- entities -----------------------------------------------------------------------------

def test_entity_view_facts_relations_and_sources(corpus_store: Any, doc: dict[str, Any]) -> None:
    iri = _most_observed(corpus_store)
    e = views.entity_view(corpus_store, iri)
    assert e is not None and e["iri"] == iri
    assert set(e["labels"]) <= set(views.LANGS) and e["labels"]
    assert e["type"] in e["types"]
    n_obs = corpus_store.select(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{KGO}Observation> ; <{KGO}subject> <{iri}> }}")
    assert len(e["facts"]) == min(n_obs[0][0], views.MAX_ENTITY_FACTS)
    assert e["truncated"]["facts"] == (n_obs[0][0] > views.MAX_ENTITY_FACTS)
    assert all(f["subject"] == iri and f["metric"] for f in e["facts"])
    for f in e["facts"] + e["relations"]:
        _check_fact(f, {doc["iri"]: doc["text"]})
    assert doc["iri"] in [d["iri"] for d in e["documents"]]
    assert set(e["metrics"]) == {f["metric"] for f in e["facts"]}


def test_entity_facts_have_the_shape_of_answer_facts(corpus_store: Any) -> None:
    questions = Path(__file__).resolve().parents[1] / "data" / "questions" / "corpus.jsonl"
    qa = QA(corpus_store)
    for line in questions.read_text(encoding="utf-8").splitlines()[:10]:
        answer = qa.ask(json.loads(line)["q"])
        if answer.facts:
            break
    assert answer.facts, "no question of the corpus set was answered with facts"
    served = answer.to_dict()["facts"][0]
    assert set(served) == FACT_KEYS and set(served["source"]) == SOURCE_KEYS
    e = views.entity_view(corpus_store, answer.facts[0].subject)
    assert e is not None
    mine = next(f for f in e["facts"] + e["relations"] if f["iri"] == served["iri"])
    for key in ("subject", "metric", "period", "value", "unit", "as_written", "change", "source"):
        if key == "source":
            assert {k: mine[key][k] for k in ("document", "start", "end", "quote")} == \
                {k: served[key][k] for k in ("document", "start", "end", "quote")}
        else:
            assert mine[key] == served[key], key


def test_neighbourhood_matches_the_networkx_view_of_the_whole_graph(corpus_store: Any) -> None:
    full = entity_graph(corpus_store)
    iri = max(full.nodes, key=lambda n: (full.degree(n), n))
    e = views.entity_view(corpus_store, iri)
    assert e is not None
    expected = set(full.predecessors(iri)) | set(full.successors(iri))
    nodes = {n["id"]: n for n in e["graph"]["nodes"]}
    assert set(nodes) - {iri} == expected - {iri}
    assert nodes[iri]["centre"] and (nodes[iri]["x"], nodes[iri]["y"]) == (0.0, 0.0)
    for n in nodes.values():
        assert -1.0 <= n["x"] <= 1.0 and -1.0 <= n["y"] <= 1.0 and n["label"] and n["type"]
    for edge in e["graph"]["edges"]:
        assert edge["source"] in nodes and edge["target"] in nodes
        assert full.has_edge(edge["source"], edge["target"])
    incident = {(s, o, d["predicate"]) for s, o, d in full.edges(data=True) if iri in (s, o) and s != o}
    drawn = {(x["source"], x["target"], x["label"]) for x in e["graph"]["edges"]}
    assert incident <= drawn


def test_neighbourhood_is_bounded(corpus_store: Any) -> None:
    full = entity_graph(corpus_store)
    iri = max(full.nodes, key=lambda n: (full.degree(n), n))
    e = views.entity_view(corpus_store, iri, neighbours=3)
    assert e is not None and len(e["graph"]["nodes"]) == 4


def test_unknown_or_invalid_entity_is_none(corpus_store: Any) -> None:
    assert views.entity_view(corpus_store, KGR + "no-such-entity-anywhere") is None
    assert views.entity_view(corpus_store, "not an iri <>") is None
    assert views.resolve_entity(corpus_store, "no-such-entity-anywhere") is None


# -- search -------------------------------------------------------------------------------

def test_search_finds_an_entity_by_either_script_and_case(corpus_store: Any, doc: dict[str, Any]) -> None:
    mention = next(m for m in doc["mentions"] if to_script(m["label"], "zh-Hans") != m["label"])
    for text in (mention["label"], to_script(mention["label"], "zh-Hans")):
        hits = views.search_entities(corpus_store, text, 10)
        assert hits and hits[0]["matched"] == "exact", text
        assert mention["entity"] in [h["iri"] for h in hits if h["matched"] == "exact"]
    latin = next(m["entity"] for m in doc["mentions"]
                 if doc["names"][m["entity"]]["en"].isascii() and len(doc["names"][m["entity"]]["en"]) > 2)
    hits = views.search_entities(corpus_store, doc["names"][latin]["en"].upper(), 5)
    assert latin in [h["iri"] for h in hits]
    assert views.resolve_entity(corpus_store, to_script(mention["label"], "zh-Hans")) is not None


def test_search_ranks_and_limits(corpus_store: Any, doc: dict[str, Any]) -> None:
    label = doc["mentions"][0]["label"]
    hits = views.search_entities(corpus_store, label[:1], 3)
    assert 1 <= len(hits) <= 3
    order = ["exact", "prefix", "contains"]
    assert [order.index(h["matched"]) for h in hits] == sorted(order.index(h["matched"]) for h in hits)
    assert views.search_entities(corpus_store, "", 5) == []
    assert views.search_entities(corpus_store, "zzqqxx-nothing", 5) == []


# -- routes on the real server --------------------------------------------------------------

def test_accept_negotiation() -> None:
    assert prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert not prefers_html("application/json")
    assert not prefers_html("*/*")
    assert not prefers_html("text/html;q=0.2, application/json")
    assert not prefers_html(None)


def test_entity_route_json_and_html(live: Any, corpus_store: Any) -> None:
    iri = _most_observed(corpus_store)
    local = iri[len(KGR):]
    with live.client() as c:
        r = c.get(f"/entities/{quote(local)}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        remote = r.json()
        page = c.get(f"/entities/{quote(local)}", headers={"Accept": "text/html,*/*;q=0.8"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "/static/app.js" in page.text
        by_iri = c.get("/entities/" + quote(iri, safe=""))
        assert by_iri.status_code == 200 and by_iri.json()["iri"] == iri
    local_view = views.entity_view(corpus_store, iri)
    assert local_view is not None
    # the same payload from the SPARQL-server store as from the embedded one
    for key in ("iri", "labels", "types", "documents", "metrics"):
        assert remote[key] == local_view[key], key
    assert {f["iri"] for f in remote["facts"]} == {f["iri"] for f in local_view["facts"]}
    assert {(f["subject"], f["predicate"], f["object"]) for f in remote["relations"]} == \
        {(f["subject"], f["predicate"], f["object"]) for f in local_view["relations"]}
    assert remote["graph"] == local_view["graph"]


def test_document_route_and_errors(live: Any, doc: dict[str, Any]) -> None:
    with live.client() as c:
        r = c.get(f"/documents/{doc['id']}")
        assert r.status_code == 200
        body = r.json()
        assert body["text"] == doc["text"] and body["mentions"] == doc["mentions"]
        assert c.get(f"/documents/{doc['content_hash'][:10]}").json()["iri"] == doc["iri"]
        for path, code in (("/documents/no-such-doc", "document_not_found"),
                           ("/entities/no-such-entity-anywhere", "entity_not_found")):
            miss = c.get(path)
            assert miss.status_code == 404
            assert miss.json() == {"error": {"status": 404, "code": code, "message": miss.json()["error"]["message"]}}
            assert miss.json()["error"]["message"]


def test_search_route_and_static_files(live: Any, doc: dict[str, Any]) -> None:
    label = doc["mentions"][0]["label"]
    with live.client() as c:
        r = c.get("/api/entities", params={"q": to_script(label, "zh-Hans"), "limit": 3})
        assert r.status_code == 200
        assert doc["mentions"][0]["entity"] in [h["iri"] for h in r.json()["results"]]
        assert c.get("/api/entities", params={"q": ""}).status_code == 422
        assert c.get("/api/entities", params={"q": "x", "limit": 0}).json()["error"]["code"] == "invalid_request"
        page = c.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        for name, ctype in (("app.js", "javascript"), ("style.css", "text/css")):
            s = c.get(f"/static/{name}")
            assert s.status_code == 200 and ctype in s.headers["content-type"]
        assert c.get("/static/missing.js").json()["error"]["code"] == "static_not_found"
        raw = httpx.get(live.url + "/static/%2E%2E/views.py", trust_env=False)
        assert raw.status_code == 404 and "def entity_view" not in raw.text
        vocab = c.get("/api/vocabulary").json()["metrics"]
        assert all(set(v) == set(views.LANGS) for v in vocab.values())
        assert {f["metric"] for f in doc["facts"] if f["metric"]} <= set(vocab)
