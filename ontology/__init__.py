"""The vocabulary as data: OWL ontology, SHACL shapes, metric scheme and entity catalog.

>>> sorted(p.name for p in files())
['catalog.ttl', 'kgqa.ttl', 'metrics.ttl', 'shapes.ttl']
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["files", "path", "ONTOLOGY", "SHAPES", "METRICS", "CATALOG"]

_HERE = Path(__file__).resolve().parent
ONTOLOGY = "kgqa.ttl"
SHAPES = "shapes.ttl"
METRICS = "metrics.ttl"
CATALOG = "catalog.ttl"


def path(name: str) -> Path:
    """The path of one of the ontology's files, e.g. ``path("catalog.ttl")``."""
    p = _HERE / name
    if not p.is_file():
        raise FileNotFoundError(f"no ontology file {name!r} in {_HERE}")
    return p


def files() -> list[Path]:
    """Every ontology file shipped with the package."""
    return [path(n) for n in (ONTOLOGY, SHAPES, METRICS, CATALOG)]
