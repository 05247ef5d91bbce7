"""Our own articles (tests/data/articles): three scripts, GB18030, Big5, HTML, unknown companies."""
from __future__ import annotations

import pytest

from golden import DATA, load_golden, score_observations, score_relations
from ingestion import Ingestor, read_document

ARTICLES = sorted(p.name for p in (DATA / "articles").iterdir())


@pytest.mark.parametrize("name", ARTICLES)
def test_article_matches_golden(store, name):
    result = Ingestor(store).ingest_path(DATA / "articles" / name)
    golden = load_golden(name + ".json")
    obs = score_observations(store, result.document, golden)
    assert obs.recall >= 0.95 and obs.precision >= 0.95, (obs.missing, obs.extra)
    rel = score_relations(store, result.document, golden)
    assert rel.recall >= 0.9 and rel.precision >= 0.8, (rel.missing, rel.extra)


@pytest.mark.parametrize("name,encoding", [("ev-and-ai.zh-Hans.gb18030.txt", "gb18030"),
                                           ("ad-tech.zh-Hant.big5.txt", "big5"),
                                           ("cloud-price-war.zh-Hant.txt", "utf-8")])
def test_encoding_is_detected(name, encoding):
    assert read_document(DATA / "articles" / name).encoding == encoding


def test_html_script_numbers_are_not_facts(store):
    result = Ingestor(store).ingest_path(DATA / "articles" / "q2-results.en.html")
    values = [v for (v,) in store.select("SELECT ?v WHERE { ?o <https://w3id.org/kgqa/ontology#value> ?v }")]
    assert 98500000000 not in values and 1843 not in values
    assert result.observations >= 18


def test_new_names_become_entities_shared_across_documents(store):
    ing = Ingestor(store)
    ing.ingest_path(DATA / "articles" / "ev-and-ai.zh-Hans.gb18030.txt")
    rows = store.select("""SELECT ?e WHERE { ?e skos:prefLabel "星河科技"@zh-Hans ; a kgo:Organization }""")
    assert len(rows) == 1
    from ingestion import parse_document

    r = ing.ingest_document(parse_document("星河科技2025年第三季度营收达50亿元。", name="later.txt"))
    assert r.observations == 1
    subj = store.select("""SELECT ?s WHERE { ?o kgo:subject ?s ; kgo:value ?v FILTER(?v = 5000000000) }""")
    assert subj == [(rows[0][0],)]
