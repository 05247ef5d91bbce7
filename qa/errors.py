"""Errors of question answering.

    QAError                 a question could not be handled
    └── InvalidQuestionError the question is empty, too long or not text
"""
from __future__ import annotations

__all__ = ["QAError", "InvalidQuestionError"]


class QAError(Exception):
    pass


class InvalidQuestionError(QAError):
    pass
