"""The SPARQL guard decides from the query's tokens: tricks that hid SERVICE from the old
text-blanking check, nesting that crashes Oxigraph, and a differential check against the
real engine (pyoxigraph in-process): whatever the guard lets through must not reach a
listener on loopback."""
from __future__ import annotations

import socket
import threading

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kg import QuerySyntaxError, UnsafeQueryError, check_read_only
from kg.sparql import MAX_QUERY_DEPTH, check_update, tokenize


class Listener:
    """A TCP listener on loopback that counts the connections it gets."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    li = Listener()
    yield li
    li.close()


def _run_if_allowed(query: str) -> bool:
    """Run the query on an in-memory pyoxigraph store if the guard allows it; True if it ran."""
    try:
        check_read_only(query)
    except (UnsafeQueryError, QuerySyntaxError):
        return False
    try:
        res = pyoxigraph.Store().query(query)
        if not isinstance(res, pyoxigraph.QueryBoolean):
            list(res)
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass
    return True


def tricks(port: int) -> list[str]:
    url = f"http://127.0.0.1:{port}/x"
    return [
        f'SELECT * WHERE {{\n# """\nSERVICE SILENT <{url}> {{ ?s ?p ?o }}\n# """\n}}',   # the reported one
        f"SELECT * WHERE {{\n# '''\nSERVICE <{url}> {{ ?s ?p ?o }}\n# '''\n}}",
        f'SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<#>"""\n1) SERVICE <{url}> {{ ?s ?p ?o }}\n#"""\n}}',
        f'SELECT * WHERE {{ BIND(1 AS ?a) FILTER <urn:f>(?a<#>"""\n1) SERVICE <{url}> {{ ?s ?p ?o }}\n#"""\n}}',
        f'SELECT * WHERE {{ ?s ?p "a\\"" SERVICE <{url}> {{ ?s ?p ?o }} }}',
        f"SELECT * WHERE {{ ?s ?p ?o }} #\r SERVICE <{url}> {{ ?s ?p ?o }}",
        f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE e:x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ service\t<{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/\\u0078> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE ?x {{ ?s ?p ?o }} VALUES ?x {{ <{url}> }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    ]


def test_every_trick_is_refused_and_the_listener_sees_nothing(listener):
    for query in tricks(listener.port):
        with pytest.raises(UnsafeQueryError, match="SERVICE"):
            check_read_only(query)
    assert listener.hits == 0


def test_the_engine_would_have_called_out(listener):
    """The tricks are real: the engine makes the call when the guard is skipped (the reported one)."""
    before = listener.hits
    try:
        list(pyoxigraph.Store().query(tricks(listener.port)[0]))
    except OSError:
        pass
    assert listener.hits > before
    listener.hits = 0


def test_strings_comments_and_names_mentioning_service_are_fine():
    assert check_read_only('SELECT * WHERE { ?s ?p "cloud SERVICE <http://x/> {" } # SERVICE <http://y/> {') == "SELECT"
    assert check_read_only("PREFIX service: <http://x/> SELECT ?service WHERE { ?service service:a ?o }") == "SELECT"
    assert check_read_only("SELECT * WHERE { ?a <http://x/p> ?b FILTER(?a<?b&&?b>?a) }") == "SELECT"


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p <\\u0066ile:///etc/passwd> }",
    "BASE <file:///etc/> SELECT * WHERE { ?s ?p <passwd> }",
    "PREFIX f: <FILE:///etc/> SELECT * WHERE { ?s ?p f:passwd }",
])
def test_file_iris_in_any_spelling_are_refused(query):
    with pytest.raises(UnsafeQueryError, match="file IRIs"):
        check_read_only(query)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o ",
    "SELECT * WHERE { ?s ?p ?o ) }",
    "SELECT * WHERE { ?s ?p 'unterminated }",
    "SELECT * WHERE { ?s ?p ?o } \x00",
    "# only a comment",
])
def test_what_does_not_parse_is_refused(query):
    with pytest.raises(QuerySyntaxError):
        check_read_only(query)


def _nested(depth: int) -> str:
    q = "?s ?p ?o"
    for _ in range(depth):
        q = "SELECT ?s WHERE { { " + q + " } }"
    return q


def test_nesting_that_crashes_oxigraph_is_refused_up_front():
    with pytest.raises(UnsafeQueryError, match="nested too deeply"):
        check_read_only(_nested(300))            # 7 KB: aborted the Oxigraph server
    with pytest.raises(UnsafeQueryError, match="nested too deeply"):
        check_read_only("SELECT ?x WHERE { BIND(" + "+".join(["1"] * 5000) + " AS ?x) }")
    with pytest.raises(UnsafeQueryError, match="nested too deeply"):
        check_read_only("SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 2000) + " }")
    assert check_read_only(_nested(10)) == "SELECT"
    assert check_read_only("SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 50) + " }") == "SELECT"
    assert MAX_QUERY_DEPTH < 5000


def test_updates_keep_load_and_service_out():
    check_update("INSERT DATA { GRAPH <http://g/x> { <http://a> <http://b> 'LOAD <http://x/>' } }")
    with pytest.raises(UnsafeQueryError, match="LOAD"):
        check_update("load <http://x.example/data.ttl>")
    with pytest.raises(UnsafeQueryError, match="SERVICE"):
        check_update("INSERT { ?s ?p ?o } WHERE { # '''\nSERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")


def test_less_than_is_read_by_position():
    kinds = [(t.kind, t.text) for t in tokenize("SELECT * WHERE { ?s <p> ?o FILTER(?o<3) }")]
    assert ("IRI", "<p>") in kinds and ("PUNCT", "<") in kinds


_FRAGMENTS = ["#", '"', "'", '"""', "'''", "<", ">", "\n", "\r", " ", "{", "}", "(", ")", "?a", "1", "\\",
              "FILTER", "BIND(1 AS ?a)", "<urn:f>", "SERVICE <http://127.0.0.1:{port}/f> { ?s ?p ?o }", "&&",
              "SILENT", "e:", "?s ?p ?o", ".", "<#>", "^^", "@en", ";", "UNION"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=14))
def test_whatever_the_guard_lets_through_makes_no_call(listener, parts):
    body = "".join(parts).replace("{port}", str(listener.port))
    before = listener.hits
    for query in (f"SELECT * WHERE {{ {body} }}", f"PREFIX e: <http://127.0.0.1:{listener.port}/> ASK {{ {body} }}"):
        _run_if_allowed(query)
    assert listener.hits == before, body
