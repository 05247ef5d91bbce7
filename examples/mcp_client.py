"""kgqa through MCP, as a research assistant connects: start ``kgqa mcp`` and call its tools.

Uses the official ``mcp`` package's client (``pip install "kgqa[mcp]"``). Run it on a data directory
that already holds articles (``kgqa ingest ARTICLES --data-dir DIR``):

    python examples/mcp_client.py DIR ["question" ...]

It starts the server over stdio (what Claude Desktop and similar assistants do with
``{"command": "kgqa", "args": ["mcp", "--data-dir", "DIR"]}``), lists the tools, asks the
questions, searches for an entity named in the first answer and describes it. Each tool returns the
answer object as structured content.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client

SAMPLE_QUESTIONS = ["腾讯营销服务收入是多少?", "How much did Baidu AI Cloud's revenue grow?"]


def kgqa_command() -> str:
    """The ``kgqa`` script of this Python environment (else the one on PATH)."""
    here = Path(sys.executable).parent / "kgqa"
    return str(here) if here.exists() else (shutil.which("kgqa") or "kgqa")


def show(answer: dict[str, Any]) -> None:
    print(f"  [{answer['status']}] {answer['answer']}")
    for fact in answer.get("facts", []):
        src = fact.get("source") or {}
        if src.get("end"):
            print(f"   - «{src['quote']}» ({src['document']} [{src['start']}:{src['end']}])")


async def run(data_dir: str, questions: list[str]) -> None:
    server = StdioServerParameters(command=kgqa_command(), args=["mcp", "--data-dir", data_dir])
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        print("tools: " + ", ".join(sorted(t.name for t in tools)))
        first: dict[str, Any] | None = None
        for q in questions:
            result = await session.call_tool("ask", {"question": q, "session": "example"})
            print(f"ask {q}")
            show(result.structured_content)
            first = first or result.structured_content
        if first and first["facts"]:
            name = first["facts"][0]["subject_label"]
            found = (await session.call_tool("search_entities", {"text": name, "limit": 3})).structured_content
            print(f"search_entities {name}: " + ", ".join(e["iri"] for e in found["entities"]))
            if found["entities"]:
                print(f"describe_entity {found['entities'][0]['iri']}")
                show((await session.call_tool("describe_entity",
                                              {"name_or_iri": found["entities"][0]["iri"]})).structured_content)
        rows = await session.call_tool("sparql", {"query": "SELECT (COUNT(?o) AS ?n) WHERE { ?o a kgo:Observation }"})
        print(f"sparql: {rows.structured_content['rows']}")
        refused = await session.call_tool("sparql", {"query": "DROP ALL"})
        print(f"sparql DROP ALL -> is_error={refused.is_error}: {refused.structured_content['answer']}")


def main(data_dir: str | Path, questions: list[str] | None = None) -> None:
    anyio.run(run, str(data_dir), questions or SAMPLE_QUESTIONS)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:] or None)
