"""Relations between entities: who founded, launched, develops, integrates or owns what, who works where, who said what.

Read from the same canonical text and entity mentions as the observations (``facts.py``).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kg.periods import find_periods
from kg.phrasebook import Phrasebook

from .clauses import clause_of, split_clauses
from .entities import TITLES_ZH, EntityMention
from .model import Extraction, RelationFact
from .sentences import Sentence

if TYPE_CHECKING:
    from .facts import _Context

__all__ = ["attach_speakers", "dedupe_relations", "relations_in"]


_REL_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("founded", re.compile(r"成立了?|创立了?|创办了?|设立了?|组建了?|founded|established|set up|created")),
    ("launched", re.compile(r"推出了?|发布了?|上线了?|开源了?|launched|released|unveiled|introduced|rolled out|debuted")),
    ("develops", re.compile(r"研发了?|开发了?|自研|打造了?|developed|develops|builds|built")),
    ("integrates", re.compile(r"接入了?|集成了?|部署了?|integrated|integrates|deployed|adopted|offers|added support for")),
    ("runsOn", re.compile(r"依托|基于|依靠|搭载|运行在|运行于|部署在|部署于|powered by|built on|runs on|running on|based on|hosted on")),
]
_SAY = re.compile(r"表示|称|说|指出|提到|透露|认为|强调|坦言|said|says|told|noted|added|stated|commented")
_OWN_PATTERNS = re.compile(r"旗下的?|的|'s|’s")


def relations_in(ctx: "_Context", s: Sentence, ents: list[EntityMention]) -> list[RelationFact]:
    canon = ctx.canon
    out: list[RelationFact] = []
    span = (s.start, s.end)
    clauses = split_clauses(canon, s)
    for pred, rx in _REL_CUES:
        for m in rx.finditer(canon, s.start, s.end):
            c0, c1 = clauses[clause_of(clauses, m.start())]
            passive = re.search(r"(?:was|were|is|been|,)\s*$", canon[max(s.start, m.start() - 6):m.start()])
            before = [e for e in ents if e.end <= m.start() and e.ref.type != "Person"]
            after = [e for e in ents if m.end() <= e.start < c1 + 40 and e.start < s.end]
            by = re.match(r"\s*by\s+", canon[m.end():])
            if passive and by and pred in ("founded", "launched", "develops"):
                # "Kling AI, launched by Kuaishou in June 2024" / "was founded by"
                subj_after = [e for e in after if e.start <= m.end() + by.end() + 1]
                obj_before = [e for e in before if m.start() - e.end <= 12]
                if subj_after and obj_before:
                    out.append(RelationFact(subj_after[0].ref, pred, [span], object=obj_before[-1].ref,
                                            year=_year_near(ctx, m.end(), min(s.end, c1 + 40))))
                continue
            agent = [e for e in before if e.start >= c0 and re.search(r"由\s*$", canon[max(c0, e.start - 2):e.start])]
            if agent and pred in ("founded", "launched", "develops"):
                # "灵犀实验室由星河科技于2021年成立", "由快手推出的可灵"
                obj = [e for e in before if e.end <= agent[-1].start and e.start >= c0 - 0]
                obj_after = [e for e in ents if m.end() <= e.start < c1]
                target = obj[-1] if obj else (obj_after[0] if obj_after else None)
                if target is not None and target.ref.iri != agent[-1].ref.iri:
                    out.append(RelationFact(agent[-1].ref, pred, [span], object=target.ref,
                                            year=_year_near(ctx, c0, c1)))
                continue
            after = [e for e in after if e.start < c1]
            in_clause = [e for e in before if e.start >= c0]  # the subject is in the cue's clause,
            if not in_clause and m.start() - c0 <= 3 and before and not (
                    after and canon.startswith("的", after[0].end)):  # or the one before when the cue opens a clause
                in_clause = [before[-1]]
            before = in_clause
            if not before or not after:
                continue
            subj = before[-1]
            if pred == "runsOn":
                if subj.ref.is_org:
                    continue
            elif not subj.ref.is_org and pred in ("founded", "launched", "develops"):
                orgs = [e for e in before if e.ref.is_org]
                if not orgs:
                    continue
                subj = orgs[-1]
            obj = after[0]
            if pred in ("runsOn", "integrates"):
                things = [e for e in after if not e.ref.is_org and e.ref.type != "Person"]
                if not things:
                    continue
                obj = things[0]
            if obj.ref.iri == subj.ref.iri or obj.ref.type == "Person":
                continue
            if pred == "integrates" and obj.ref.is_org and obj.ref.type != "Lab":
                continue
            year = _year_near(ctx, c0, c1) if pred in ("founded", "launched") else None
            out.append(RelationFact(subj.ref, pred, [span], object=obj.ref, year=year))
            for other in after[1:]:
                if re.fullmatch(r"\s*(?:和|与|及|、|and|,)\s*", canon[obj.end:other.start]) and other.ref.type != "Person":
                    out.append(RelationFact(subj.ref, pred, [span], object=other.ref, year=year))
                    obj = other
    out.extend(_ownership(ctx, s, ents, span))
    out.extend(_people(ctx, s, ents, span))
    return out


def _year_near(ctx: "_Context", c0: int, c1: int) -> int | None:
    for p in find_periods(ctx.canon, c0, c1, ref_year=None, scan=ctx.period_scan):
        if p.period and p.period.year:
            return p.period.year
    return None


def _ownership(ctx: "_Context", s: Sentence, ents: list[EntityMention], span: tuple[int, int]) -> list[RelationFact]:
    canon = ctx.canon
    out = []
    for a, b in zip(ents, ents[1:]):
        gap = canon[a.end:b.start]
        if not a.ref.is_org or b.ref.type in ("Person", "Market") or a.ref.iri == b.ref.iri:
            continue
        if b.ref.type == "Organization" and not re.fullmatch(r"旗下的?|'s subsidiary|’s subsidiary", gap.strip()):
            continue
        if re.fullmatch(r"旗下的?|'s|’s|的", gap.strip()) or (gap == "" and b.ref.type in ("Platform", "Product", "AIModel", "BusinessUnit", "Lab")):
            out.append(RelationFact(a.ref, "owns", [span], object=b.ref))
    for m in re.finditer(r"其母公司|母公司|its parent(?: company)?", canon[s.start:s.end]):
        pos = s.start + m.start()
        parent = [e for e in ents if e.start >= s.start + m.end() and e.start - (s.start + m.end()) <= 2]
        child = [e for e in ents if e.end <= pos and e.ref.is_org]
        if parent and child:
            out.append(RelationFact(parent[0].ref, "owns", [span], object=child[-1].ref))
    return out


_TITLE = re.compile(r"(?P<title>(?:co-|联席)?(?:" + "|".join(sorted(map(re.escape, TITLES_ZH), key=len, reverse=True)) +
                    r"|chief executive(?: officer)?|chief financial officer|chief technology officer|president|chairman|"
                    r"founder|co-founder|head))")


def _people(ctx: "_Context", s: Sentence, ents: list[EntityMention], span: tuple[int, int]) -> list[RelationFact]:
    canon = ctx.canon
    out = []
    for p in (e for e in ents if e.ref.type == "Person"):
        # "腾讯总裁刘炽平", "Tencent President Martin Lau"
        pre = canon[max(s.start, p.start - 24):p.start]
        base = p.start - len(pre)
        alias = re.search(r"[(（][^()（）]{1,12}[)）]\s*$", pre)  # 「首席执行官(CEO)许冉」: the bracket repeats the title
        head = pre[:alias.start()] if alias else pre
        t = None
        for t in _TITLE.finditer(head):
            pass
        # 「首席執行官程一笑」: the title right before the name
        if t is not None and head[t.end():].strip() in ("", ","):
            tstart = base + t.start()
            org = [e for e in ents if e.end <= tstart + 1 and e.ref.is_org]
            # 「快手(01024)首席執行官」, 「商湯集團董事長、CEO」: a stock code, 的 and other titles between
            between = canon[org[-1].end:tstart] if org else ""
            if org and re.fullmatch(r"\s*(?:[(（][^()（）]{1,12}[)）])?\s*(?:的|'s|’s)?[\u4e00-\u9fff、兼\s]{0,12}", between):
                first = _TITLE.search(canon, org[-1].end, tstart + 1)
                rs = first.start() if first is not None else tstart
                out.append(RelationFact(p.ref, "worksFor", [span], object=org[-1].ref,
                                        role=ctx.norm.text[rs:base + t.end()]))
            elif ctx.frame is not None and ctx.frame.company is not None and _title_of_company(canon, s, tstart):
                # "said Chief Executive Lei Jun", "company founder Lei Jun said": the article's company
                out.append(RelationFact(p.ref, "worksFor", [span], object=ctx.frame.company,
                                        role=ctx.norm.text[tstart:base + t.end()]))
        # "Jane Doe, chief executive of Nimbus Robotics"
        post = re.match(r",?\s*(?:the\s+)?(?P<t>[a-z\- ]{2,40}?)\s+(?:of|at)\s+", canon[p.end:p.end + 60])
        if post and _TITLE.search(post.group("t")):
            org = [e for e in ents if e.start == p.end + post.end() and e.ref.is_org]
            if org:
                out.append(RelationFact(p.ref, "worksFor", [span], object=org[0].ref,
                                        role=ctx.norm.text[p.end + post.start("t"):p.end + post.end("t")]))
    for m in _SAY.finditer(canon, s.start, s.end):
        speakers = [e for e in ents if e.end <= m.start() and e.ref.type in ("Person", "Organization", "BusinessUnit")
                    and m.start() - e.end <= 12]
        after_speaker = [e for e in ents if e.start >= m.end() and e.start - m.end() <= 2 and e.ref.type == "Person"]
        quote = _quote_after(ctx, m.end(), s.end) if speakers else _quote_before(ctx, s.start, m.start())
        who = speakers[-1] if speakers else (after_speaker[0] if after_speaker else None)
        if who is None or not quote:
            continue
        out.append(RelationFact(who.ref, "said", [span], object_literal=quote))
    return out


def _title_of_company(canon: str, s: Sentence, tstart: int) -> bool:
    """Whether a title names no company before it in its clause, or only a word for the article's
    company (names.yaml company_word, title_company_word): "said Chief Executive Lei Jun",
    "company founder Lei Jun said", 「公司創始人雷軍表示」."""
    end = s.start + len(canon[s.start:tstart].rstrip())
    head = re.split(r"[,，;；:：。]", canon[s.start:end])[-1]
    if not head.strip() or re.search(rf"(?:{_SAY.pattern})\s*$", head):
        return True
    found = Phrasebook.load().ending_at(canon, end, "company_word", "title_company_word", start=end - len(head))
    return found is not None and not re.search(r"(?:^|\s)(?:a|an|one)\s*$|一家\s*$", canon[end - len(head):found[0]])


def _quote_after(ctx: "_Context", i: int, end: int) -> str | None:
    text = ctx.norm.text
    m = re.match(r"[\s,:：]*[「“\"](?P<q>[^」”\"]{4,400})", text[i:end + 400]) or re.search(
        r"[「“\"](?P<q>[^」”\"]{4,400})", text[i:end])
    if m:
        q = m.group("q")
    else:
        q = text[i:end].lstrip(",:： ")
        if q.lower().startswith("that "):
            q = q[5:]
    q = q.split("\u25a1")[0].strip().rstrip("。.」”\"")
    return q or None


def _quote_before(ctx: "_Context", start: int, i: int) -> str | None:
    m = re.search(r"[「“\"](?P<q>[^」”\"]{4,400})[」”\"]\s*,?\s*$", ctx.norm.text[start:i])
    return m.group("q").strip().rstrip(",，.") if m else None


def attach_speakers(out: Extraction, ctx: "_Context") -> None:
    """An observation read from inside a quoted statement is reported by its speaker."""
    said = [r for r in out.relations if r.predicate == "said"]
    for o in out.observations:
        for r in said:
            if o.reported_by is None and r.spans[0][0] <= o.spans[0][0] and o.spans[0][1] <= r.spans[0][1] \
                    and r.object_literal and ctx.norm.text[o.spans[0][0]:o.spans[0][1]].strip()[:6] in r.object_literal:
                o.reported_by = r.subject


def dedupe_relations(rels: list[RelationFact]) -> list[RelationFact]:
    by_key: dict[tuple[object, ...], RelationFact] = {}
    for r in rels:
        k = r.key()
        if k in by_key:
            for sp in r.spans:
                if sp not in by_key[k].spans:
                    by_key[k].spans.append(sp)
        else:
            by_key[k] = r
    return list(by_key.values())
