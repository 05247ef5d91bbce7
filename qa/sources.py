"""Citations: the title, source URL and date of the documents an answer's facts were read in."""
from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import NamedNode

from kg.namespaces import DCTERMS
from kg.store import Store

from .answer import Fact

__all__ = ["cite"]

_CHUNK = 200


def cite(store: Store, facts: Iterable[Fact]) -> None:
    """Fill in ``source.title``, ``source.url`` and ``source.date`` of each fact from its document (one query
    per 200 documents); what a document does not have stays None."""
    facts = [f for f in facts if f.source is not None]
    docs = sorted({f.source.document for f in facts if f.source is not None})
    info: dict[str, tuple[str | None, str | None, str | None]] = {}
    for k in range(0, len(docs), _CHUNK):
        values = " ".join(str(NamedNode(d)) for d in docs[k:k + _CHUNK])
        for d, title, url, date in store.select(f"""SELECT ?d (SAMPLE(?t) AS ?title) (SAMPLE(?s) AS ?url)
                (SAMPLE(?dt) AS ?date) WHERE {{ VALUES ?d {{ {values} }}
                OPTIONAL {{ ?d <{DCTERMS}title> ?t }} OPTIONAL {{ ?d <{DCTERMS}source> ?s }}
                OPTIONAL {{ ?d <{DCTERMS}date> ?dt }} }} GROUP BY ?d"""):
            info[d] = (_text(title), _text(url), _text(date))
    for f in facts:
        src = f.source
        assert src is not None
        title, url, date = info.get(src.document, (None, None, None))
        src.title = src.title or title
        src.url = src.url or url
        src.date = src.date or date


def _text(v: object) -> str | None:
    return None if v is None else str(v)
