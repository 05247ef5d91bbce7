"""Grounded phrasing: the LLM rewrites a template answer from its facts only, sentence by sentence
checked against those facts before any of it is shown.

The reply is cut into sentences as it streams in; a sentence is passed on only when every
number, period and entity in it is supported by the facts (``qa.verify.unsupported_claims``),
otherwise it is dropped. The LLM text is used only when what survives says all the template
answer says: every figure of the template answer, and every entity name the template answer
states (a rewording that leaves the asked figure out is as wrong as one that invents it);
else the template answer stands. Sentences are held back until that is so, then stream.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.lexicon import Lexicon
from kg.text import canonical, to_script

from ..answer import Answer
from ..verify import numbers_in, unsupported_claims
from .errors import LLMError
from .models import stream_text

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = ["Phrasing", "phrase", "phrasing_messages", "split_sentences"]

MAX_SENTENCES = 6
MAX_CHARS = 1200
_LANG_NAMES = {"en": "English", "zh-Hans": "Simplified Chinese (简体中文)", "zh-Hant": "Traditional Chinese (繁體中文)"}
# A sentence ends at Chinese/exclamation/question stops, a newline, or a full stop before a space.
_END = re.compile(r"[。！？!?；]+[」”』）)]*|\n+|(?<!\d)\.(?=\s)|(?<=\d)\.(?=\s+[A-Z])")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Phrasing:
    """What became of one phrasing attempt."""

    text: str = ""
    kept: list[str] = field(default_factory=list)
    dropped: list[tuple[str, list[str]]] = field(default_factory=list)
    error: str | None = None

    @property
    def used(self) -> bool:
        return bool(self.text)

    def reason(self) -> str | None:
        parts = []
        if self.error:
            parts.append(self.error)
        if self.dropped:
            why = sorted({r for _, rs in self.dropped for r in rs})
            parts.append(f"dropped {len(self.dropped)} of {len(self.dropped) + len(self.kept)} sentences "
                         f"({', '.join(why[:6])})")
        if not self.text and not self.error:
            parts.append("no grounded rewording said all the template answer says: template answer used")
        return "; ".join(parts) or None


def split_sentences(buffer: str) -> tuple[list[str], str]:
    """Complete sentences at the start of ``buffer`` and the unfinished rest.

    >>> split_sentences("Revenue was 32.45 billion. It grew 3%. And")
    (['Revenue was 32.45 billion.', ' It grew 3%.'], ' And')
    >>> split_sentences("營收為324.5億元。同比增長")
    (['營收為324.5億元。'], '同比增長')
    """
    out = []
    start = 0
    for m in _END.finditer(buffer):
        out.append(buffer[start:m.end()])
        start = m.end()
    return [s for s in out if s.strip()], buffer[start:]


def phrasing_messages(question: str, template: Answer) -> list[tuple[str, str]]:
    """A short prompt a small model can follow: the draft answer and its quotes, nothing else."""
    lang = _LANG_NAMES.get(template.language, "English")
    quotes = []
    for f in template.facts[:6]:
        if f.source is not None and f.source.quote and f.source.quote not in quotes:
            quotes.append(f.source.quote)
    system = ("You rewrite a draft answer so it reads well. Use only the facts in the draft and the quotes. "
              "Copy every number, unit, name and period exactly as written. Add nothing else: no new numbers, "
              f"names, dates or opinions. Reply in {lang}, in at most 3 sentences, plain text.")
    user = (f"Question: {question}\nDraft answer: {template.answer}\n"
            + ("Quotes:\n" + "\n".join(f"- {q}" for q in quotes) + "\n" if quotes else "")
            + "Answer:")
    return [("system", system), ("human", user)]


def phrase(model: BaseChatModel, question: str, template: Answer, *, lexicon: Lexicon, entities: set[str],
           timeout: float) -> Iterator[str | Phrasing]:
    """Verified sentences of the LLM's phrasing as they come, then the :class:`Phrasing` outcome.

    Sentences are held back until one carries substance, so a reply that turns out empty
    of facts shows nothing and the template answer is used.
    """
    result = Phrasing()
    wanted = numbers_in(template.answer)
    said = canonical(template.answer)
    names = {canonical(x) for f in template.facts for x in (f.subject_label, f.object_label) if x}
    named = {n for n in names if n and n in said}  # the names the template answer states
    held: list[str] = []
    substantive = False
    kept_numbers: set[str] = set()

    def check(sentence: str) -> str | None:
        nonlocal substantive
        s = sentence.strip()
        if template.language != "en":
            s = to_script(s, template.language)
            if not _HAN.search(s):
                result.dropped.append((s, ["wrong language"]))
                return None
        if len(result.kept) >= MAX_SENTENCES or sum(map(len, result.kept)) + len(s) > MAX_CHARS:
            result.dropped.append((s, ["too long"]))
            return None
        problems = unsupported_claims(s, template.facts, template.computed, lexicon=lexicon, entities=entities)
        if problems:
            result.dropped.append((s, problems))
            return None
        result.kept.append(s)
        kept_numbers.update(numbers_in(s))
        text = canonical(" ".join(result.kept))
        if wanted:
            substantive = wanted <= kept_numbers and all(n in text for n in named)
        else:
            substantive = all(n in text for n in named) if named else any(n and n in text for n in names)
        return s

    buffer = ""
    try:
        for piece in stream_text(model, phrasing_messages(question, template), timeout):
            buffer += piece
            done, buffer = split_sentences(buffer)
            for sentence in done:
                ok = check(sentence)
                if ok is not None:
                    held.append(ok)
                if substantive and held:
                    yield from _joined(held, result)
                    held = []
    except LLMError as exc:
        result.error = str(exc)
        if not result.text:  # nothing shown yet: the template answer stands
            yield result
            return
    else:
        if buffer.strip():
            ok = check(buffer)
            if ok is not None:
                held.append(ok)
    if substantive and held:
        yield from _joined(held, result)
    yield result


def _joined(sentences: list[str], result: Phrasing) -> Iterator[str]:
    for s in sentences:
        piece = (" " if result.text and re.search(r"[\w.,;:%)]$", result.text) else "") + s
        result.text += piece
        yield piece
