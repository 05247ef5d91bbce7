"""A SPARQL syntax error says line, column and what was expected, the same way in the CLI, over HTTP
and in the MCP tool, instead of the parser's grammar dump; the CLI table shows prefixed names."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from kgqa.sparql_errors import explain_syntax_error

ROOT = Path(__file__).resolve().parents[2]
KGQA = Path(sys.executable).parent / "kgqa"
UNKNOWN_PREFIX = "SELECT ?s WHERE {\n  ?s foo:bar ?o }"
UNFINISHED = "SELECT ?s WHERE { ?s ?p ?o"
GRAMMAR_DUMP = ("Prefix not found", "['", "..=", "\\u{")


def assert_for_people(message: str, line: int, col: int, what: str) -> None:
    assert f"line {line}, column {col}" in message and what in message, message
    for piece in GRAMMAR_DUMP:
        assert piece not in message, message


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sparql-errors") / "data"
    subprocess.run([str(KGQA), "ingest", str(ROOT / "examples" / "corpus" / "baidu-q1-2025.zh-Hans.txt"),
                    "--data-dir", str(d)], check=True, capture_output=True, timeout=300)
    return d


def test_the_message_is_built_from_the_parsers_position_and_alternatives():
    raw = ('error at 1:27: expected one of ",", ".", ";", "{", "{|", "}", "~", '
           "['0' ..= '9' | '\\u{00B7}'], ['A' ..= 'Z' | 'a' ..= 'z' | '\\u{00C0}'..='\\u{00D6}'")  # cut mid-class
    message = explain_syntax_error(raw, UNFINISHED)
    assert message.splitlines()[0] == ("SPARQL syntax error at line 1, column 27 (at the end of the query): "
                                       "expected one of , . ; { {| } ~")
    assert message.splitlines()[2].index("^") == len("  " + UNFINISHED)
    assert explain_syntax_error("not a SPARQL query: expected SELECT") == "not a SPARQL query: expected SELECT"


@pytest.mark.parametrize("query,line,col,what", [(UNKNOWN_PREFIX, 2, 13, "unknown prefix foo:"),
                                                 (UNFINISHED, 1, 27, "expected one of , . ; {")])
def test_cli(data_dir, query, line, col, what):
    r = subprocess.run([str(KGQA), "sparql", query, "--data-dir", str(data_dir)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 1
    assert_for_people(r.stderr, line, col, what)
    assert r.stderr.splitlines()[1].strip() == query.splitlines()[line - 1].strip()  # the line, then a caret


def test_http(live):
    with live.client() as c:
        for send in (lambda q: c.get("/sparql", params={"query": q}), lambda q: c.post("/sparql", data={"query": q})):
            r = send(UNKNOWN_PREFIX)
            assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_query"
            assert_for_people(r.json()["error"]["message"], 2, 13, "unknown prefix foo:")


def test_http_update(live):
    with live.client() as c:
        r = c.post("/update", content="INSERT DATA { <http://x/a> <http://x/b> }",
                   headers={"Content-Type": "application/sparql-update", **live.auth})
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_update"
    assert_for_people(r.json()["error"]["message"], 1, 41, "expected one of")


async def _mcp_sparql(data_dir: Path, query: str):  # type: ignore[no-untyped-def]
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=str(KGQA), args=["mcp", "--data-dir", str(data_dir)],
                                   env={"KGQA_EMBEDDING_MODEL": "none"})
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        return await session.call_tool("sparql", {"query": query})


def test_mcp(data_dir):
    result = anyio.run(_mcp_sparql, data_dir, UNKNOWN_PREFIX)
    assert result.is_error and result.structured_content["status"] == "error"
    assert_for_people(result.structured_content["answer"], 2, 13, "unknown prefix foo:")


def test_the_cli_table_shows_prefixed_names_in_full(data_dir):
    r = subprocess.run([str(KGQA), "sparql", "--data-dir", str(data_dir),
                        "SELECT ?o ?m ?u WHERE { ?o a kgo:Observation ; kgo:metric ?m ; kgo:unit ?u } LIMIT 3"],
                       capture_output=True, text=True, timeout=120, env={"COLUMNS": "80", "PATH": ""})
    assert r.returncode == 0, r.stderr
    assert "kgm:Revenue" in r.stdout or "kgm:RnDExpense" in r.stdout
    assert "kgu:CNY" in r.stdout and "https://w3id.org" not in r.stdout and "…" not in r.stdout
    assert "kgr:obs-" in r.stdout


def test_entities_carry_rdfs_label_as_the_documents_write_them_and_tags_match_case_insensitively(data_dir):
    query = ('SELECT ?l WHERE { kgr:baidu-ai-cloud rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "zh-Hans")) }')
    r = subprocess.run([str(KGQA), "sparql", "--format", "csv", "--data-dir", str(data_dir), query],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["l", "百度智能云"]
    # Oxigraph keeps tags lower-case (BCP 47 tags are case-insensitive), as the README says
    r = subprocess.run([str(KGQA), "sparql", "--format", "csv", "--data-dir", str(data_dir),
                        "SELECT DISTINCT (LANG(?l) AS ?t) WHERE { kgr:baidu-ai-cloud rdfs:label ?l } ORDER BY ?t"],
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ["t", "en", "zh-hans"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'LANGMATCHES(LANG(?l), "zh-Hant")' in readme and "rdfs:label" in readme

