"""Chinese numerals: ``七`` -> 7, ``二十九`` -> 29, ``一千零五`` -> 1005 (through cn2an).

>>> chinese_int("二十九"), chinese_int("7"), chinese_int("兩"), chinese_int("百度")
(29, 7, 2, None)
"""
from __future__ import annotations

import functools

__all__ = ["chinese_int", "chinese_number"]

_SMALL = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9, "十": 10}


@functools.lru_cache(maxsize=4096)
def chinese_number(text: str) -> float | None:
    """The value of a numeral written in Chinese (or digits), or None."""
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    if text in _SMALL:
        return float(_SMALL[text])
    if text in ("百", "千", "万", "萬", "亿", "億"):  # 破千億: a bare unit numeral is one of it
        text = "一" + text
    import cn2an

    try:
        return float(cn2an.cn2an(text.replace("兩", "两"), "smart"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def chinese_int(text: str) -> int | None:
    v = chinese_number(text)
    return int(v) if v is not None and v == int(v) else None
