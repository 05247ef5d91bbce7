"""Text to SPARQL with a scripted chat model (langchain_core's FakeListChatModel stands in for an LLM:
CI has none). The replies are scripted; everything else is real: the shared corpus article in an
in-memory Oxigraph store, the checks, the repair loop, grounding in cited facts.

Queries are built from what the graph holds (an observation's subject and metric read from the
store), never from the article's text.
"""
from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from kg.namespaces import KGO, compact
from qa import QA
from qa.llm import QueryRejectedError
from qa.llm.schema_view import MAX_CHARS, schema_view
from qa.llm.text2sparql import check_query, extract_query

OFF_TOPIC = "Tell me something surprising about flying submarines?"  # no template answers it


class Prompts(BaseCallbackHandler):
    """Records every prompt the scripted model receives, to see what was fed back to it."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[Any]], **kw: Any) -> None:
        self.seen.append("\n".join(str(m.content) for m in messages[0]))


def scripted(*replies: str) -> tuple[FakeListChatModel, Prompts]:
    prompts = Prompts()
    return FakeListChatModel(responses=list(replies), callbacks=[prompts]), prompts


def fenced(query: str) -> str:
    return f"Here is the query:\n```sparql\n{query}\n```"


@pytest.fixture(scope="module")
def observation(corpus_store) -> tuple[str, str, str]:
    """(observation IRI, subject, metric) of one observation with a value, read from the graph."""
    rows = corpus_store.select(f"""SELECT ?o ?s ?m WHERE {{ ?o a <{KGO}Observation> ; <{KGO}subject> ?s ;
        <{KGO}metric> ?m ; <{KGO}value> ?v }} ORDER BY ?o LIMIT 1""")
    assert rows, "the corpus graph has no observation with a value"
    return rows[0]


@pytest.fixture(scope="module")
def doc_text(corpus_store):
    def text(doc: str) -> str:
        return str(corpus_store.select(f"SELECT ?t WHERE {{ <{doc}> <{KGO}text> ?t }}")[0][0])
    return text


def test_question_is_not_answered_offline(corpus_store):
    assert QA(corpus_store).ask(OFF_TOPIC).status == "not_found"


def test_bad_sparql_repaired_and_grounded(corpus_store, observation, doc_text):
    _, subject, metric = observation
    good = f"SELECT ?o WHERE {{ ?o a kgo:Observation ; kgo:subject {compact(subject)} ; kgo:metric {compact(metric)} }}"
    model, prompts = scripted(fenced("SELECT ?o WHERE { ?o a kgo:Observation ; kgo:subject }"), fenced(good))
    a = QA(corpus_store, llm=model).ask(OFF_TOPIC)
    assert a.status == "answered" and a.mode == "llm"
    assert a.llm == {"used": True, "stage": "sparql", "attempts": 2, "rejected": True,
                     "reason": a.llm["reason"]} and "does not parse" in a.llm["reason"]
    assert "does not parse" in prompts.seen[1]  # the error went back to the model
    assert all(f.subject == subject and f.metric == metric.rsplit("/", 1)[-1] for f in a.facts)
    for f in a.facts:  # every fact cited: the quote is the document's own text at its offsets
        assert doc_text(f.source.document)[f.source.start:f.source.end] == f.source.quote
    assert "LIMIT" in a.sparql and a.to_dict()["llm"]["stage"] == "sparql"


@pytest.mark.parametrize("hostile, why", [
    ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "INSERT is not allowed"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE is not allowed"),
    ("LOAD <http://example.org/data.ttl>", "LOAD is not allowed"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
    ("SELECT * WHERE { ?s ?p <file:///etc/passwd> }", "file IRIs"),
    ("PREFIX kgo: <http://evil.example/#>\nSELECT ?o WHERE { ?o a kgo:Observation }", "unknown prefix"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "write a SELECT"),
    ("SELECT ?o WHERE { ?o a kgo:Observashun }", "unknown term kgo:Observashun"),
])
def test_hostile_sparql_refused(corpus_store, hostile, why):
    before = corpus_store.count()
    model, prompts = scripted(fenced(hostile))  # the model insists: every attempt is the same query
    a = QA(corpus_store, llm=model, llm_max_repairs=1).ask(OFF_TOPIC)
    assert a.status == "not_found" and a.mode == "template" and not a.facts
    assert a.llm["attempts"] == 2 and a.llm["rejected"] is True and why in a.llm["reason"]
    assert len(prompts.seen) == 2 and why in prompts.seen[1]
    assert corpus_store.count() == before


def test_rows_without_provenance_are_not_cited(corpus_store, observation):
    _, subject, _ = observation
    count = f"SELECT (COUNT(?o) AS ?n) WHERE {{ ?o kgo:subject {compact(subject)} }}"
    values = f"SELECT ?v WHERE {{ ?o kgo:subject {compact(subject)} ; kgo:value ?v }}"
    model, prompts = scripted(fenced(count), fenced(values))
    a = QA(corpus_store, llm=model, llm_max_repairs=1).ask(OFF_TOPIC)
    assert a.status == "not_found" and "cannot be cited" in a.llm["reason"]
    assert "select the observation node" in prompts.seen[1]


def test_garbage_reply_means_not_found(corpus_store):
    model, _ = scripted("Sure! The answer is 42 flying submarines. 🚢")
    a = QA(corpus_store, llm=model, llm_max_repairs=2).ask(OFF_TOPIC)
    assert a.status == "not_found" and "42" not in a.answer
    assert a.llm["attempts"] == 3 and "no query found" in a.llm["reason"]


def test_model_timeout_falls_back_offline(corpus_store):
    import time

    model = FakeListChatModel(responses=["```sparql\nSELECT ?o WHERE { ?o ?p ?x }\n```"], sleep=3.0)
    start = time.monotonic()
    a = QA(corpus_store, llm=model, llm_timeout_s=0.5).ask(OFF_TOPIC)
    assert time.monotonic() - start < 2.5
    assert a.status == "not_found" and a.llm["rejected"] is False and "within the 0.5 s limit" in a.llm["reason"]


def test_model_error_falls_back_offline(corpus_store):
    model = FakeListChatModel(responses=["```sparql\nSELECT"], error_on_chunk_number=2)
    a = QA(corpus_store, llm=model).ask(OFF_TOPIC)
    assert a.status == "not_found" and "FakeListChatModelError" in a.llm["reason"]


def test_extract_query_forms():
    assert extract_query("```SPARQL\nSELECT ?s WHERE { ?s ?p ?o }\n```") == "SELECT ?s WHERE { ?s ?p ?o }"
    assert extract_query("SELECT ?s WHERE { ?s ?p ?o }") == "SELECT ?s WHERE { ?s ?p ?o }"
    with pytest.raises(QueryRejectedError):
        extract_query("```python\nprint('SELECT')\n```")
    with pytest.raises(QueryRejectedError):
        extract_query("```sparql\nSELECT ?s WHERE {")  # cut off: no closing fence


def test_check_query_adds_limit_and_prefixes(corpus_store, observation):
    _, subject, _ = observation
    q = check_query(f"SELECT ?o WHERE {{ ?o kgo:subject {compact(subject)} }}", corpus_store)
    assert q.rstrip().endswith("LIMIT 50") and "PREFIX kgo:" in q
    assert corpus_store.select(q)
    kept = check_query(f"SELECT ?o WHERE {{ ?o kgo:subject {compact(subject)} }} LIMIT 2", corpus_store)
    assert kept.count("LIMIT") == 1


def test_unknown_term_suggests_a_listed_one(corpus_store, observation):
    _, subject, metric = observation
    qa = QA(corpus_store)
    ref = qa.g.lexicon.by_iri[subject]
    view = schema_view(qa.g, [ref], [])
    wrong = compact(metric)[:-1] + "x"
    with pytest.raises(QueryRejectedError, match=f"unknown term {wrong}.*did you mean {compact(metric)}"):
        check_query(f"SELECT ?o WHERE {{ ?o kgo:metric {wrong} }}", corpus_store, view)


def test_schema_view_is_pruned_to_the_question(corpus_store, observation):
    _, subject, metric = observation
    qa = QA(corpus_store)
    ref = qa.g.lexicon.by_iri[subject]
    view = schema_view(qa.g, [ref], [])
    assert len(view.text) <= MAX_CHARS
    assert compact(subject) in view.text and compact(metric) in view.text
    n_metrics = len(corpus_store.select(f"SELECT ?m WHERE {{ ?m a <{KGO}Metric> }}"))
    assert len(view.metrics) <= 10 < n_metrics  # not the whole schema
    assert view.text.count("```sparql") >= 2  # examples built from the question's own IRIs


def test_rows_that_drop_the_asked_period_are_not_an_answer(corpus_store, observation):
    """A weak model leaves out the period: the neighbouring figure it finds is refused, not shown."""
    _, subject, metric = observation
    qa = QA(corpus_store)
    question = f"What was {qa.g.label(subject, 'en')}'s {qa.g.metric_label(metric, 'en')} in Q3 2019?"
    assert qa.ask(question).status == "not_found"
    loose = f"SELECT ?o WHERE {{ ?o a kgo:Observation ; kgo:subject {compact(subject)} ; kgo:metric {compact(metric)} }}"
    model, prompts = scripted(fenced(loose))
    a = QA(corpus_store, llm=model, llm_max_repairs=1).ask(question)
    assert a.status == "not_found" and not a.facts
    assert "not the period asked (2019-Q3)" in a.llm["reason"] and "not the period asked" in prompts.seen[1]


def test_a_valid_query_with_no_rows_is_not_repaired(corpus_store):
    model, prompts = scripted(fenced("SELECT ?r WHERE { ?r a kgo:Assertion ; kgo:subject kgo:Observation }"))
    a = QA(corpus_store, llm=model, llm_max_repairs=2).ask(OFF_TOPIC)
    assert a.status == "not_found" and len(prompts.seen) == 1
    assert a.llm["attempts"] == 1 and a.llm["rejected"] is False and "no rows" in a.llm["reason"]


def test_guard_wants_a_relation_for_a_relation_question(corpus_store, observation):
    from qa.analyze import analyse
    from qa.answer import Fact
    from qa.llm.text2sparql import question_guard

    _, subject, metric = observation
    qa = QA(corpus_store)
    a = analyse(f"Who founded {qa.g.label(subject, 'en')}?", qa.g.lexicon)
    assert a.kind == "relation" and not a.metrics
    ref = qa.g.lexicon.by_iri[subject]
    guard = question_guard(qa, a, [ref], [])
    figure = Fact(iri="o", subject=subject, subject_label="", source=None, metric=metric.rsplit("/", 1)[-1])
    relation = Fact(iri="r", subject=subject, subject_label="", source=None, predicate="founded")
    assert "asks for a relation" in guard(figure) and guard(relation) is None


def test_a_change_is_not_an_answer_to_how_much(corpus_store):
    """As offline: an observation known only as a change does not answer "what was X's metric in P?"."""
    rows = corpus_store.select(f"""SELECT ?o ?s ?m ?p WHERE {{ ?o a <{KGO}Observation> ; <{KGO}subject> ?s ;
        <{KGO}metric> ?m ; <{KGO}change> ?c ; <{KGO}period> ?p .
        FILTER NOT EXISTS {{ ?o <{KGO}value> ?v }} FILTER NOT EXISTS {{ ?o <{KGO}qualitative> ?q }}
        FILTER NOT EXISTS {{ ?x <{KGO}subject> ?s ; <{KGO}metric> ?m ; <{KGO}value> ?w }} }} ORDER BY ?o LIMIT 1""")
    assert rows, "the corpus graph has no change-only observation"
    obs, subject, metric, period = rows[0]
    qa = QA(corpus_store)
    question = f"What was {qa.g.label(subject, 'en')}'s {qa.g.metric_label(metric, 'en')}?"
    assert qa.ask(question).status == "not_found"
    query = f"SELECT ?o WHERE {{ ?o a kgo:Observation ; kgo:subject {compact(subject)} ; kgo:metric {compact(metric)} }}"
    model, prompts = scripted(fenced(query))
    a = QA(corpus_store, llm=model, llm_max_repairs=0).ask(question)
    assert a.status == "not_found" and not a.facts
    assert "known only as a change" in a.llm["reason"]
