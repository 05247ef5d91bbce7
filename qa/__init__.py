"""Question answering from graph facts, offline.

>>> from kg.store import OxigraphStore
>>> from qa import QA
>>> QA(OxigraphStore.in_memory()).ask("").status
'error'
"""
from .answer import Answer, Fact, Source
from .engine import QA
from .errors import InvalidQuestionError, QAError
from .graph import pick_label
from .session import Session

__all__ = ["QA", "Answer", "Fact", "Source", "Session", "QAError", "InvalidQuestionError", "pick_label"]
