"""Link mentions in a question to graph entities: exact, alias, either script, fuzzy; nested first."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from kg.lexicon import EntityRef
from kg.namespaces import KGO
from kg.periods import find_periods
from kg.text import canonical

from .graph import GraphIndex

__all__ = ["Link", "dedupe", "link_entities"]


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    ref: EntityRef
    how: str  # exact | fuzzy | nested
    via: str | None = None  # for nested: the fact IRI or "catalog"


_NESTED_ZH = re.compile(r"(?P<verb>推出|发布|开发|研发|拥有|创立|成立|打造|运营)了?(?P<x>.{1,20}?)的(?:公司|企业|集团|厂商|机构|母公司)")
_NESTED_EN = re.compile(r"the (?:company|firm|group|maker|owner|developer|parent)\s+(?:behind|that (?P<verb>launched|owns|developed|makes|built|founded|runs)|which (?:launched|owns|developed|makes|built|founded))\s+(?P<x>[\w\- .]{2,40}?)(?=[,?'’]|\s+(?:and|has|have|had|is|was|earn|make|report|grow)|$)")
_VERB_PRED = {"推出": ("launched", "owns"), "发布": ("launched", "owns"), "开发": ("develops", "owns"),
              "研发": ("develops", "owns"), "拥有": ("owns",), "创立": ("founded",), "成立": ("founded",),
              "打造": ("develops", "launched", "owns"), "运营": ("owns",), "launched": ("launched", "owns"),
              "owns": ("owns",), "developed": ("develops", "owns"), "makes": ("develops", "owns", "launched"),
              "built": ("develops", "owns"), "founded": ("founded",), "runs": ("owns",), None: ("launched", "owns", "develops")}


def link_entities(canon: str, g: GraphIndex) -> list[Link]:
    links: list[Link] = []
    taken: list[tuple[int, int]] = []
    for rx in (_NESTED_ZH, _NESTED_EN):
        for m in rx.finditer(canon):
            inner = _exact(canon, g, m.start("x"), m.end("x"))
            if not inner:
                continue
            owner = _maker_of(g, inner[0].ref.iri, _VERB_PRED.get(m.group("verb"), _VERB_PRED[None]))
            if owner:
                iri, via = owner
                ref = g.lexicon.by_iri.get(iri) or EntityRef(iri, g.types.get(iri, "Organization"), g.label(iri, "en"))
                links.append(Link(m.start(), m.end(), ref, "nested", via))
                taken.append(m.span())
    for link in _exact(canon, g, 0, len(canon)):
        if all(link.end <= a or link.start >= b for a, b in taken):
            links.append(link)
            taken.append((link.start, link.end))
    links, taken = _with_units(canon, g, links, taken)
    links, taken = _subtracted_units(canon, g, links, taken)
    for names in (g.english_names, g.chinese_names):  # "global AI advertising market" for 全球AI廣告市場, 交易服務
        for h in names.find_all(canon):
            if all(h.end <= a or h.start >= b for a, b in taken):
                links.append(Link(h.start, h.end, h.value, "exact"))
                taken.append((h.start, h.end))
    if not links:
        links.extend(_fuzzy(canon, g))
    links.sort(key=lambda l: l.start)
    return links


def _with_units(canon: str, g: GraphIndex, links: list[Link], taken: list[tuple[int, int]]
                ) -> tuple[list[Link], list[tuple[int, int]]]:
    """「騰訊的營銷服務」, "Tencent's marketing services": a unit named by its short name after its owner
    is the unit, not the owner (the catalog's kgo:shortLabel, matched only beside a named owner)."""
    lex = g.lexicon
    out = list(links)
    for link in links:
        # a platform's name stands for its company too: 「拼多多…交易服務」 is PDD Holdings' unit
        own = lex.short_names.get(link.ref.iri)
        matchers = [own] if own is not None else [
            m for iri in sorted(g.owners.get(link.ref.iri, ())) if (m := lex.short_names.get(iri)) is not None]
        hits = sorted((h for m in matchers for h in m.find_all(canon, link.end)), key=lambda h: h.start)
        for h in hits:
            if any(a < h.end and h.start < b for a, b in taken if (a, b) != (link.start, link.end)):
                continue
            gap = canon[link.end:h.start]
            for p in reversed(find_periods(gap)):  # 「快手2025年上半年線上營銷服務」: a period between them
                gap = gap[:p.start] + gap[p.end:]
            gap = re.sub(r"[\s,，、]", "", gap)
            if len(gap) <= 3 and gap in ("", "的", "'s", "’s", "其", "its", "旗下", "旗下的"):
                out = [x for x in out if x is not link]
                taken = [t for t in taken if t != (link.start, link.end)]
                out.append(Link(link.start, h.end, h.value, "exact"))
                taken.append((link.start, h.end))
                out = _coordinated_units(canon, g, out, link, h.key)
                out = _compared_units(canon, g, out, link, h.key)
                out, taken = _listed_units(canon, matchers, h.end, out, taken)
                break
        else:
            if len(links) == 1 and link in out:  # "How much accommodation reservation revenue did Trip.com book?"
                before = [h for m in matchers for h in m.find_all(canon, 0, link.start)
                          if not any(a < h.end and h.start < b for a, b in taken)]
                if before:
                    h = max(before, key=lambda h: (h.end - h.start, -h.start))
                    out = [x for x in out if x is not link] + [Link(h.start, h.end, h.value, "exact")]
                    taken = [t for t in taken if t != (link.start, link.end)] + [(h.start, h.end)]
    return out, taken


# between units of one owner listed or taken from each other: 「增值服務、廣告和移動遊戲」, 「分部收入扣除智能手機業務」
_SUBTRACT = r"扣除|减去|減去|除去|minus|excluding|less"
_UNIT_JOIN = re.compile(rf"[\s的]*(?:、|,|，|和|与|與|及|以及|and|&|{_SUBTRACT})\s*")
_SUBTRACTED = re.compile(rf"(?:{_SUBTRACT})\s*$")


def _listed_units(canon: str, matchers: list, end: int, links: list[Link], taken: list[tuple[int, int]]
                  ) -> tuple[list[Link], list[tuple[int, int]]]:
    """The owner's other units named after the first one, each joined to the one before by a list or
    subtraction word: all of them are asked about, not the first alone."""
    out, taken = list(links), list(taken)
    while True:
        j = _UNIT_JOIN.match(canon, end)
        if j is None or j.end() == end:
            return out, taken
        # the unit's name may follow a few characters of its own (「扣除智能手機業務」 has no owner before it)
        hit = next((h for m in matchers for h in m.find_all(canon, j.end(), j.end() + 12) if h.start == j.end()), None)
        if hit is None or any(a < hit.end and hit.start < b for a, b in taken):
            return out, taken
        out.append(Link(hit.start, hit.end, hit.value, "exact"))
        taken.append((hit.start, hit.end))
        end = hit.end


def _subtracted_units(canon: str, g: GraphIndex, links: list[Link], taken: list[tuple[int, int]]
                      ) -> tuple[list[Link], list[tuple[int, int]]]:
    """「小米…分部收入扣除智能手機業務後」: a unit of the company asked about, named by its short name after a
    subtraction word, is one of the operands."""
    lex = g.lexicon
    out, taken = list(links), list(taken)
    for link in links:
        owners = [link.ref.iri] if link.ref.iri in lex.short_names else sorted(g.owners.get(link.ref.iri, ()))
        for h in (h for iri in owners if (m := lex.short_names.get(iri)) is not None for h in m.find_all(canon, link.end)):
            if _SUBTRACTED.search(canon[max(0, h.start - 10):h.start]) and \
                    not any(a < h.end and h.start < b for a, b in taken):
                out.append(Link(h.start, h.end, h.value, "exact"))
                taken.append((h.start, h.end))
    return out, taken


def _compared_units(canon: str, g: GraphIndex, links: list[Link], owner: Link, name: str) -> list[Link]:
    """「快手的營銷服務收入比騰訊低多少」: the unit compared is the other owner's unit of that name."""
    out = list(links)
    for other in (x for x in links if x.start > owner.end):
        if not re.search(r"(?:比|than|与|和|vs\.?|versus)\s*$", canon[max(0, other.start - 6):other.start]):
            continue
        units = g.lexicon.short_names.get(other.ref.iri)
        unit = next((ref for key, ref in units.items() if key == name or key.endswith(name) or name.endswith(key)),
                    None) if units else None
        if unit is not None and units is not None and units.match_at(canon, other.end) is None:
            out = [Link(other.start, other.end, unit, "exact") if x is other else x for x in out]
    return out


def _coordinated_units(canon: str, g: GraphIndex, links: list[Link], owner: Link, name: str) -> list[Link]:
    """「快手和騰訊的營銷服務」: the unit's name also qualifies the owners coordinated before it."""
    out = list(links)
    right = owner
    for other in sorted((x for x in links if x.end <= owner.start), key=lambda x: -x.start):
        if not re.fullmatch(r"\s*(?:和|与|及|、|以及|and|&|,)\s*", canon[other.end:right.start]):
            break
        units = g.lexicon.short_names.get(other.ref.iri)
        unit = next((ref for key, ref in units.items() if key.endswith(name)), None) if units else None
        if unit is not None:
            out = [Link(other.start, other.end, unit, "exact") if x is other else x for x in out]
        right = other
    return out


def _exact(canon: str, g: GraphIndex, start: int, end: int) -> list[Link]:
    return [Link(h.start, h.end, h.value, "exact") for h in g.lexicon.entities.find_all(canon, start, end)
            if not re.fullmatch(r"[a-z]{1,2}", h.key)]


def _maker_of(g: GraphIndex, iri: str, preds: tuple[str, ...]) -> tuple[str, str] | None:
    for pred in preds:
        rows = g.store.select(f"""SELECT ?s ?a WHERE {{ ?a <{KGO}subject> ?s ; <{KGO}predicate> <{KGO}{pred}> ;
                                   <{KGO}object> ?o }}""", {"o": _node(iri)})
        if rows:
            return rows[0][0], rows[0][1]
    owners = sorted(g.owners.get(iri, ()))
    if owners:
        return owners[0], "catalog"
    return None


def _node(iri: str):  # type: ignore[no-untyped-def]
    from pyoxigraph import NamedNode

    return NamedNode(iri)


_WORD = re.compile(r"[a-z][a-z0-9\-]{3,}|[\u4e00-\u9fff]{2,6}")


def _fuzzy(canon: str, g: GraphIndex) -> list[Link]:
    """Misspelt names: the closest label of a mentioned entity, only when it is close."""
    choices: dict[str, str] = {}
    for iri in g.mentioned | set(g.lexicon.by_iri):
        for label in g.all_labels(iri):
            choices.setdefault(canonical(label), iri)
    out = []
    for m in _WORD.finditer(canon):
        best = process.extractOne(m.group(), list(choices), scorer=fuzz.ratio, score_cutoff=85)
        if best:
            iri = choices[best[0]]
            ref = g.lexicon.by_iri.get(iri)
            if ref is not None:
                out.append(Link(m.start(), m.end(), ref, "fuzzy"))
    return out


def dedupe(refs: Iterable[EntityRef]) -> list[EntityRef]:
    """The entities in order, each once."""
    seen: set[str] = set()
    out = []
    for r in refs:
        if r.iri not in seen:
            seen.add(r.iri)
            out.append(r)
    return out
