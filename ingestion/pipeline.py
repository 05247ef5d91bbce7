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

from kg.lexicon import EntityLabels, EntityRef, Lexicon
from kg.namespaces import DCTERMS, KGO, REFERENCE_GRAPHS, document_graph
from kg.periods import infer_reference_year
from kg.store import Quad, Store, ensure_reference_graphs
from kg.text import canonical

from .document import SUFFIXES, SourceDocument, parse_document, read_document
from .entities import EntityMention, recognize_entities
from .errors import DocumentReadError, InvalidGraphError
from .facts import extract_facts
from .model import Extraction
from .normalize import NormalizedText, normalize
from .sentences import split_sentences
from .to_rdf import to_quads
from .validate import check_quads

if TYPE_CHECKING:
    from .llm_extract import LLMExtractor

__all__ = ["Ingestor", "IngestResult", "PreparedDocument", "Fingerprint", "Analysis", "analyse_document",
           "analyse_text", "prepare_document", "iter_document_paths", "delete_document", "parse_document",
           "read_document"]


NO_FACTS = ("no facts found: nothing in it was read as a company's figure or relation (kgqa reads business "
            "news in Chinese or English; the document is stored, and `kgqa delete` removes it)")


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
    skipped: bool = False  # already stored with the same content: not read again (counts are 0)
    messages: list[str] = field(default_factory=list)


@dataclass
class PreparedDocument:
    """A document run through every stage but the write: its quads and what it found."""

    doc: SourceDocument
    quads: list[Quad]
    observations: int
    relations: int
    garbled_spans: int
    entities: list[EntityRef]  # entities the graph defines or mentions, in first-mention order
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Fingerprint:
    """What decides whether a stored document is current: content and the metadata given with it."""

    content_hash: str
    title: str | None
    date: str | None
    language: str | None

    @classmethod
    def of(cls, doc: SourceDocument) -> "Fingerprint":
        return cls(doc.content_hash, doc.title, doc.date.isoformat() if doc.date else None, doc.language)

    def matches(self, stored: "Fingerprint | None") -> bool:
        """``stored`` holds the language written to the graph; only an explicit language must agree."""
        return (stored is not None and stored.content_hash == self.content_hash and stored.title == self.title
                and stored.date == self.date and (self.language is None or stored.language == self.language))


def iter_document_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named directly, and documents (.txt .md .html) found under folders, sorted.

    A sub-folder that cannot be opened is yielded itself, so that reading it reports it
    (``read_document``: "a folder that cannot be read") instead of its documents being
    skipped without a word.
    """
    import os

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found: list[Path] = []

            def unreadable(exc: OSError) -> None:
                found.append(Path(exc.filename))

            for folder, _dirs, files in os.walk(p, onerror=unreadable):
                found.extend(Path(folder) / f for f in files if Path(f).suffix.lower() in SUFFIXES
                             and (Path(folder) / f).is_file())
            yield from sorted(found)
        else:
            yield p


@dataclass
class Analysis:
    """The text stages' output for one document."""

    extraction: Extraction
    norm: NormalizedText
    canon: str
    mentions: list[EntityMention]


def analyse_text(doc: SourceDocument, lexicon: Lexicon) -> Analysis:
    """Run the text stages on a document: normalise, split, recognise, extract."""
    norm = normalize(doc.text, doc.body_start, html_input=doc.is_html or None)
    canon = canonical(norm.text)
    sentences = split_sentences(norm.text)
    metric_hits = list(lexicon.metrics.find_all(canon))  # one scan shared by recognition and extraction
    entities = recognize_entities(norm, canon, lexicon, metric_hits=metric_hits)
    ref_year = doc.date.year if doc.date else infer_reference_year(canon)
    ex = extract_facts(norm, canon, sentences, entities, lexicon, ref_year=ref_year, ref_date=doc.date,
                       metric_hits=metric_hits)
    return Analysis(ex, norm, canon, entities)


def analyse_document(doc: SourceDocument, lexicon: Lexicon) -> tuple[Extraction, "object"]:
    """Run the text stages on a document: its extraction and normalised text."""
    a = analyse_text(doc, lexicon)
    return a.extraction, a.norm


def prepare_document(doc: SourceDocument, lexicon: Lexicon, catalog: set[str], *,
                     validate_shacl: bool = False, analysis: Analysis | None = None,
                     llm_extractor: "LLMExtractor | None" = None) -> PreparedDocument:
    """Every stage but the write: analyse, map to quads, check them (needs no store)."""
    a = analysis or analyse_text(doc, lexicon)
    ex = a.extraction
    messages: list[str] = []
    if llm_extractor is not None:
        ex, llm_report = llm_extractor.augment(doc, a.norm, ex, lexicon, known=catalog)
        messages = llm_report.messages()
    quads = to_quads(doc, a.norm, ex, catalog)
    problems = check_quads(quads, doc.text)
    if validate_shacl and not problems:
        from .validate import shacl_problems

        problems = shacl_problems(quads)
    if problems:
        raise InvalidGraphError(doc.path or doc.iri, "the extracted graph is invalid: " + "; ".join(problems[:3]))
    return PreparedDocument(doc, quads, len(ex.observations), len(ex.relations), len(a.norm.garbled),
                            [ref for ref, _ in ex.entities.values()], messages)


