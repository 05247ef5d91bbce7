"""kgqa inside other frameworks. The LangChain parts need ``pip install "kgqa[langchain]"``.

- ``kgqa.integrations.langchain``: ``KGQARetriever`` (graph facts as LangChain ``Document``s, each with
  its source quote, document and offsets) and ``make_ask_tool`` (a LangChain tool wrapping ``QA.ask``).
- ``kgqa.mcp_server``: the MCP server behind ``kgqa mcp``.

Importing this package imports no framework; ``KGQARetriever`` and ``make_ask_tool`` load LangChain
on first use, with a clear message when it is missing.
"""
from __future__ import annotations

from typing import Any

__all__ = ["KGQARetriever", "make_ask_tool"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import langchain

        return getattr(langchain, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
