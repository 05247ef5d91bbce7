"""``kgqa.connect``: the graph of a data directory from Python, opened as the ``kgqa`` command opens it.

Through the store server of a running ``kgqa serve`` (or ``kgqa mcp``) on that directory
when there is one, else the embedded on-disk store (or ``KGQA_SPARQL_ENDPOINT`` when set). A
directory with no store is ``kgqa.errors.NoStoreError``; nothing is created.

>>> import tempfile
>>> try:
...     connect(tempfile.mkdtemp() + "/typo")
... except NoStoreError as exc:
...     print(str(exc).startswith("no kgqa store in"))
True
"""
from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .errors import NoStoreError
from .settings import Settings

if TYPE_CHECKING:
    from kg import Store
    from qa import QA, Answer, Session

__all__ = ["KnowledgeGraph", "connect"]


class KnowledgeGraph:
    """An open graph and its question answerer; close it (or use ``with``) to release the store."""

    def __init__(self, settings: Settings, store: "Store", qa: "QA") -> None:
        self.settings = settings
        self.store = store
        self.qa = qa

    def ask(self, question: str, session: "Session | str | None" = None) -> "Answer":
        """Answer from graph facts (``answer.status``, ``answer.answer``, ``answer.facts``); a session id
        keeps the conversation for follow-ups."""
        return self.qa.ask(question, session)

    def describe(self, name_or_iri: str) -> "Answer":
        """What the graph says about one company, product or person."""
        return self.qa.describe(name_or_iri)

    def sparql(self, query: str, *, max_rows: int = 1000) -> dict[str, Any]:
        """A read-only SPARQL query (prefixes kgo: kgr: … predefined); ``variables`` and ``rows``."""
        from .service import sparql_answer

        return sparql_answer(self.store, query, max_rows=max_rows)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "KnowledgeGraph":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"KnowledgeGraph({str(self.settings.data_dir)!r}, {type(self.store).__name__})"


def connect(data_dir: str | Path | None = None, **settings: Any) -> KnowledgeGraph:
    """Open the graph of ``data_dir`` (default ``$KGQA_DATA_DIR``, else ``~/.local/share/kgqa``).

    Other keyword arguments are ``Settings`` fields (``embedding_model="none"``, ``llm=…``), as
    ``KGQA_*`` environment variables set them for the command line.
    """
    from .service import make_qa, open_store

    if data_dir is not None:
        settings["data_dir"] = data_dir
    config = Settings(**settings)
    store = open_store(config, create=False)
    try:
        return KnowledgeGraph(config, store, make_qa(config, store))
    except BaseException:
        store.close()
        raise