class Ingestor:
    """Ingests documents into a store, reusing one lexicon across documents.

    A document already stored with the same content (and title, date, language) is
    skipped unless ``force``; the entities a written document names (with every label it gives
    them) join the lexicon for the documents after it, as a later run would read them from the
    store (``additions`` records new entities in order, ``learned`` every change).
    """

    def __init__(self, store: Store, *, max_bytes: int = 10_000_000, validate_shacl: bool = False,
                 force: bool = False, llm_extractor: "LLMExtractor | None" = None) -> None:
        self.store = store
        self.llm_extractor = llm_extractor  # optional: its checked facts are added to the rule facts
        self.max_bytes = max_bytes
        self.validate_shacl = validate_shacl
        self.force = force
        ensure_reference_graphs(store)
        self.lexicon = Lexicon.from_store(store)
        self._seen = set(self.lexicon.by_iri)
        self.additions: list[EntityRef] = []  # entities new to the lexicon, in order
        # what the written graphs taught the lexicon, in order (replayed by parallel workers)
        self.learned: list[EntityLabels] = []
        # Only the catalog defines entities once; a document defines every other entity it uses,
        # so deleting one document never strips the type or label from another's entities.
        self.catalog = {e for (e,) in store.select(
            f"SELECT DISTINCT ?e WHERE {{ GRAPH <{REFERENCE_GRAPHS['catalog']}> {{ ?e a ?t }} }}")}

    @property
    def _catalog(self) -> set[str]:  # kept for callers of the earlier private name
        return self.catalog

    def ingest_path(self, path: str | Path, *, title: str | None = None, source: str | None = None,
                    date: str | dt.date | None = None) -> IngestResult:
        doc = read_document(path, max_bytes=self.max_bytes, title=title, source=source, date=date)
        return self.ingest_document(doc)

    def ingest_document(self, doc: SourceDocument) -> IngestResult:
        if self.is_current(doc):
            return self.skipped(doc)
        return self.commit(self.prepare(doc))

    # -- the steps, also used by the parallel runner ---------------------------------
    def stored_fingerprint(self, doc_iri: str) -> Fingerprint | None:
        rows = self.store.select(f"""SELECT ?h ?t ?d ?l WHERE {{ GRAPH <{document_graph(doc_iri)}> {{
            <{doc_iri}> <{KGO}contentHash> ?h
            OPTIONAL {{ <{doc_iri}> <{DCTERMS}title> ?t }} OPTIONAL {{ <{doc_iri}> <{DCTERMS}date> ?d }}
            OPTIONAL {{ <{doc_iri}> <{DCTERMS}language> ?l }} }} }}""")
        return Fingerprint(*map(_opt_str, rows[0])) if rows else None  # type: ignore[arg-type]

    def stored_fingerprints(self) -> dict[str, Fingerprint]:
        """Every stored document's fingerprint, by document IRI (one query)."""
        out: dict[str, Fingerprint] = {}
        for g, d, h, t, date, lang in self.store.select(f"""SELECT ?g ?d ?h ?t ?date ?l WHERE {{ GRAPH ?g {{
                ?d a <{KGO}Document> ; <{KGO}contentHash> ?h
                OPTIONAL {{ ?d <{DCTERMS}title> ?t }} OPTIONAL {{ ?d <{DCTERMS}date> ?date }}
                OPTIONAL {{ ?d <{DCTERMS}language> ?l }} }} }}"""):
            if g == document_graph(d):
                out[d] = Fingerprint(str(h), _opt_str(t), _opt_str(date), _opt_str(lang))
        return out

    def is_current(self, doc: SourceDocument) -> bool:
        """The store already holds this document with the same content (and ``force`` is off)."""
        return not self.force and Fingerprint.of(doc).matches(self.stored_fingerprint(doc.iri))

    def skipped(self, doc: SourceDocument) -> IngestResult:
        return IngestResult(document=doc.iri, path=doc.path, encoding=doc.encoding, observations=0, relations=0,
                            new_entities=0, triples=0, garbled_spans=0, replaced=False, unchanged=True,
                            skipped=True)

    def prepare(self, doc: SourceDocument) -> PreparedDocument:
        return prepare_document(doc, self.lexicon, self.catalog, validate_shacl=self.validate_shacl,
                                llm_extractor=self.llm_extractor)

    def commit(self, prepared: PreparedDocument) -> IngestResult:
        """Write a prepared document's graph in one transaction and learn its new entities."""
        doc, quads = prepared.doc, prepared.quads
        graph = document_graph(doc.iri)
        existing = self.store.select(
            f"SELECT ?h WHERE {{ GRAPH <{graph}> {{ <{doc.iri}> <{KGO}contentHash> ?h }} }}")
        unchanged = bool(existing) and existing[0][0] == doc.content_hash and self._same(graph, quads)
        if not unchanged:
            self.store.replace_graph(graph, quads)
        self.learn(EntityLabels.of_quads(quads))
        new_entities = 0
        for ref in prepared.entities:
            if ref.iri not in self._seen:
                new_entities += 1
                self._seen.add(ref.iri)
                self.additions.append(self.lexicon.by_iri.get(ref.iri, ref))
        return IngestResult(document=doc.iri, path=doc.path, encoding=doc.encoding,
                            observations=prepared.observations, relations=prepared.relations,
                            new_entities=new_entities, triples=len(quads), garbled_spans=prepared.garbled_spans,
                            replaced=bool(existing), unchanged=unchanged,
                            messages=prepared.messages + ([NO_FACTS] if not prepared.observations
                                                          and not prepared.relations else []))

    def learn(self, labels: list[EntityLabels]) -> None:
        """Teach the lexicon what a written graph says about its entities (all their labels, as a new
        run reading the store would know them); ``learned`` records what changed it, in order."""
        changed = {ref.iri for ref in self.lexicon.learn(labels)}
        self.learned.extend(item for item in labels if item.iri in changed)

    def _same(self, graph: str, quads: list[Quad]) -> bool:
        rows = self.store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return bool(rows) and rows[0][0] == len(quads)


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


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
