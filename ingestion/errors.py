"""Errors raised while reading and ingesting documents.

    IngestError                 anything that stops one document from being ingested
    ├── DocumentReadError       the file is missing, unreadable, empty, binary or too large
    ├── DecodingError           the bytes are not text in a supported encoding
    └── InvalidGraphError       the facts mapped to RDF do not conform to the SHACL shapes

Every message names the file and the reason, in one line.
"""
from __future__ import annotations

__all__ = ["IngestError", "DocumentReadError", "DecodingError", "InvalidGraphError"]


class IngestError(Exception):
    """A document could not be ingested; nothing was written for it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # picklable with both arguments: worker processes send these back to the writer
        return type(self), (self.path, self.reason)


class DocumentReadError(IngestError):
    pass


class DecodingError(IngestError):
    pass


class InvalidGraphError(IngestError):
    pass
