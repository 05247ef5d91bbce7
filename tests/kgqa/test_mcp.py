"""The MCP server as a research assistant meets it: `kgqa mcp` started over stdio by the `mcp`
package's own client, on a real on-disk store holding the shared corpus (ingested by `kgqa ingest`)."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from kg.text import to_script

KGQA = Path(sys.executable).parent / "kgqa"
QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "questions" / "corpus.jsonl"
TOOLS = {"ask", "sparql", "describe_entity", "search_entities"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, corpus_file: Path) -> Path:
    d = tmp_path_factory.mktemp("mcp-data")
    subprocess.run([str(KGQA), "ingest", str(corpus_file), "--data-dir", str(d)], check=True,
                   capture_output=True, timeout=300)
    return d


@pytest.fixture(scope="module")
def lookup() -> dict[str, Any]:
    """A corpus question with an expected figure (tests/data/questions/corpus.jsonl)."""
    return next(q for q in map(json.loads, QUESTIONS.read_text(encoding="utf-8").splitlines())
                if q.get("kind") == "lookup" and q.get("numbers"))


def _traditional_label(data_dir: Path) -> tuple[str, str]:
    """An entity whose Traditional label is spelt differently in Simplified, read from the graph."""
    out = subprocess.run([str(KGQA), "sparql", "--data-dir", str(data_dir), "--format", "json",
                          'SELECT ?e ?l WHERE { ?e kgo:mentionedIn ?d ; skos:prefLabel ?l '
                          'FILTER(LANGMATCHES(LANG(?l), "zh-Hant")) } ORDER BY ?e'],
                         check=True, capture_output=True, timeout=120).stdout
    for b in json.loads(out)["results"]["bindings"]:
        label = b["l"]["value"]
        if to_script(label, "zh-Hans") != label:
            return b["e"]["value"], label
    pytest.fail("no mentioned entity has a Traditional label that differs in Simplified")


async def _session_calls(data_dir: Path, calls: list[tuple[str, dict[str, Any]]], errlog: Any,
                         env: dict[str, str] | None = None) -> tuple[set[str], list[Any]]:
    """Start `kgqa mcp` over stdio as an assistant would, list its tools and make the calls in one session."""
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=str(KGQA), args=["mcp", "--data-dir", str(data_dir)], env=env)
    async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {t.name for t in (await session.list_tools()).tools}
        results = [await session.call_tool(name, args) for name, args in calls]
    return tools, results


@pytest.fixture(scope="module")
def stdio_results(data_dir: Path, lookup: dict[str, Any], tmp_path_factory: pytest.TempPathFactory):
    """One stdio session, several tool calls: (tool names, {label: CallToolResult}, the simplified entity)."""
    iri, trad = _traditional_label(data_dir)
    simp = to_script(trad, "zh-Hans")
    calls = {
        "ask": ("ask", {"question": lookup["q"]}),
        "ask_empty": ("ask", {"question": "   "}),
        "update": ("sparql", {"query": "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"}),
        "service": ("sparql", {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}),
        "select": ("sparql", {"query": "SELECT ?o ?q WHERE { ?o a kgo:Observation ; prov:wasDerivedFrom ?m . "
                                       "?m kgo:quote ?q } LIMIT 3"}),
        "search": ("search_entities", {"text": simp, "limit": 5}),
        "describe": ("describe_entity", {"name_or_iri": simp}),
        "describe_iri": ("describe_entity", {"name_or_iri": iri}),
    }
    log = tmp_path_factory.mktemp("mcp-log") / "server.stderr"
    with open(log, "w") as errlog:
        tools, results = anyio.run(_session_calls, data_dir, list(calls.values()), errlog)
    return tools, dict(zip(calls, results)), iri


def _text(corpus_file: Path) -> str:
    return corpus_file.read_text(encoding="utf-8")


def test_lists_the_four_tools_and_answers_grounded(stdio_results, lookup, corpus_file):
    tools, results, _ = stdio_results
    assert tools == TOOLS
    res = results["ask"]
    assert not res.is_error
    ans = res.structured_content
    assert ans["status"] == "answered" and ans["question"] == lookup["q"]
    assert ans["facts"], ans
    text = _text(corpus_file)
    for fact in ans["facts"]:
        src = fact["source"]
        assert src["quote"] and src["quote"] in text
        assert text[src["start"]:src["end"]] == src["quote"]
    expected = {v for v, _unit in lookup["numbers"]}
    assert expected & {f["value"] for f in ans["facts"]}, (expected, ans["facts"])
    assert json.loads(res.content[0].text) == ans  # the same object for clients that read text


def test_empty_question_is_a_tool_error_with_the_answer_object(stdio_results):
    res = stdio_results[1]["ask_empty"]
    assert res.is_error and res.structured_content["status"] == "error"
    assert "empty" in res.structured_content["answer"]


@pytest.mark.parametrize("call, word", [("update", "INSERT"), ("service", "SERVICE")])
def test_sparql_refuses_updates_and_service(stdio_results, call, word):
    res = stdio_results[1][call]
    assert res.is_error
    obj = res.structured_content
    assert obj["status"] == "error" and "refused" in obj["answer"] and word in obj["answer"]


def test_sparql_returns_rows_in_the_answer_object(stdio_results, corpus_file):
    res = stdio_results[1]["select"]
    obj = res.structured_content
    assert not res.is_error and obj["status"] == "answered" and obj["variables"] == ["o", "q"]
    assert len(obj["rows"]) == 3 and all(r["q"] in _text(corpus_file) for r in obj["rows"])


def test_search_finds_an_entity_by_its_simplified_spelling(stdio_results):
    _, results, iri = stdio_results
    obj = results["search"].structured_content
    assert obj["status"] == "answered" and obj["language"] == "zh-Hans"
    assert iri in [e["iri"] for e in obj["entities"]]
    hit = next(e for e in obj["entities"] if e["iri"] == iri)
    assert hit["matched"] == "exact" and hit["documents"] >= 1 and obj["confidence"] == 1.0


def test_describe_entity_by_name_and_by_iri(stdio_results, corpus_file):
    results = stdio_results[1]
    by_name, by_iri = results["describe"].structured_content, results["describe_iri"].structured_content
    for obj in (by_name, by_iri):
        assert obj["status"] == "answered" and obj["kind"] == "describe"
        grounded = [f for f in obj["facts"] if f["source"]["start"] != f["source"]["end"]]
        assert grounded and all(f["source"]["quote"] in _text(corpus_file) for f in grounded)
    # the Simplified name links to the entity of that IRI: the same facts, in Simplified and in English
    assert [f["iri"] for f in by_iri["facts"]] == [f["iri"] for f in by_name["facts"]]
    assert by_name["language"] == "zh-Hans" and by_iri["language"] == "en"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_streamable_http_transport(data_dir, lookup, tmp_path):
    """`kgqa mcp --http` on loopback, reached with the `mcp` package's streamable HTTP client."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    port = _free_port()
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(KGQA), "mcp", "--http", "--port", str(port), "--data-dir", str(data_dir)],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the MCP HTTP server did not start: " + log.read_text()
                time.sleep(0.2)

        async def call() -> tuple[set[str], Any]:
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write, *_), \
                    ClientSession(read, write) as session:
                await session.initialize()
                tools = {t.name for t in (await session.list_tools()).tools}
                return tools, await session.call_tool("ask", {"question": lookup["q"]})

        tools, res = anyio.run(call)
        assert tools == TOOLS
        assert res.structured_content["status"] == "answered" and res.structured_content["facts"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_through_a_sparql_server(tmp_path, corpus_file, lookup):
    """With KGQA_SPARQL_ENDPOINT set (as beside a running server), `kgqa mcp` answers through a real
    Oxigraph server on loopback holding the store, and still refuses updates."""
    from kg.oxserver import OxigraphServer

    d = tmp_path / "data"
    subprocess.run([str(KGQA), "ingest", str(corpus_file), "--data-dir", str(d)], check=True,
                   capture_output=True, timeout=300)
    with OxigraphServer(d / "store") as server:
        env = {"KGQA_SPARQL_ENDPOINT": server.url + "/query", "KGQA_SPARQL_UPDATE_ENDPOINT": server.url + "/update",
               "KGQA_GRAPH_STORE_ENDPOINT": server.url + "/store"}

        calls = [("ask", {"question": lookup["q"]}), ("sparql", {"query": "CLEAR ALL"}),
                 ("sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})]
        with open(tmp_path / "server.stderr", "w") as errlog:
            tools, (ask, clear, count) = anyio.run(_session_calls, d, calls, errlog, env)
        assert tools == TOOLS, (tmp_path / "server.stderr").read_text()
    text = _text(corpus_file)
    assert ask.structured_content["status"] == "answered"
    assert all(f["source"]["quote"] in text for f in ask.structured_content["facts"])
    assert clear.is_error and "CLEAR" in clear.structured_content["answer"]
    assert count.structured_content["rows"][0]["n"] > 1000  # nothing was cleared


def test_an_unreachable_store_is_a_clear_tool_error():
    """A SPARQL server that is down: each tool answers with an error answer object, the server keeps running."""
    from kg.remote import SparqlServerStore
    from kgqa.mcp_server import build_server

    store = SparqlServerStore.for_oxigraph(f"http://127.0.0.1:{_free_port()}", timeout=2.0, retries=1)
    server = build_server(store)

    async def calls() -> list[Any]:
        return [await server.call_tool("ask", {"question": "What was Baidu's revenue?"}),
                await server.call_tool("sparql", {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}),
                await server.call_tool("search_entities", {"text": "Baidu"})]

    for res in anyio.run(calls):
        assert res.is_error and res.structured_content["status"] == "error"
        assert "the graph store failed" in res.structured_content["answer"]
