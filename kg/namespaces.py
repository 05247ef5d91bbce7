"""IRIs of the project's vocabularies and of the standard ones it reuses."""
from __future__ import annotations

import hashlib
import re
import unicodedata

BASE = "https://w3id.org/kgqa/"
KGO = BASE + "ontology#"
KGR = BASE + "resource/"
KGM = BASE + "metric/"
KGP = BASE + "period/"
KGU = BASE + "unit/"
KGG = BASE + "graph/"  # named graphs: documents and reference data

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"

PREFIXES: dict[str, str] = {
    "kgo": KGO, "kgr": KGR, "kgm": KGM, "kgp": KGP, "kgu": KGU, "kgg": KGG,
    "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "owl": OWL, "skos": SKOS,
    "schema": SCHEMA, "prov": PROV, "dcterms": DCTERMS,
}

REFERENCE_GRAPHS = {"ontology": KGG + "ontology", "metrics": KGG + "metrics",
                    "catalog": KGG + "catalog"}


def sparql_prologue() -> str:
    """PREFIX lines for every known prefix."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def compact(iri: str) -> str:
    """``kgm:Revenue`` for a known namespace, else the IRI itself.

    >>> compact(KGM + "Revenue")
    'kgm:Revenue'
    """
    for p, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{p}:{iri[len(ns):]}"
    return iri


_UNSAFE = re.compile(r"[^\w\-.]+", re.UNICODE)


def slug(label: str) -> str:
    """A stable IRI-safe local name for a label (Unicode letters are kept).

    >>> slug("Kling AI")
    'kling-ai'
    >>> slug("全球AI廣告市場")
    '全球ai廣告市場'
    """
    s = unicodedata.normalize("NFKC", label).strip().lower()
    s = _UNSAFE.sub("-", s).strip("-.")
    if not s:
        s = hashlib.sha1(label.encode()).hexdigest()[:12]
    return s[:80]


def entity_iri(label: str) -> str:
    return KGR + slug(label)


def document_graph(doc_iri: str) -> str:
    """The named graph holding everything derived from one document."""
    return KGG + "doc/" + doc_iri.rsplit("/", 1)[-1]
