"""kgqa as a LangChain retriever: graph facts as ``Document``s, for a research assistant's context.

Needs ``pip install "kgqa[langchain]"`` (langchain-core). Run it on a data directory that already holds
articles (``kgqa ingest ARTICLES --data-dir DIR``):

    python examples/langchain_retriever.py DIR ["query" ...]

Each document is one fact: ``page_content`` states it in the query's language, ``metadata`` holds the
fact (subject, metric, period, value, unit, as_written …) and its source (document, start, end, quote,
with ``text[start:end] == quote``) and the retrieval score. The script prints the documents, then the
numbered context block a chain would hand to a model, every line citing its quote.
"""
from __future__ import annotations

import sys
from pathlib import Path

from kgqa.integrations.langchain import KGQARetriever
from kgqa.service import make_qa, open_store
from kgqa.settings import Settings

SAMPLE_QUERIES = ["騰訊營銷服務收入", "Baidu AI Cloud revenue growth"]


def context_block(docs: list) -> str:  # type: ignore[type-arg]
    """Facts as numbered lines with their quotes: what a prompt template would receive as {context}."""
    return "\n".join(f"[{i}] {d.page_content} Source: «{d.metadata['quote']}» ({d.metadata['document']} "
                     f"[{d.metadata['start']}:{d.metadata['end']}])" for i, d in enumerate(docs, 1))


def main(data_dir: str | Path, queries: list[str] | None = None) -> None:
    settings = Settings(data_dir=data_dir)
    store = open_store(settings)
    try:
        retriever = KGQARetriever(qa=make_qa(settings, store), k=4)  # or KGQARetriever.from_store(store)
        for query in queries or SAMPLE_QUERIES:
            docs = retriever.invoke(query)  # any LangChain chain accepts it: {"context": retriever | context_block}
            print(f"query: {query}: {len(docs)} documents")
            for d in docs:
                m = d.metadata
                print(f"  {m['score']:.2f} {d.page_content}\n       value={m['value']} unit={m['unit']} "
                      f"period={m['period']} quote=«{m['quote']}»")
            print("context:\n" + context_block(docs) + "\n")
    finally:
        store.close()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:] or None)
