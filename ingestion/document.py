"""Read a document file: size and type checks, decoding, YAML front matter, identity."""
from __future__ import annotations

import datetime as dt
import os
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kg.namespaces import KGR, slug

from .decode import decode_bytes
from .errors import DocumentReadError

__all__ = ["SourceDocument", "read_document", "parse_document", "check_document_name", "SUFFIXES"]

SUFFIXES = (".txt", ".md", ".html", ".htm")
_NOT_TEXT = {".pdf": "PDF", ".doc": "Word", ".docx": "Word", ".rtf": "RTF", ".odt": "OpenDocument",
             ".xls": "Excel", ".xlsx": "Excel", ".ppt": "PowerPoint", ".pptx": "PowerPoint", ".epub": "EPUB"}
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class SourceDocument:
    """A decoded document and what is known about it."""

    iri: str
    text: str  # the whole decoded file; mention offsets index this
    body_start: int  # where the text after the front matter begins
    encoding: str
    content_hash: str
    title: str | None = None
    source: str | None = None
    date: dt.date | None = None
    language: str | None = None
    path: str | None = None
    is_html: bool = False


EARLIEST_DATE = dt.date(1900, 1, 1)


def _as_date(value: object, name: str) -> dt.date | None:
    """A document date, which anchors relative periods: an ISO date from 1900 to next year.

    >>> _as_date("3000-01-01", "a.txt")
    Traceback (most recent call last):
    ...
    ingestion.errors.DocumentReadError: a.txt: date 3000-01-01 is outside 1900-01-01 .. ...
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    else:
        try:
            date = dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise DocumentReadError(name, f"date {value!r} is not an ISO date (YYYY-MM-DD)") from None
    latest = dt.date(dt.date.today().year + 1, 12, 31)
    if not EARLIEST_DATE <= date <= latest:
        raise DocumentReadError(name, f"date {date.isoformat()} is outside {EARLIEST_DATE.isoformat()} .. "
                                      f"{latest.isoformat()}; give the article's publication date (front matter "
                                      "`date:` or --date)")
    return date


def parse_document(text: str, *, name: str, encoding: str = "utf-8", title: str | None = None,
                   source: str | None = None, date: str | dt.date | None = None,
                   language: str | None = None, is_html: bool = False) -> SourceDocument:
    """Build a document from decoded text; explicit arguments override front matter."""
    meta: dict[str, object] = {}
    body_start = 0
    m = _FRONT.match(text)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            raise DocumentReadError(name, f"invalid YAML front matter ({str(exc).splitlines()[0]})") from None
        if not isinstance(loaded, dict):
            raise DocumentReadError(name, "front matter is not a mapping of keys to values")
        meta = loaded
        body_start = m.end()
    if not text[body_start:].strip():
        raise DocumentReadError(name, "the document has no text")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    src = source or (str(meta["source"]) if meta.get("source") else None)
    iri = KGR + "doc-" + (slug(src)[:60] + "-" + hashlib.sha1(src.encode()).hexdigest()[:8] if src else digest[:16])
    return SourceDocument(
        iri=iri, text=text, body_start=body_start, encoding=encoding, content_hash=digest,
        title=title or (str(meta["title"]) if meta.get("title") else None),
        source=src,
        date=_as_date(date if date is not None else meta.get("date"), name),
        language=language or (str(meta["language"]) if meta.get("language") else None),
        path=name, is_html=is_html,
    )


def check_document_name(name: str) -> None:
    """Refuse a file whose name says it is not a text document (``report.pdf``), whatever it holds.

    A name with no suffix is accepted (its bytes are still checked to be text).

    >>> check_document_name("results.pdf")
    Traceback (most recent call last):
    ...
    ingestion.errors.DocumentReadError: results.pdf: a PDF file (.pdf) is not a document kgqa reads; give .txt, .md or .html files (save or convert the PDF to text first)
    """
    suffix = Path(name).suffix.lower()
    if not suffix or suffix in SUFFIXES:
        return
    kind = _NOT_TEXT.get(suffix)
    what = f"a {kind} file ({suffix})" if kind else f"a {suffix} file"
    hint = f"save or convert the {kind} to text first" if kind else "rename it if it is text"
    raise DocumentReadError(name, f"{what} is not a document kgqa reads; give .txt, .md or .html files ({hint})")


def read_document(path: str | Path, *, max_bytes: int = 10_000_000, **overrides: object) -> SourceDocument:
    """Read, check and decode one file; raise a one-line DocumentReadError otherwise."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise DocumentReadError(name, "no such file")
    if p.is_dir():
        try:
            next(os.scandir(p), None)
        except OSError as exc:  # a folder ingest was asked to search but cannot open
            raise DocumentReadError(name, f"a folder that cannot be read ({exc.strerror}); its documents "
                                          "were not ingested") from None
    if not p.is_file():
        raise DocumentReadError(name, "not a regular file")
    check_document_name(name)
    size = p.stat().st_size
    if size > max_bytes:
        raise DocumentReadError(name, f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB, "
                                      "setting KGQA_MAX_DOCUMENT_BYTES)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DocumentReadError(name, f"cannot be read ({exc.strerror})") from None
    decoded = decode_bytes(data, name)
    return parse_document(decoded.text, name=name, encoding=decoded.encoding,
                          is_html=p.suffix.lower() in (".html", ".htm"), **overrides)  # type: ignore[arg-type]
