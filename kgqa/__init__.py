"""kgqa: knowledge-graph question answering over business news, answered from cited graph facts.

``connect(data_dir)`` opens the graph as the ``kgqa`` command does (through a running
``kgqa serve`` on that directory, else the embedded store) and answers from it::

    import kgqa
    with kgqa.connect("~/.local/share/kgqa") as kg:
        answer = kg.ask("百度2025年Q1營收是多少?")

>>> isinstance(__version__, str) and __version__.count(".") >= 2
True
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "connect", "KnowledgeGraph"]

if TYPE_CHECKING:
    from .client import KnowledgeGraph, connect


def __getattr__(name: str) -> Any:  # connect and KnowledgeGraph load the graph stack only when asked for
    if name in ("connect", "KnowledgeGraph"):
        from . import client as module

        return getattr(module, name)
    raise AttributeError(f"module 'kgqa' has no attribute {name!r}")
