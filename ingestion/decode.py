"""Bytes to text: UTF-8, GB18030 and Big5, detected and reported."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import DecodingError, DocumentReadError

__all__ = ["Decoded", "decode_bytes"]

_CANDIDATES = ("utf-8", "gb18030", "big5")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(head) // 20)


def _han_quality(text: str) -> float:
    """Share of characters that are common in running Chinese or English text."""
    if not text:
        return 0.0
    good = 0
    for ch in text:
        o = ord(ch)
        if ch.isascii() or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF:
            good += 1
    return good / len(text)


def _reads_as_text(text: str) -> bool:
    """Real prose has ordinary characters and some punctuation or spacing."""
    if _han_quality(text) < 0.85:
        return False
    sample = text[:20000]
    marks = sum(1 for ch in sample if ch in " \n\t,.;:!?，。、；：！？「」（）()%" or ch.isdigit())
    return marks >= max(1, len(sample) // 60)


def _utf16_without_bom(data: bytes) -> str | None:
    """The encoding of UTF-16 text written without a byte-order mark, told by where its zero bytes
    fall (ASCII and CJK punctuation leave one zero byte in most pairs), or None."""
    head = data[:8192]
    if len(head) < 4 or len(head) % 2:
        head = head[:len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    even = sum(1 for b in head[0::2] if b == 0)
    odd = sum(1 for b in head[1::2] if b == 0)
    pairs = len(head) // 2
    for enc, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros >= max(2, pairs // 10) and other <= zeros // 8:
            return enc
    return None


def decode_bytes(data: bytes, name: str = "<bytes>") -> Decoded:
    """Decode a document's bytes, trying UTF-8 first, then GB18030 and Big5.

    >>> decode_bytes("騰訊第二季度營收達1,842億元，同比增長13%。".encode("big5")).encoding
    'big5'
    >>> decode_bytes("腾讯第二季度营收达1,842亿元，同比增长13%。".encode("gb18030")).encoding
    'gb18030'
    >>> decode_bytes("Tencent revenue rose 13%, to 184.2 billion yuan.".encode("utf-16-le")).encoding
    'utf-16-le'
    """
    if not data.strip():
        raise DocumentReadError(name, "the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DecodingError(name, f"not UTF-8 or valid UTF-16 ({exc.reason} at byte {exc.start})") from None
        if not _reads_as_text(text):
            raise DecodingError(name, "not UTF-8, GB18030 or Big5 text (a UTF-16 mark, but the text is garbage)")
        return Decoded(text, "utf-16")
    guess = _utf16_without_bom(data) if b"\x00" in data[:8192] else None
    if guess is not None:
        try:
            text = data.decode(guess)
        except UnicodeDecodeError:
            text = ""
        if text and _reads_as_text(text):
            return Decoded(text, guess)
    if _looks_binary(data):
        raise DocumentReadError(name, "binary data, not a text document")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = f"{exc.reason} at byte {exc.start}"
    decoded: list[tuple[float, Decoded]] = []
    for enc in _CANDIDATES[1:]:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        decoded.append((_han_quality(text), Decoded(text, enc)))
    if not decoded:
        raise DecodingError(name, f"not UTF-8 ({utf8_error}), GB18030 or Big5 text")
    # Big5 bytes often also decode as GB18030 into rare characters; keep the reading
    # whose characters are the most ordinary, Big5 on a tie-break only if clearly better.
    decoded.sort(key=lambda qd: qd[0], reverse=True)
    best_q, best = decoded[0]
    if best_q < 0.85 or not _reads_as_text(best.text):
        raise DecodingError(name, f"undecodable text (best guess {best.encoding} reads as garbage)")
    return best
