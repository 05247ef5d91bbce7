"""Errors of the optional LLM layer.

    QAError (qa.errors)
    └── LLMError                the configured chat model could not be used
        ├── MissingExtraError   an optional package is not installed; says which extra to install
        ├── LLMConfigError      the model spec is malformed or names an unknown provider
        ├── LLMTimeoutError     the model did not answer within the time limit
        ├── LLMCallError        the model raised or returned nothing usable
        └── QueryRejectedError  a query the model wrote failed a check (its text goes back to the model)

None of these reaches a user as a failed question: the question is answered offline
instead and ``Answer.llm["reason"]`` says what happened. Only configuration errors
(``load_chat_model``) are raised to the shell, which reports them and stops.
"""
from __future__ import annotations

from ..errors import QAError

__all__ = [
    "LLMCallError",
    "LLMConfigError",
    "LLMError",
    "LLMTimeoutError",
    "MissingExtraError",
    "QueryRejectedError",
]


class LLMError(QAError):
    pass


class MissingExtraError(LLMError, ImportError):
    """An optional dependency is missing; the message names the extra, e.g. ``pip install "kgqa[openai]"``."""

    def __init__(self, what: str, extra: str) -> None:
        self.extra = extra
        super().__init__(f"{what} is not installed; install it with: pip install \"kgqa[{extra}]\"")


class LLMConfigError(LLMError):
    pass


class LLMTimeoutError(LLMError):
    pass


class LLMCallError(LLMError):
    pass


class QueryRejectedError(LLMError):
    pass
