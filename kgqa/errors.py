"""Errors of the application shell: a data directory with nothing to answer from.

    kg.StoreError
    └── DataDirError           the data directory cannot answer questions
        ├── NoStoreError       no store there: nothing was ever ingested (or the path is mistyped)
        └── EmptyGraphError    the store holds no documents

Both say how to fill the store (``kgqa ingest ARTICLES --data-dir DIR``). They subclass
``kg.StoreError``, so every shell that reports store errors reports these the same way.
"""
from __future__ import annotations

from pathlib import Path

from kg import StoreError

__all__ = ["DataDirError", "NoStoreError", "EmptyGraphError", "fill_hint"]


def fill_hint(data_dir: Path) -> str:
    return (f"run `kgqa ingest ARTICLES --data-dir {data_dir}` first (files or folders of .txt .md .html; "
            "the repository's examples/corpus is a sample)")


class DataDirError(StoreError):
    def __init__(self, data_dir: Path, message: str) -> None:
        super().__init__(message)
        self.data_dir = data_dir


class NoStoreError(DataDirError):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir, f"no kgqa store in {data_dir} (nothing was ingested there; is the path "
                                   f"right?); {fill_hint(data_dir)}")


class EmptyGraphError(DataDirError):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir, f"the graph in {data_dir} holds no documents, so there is nothing to answer "
                                   f"from; {fill_hint(data_dir)}")
