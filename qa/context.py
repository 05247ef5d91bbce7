"""What the question handlers read: the store and the label index built from it, for one question."""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.deadline import Deadline
from kg.store import Store

from .graph import GraphIndex

__all__ = ["Context"]


@dataclass(frozen=True)
class Context:
    """The store a question is answered from and its index, as it was when the question arrived."""

    store: Store
    g: GraphIndex
    deadline: Deadline = field(default_factory=Deadline)  # handlers that may run long check it between steps
