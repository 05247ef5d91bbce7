"""Chat sessions of the HTTP service: created on first use, forgotten after ``ttl_s`` idle seconds.

>>> clock = [0.0]
>>> sessions = SessionStore(ttl_s=60, clock=lambda: clock[0])
>>> s = sessions.get(None)
>>> sessions.get(s.id) is s
True
>>> clock[0] = 61.0
>>> sessions.get(s.id) is s   # expired: a fresh session under the same id
False
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from qa import Session

__all__ = ["SessionStore"]


class SessionStore:
    """Sessions by id, least recently used first; expired ones are dropped when the store is touched."""

    def __init__(self, ttl_s: float, *, max_sessions: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, tuple[Session, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sid: str | None) -> Session:
        """The live session ``sid``, or a new one (with a fresh random id when ``sid`` is None)."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            if sid is not None and sid in self._sessions:
                session = self._sessions.pop(sid)[0]
            else:
                session = Session(id=sid or secrets.token_hex(8))
            self._sessions[session.id] = (session, now)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
            return session

    def touch(self, session: Session) -> None:
        with self._lock:
            if session.id in self._sessions:
                self._sessions[session.id] = (session, self._clock())
                self._sessions.move_to_end(session.id)

    def _expire(self, now: float) -> None:
        while self._sessions:
            sid, (_, last) = next(iter(self._sessions.items()))
            if now - last <= self.ttl_s:
                break
            del self._sessions[sid]

    def __len__(self) -> int:
        return len(self._sessions)
