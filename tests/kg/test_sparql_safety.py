from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from kg import QuerySyntaxError, UnsafeQueryError, check_read_only


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://x/> { ?s ?p ?o } }",
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.com/data.ttl>",
    "DROP ALL",
    "CLEAR DEFAULT",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
])
def test_unsafe_queries_are_refused(query):
    with pytest.raises(UnsafeQueryError):
        check_read_only(query)


@pytest.mark.parametrize("query,form", [
    ("SELECT ?add ?with WHERE { ?add <http://x/delete> ?with }", "SELECT"),
    ('SELECT * WHERE { ?s ?p "DROP ALL; SERVICE" }', "SELECT"),
    ("# DELETE everything\nASK { ?s ?p ?o }", "ASK"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "CONSTRUCT"),
])
def test_keywords_inside_names_strings_and_comments_are_fine(query, form):
    assert check_read_only(query) == form


def test_allow_listed_service_passes():
    q = "SELECT * WHERE { SERVICE <http://ok.example/sparql> { ?s ?p ?o } }"
    assert check_read_only(q, allow_service=("http://ok.example/sparql",)) == "SELECT"


@pytest.mark.parametrize("query", ["", "   ", "hello"])
def test_non_queries(query):
    with pytest.raises(QuerySyntaxError):
        check_read_only(query)


@given(st.text(max_size=300))
def test_never_crashes(text):
    try:
        check_read_only(text)
    except (UnsafeQueryError, QuerySyntaxError):
        pass
