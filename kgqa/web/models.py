"""Request and response models of the HTTP API, with the examples the OpenAPI document shows."""
from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from ..schema import ANSWER_EXAMPLE, AnswerModel, FactModel, SourceModel

__all__ = ["AskRequest", "ChatRequest", "AnswerModel", "ChatAnswerModel", "FactModel", "SourceModel",
           "ErrorBody", "ErrorEnvelope", "HealthModel", "DocumentResult", "DeletedDocument", "UpdateResult",
           "SESSION_PATTERN"]

SESSION_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"question": "騰訊2025年第一季度營收是多少?", "session": None},
        {"question": "那阿里雲呢?", "session": "3f2c9a7e1b6d4e0f"}]})

    question: str = Field(min_length=1, description="the question, in Chinese (either script) or English")
    session: str | None = Field(None, pattern=SESSION_PATTERN, validation_alias=AliasChoices("session", "session_id"),
                                description="a chat session id (also accepted as `session_id`); follow-up "
                                            "questions use its context")


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"message": "百度的AI雲收入同比增長多少?", "session": None}]})

    message: str = Field(min_length=1, validation_alias=AliasChoices("message", "question"),
                         description="the user's message (also accepted as `question`, as `POST /ask` names it)")
    session: str | None = Field(None, pattern=SESSION_PATTERN, validation_alias=AliasChoices("session", "session_id"),
                                description="the session id from an earlier reply; omit it to start a session")


class ChatAnswerModel(AnswerModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{**ANSWER_EXAMPLE,
                                                                              "session": "3f2c9a7e1b6d4e0f"}]})

    session: str


class ErrorBody(BaseModel):
    status: int
    code: str = Field(description="snake_case error code, e.g. query_timeout, unauthorized")
    message: str


class ErrorEnvelope(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"error": {"status": 503, "code": "query_timeout",
                   "message": "the query was stopped at the time limit (10 s)"}}]})

    error: ErrorBody


class HealthModel(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok", "store": "SparqlServerStore"}]})

    status: str
    store: str


class DocumentResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "document": "https://kgqa.example/r/doc-0123456789abcdef", "name": "note.txt", "added": True,
        "replaced": False, "unchanged": False, "observations": 3, "relations": 1, "new_entities": 0,
        "encoding": "utf-8"}]})

    document: str
    name: str
    added: bool
    replaced: bool
    unchanged: bool
    observations: int
    relations: int
    new_entities: int
    encoding: str


class DeletedDocument(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"deleted": "https://kgqa.example/r/doc-0123456789abcdef"}]})

    deleted: str


class UpdateResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str
