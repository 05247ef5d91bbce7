"""The phrasebook: every cue word the rules use, as data (``ontology/phrases/*.yaml``).

Each YAML file holds entries of one or more roles (a change verb and its sign, a change
basis, a bound, a scale word, a period template, a title…). An entry is a phrase as
written in some script and region, its attributes, and example sentences: ``pos``
(the rule must use this entry there) and ``neg`` (it must not). One parametrised test
reads every example, so a new phrasing is a data line and its examples, not code.

Phrases are matched on canonical text (Simplified, lower case: ``kg.text.canonical``),
so a Traditional entry also matches its Simplified spelling. An entry's ``id`` is
``role:phrase``; the facts that a rule makes record the ids of the entries it used.

>>> book = Phrasebook.load()
>>> e = book.match("change_verb", canonical("按年挫18%"), 2)
>>> (e.id, e.attrs["sign"])
('change_verb:挫', -1)
>>> book.get("change_basis", "按年").attrs["basis"]
'YearOverYear'
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .text import PhraseMatcher, canonical, phrase_keys

__all__ = ["Phrase", "Phrasebook", "PhrasebookError", "PHRASES_DIR"]

PHRASES_DIR = Path(__file__).resolve().parents[1] / "ontology" / "phrases"
_SCRIPTS = {"zh-Hant", "zh-Hans", "zh", "en", "any"}
_REGIONS = {"hk", "tw", "cn", "en", "any"}


class PhrasebookError(ValueError):
    """A phrasebook file is malformed: the message names the file and the entry."""


@dataclass(frozen=True)
class Phrase:
    """One phrasebook entry."""

    id: str  # role:phrase
    role: str
    text: str  # as written in the file
    key: str  # canonical form matched in text
    attrs: Mapping[str, Any] = field(default_factory=dict)
    script: str = "any"
    region: tuple[str, ...] = ("any",)
    pos: tuple[str, ...] = ()
    neg: tuple[str, ...] = ()
    date: str | None = None  # the document date the examples are read against
    source: str = ""  # file name

    def get(self, name: str, default: Any = None) -> Any:
        return self.attrs.get(name, default)


class Phrasebook:
    """Entries by role, with a longest-match scanner and a regular-expression alternation per role."""

    def __init__(self, entries: Iterable[Phrase]) -> None:
        self.entries: list[Phrase] = list(entries)
        self.by_role: dict[str, list[Phrase]] = {}
        self._by_key: dict[tuple[str, str], Phrase] = {}
        for e in self.entries:
            self.by_role.setdefault(e.role, []).append(e)
            for k in phrase_keys(e.text, compounds=False) if e.role not in _RAW_ROLES else {e.key}:
                self._by_key.setdefault((e.role, k), e)
        self._matchers: dict[tuple[str, ...], PhraseMatcher[Phrase]] = {}
        self._keys: dict[tuple[str, ...], list[str]] = {}
        self._alts: dict[tuple[str, ...], str] = {}

    # -- loading -----------------------------------------------------------------
    @classmethod
    def load(cls, directory: Path | None = None) -> "Phrasebook":
        """The phrasebook shipped with the package (cached), or the one in ``directory``."""
        if directory is None:
            return _default()
        return cls(_read_dir(directory))

    # -- lookups -----------------------------------------------------------------
    def roles(self) -> list[str]:
        return sorted(self.by_role)

    def of(self, *roles: str) -> list[Phrase]:
        return [e for r in roles for e in self.by_role.get(r, ())]

    def get(self, role: str, key: str) -> Phrase | None:
        """The entry of ``role`` whose canonical phrase is ``key`` (canonicalised here)."""
        return self._by_key.get((role, " ".join(canonical(key).split())))

    def has(self, role: str, key: str) -> bool:
        return self.get(role, key) is not None

    def _known(self, roles: tuple[str, ...]) -> None:
        """A rule that names a role no file defines would silently match nothing: refuse it."""
        unknown = [r for r in roles if r not in self.by_role]
        if unknown:
            raise PhrasebookError(f"no phrasebook entries of role {', '.join(unknown)} (roles: {', '.join(self.roles())})")

    def keys(self, *roles: str) -> list[str]:
        """Canonical phrases of the roles, longest first."""
        cached = self._keys.get(roles)
        if cached is None:
            self._known(roles)
            out = {k for (r, k) in self._by_key if r in roles}
            cached = self._keys[roles] = sorted(out, key=lambda k: (-len(k), k))
        return cached

    def matcher(self, *roles: str) -> PhraseMatcher[Phrase]:
        """A longest-match scanner over canonical text for the entries of ``roles``."""
        m = self._matchers.get(roles)
        if m is None:
            self._known(roles)
            m = PhraseMatcher()
            for (r, k), e in self._by_key.items():
                if r in roles:
                    m.add(k, e)
            self._matchers[roles] = m
        return m

    def match(self, role: str, canon: str, i: int) -> Phrase | None:
        """The longest entry of ``role`` starting at ``canon[i]``."""
        hit = self.matcher(role).match_at(canon, i)
        return hit.value if hit is not None else None

    def find(self, canon: str, *roles: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, Phrase]]:
        """Non-overlapping longest matches of the roles' phrases in ``canon[start:end]``."""
        for h in self.matcher(*roles).find_all(canon, start, end):
            yield h.start, h.end, h.value

    def ending_at(self, canon: str, end: int, *roles: str, start: int = 0) -> tuple[int, Phrase] | None:
        """The longest entry of the roles that ends exactly at ``end`` (and starts at or after ``start``)."""
        best: tuple[int, Phrase] | None = None
        for k in self.keys(*roles):
            s = end - len(k)
            if s < start or canon[s:end] != k:
                continue
            if k[0].isascii() and k[0].isalnum() and s > 0 and canon[s - 1].isascii() and canon[s - 1].isalnum():
                continue
            if best is None or s < best[0]:
                best = (s, self._by_key[(self._role_of(k, roles), k)])
                break  # keys are longest first
        return best

    def _role_of(self, key: str, roles: tuple[str, ...]) -> str:
        for r in roles:
            if (r, key) in self._by_key:
                return r
        raise KeyError(key)

    def alternation(self, *roles: str, left: bool = True, right: bool = True) -> str:
        """A regular-expression alternation of the roles' canonical phrases, longest first.

        Used inside grammar patterns, which hold punctuation, digits and slots only. A Latin
        phrase matches at word edges; ``left=False`` lets it follow a digit (a unit after a
        figure: ``5pct``), ``right=False`` lets a digit follow it (a currency before one: ``cny48``).
        """
        cache_key = (*roles, f"{left}{right}")
        alt = self._alts.get(cache_key)
        if alt is None:
            keys = self.keys(*roles)
            alt = _alternation(keys, left, right) if keys else "(?!)"
            self._alts[cache_key] = alt
        return alt


