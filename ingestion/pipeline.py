"""Ingest documents stage by stage: read, normalise, split, recognise, extract, map, validate, write.

>>> from kg.store import OxigraphStore
>>> store = OxigraphStore.in_memory()
>>> doc = parse_document("百度2025年Q1營收達324.5億元,同比增長3%。", name="note.txt")
>>> result = Ingestor(store).ingest_document(doc)
>>> (result.observations, result.relations)
(1, 0)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.namespaces import KGO, REFERENCE_GRAPHS, document_graph
from kg.store import Quad, Store, ensure_reference_graphs
from kg.text import canonical

from .document import SUFFIXES, SourceDocument, parse_document, read_document
from .entities import recognize_entities
from .errors import DocumentReadError, InvalidGraphError
from .facts import extract_facts
from kg.lexicon import Lexicon
from .model import Extraction
from .normalize import normalize
from kg.periods import infer_reference_year
from .sentences import split_sentences
from .to_rdf import to_quads
from .validate import check_quads

if TYPE_CHECKING:
    from .llm_extract import LLMExtractor

__all__ = ["Ingestor", "IngestResult", "analyse_document", "iter_document_paths", "delete_document",
           "parse_document", "read_document"]


@dataclass
class IngestResult:
    document: str
    path: str | None
    encoding: str
    observations: int
    relations: int
    new_entities: int
    triples: int
    garbled_spans: int
    replaced: bool = False
    unchanged: bool = False
    messages: list[str] = field(default_factory=list)


def iter_document_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named directly, and documents (.txt .md .html) found under folders, sorted."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in SUFFIXES)
        else:
            yield p


def analyse_document(doc: SourceDocument, lexicon: Lexicon) -> tuple[Extraction, "object"]:
    """Run the text stages on a document: its extraction and normalised text."""
    norm = normalize(doc.text, doc.body_start, html_input=doc.is_html or None)
    canon = canonical(norm.text)
    sentences = split_sentences(norm.text)
    metric_hits = list(lexicon.metrics.find_all(canon))  # one scan shared by recognition and extraction
    entities = recognize_entities(norm, canon, lexicon, metric_hits=metric_hits)
    ref_year = doc.date.year if doc.date else infer_reference_year(canon)
    ex = extract_facts(norm, canon, sentences, entities, lexicon, ref_year=ref_year, ref_date=doc.date,
                       metric_hits=metric_hits)
    return ex, norm


class Ingestor:
    """Ingests documents into a store, reusing one lexicon across documents."""

    def __init__(self, store: Store, *, max_bytes: int = 10_000_000, validate_shacl: bool = False,
                 llm_extractor: "LLMExtractor | None" = None) -> None:
        self.store = store
        self.llm_extractor = llm_extractor  # optional: its checked facts are added to the rule facts
        self.max_bytes = max_bytes
        self.validate_shacl = validate_shacl
        ensure_reference_graphs(store)
        self.lexicon = Lexicon.from_store(store)
        self._seen = set(self.lexicon.by_iri)
        # Only the catalog defines entities once; a document defines every other entity it uses,
        # so deleting one document never strips the type or label from another's entities.
        self._catalog = {e for (e,) in store.select(
            f"SELECT DISTINCT ?e WHERE {{ GRAPH <{REFERENCE_GRAPHS['catalog']}> {{ ?e a ?t }} }}")}

    def ingest_path(self, path: str | Path, *, title: str | None = None, source: str | None = None,
                    date: str | dt.date | None = None) -> IngestResult:
        doc = read_document(path, max_bytes=self.max_bytes, title=title, source=source, date=date)
        return self.ingest_document(doc)

    def ingest_document(self, doc: SourceDocument) -> IngestResult:
        name = doc.path or doc.iri
        graph = document_graph(doc.iri)
        existing = self.store.select(
            f"SELECT ?h WHERE {{ GRAPH <{graph}> {{ <{doc.iri}> <{KGO}contentHash> ?h }} }}")
        ex, norm = analyse_document(doc, self.lexicon)
        messages: list[str] = []
        if self.llm_extractor is not None:
            ex, llm_report = self.llm_extractor.augment(doc, norm, ex, self.lexicon, known=self._catalog)  # type: ignore[arg-type]
            messages = llm_report.messages()
        quads = to_quads(doc, norm, ex, self._catalog)  # type: ignore[arg-type]
        problems = check_quads(quads, doc.text)
        if self.validate_shacl and not problems:
            from .validate import shacl_problems

            problems = shacl_problems(quads)
        if problems:
            raise InvalidGraphError(name, "the extracted graph is invalid: " + "; ".join(problems[:3]))
        unchanged = bool(existing) and existing[0][0] == doc.content_hash and self._same(graph, quads)
        if not unchanged:
            self.store.replace_graph(graph, quads)
        new_entities = 0
        for ref, _ in ex.entities.values():
            if ref.iri not in self._seen:
                new_entities += 1
                self._seen.add(ref.iri)
                self.lexicon.add_entity(ref.iri, ref.type, [ref.label, *ref.aliases])
        return IngestResult(document=doc.iri, path=doc.path, encoding=doc.encoding,
                            observations=len(ex.observations), relations=len(ex.relations),
                            new_entities=new_entities, triples=len(quads), garbled_spans=len(norm.garbled),  # type: ignore[attr-defined]
                            replaced=bool(existing), unchanged=unchanged, messages=messages)

    def _same(self, graph: str, quads: list[Quad]) -> bool:
        rows = self.store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return bool(rows) and rows[0][0] == len(quads)


def delete_document(store: Store, ref: str) -> str | None:
    """Remove a document's graph; ``ref`` is its IRI, source, file name or content hash prefix."""
    rows = store.select(f"""
        SELECT DISTINCT ?d WHERE {{
          ?d a <{KGO}Document> .
          OPTIONAL {{ ?d <http://purl.org/dc/terms/source> ?src }}
          OPTIONAL {{ ?d <http://www.w3.org/2000/01/rdf-schema#label> ?name }}
          OPTIONAL {{ ?d <{KGO}contentHash> ?h }}
          FILTER(STR(?d) = ?ref || STR(?src) = ?ref || STR(?name) = ?ref || STRSTARTS(STR(?h), ?ref)
                 || STRENDS(STR(?d), ?ref))
        }}""", {"ref": ref})
    if not rows:
        return None
    if len(rows) > 1:
        raise DocumentReadError(ref, f"matches {len(rows)} documents; give the document IRI")
    doc = rows[0][0]
    store.drop_graph(document_graph(doc))
    return doc
