"""kgqa from Python: open the graph of a data directory and ask questions, with their sources.

Run it on a data directory that already holds articles (``kgqa ingest ARTICLES --data-dir DIR``):

    python examples/python_api.py DIR ["question" ...]

With no question it asks a few about the sample corpus (../shared/corpus). Every answer comes
with the graph facts it rests on and, for each, the quote it was read from (document and offsets).
"""
from __future__ import annotations

import sys
from pathlib import Path

from kgqa.service import make_qa, open_store
from kgqa.settings import Settings

SAMPLE_QUESTIONS = ["What was Tencent's AI R&D expense?", "百度2025年Q1營收是多少?", "那阿里云呢?"]


def main(data_dir: str | Path, questions: list[str] | None = None) -> None:
    settings = Settings(data_dir=data_dir)
    store = open_store(settings)  # goes through a running `kgqa serve` on this data dir, if there is one
    try:
        qa = make_qa(settings, store)  # or qa.QA(store) with the defaults
        for question in questions or SAMPLE_QUESTIONS:
            answer = qa.ask(question, session="example")  # one session: "那阿里云呢?" follows the question before
            print(f"Q: {question}\nA: [{answer.status}] {answer.answer}")
            for fact in answer.facts:
                src = fact.source
                if src is not None:
                    print(f"   - {fact.subject_label} {fact.metric or fact.predicate} {fact.period or ''}: "
                          f"«{src.quote}» ({src.document} [{src.start}:{src.end}])")
            print()
    finally:
        store.close()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:] or None)
