"""Deadlines for work that may run long: checked between steps, they stop it with ``WorkCancelled``.

>>> import threading
>>> stop = threading.Event()
>>> d = Deadline(60, stop)
>>> d.check()            # in time: nothing happens
>>> stop.set()           # shutting down
>>> d.check()
Traceback (most recent call last):
...
kg.errors.WorkCancelled: stopped: the process is shutting down
"""
from __future__ import annotations

import threading
import time

from .errors import WorkCancelled

__all__ = ["Deadline"]


class Deadline:
    """A point in time (``seconds`` from now; None: no limit) and an optional stop event (shutdown)."""

    def __init__(self, seconds: float | None = None, stop: threading.Event | None = None, *,
                 what: str = "the request") -> None:
        self.at = None if seconds is None else time.monotonic() + seconds
        self.seconds = seconds
        self.stop = stop
        self.what = what

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return (self.stop is not None and self.stop.is_set()) or (self.at is not None and time.monotonic() >= self.at)

    def check(self) -> None:
        """Raise ``WorkCancelled`` when shutting down or past the deadline."""
        if self.stop is not None and self.stop.is_set():
            raise WorkCancelled("stopped: the process is shutting down")
        if self.at is not None and time.monotonic() >= self.at:
            raise WorkCancelled(f"stopped: {self.what} took longer than {self.seconds:g} s")
