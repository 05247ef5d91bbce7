"""Chat sessions remember the last frame so follow-ups ("那阿里雲呢?", "its revenue?") are understood."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from kg.lexicon import EntityRef, MetricRef
from kg.periods import Period

__all__ = ["Frame", "Session"]


@dataclass
class Frame:
    entities: list[EntityRef] = field(default_factory=list)
    metrics: list[MetricRef] = field(default_factory=list)
    aspect: str = "value"
    period: Period | None = None
    kind: str = "lookup"
    language: str | None = None  # the script of the last answer, for follow-ups written the same in both


@dataclass
class Session:
    """A conversation: its history and the frame of the last answered question."""

    id: str = "default"
    frame: Frame | None = None
    history: list[tuple[str, str]] = field(default_factory=list)
    touched: float = field(default_factory=time.monotonic)

    def remember(self, question: str, answer: str, frame: Frame | None) -> None:
        self.history.append((question, answer))
        del self.history[:-50]
        if frame is not None:
            self.frame = frame
        self.touched = time.monotonic()
