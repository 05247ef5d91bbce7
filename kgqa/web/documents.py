"""``POST /documents`` (upload and ingest) and ``DELETE /documents/{id}``, both behind the bearer token."""
from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from .. import service
from .deps import get_settings, get_store, require_token
from .errors import ERROR_RESPONSES, api_error
from .models import DeletedDocument, DocumentResult

__all__ = ["router"]

router = APIRouter(tags=["Documents"])

_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}\.(txt|md|html|htm)$", re.I)
_BY_TYPE = {"text/html": "upload.html", "text/markdown": "upload.md"}
_AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no or wrong bearer token"},
    403: {"description": "writes are off: the server has no token configured"},
}
_UPLOAD_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "a .txt, .md or .html article"},
        "title": {"type": "string"}, "source": {"type": "string"}, "date": {"type": "string", "format": "date"}}}},
    "text/plain": {"schema": {"type": "string"},
                   "example": "---\ntitle: 季度速報\ndate: 2025-05-20\n---\n百度2025年Q1營收達324.5億元,同比增長3%。"},
    "text/markdown": {"schema": {"type": "string"}},
    "text/html": {"schema": {"type": "string"}},
}}}


@router.post("/documents", summary="Upload and ingest a document (bearer token)", response_model=DocumentResult,
             openapi_extra=_UPLOAD_BODY, responses={**_AUTH_RESPONSES, **ERROR_RESPONSES})
async def upload_document(
        request: Request,
        name: str | None = Query(None, description="file name (.txt, .md, .html) for a raw body",
                                 examples=["note.md"]),
        title: str | None = Query(None, description="document title (overrides front matter)"),
        source: str | None = Query(None, description="source URL: the document's identity"),
        date: str | None = Query(None, description="document date YYYY-MM-DD; anchors relative periods",
                                 examples=["2025-05-20"])) -> dict[str, Any]:
    """Ingest one article, sent as a multipart `file` or as the raw body (`?name=`, or YAML front matter).

    Re-sending a document replaces what came from it. A bad document changes nothing (422).
    """
    require_token(request)
    settings = get_settings(request)
    mtype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if mtype == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise api_error(422, "invalid_request", "the multipart body needs a `file` part")
        data = await file.read()
        name = file.filename or name
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        title, source, date = fields.get("title") or title, fields.get("source") or source, fields.get("date") or date
    elif mtype in ("text/plain", "text/markdown", "text/html", "application/octet-stream"):
        data = await request.body()
        name = name or _BY_TYPE.get(mtype, "upload.txt")
    else:
        raise api_error(415, "unsupported_media_type", "send the document as multipart/form-data (field `file`) "
                                                       f"or as a text/plain, text/markdown or text/html body "
                                                       f"(got {mtype or 'no Content-Type'})")
    if not name or not _NAME.match(name):
        raise api_error(422, "invalid_document_name", f"the file name {name!r} must end in .txt, .md or .html "
                                                      "and contain no path")
    if not data:
        raise api_error(422, "invalid_document", "the document is empty")
    from ingestion import IngestError

    try:
        r = await run_in_threadpool(service.ingest_bytes, get_store(request), settings, data, name,
                                    title=title, source=source, date=date)
    except IngestError as exc:
        raise api_error(422, "invalid_document", str(exc)) from None
    return {"document": r.document, "name": name, "added": not (r.replaced or r.unchanged),
            "replaced": r.replaced, "unchanged": r.unchanged, "observations": r.observations,
            "relations": r.relations, "new_entities": r.new_entities, "encoding": r.encoding}


@router.delete("/documents/{document_id:path}", summary="Delete a document (bearer token)", response_model=DeletedDocument,
               responses={404: {"description": "no such document"}, **_AUTH_RESPONSES, **ERROR_RESPONSES})
def delete_document(document_id: str, request: Request) -> dict[str, str]:
    """Remove a document and everything derived from it; the id is its IRI, source, file name or hash prefix."""
    ref = document_id
    require_token(request)
    from ingestion import IngestError

    try:
        deleted = service.delete(get_store(request), ref)
    except IngestError as exc:
        raise api_error(409, "ambiguous_document", str(exc)) from None
    if deleted is None:
        raise api_error(404, "document_not_found", f"no document matches {ref!r}")
    return {"deleted": deleted}
