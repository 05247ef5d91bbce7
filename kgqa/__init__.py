"""kgqa: knowledge-graph question answering over business news, answered from cited graph facts.

``connect(data_dir)`` opens the graph as the ``kgqa`` command does (through a running
``kgqa serve`` on that directory, else the embedded store) and returns a ``QA`` on it::

    import kgqa
    with kgqa.connect("~/.local/share/kgqa") as kg:
        answer = kg.ask("百度2025年Q1營收是多少?")

>>> isinstance(__version__, str) and __version__.count(".") >= 2
True
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
