"""Every number in an answer must be a retrieved fact's number or computed from them."""
from __future__ import annotations

import re

from .answer import Fact

__all__ = ["unsupported_numbers"]

_NUM = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?")


def _numbers(text: str) -> set[str]:
    return {m.group().replace(",", "") for m in _NUM.finditer(text)}


def unsupported_numbers(answer: str, facts: list[Fact], computed: list[float] = ()) -> list[str]:  # type: ignore[assignment]
    """Numbers in the answer that no fact (value, change, period, quote) nor a computation supports."""
    allowed: set[str] = set()
    for f in facts:
        for text in (f.as_written, f.period, f.qualitative, f.object_label, f.subject_label,
                     f.source.quote if f.source else None, f.qualifier):
            if text:
                allowed |= _numbers(text)
        for v in (f.value, f.change):
            if v is None:
                continue
            for scaled in (v, v * 100, v / 1e8, v / 1e4, v / 1e9, v / 1e6, abs(v), abs(v) * 100):
                allowed.add(_plain(scaled))
    for v in computed:
        for scaled in (v, v * 100, v / 1e8, v / 1e4, v / 1e9, v / 1e6, abs(v), abs(v) * 100):
            allowed.add(_plain(scaled))
    return [n for n in _numbers(answer) if n not in allowed and _plain(float(n)) not in allowed]


def _plain(x: float) -> str:
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return s or "0"
