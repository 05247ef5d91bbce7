"""``POST /ask`` and ``POST /chat``: questions answered from the graph, chat streamed as server-sent events."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from qa import QA, Answer, Session

from .deps import get_qa, get_sessions, get_settings
from .errors import ERROR_RESPONSES, api_error, envelope
from .models import AnswerModel, AskRequest, ChatAnswerModel, ChatRequest

__all__ = ["router", "answer_events", "pieces"]

router = APIRouter(tags=["Questions"])

_PIECE = re.compile(r"[^，。、；：！？,.;:!?\s]*[，。、；：！？,.;:!?\s]*")


def pieces(text: str, size: int = 24) -> list[str]:
    """The answer text in clause-sized pieces, for streaming when the engine cannot stream itself.

    >>> "".join(pieces("百度營收為324.5億元，同比增長3%。")) == "百度營收為324.5億元，同比增長3%。"
    True
    """
    out: list[str] = []
    for m in _PIECE.finditer(text):
        chunk = m.group(0)
        while chunk:
            out.append(chunk[:size])
            chunk = chunk[size:]
    return out


def _json_body(request: Request) -> None:
    mtype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if mtype != "application/json":
        raise api_error(415, "unsupported_media_type", f"send a JSON body (Content-Type: application/json), "
                                                       f"not {mtype or 'no Content-Type'}")


def _check_question(request: Request, text: str) -> None:
    limit = get_settings(request).max_question_chars
    if not text.strip():
        raise api_error(422, "invalid_question", "the question is empty")
    if len(text) > limit:
        raise api_error(422, "question_too_long",
                        f"the question has {len(text)} characters; the limit is {limit} (KGQA_MAX_QUESTION_CHARS)")


def _answered(ans: Answer) -> dict[str, Any]:
    if ans.status == "error":
        raise api_error(422, "invalid_question", ans.answer)
    return ans.to_dict()


@router.post("/ask", summary="Answer a question", response_model=AnswerModel, dependencies=[Depends(_json_body)],
             responses={200: {"description": "the answer object; `status` is answered, not_found or ambiguous"},
                        **ERROR_RESPONSES})
def ask(body: AskRequest, request: Request) -> dict[str, Any]:
    """Answer one question from graph facts only, with the facts, SPARQL and source quotes it rests on.

    Give a `session` id to have follow-ups ("那阿里雲呢?") read in the context of earlier questions.
    """
    _check_question(request, body.question)
    session = get_sessions(request).get(body.session) if body.session else None
    ans = get_qa(request).ask(body.question, session)
    if session is not None:
        get_sessions(request).touch(session)
    return _answered(ans)


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8")


def answer_events(qa: QA, message: str, session: Session) -> Iterator[str | Answer]:
    """Text pieces, then the verified Answer: the engine's own stream when it has one."""
    stream = getattr(qa, "ask_stream", None)
    if stream is not None:
        yield from stream(message, session)
        return
    ans = qa.ask(message, session)
    yield from pieces(ans.answer)
    yield ans


def _sse(qa: QA, message: str, session: Session, sessions: Any) -> Iterator[bytes]:
    yield _event("session", {"session": session.id})
    try:
        for item in answer_events(qa, message, session):
            if isinstance(item, Answer):
                yield _event("answer", {**item.to_dict(), "session": session.id})
            else:
                yield _event("token", {"text": item})
    except Exception as exc:  # the stream has begun: report in-band, in the envelope's shape
        from kg import GraphError

        from .errors import from_graph_error

        if isinstance(exc, GraphError):
            e = from_graph_error(exc)
            yield _event("error", envelope(e.status_code, e.code, e.message))
        else:
            yield _event("error", envelope(500, "internal_error", f"unexpected {type(exc).__name__}"))
    finally:
        sessions.touch(session)
    yield _event("done", {})


_SSE_EXAMPLE = ('event: session\ndata: {"session": "3f2c9a7e1b6d4e0f"}\n\n'
                'event: token\ndata: {"text": "百度2025年Q1營收為"}\n\n'
                'event: token\ndata: {"text": "324.5億元。"}\n\n'
                'event: answer\ndata: {"question": "…", "status": "answered", "answer": "…", "facts": […], '
                '"session": "3f2c9a7e1b6d4e0f"}\n\n'
                'event: done\ndata: {}\n\n')


@router.post("/chat", summary="Chat (server-sent events)", dependencies=[Depends(_json_body)],
             responses={200: {"description": "`text/event-stream` with events `session`, `token` (answer text "
                                             "pieces), `answer` (the answer object) and `done`; with "
                                             "`Accept: application/json`, the answer object with its `session`",
                              "model": ChatAnswerModel,
                              "content": {"text/event-stream": {"schema": {"type": "string"},
                                                                "example": _SSE_EXAMPLE}}},
                        **ERROR_RESPONSES})
async def chat(body: ChatRequest, request: Request) -> Any:
    """One turn of a conversation. Omit `session` to start one; send the id back to continue it.

    Sessions are forgotten after `KGQA_SESSION_TTL_S` idle seconds.
    """
    _check_question(request, body.message)
    sessions = get_sessions(request)
    session = sessions.get(body.session)
    qa = get_qa(request)
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/event-stream" not in accept:
        ans = await run_in_threadpool(qa.ask, body.message, session)
        sessions.touch(session)
        return JSONResponse({**_answered(ans), "session": session.id})
    return StreamingResponse(_sse(qa, body.message, session, sessions), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
