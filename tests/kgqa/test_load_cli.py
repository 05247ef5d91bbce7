"""`kgqa load FILE`: bulk loading of RDF dumps into the on-disk store, all or nothing."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.namespaces import KGO
from kg.store import OxigraphStore
from kgqa.cli import app

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "tests" / "data" / "articles" / "cloud-price-war.zh-Hant.txt"
G = "http://example.org/graph/"
_OBSERVATIONS = f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{KGO}Observation> ; <{KGO}value> ?v }}"


def _kgqa(data: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [*args, "--data-dir", str(data)], catch_exceptions=False)


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    """An N-Quads export of one ingested article's graph, its number of quads and observations."""
    from ingestion import Ingestor
    from kg.namespaces import document_graph

    root = tmp_path_factory.mktemp("dump")
    store = OxigraphStore.in_memory()
    result = Ingestor(store).ingest_path(ARTICLE)
    path = root / "article.nq"
    with open(path, "wb") as f:
        store.export(f, "nquads", graph=document_graph(result.document))
    observations = store.select(_OBSERVATIONS)[0][0]
    assert observations > 0
    return path, result.triples, observations


def _count(data: Path) -> int:
    store = OxigraphStore(data / "store")
    try:
        return store.count()
    finally:
        store.close()


def test_an_nquads_dump_loads_and_survives_reopening(dump, tmp_path):
    path, quads, observations = dump
    res = _kgqa(tmp_path, "load", str(path))
    assert res.exit_code == 0, res.output
    assert f"loaded {quads:,} new quads (nquads)" in res.output
    store = OxigraphStore(tmp_path / "store")  # a fresh handle on the directory: written to disk
    try:
        assert f"the store holds {store.count():,}" in res.output
        assert store.select(_OBSERVATIONS)[0][0] == observations
    finally:
        store.close()
    stats = _kgqa(tmp_path, "stats", "--json")
    assert stats.exit_code == 0 and '"documents": 1' in stats.output


def test_loading_the_same_dump_twice_adds_nothing(dump, tmp_path):
    path, _, _ = dump
    assert _kgqa(tmp_path, "load", str(path)).exit_code == 0
    n = _count(tmp_path)
    res = _kgqa(tmp_path, "load", str(path))
    assert res.exit_code == 0 and "loaded 0 new quads" in res.output
    assert _count(tmp_path) == n


@pytest.mark.parametrize("name,fmt,text", [
    ("facts.ttl", None, '@prefix ex: <http://example.org/> .\nex:acme ex:revenue 42 ; ex:name "Acme"@en .\n'),
    ("facts.nt", None, ('<http://example.org/acme> <http://example.org/revenue> '
                        '"42"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
                        '<http://example.org/acme> <http://example.org/name> "Acme"@en .\n')),
    ("facts.data", "turtle", '@prefix ex: <http://example.org/> .\nex:acme ex:revenue 42 ; ex:name "Acme"@en .\n'),
    ("facts.trig", None, ('@prefix ex: <http://example.org/> .\n<http://example.org/graph/t> '
                          '{ ex:acme ex:revenue 42 ; ex:name "Acme"@en . }\n')),
])
def test_triple_and_dataset_formats(tmp_path, name, fmt, text):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    data = tmp_path / "data"
    graph = [] if name.endswith(".trig") else ["--graph", G + "t"]
    res = _kgqa(data, "load", str(f), *(["--format", fmt] if fmt else []), *graph)
    assert res.exit_code == 0, res.output
    assert "loaded 2 new quads" in res.output
    store = OxigraphStore(data / "store")
    try:
        assert G + "t" in store.graphs()
        assert store.select(f"SELECT ?v WHERE {{ GRAPH <{G}t> {{ ?s <http://example.org/revenue> ?v }} }}") == [(42,)]
    finally:
        store.close()


def test_a_triple_file_without_graph_goes_to_the_default_graph_and_is_queryable(tmp_path):
    f = tmp_path / "facts.ttl"
    f.write_text('<http://example.org/acme> <http://example.org/revenue> 7 .\n', encoding="utf-8")
    assert _kgqa(tmp_path / "data", "load", str(f)).exit_code == 0
    res = _kgqa(tmp_path / "data", "sparql", "SELECT ?v WHERE { ?s <http://example.org/revenue> ?v }", "-f", "csv")
    assert res.exit_code == 0 and res.output.splitlines()[-1].strip() == "7"


@pytest.mark.parametrize("where", ["near the start", "near the end"])
def test_a_malformed_dump_is_refused_whole_naming_file_and_line(dump, tmp_path, where):
    path, _, _ = dump
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) > 100
    bad_line = 2 if where == "near the start" else len(lines) - 3
    broken = tmp_path / "broken.nq"
    bad = '<http://example.org/x> <http://example.org/p> "no end <http://example.org/g> .\n'
    broken.write_text("".join(lines[:bad_line - 1]) + bad + "".join(lines[bad_line - 1:]), encoding="utf-8")
    data = tmp_path / "data"
    (tmp_path / "empty.nt").write_text("", encoding="utf-8")
    before = _kgqa(data, "load", str(tmp_path / "empty.nt"))  # creates the store with its reference graphs
    assert before.exit_code == 0
    n = _count(data)
    res = _kgqa(data, "load", str(broken))
    assert res.exit_code == 1
    assert str(broken) in res.output and f"line {bad_line}" in res.output and "nothing was loaded" in res.output
    assert _count(data) == n  # not one quad of the good lines before the bad one


def test_bad_invocations_say_what_to_do(dump, tmp_path):
    path, _, _ = dump
    odd = tmp_path / "facts.data"
    odd.write_text("<http://a> <http://b> <http://c> .\n", encoding="utf-8")
    res = _kgqa(tmp_path / "data", "load", str(odd))
    assert res.exit_code == 1 and "--format" in res.output
    res = _kgqa(tmp_path / "data", "load", str(path), "--graph", G + "x")
    assert res.exit_code == 1 and "triple formats" in res.output
    res = _kgqa(tmp_path / "data", "load", str(tmp_path / "missing.nq"))
    assert res.exit_code == 1 and "no such file" in res.output
    res = _kgqa(tmp_path / "data", "load", str(path), "--format", "yaml")
    assert res.exit_code == 1 and "unknown format" in res.output