# Roles whose entries are templates (period grammar), not literal phrases.
_RAW_ROLES = {"period_template"}


def _escape(key: str, left: bool = True, right: bool = True) -> str:
    """A phrase inside a regex: spaces match any run of spaces, Latin words keep their edges."""
    before, body, after = _guarded(key, left, right)
    return "(?:" + before + body + after + ")"


def _guarded(key: str, left: bool, right: bool) -> tuple[str, str, str]:
    parts = [re.escape(p) for p in key.split(" ")]
    body = r"\s*".join(parts) if not key.isascii() else r"\s+".join(parts)
    before = (r"(?<![a-z0-9])" if left else r"(?<![a-z])") if key[0].isascii() and key[0].isalnum() else ""
    after = (r"(?![a-z0-9])" if right else r"(?![a-z])") if key[-1].isascii() and key[-1].isalnum() else ""
    return before, body, after


def _alternation(keys: list[str], left: bool, right: bool) -> str:
    """The keys in their order, each run of keys with the same word-edge guards sharing one guard: the
    regex engine then tests an edge once per position, not once per phrase (the same matches)."""
    runs: list[tuple[str, str, list[str]]] = []
    for k in keys:
        before, body, after = _guarded(k, left, right)
        if runs and runs[-1][0] == before and runs[-1][1] == after:
            runs[-1][2].append(body)
        else:
            runs.append((before, after, [body]))
    return "|".join(f"(?:{b}(?:{'|'.join(bodies)}){a})" for b, a, bodies in runs)


@functools.lru_cache(maxsize=1)
def _default() -> Phrasebook:
    return Phrasebook(_read_dir(PHRASES_DIR))


def _read_dir(directory: Path) -> list[Phrase]:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise PhrasebookError(f"no phrasebook files (*.yaml) in {directory}")
    out: list[Phrase] = []
    for f in files:
        out.extend(read_file(f))
    return out


def read_file(path: Path) -> list[Phrase]:
    """The entries of one phrasebook file.

    A file is a mapping with ``role`` (default for its entries) and ``entries``: a list
    of mappings with ``phrase`` (or ``template`` for period templates), optional
    ``role``, ``script``, ``region``, ``pos``, ``neg``, ``date`` and any attributes.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PhrasebookError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise PhrasebookError(f"{path.name}: expected a mapping with an 'entries' list")
    default_role = data.get("role")
    defaults = data.get("defaults") or {}
    out: list[Phrase] = []
    for i, raw in enumerate(data["entries"]):
        if not isinstance(raw, dict):
            raise PhrasebookError(f"{path.name}: entry {i + 1} is not a mapping")
        raw = {**defaults, **raw}
        role = raw.pop("role", default_role)
        text = raw.pop("phrase", None) if "phrase" in raw else raw.pop("template", None)
        if not role or not isinstance(text, str) or not text.strip():
            raise PhrasebookError(f"{path.name}: entry {i + 1} needs a role and a phrase")
        script = raw.pop("script", "any")
        region = raw.pop("region", "any")
        region_t = tuple(region) if isinstance(region, list) else (region,)
        if script not in _SCRIPTS or not set(region_t) <= _REGIONS:
            raise PhrasebookError(f"{path.name}: entry {text!r}: unknown script {script!r} or region {region!r}")
        pos, neg = _examples(raw.pop("pos", ())), _examples(raw.pop("neg", ()))
        date = raw.pop("date", None)
        name = raw.pop("name", None)
        key = text if role in _RAW_ROLES else " ".join(canonical(text).split())
        out.append(Phrase(id=f"{role}:{name or text}", role=role, text=text, key=key, attrs=raw, script=script,
                          region=region_t, pos=pos, neg=neg, date=str(date) if date else None, source=path.name))
    return out


def _examples(v: object) -> tuple[str, ...]:
    if isinstance(v, str):
        return (v,)
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return tuple(v)
    return ()
