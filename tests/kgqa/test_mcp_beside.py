"""`kgqa mcp` shares its data directory: a second `kgqa mcp` and one-shot commands beside it work
(they go through the store server the first one runs), the server names its version, and it
writes no log line per request."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from kgqa import __version__

ROOT = Path(__file__).resolve().parents[2]
KGQA = Path(sys.executable).parent / "kgqa"
SAMPLE = ROOT / "examples" / "corpus"
QUESTION = "百度智能云第一季度收入是多少?"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("mcp-beside") / "data"
    subprocess.run([str(KGQA), "ingest", str(SAMPLE), "--data-dir", str(d)], check=True, capture_output=True,
                   timeout=300)
    return d


async def _two_servers(data_dir: Path, first_log, second_log) -> dict[str, object]:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=str(KGQA), args=["mcp", "--data-dir", str(data_dir)],
                                   env={"KGQA_EMBEDDING_MODEL": "none"})
    out: dict[str, object] = {}
    async with stdio_client(params, errlog=first_log) as (r1, w1), ClientSession(r1, w1) as first:
        init = await first.initialize()
        out["server"] = (init.server_info.name, init.server_info.version)
        out["first"] = (await first.call_tool("ask", {"question": QUESTION})).structured_content
        async with stdio_client(params, errlog=second_log) as (r2, w2), ClientSession(r2, w2) as second:
            await second.initialize()
            out["second"] = (await second.call_tool("ask", {"question": QUESTION})).structured_content
            out["second_tools"] = sorted(t.name for t in (await second.list_tools()).tools)
            # a one-shot command beside both: through the same store server
            ask = await anyio.run_process([str(KGQA), "ask", QUESTION, "--data-dir", str(data_dir)], check=False)
            out["cli"] = (ask.returncode, ask.stdout.decode(), ask.stderr.decode())
        out["first_again"] = (await first.call_tool("ask", {"question": QUESTION})).structured_content
    out["record_left"] = (data_dir / "server.json").exists()
    return out


@pytest.fixture(scope="module")
def beside(data_dir, tmp_path_factory):
    logs = tmp_path_factory.mktemp("mcp-logs")
    with open(logs / "first.err", "w") as e1, open(logs / "second.err", "w") as e2:
        out = anyio.run(_two_servers, data_dir, e1, e2)
    out["logs"] = ((logs / "first.err").read_text(), (logs / "second.err").read_text())
    return out


def test_a_second_mcp_on_the_same_directory_answers_the_same(beside):
    assert beside["first"]["status"] == "answered" and "67亿元" in beside["first"]["answer"]
    assert beside["second"]["answer"] == beside["first"]["answer"]
    assert beside["second_tools"] == ["ask", "describe_entity", "search_entities", "sparql"]
    assert beside["first_again"]["answer"] == beside["first"]["answer"]


def test_a_one_shot_command_beside_mcp_goes_through_its_store_server(beside):
    code, stdout, stderr = beside["cli"]
    assert code == 0, stderr
    assert "67亿元" in stdout


def test_the_server_names_its_version_and_logs_nothing_per_request(beside):
    assert beside["server"] == ("kgqa", __version__)
    for log in beside["logs"]:
        assert "Processing request" not in log and "HTTP Request" not in log, log
        assert log.strip() == "", log


def test_the_record_of_the_store_server_goes_with_the_first_mcp(beside):
    assert beside["record_left"] is False
