"""The synthetic article generator: deterministic, three scripts, and readable by the pipeline."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("kgqa_bench_generate", ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def articles(gen):
    return gen.generate_articles(5, seed=1)


def _script(text: str) -> str:
    from kg.text import script_of

    body = text.split("\n---\n", 1)[1]
    return script_of(body)


def test_deterministic(gen, articles):
    assert gen.generate_articles(5, seed=1) == articles
    assert gen.generate_articles(5, seed=2) != articles
    assert gen.generate_articles(3, seed=1) == articles[:3]


def test_three_scripts_front_matter_and_length(articles):
    from ingestion import parse_document

    assert len({name for name, _ in articles}) == 5
    declared = {name.split(".")[1] for name, _ in articles}
    assert declared == {"zh-Hant", "zh-Hans", "en"}
    for name, text in articles:
        assert 1500 <= len(text) <= 6000, (name, len(text))
        assert _script(text) == name.split(".")[1], name
        doc = parse_document(text, name=name)
        assert doc.title and doc.date is not None
        assert re.fullmatch(r"https://example\.com/gen/\d+", doc.source or "")
        assert re.search(r"\d", text[doc.body_start:])


def test_pipeline_reads_generated_articles(articles, store):
    from ingestion import Ingestor, parse_document

    ing = Ingestor(store)
    by_lang = {}
    for name, text in articles:
        by_lang.setdefault(name.split(".")[1], (name, text))
    assert len(by_lang) == 3
    for lang, (name, text) in sorted(by_lang.items()):
        result = ing.ingest_document(parse_document(text, name=name))
        assert result.observations > 0, (lang, name)


@pytest.fixture(scope="module")
def small_graph(gen, tmp_path_factory):
    """A generated graph of about 5,000 document triples beyond the reference graphs, bulk-loaded
    into an on-disk store (the target follows the reference graphs, which grow with the ontology)."""
    from kg.store import OxigraphStore

    tmp = tmp_path_factory.mktemp("graph")
    path = tmp / "g.nq"
    target = len(gen._reference_nquads()) + 5000
    stats = gen.generate_graph(target, path, seed=3, samples=40)
    store = OxigraphStore(tmp / "store")
    with path.open("rb") as f:
        store.load(f, "nquads")
    yield gen, stats, store, path, target
    store.close()


def test_graph_size_and_determinism(small_graph):
    import io

    gen, stats, store, path, target = small_graph
    assert target <= stats.triples < target + 2000 and stats.documents >= 3 and stats.observations > 50
    assert store.count() == stats.triples  # no quad written twice
    again = io.StringIO()
    gen.generate_graph(target, again, seed=3)
    assert again.getvalue() == path.read_text(encoding="utf-8")
    other = io.StringIO()
    gen.generate_graph(target, other, seed=4)
    assert other.getvalue() != again.getvalue()


def test_graph_has_ingestion_shape(small_graph):
    """Every document graph passes ingestion's structural checks; reference graphs are current."""
    from kg.store import ensure_reference_graphs
    from ingestion.validate import check_quads

    _, stats, store, _, _ = small_graph
    assert ensure_reference_graphs(store) is False  # the generator wrote them as ingestion does
    docs = [g for g in store.graphs() if "/graph/doc/" in g]
    assert len(docs) == stats.documents
    for g in docs:
        quads = list(store.quads(g))
        texts = [q.object.value for q in quads if q.predicate.value.endswith("#text")]
        assert len(texts) == 1, g
        assert check_quads(quads, texts[0]) == [], g
    langs = {lang for (lang,) in store.select(
        "SELECT DISTINCT (LANG(?l) AS ?lang) WHERE { GRAPH ?g { ?e skos:prefLabel|skos:altLabel ?l } "
        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/kgqa/graph/doc/')) }")}
    assert {"zh-hant", "zh-hans", "en"} <= langs
    kinds = {t for (t,) in store.select("SELECT DISTINCT ?t WHERE { GRAPH ?g { ?e a ?t } }")}
    assert {"https://w3id.org/kgqa/ontology#" + k for k in ("Document", "Mention", "Observation", "Assertion",
                                                         "Organization", "Period")} <= kinds


def test_qa_answers_generated_questions_from_generated_quotes(small_graph):
    from qa import QA

    _, stats, store, _, _ = small_graph
    qa = QA(store, embedding_model="none")
    checked = 0
    for sample in stats.samples[:12]:
        a = qa.ask(sample["question"])
        assert a.status == "answered", (sample["question"], a.answer)
        grounded = [f for f in a.facts if f.subject == sample["subject"] and f.value == pytest.approx(sample["value"])]
        assert grounded, (sample["question"], a.answer)
        src = grounded[0].source
        text = store.select("SELECT ?t WHERE { ?d kgo:text ?t }", {"d": _iri(src.document)})[0][0]
        assert text[src.start:src.end] == src.quote
        assert sample["as_written"].split("; ")[0] in src.quote or src.quote == sample["quote"]
        checked += 1
    assert checked == 12


def _iri(value: str):
    from pyoxigraph import NamedNode

    return NamedNode(value)
