"""Extract metric observations and relations from recognised sentences.

Rules work on canonical text (Simplified, lower case) so that Traditional, Simplified
and English articles share them; spans index the normalised text.
"""
from __future__ import annotations

import copy
import functools
import dataclasses
import datetime as dt
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Sequence

from kg.text import Hit, canonical

from .entities import EntityMention
from kg.lexicon import DAY_METRICS, EntityRef, Lexicon, MetricRef
from .model import Extraction, ObservationFact
from .normalize import NormalizedText
from kg.periods import Anchor, Period, PeriodExpr, PeriodScan, calendar_to_fiscal, find_periods, resolve
from .quantities import NumberExpr, chinese_int, find_numbers
from kg.phrasebook import Phrasebook
from .clauses import clause_of, split_clauses
from .cues import CUE_WINDOW, basis_in, change_after, estimate_after, estimate_before, prior_before, read_before
from .relations import attach_speakers, dedupe_relations, relations_in
from .sentences import Sentence

__all__ = ["extract_facts"]

_EVENT = re.compile(r"成立|创立|创办|推出|发布|上线|founded|established|launched|released|ended|ending|结束")
_FORECAST = re.compile(r"预计|预期|预测|将会|将达|将增|将升|将飙升|将突破|有望|forecast|expect|projected|estimate|will|is set to|outlook|guidance")
_REPORTED = re.compile(r"根据|据|according to")
_REPORTED_AFTER = re.compile(r"的?(?:数据|报告|统计)显示|data show|report(?:ed)? show")
_CONSECUTIVE = re.compile(r"连续\s*(?P<n>[一二两三四五六七八九十\d]+)\s*个?\s*(?:季度|个月|年)|for (?:an? |the )?(?P<en>\w+) (?:consecutive|straight) (?:quarters?|years?|months?)")


@functools.lru_cache(maxsize=1)
def _share_of() -> re.Pattern[str]:
    """A share-of cue (metrics.yaml share_cue) and the whole it is a share of, ending right before a
    figure: 「佔收入的」, 「相當於同期收入的」, "accounting for". An entry's ``not_before`` / ``not_after``
    rule out the characters that make it another word (占比, 应占)."""
    parts = []
    for e in Phrasebook.load().of("share_cue"):
        after, before = e.get("not_after"), e.get("not_before")
        word = re.escape(e.key).replace("\\ ", r"\s+")
        parts.append((f"(?<!{re.escape(canonical(str(after)))})" if after else "") + word +
                     (f"(?!{re.escape(canonical(str(before))) })" if before else ""))
    parts.sort(key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(parts)})\s*(?P<den>[^,。;]{{0,20}}?)的?\s*$")


_PERCENT_OF = re.compile(r"\s*of\s+(?!the\s+(?:same|year|quarter|period))")  # "80% of <whole>": not "of the same period"
_QUALIFIER_CUT = re.compile(r".*(?:的|其(?![中他它])|推动|通过|借助|凭借|带动|使|让|实现|尤其在|方面|将|把|成功|同期|季度|\d年|\s)")
_SUBJECT_SKIP_BEFORE = re.compile(r"(?:为|是|比|对比|低于|高于|由|than|of|versus|vs\.?|接入了|收购了?|integrated|acquired|by)\s*$")
_TITLE = re.compile(r"《[^《》]{1,40}》")
_EN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
             "ten": 10, "eleven": 11, "twelve": 12, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}

_ZH_CUR = {"CNY": "CNY", "USD": "USD", "HKD": "HKD", "EUR": "EUR", "JPY": "JPY", "GBP": "GBP"}
_UNIT_NAME = {"percent": "Percent", "pp": "PercentagePoint", "multiple": "Multiple", "count": "Count",
              "ratio": "Ratio", "plain": "Count", "Kilometre": "Kilometre"}


@dataclass
class _Context:
    norm: NormalizedText
    canon: str
    lexicon: Lexicon
    entities: list[EntityMention]
    ref_year: int | None
    ref_date: dt.date | None
    last_period: tuple[int, Period] | None = None  # (paragraph, period) last written for a figure
    figure_ends: list[int] = field(default_factory=list)  # where the sentence's figures end, in order
    metric_hits: list[Hit[MetricRef]] | None = None  # the whole document's scan, left to right
    metric_starts: list[int] = field(default_factory=list)
    titles: list[tuple[int, int]] = field(default_factory=list)  # 《…》 spans of the whole document
    frame: "Frame | None" = None
    last_obs: ObservationFact | None = None  # the last figure read, for an estimate stated after it
    last_by_unit: dict[str, ObservationFact] = field(default_factory=dict)  # currency -> the last reported value in it
    last_currency: str | None = None  # the currency of the last amount read that stated one
    period_scan: PeriodScan | None = None  # the period templates' matches in the whole document
    entity_starts: list[int] = field(default_factory=list)
    para_frames: dict[int, Period] = field(default_factory=dict)  # paragraph -> period its lead-in states
    prev_sentence: Sentence | None = None  # the sentence read before this one

    def anchor(self, paragraph: int | None = None) -> Anchor:
        f = self.frame
        period = self.para_frames.get(paragraph, f.period if f else None) if paragraph is not None else (f.period if f else None)
        return Anchor(self.ref_date, self.ref_year, period, f.fiscal_year_end if f else 0)


@dataclass(frozen=True)
class Frame:
    """What a document reports: its primary company and reporting period, from the headline and lead."""

    company: EntityRef | None
    period: Period | None
    fiscal_year_end: int = 0
    cue: str = ""


# Kinds of period a results article reports, in order of preference for its frame.
_FRAME_KINDS = ("quarter", "half", "cumulative", "year")
_LEAD_CHARS = 600


def _replace(o: ObservationFact, **changes: object) -> ObservationFact:
    """``dataclasses.replace`` for an observation, without its per-call field introspection (hot path)."""
    new = copy.copy(o)
    for name, value in changes.items():
        if not hasattr(o, name):
            raise TypeError(f"ObservationFact has no field {name!r}")
        setattr(new, name, value)
    return new


def extract_facts(norm: NormalizedText, canon: str, sentences: list[Sentence], entities: list[EntityMention],
                  lexicon: Lexicon, *, ref_year: int | None, ref_date: dt.date | None,
                  metric_hits: list[Hit[MetricRef]] | None = None) -> Extraction:
    """Observations and relations of every sentence.

    ``metric_hits`` is ``lexicon.metrics.find_all(canon)`` when the caller already has it.
    """
    ctx = _Context(norm, canon, lexicon, entities, ref_year, ref_date, metric_hits=metric_hits,
                   metric_starts=[h.start for h in metric_hits or ()],
                   titles=[m.span() for m in _TITLE.finditer(canon)])
    ctx.entity_starts = [e.start for e in entities]
    ctx.period_scan = PeriodScan.of(canon)  # the templates are matched once; each sentence looks its periods up
    ctx.frame = _frame(ctx, sentences)
    if ctx.frame.company is not None:
        entities = sorted([*entities, *company_words(canon, entities, ctx.frame.company)], key=lambda e: e.start)
        ctx.entities = entities
        ctx.entity_starts = [e.start for e in entities]
    ctx.para_frames = _paragraph_frames(ctx, sentences)
    out = Extraction()
    for m in sorted(entities, key=lambda m: m.short):  # an entity's first mention by one of its names, if any
        out.entities.setdefault(m.iri, (m.ref, (m.start, m.end)))
    paragraphs = sorted({s.paragraph for s in sentences})
    para_rank = {p: i for i, p in enumerate(paragraphs)}
    for s in sentences:
        if s.end - s.start < 2:
            continue
        ents = [e for e in entities if s.start <= e.start and e.end <= s.end]
        obs = _observations(ctx, s, ents, para_rank)
        ctx.prev_sentence = s
        out.observations.extend(obs)
        out.relations.extend(relations_in(ctx, s, ents))
    attach_speakers(out, ctx)
    out.observations = _merge(_carry_lead_changes(out.observations))
    out.relations = dedupe_relations(out.relations)
    used = {o.subject.iri for o in out.observations} | {r.subject.iri for r in out.relations} | {
        r.object.iri for r in out.relations if r.object} | {o.compared_to.iri for o in out.observations if o.compared_to} | {
        o.reported_by.iri for o in out.observations if o.reported_by}
    known = ctx.lexicon.by_iri
    out.entities = {k: v for k, v in out.entities.items() if k in used or k in known}
    return out


# -- the reporting frame -------------------------------------------------------------

def _frame(ctx: _Context, sentences: list[Sentence]) -> Frame:
    """The primary company (the organisation the headline and lead name most) and the
    reporting period (the first quarter, half, span or year they state, resolved against
    the document date and that company's fiscal calendar)."""
    paras = sorted({s.paragraph for s in sentences})[:4]
    lead = [s for s in sentences if s.paragraph in paras]
    end = min(max((s.end for s in lead), default=0), _LEAD_CHARS)
    counts: dict[str, list[object]] = {}
    for e in ctx.entities:
        if e.start >= end:
            break
        if e.ref.type == "Organization":
            c = counts.setdefault(e.ref.iri, [0, e.start, e.ref])
            c[0] = int(c[0]) + 1  # type: ignore[call-overload]
    company = None
    if counts:
        company = max(counts.values(), key=lambda c: (c[0], -int(c[1])))[2]  # type: ignore[arg-type,call-overload]
    fye = ctx.lexicon.fiscal_year_end_of(company.iri if company else None)  # type: ignore[union-attr]
    anchor = Anchor(ctx.ref_date, ctx.ref_year, None, fye)
    found = [p for p in find_periods(ctx.canon, 0, end, anchor=anchor, scan=ctx.period_scan) if p.period is not None]
    for kind in _FRAME_KINDS:
        for p in found:
            if p.period is not None and p.period.kind == kind and not _is_past_context(ctx, p) \
                    and (kind != "year" or p.period.fiscal or _names_reporting_year(ctx, p)):
                return Frame(company, p.period, fye, p.cue)  # type: ignore[arg-type]
    return Frame(company, None, fye)  # type: ignore[arg-type]


_SAY_GAP = re.compile(r"(?:[a-z]{2,8}\s+|[\u4e00-\u9fff])")


def company_words(canon: str, entities: list[EntityMention], company: EntityRef) -> list[EntityMention]:
    """「集團」, 「公司」, "the company" written bare (phrasebook role ``company_word``): mentions of the article's company.

    A word inside a name or right after a Han character (子公司, 科技公司, 雲帆集團) or before
    a possessive (the company's rival) is not one.
    """
    out: list[EntityMention] = []
    k = 0
    book = Phrasebook.load()
    for s, e, _ in book.find(canon, "company_word"):
        while k < len(entities) and entities[k].end <= s:
            k += 1
        if k < len(entities) and entities[k].start < e:
            continue  # part of a name
        if s > 0 and "\u4e00" <= canon[s - 1] <= "\u9fff" and not canon[s].isascii():
            continue
        if canon.startswith(("'s", "’s"), e):
            continue
        at = e + len(canon[e:e + 4]) - len(canon[e:e + 4].lstrip())
        gap = _SAY_GAP.match(canon, at)  # "the company also said", 「公司亦表示」: one word between
        if any(book.match("say_verb", canon, i) is not None for i in {at, gap.end() if gap else at}):
            continue  # 「公司明言…」: who speaks, not what the figures are about
        out.append(EntityMention(s, e, company))
    return out


def _names_reporting_year(ctx: _Context, p: PeriodExpr) -> bool:
    """「2024財年」, 「全年」, "full-year": a year named as the one an article reports, not in passing."""
    hits = Phrasebook.load().find(ctx.canon, "frame_year_cue", start=max(0, p.start - 6), end=p.end + 8)
    return any(True for _ in hits)


def _is_past_context(ctx: _Context, p: PeriodExpr) -> bool:
    """A period named only as a comparison (去年同期, a year earlier) does not frame the article."""
    return p.relative in ("year_ago", "prev_year")


def _paragraph_frames(ctx: _Context, sentences: list[Sentence]) -> dict[int, Period]:
    """A paragraph that opens with a period (a section heading, 「2024年全年,」, "In the first quarter
    of 2025,") reports that period. A heading (one sentence with no figure of its own) goes on
    framing the paragraphs after it, until another paragraph opens with a period."""
    out: dict[int, Period] = {}
    firsts: dict[int, Sentence] = {}
    count: dict[int, int] = {}
    for s in sentences:
        firsts.setdefault(s.paragraph, s)
        count[s.paragraph] = count.get(s.paragraph, 0) + 1
    fye = ctx.frame.fiscal_year_end if ctx.frame else 0
    carry: Period | None = None
    for para in sorted(firsts):
        s = firsts[para]
        anchor = Anchor(ctx.ref_date, ctx.ref_year, ctx.frame.period if ctx.frame else None, fye)
        ps = find_periods(ctx.canon, s.start, min(s.end, s.start + 40), anchor=anchor, scan=ctx.period_scan)
        lead = ctx.canon[s.start:ps[0].start] if ps else ""
        if ps and (len(lead) <= 2 or _is_period_lead(lead)) and ps[0].period is not None \
                and ps[0].period.kind in _FRAME_KINDS:
            out[para] = ps[0].period
            rest = ctx.canon[s.start:ps[0].start] + ctx.canon[ps[0].end:s.end]
            carry = ps[0].period if count[para] == 1 and not any(ch.isdigit() for ch in rest) else None
        elif carry is not None:
            out[para] = carry
    return out


def _is_period_lead(lead: str) -> bool:
    """Whether ``lead`` (the text a paragraph opens with, up to its period) is a word of role ``period_lead`` ("In ")."""
    word = lead.strip()
    return bool(word) and Phrasebook.load().has("period_lead", word)


# -- observations -----------------------------------------------------------------

def _metric_hits(ctx: _Context, s: Sentence, ents: list[EntityMention]) -> list[Hit[MetricRef]]:
    hits = []
    for h in sorted(_sentence_metric_hits(ctx, s) + _unit_income(ctx, s, ents), key=lambda h: h.start):
        if any(e.start <= h.start and h.end <= e.end for e in ents):
            continue
        inside = [e for e in ents if e.start <= h.start < e.end]
        if inside:
            # 「線上營銷服務收入」 with the unit recognised: the metric is what follows the name
            at = inside[0].end
            while at < h.end and ctx.canon[at] == " ":
                at += 1
            rest = ctx.lexicon.metrics.match_at(ctx.canon, at)
            h = rest if rest is not None and rest.end == h.end else Hit(inside[0].end, h.end, h.key, h.value)
        if ctx.norm.is_garbled(h.start, h.end):
            continue
        tail = Phrasebook.load().ending_at(ctx.canon, h.end, "per_tail", start=max(s.start, h.start - 8))
        if tail is not None and tail[0] <= h.start:
            continue  # "HKD138.50 (USD17.83) a share", 「每股」: a per-share tail, not the metric share
        if hits and _restates(ctx.canon, hits[-1], h):
            continue  # 「歸屬於普通股股東的淨利潤(即「淨利潤」)」: the bracket names the metric just read
        hits.append(h)
    return hits


def _unit_income(ctx: _Context, s: Sentence, ents: list[EntityMention]) -> list[Hit[MetricRef]]:
    """"Income from Alibaba Cloud Intelligence Group climbed 13 percent": a word of metrics.yaml unit_income
    right before a business's name is that business's revenue (its metric); before anything else, nothing."""
    out = []
    for a, b, p in Phrasebook.load().find(ctx.canon, "unit_income", start=s.start, end=s.end):
        ref = ctx.lexicon.metrics.get(str(p.get("metric")))
        named = any(e.start == b + 1 and e.ref.type in ("BusinessUnit", "Product", "Platform") for e in ents)
        if ref is not None and named and ctx.lexicon.metrics.match_at(ctx.canon, a) is None:
            out.append(Hit(a, b, p.key, ref))
    return out


def _restates(canon: str, prev: Hit[MetricRef], h: Hit[MetricRef]) -> bool:
    """Whether ``h`` lies in a bracket that opens right after the metric ``prev``."""
    bracket = _bracket_after(canon, prev.end)
    return bracket is not None and bracket.start() < h.start and h.end < bracket.end()


def _bracket_after(canon: str, end: int) -> re.Match[str] | None:
    """The bracketed aside that opens at ``end`` (one space allowed): 「淨利潤(Non-GAAP)」, "net profit (adjusted)"."""
    return _ASIDE.match(canon, end + (1 if canon.startswith(" ", end) else 0))


def _sentence_metric_hits(ctx: _Context, s: Sentence) -> list[Hit[MetricRef]]:
    """The metric scan of one sentence, taken from the whole document's scan.

    Both scans take the same longest match at each position they visit, so they agree
    inside the sentence unless a document hit crosses one of its edges; then the
    sentence is scanned on its own.
    """
    doc_hits = ctx.metric_hits
    if doc_hits is None:
        return list(ctx.lexicon.metrics.find_all(ctx.canon, s.start, s.end))
    i = bisect_left(ctx.metric_starts, s.start)
    if i > 0 and doc_hits[i - 1].end > s.start:
        return list(ctx.lexicon.metrics.find_all(ctx.canon, s.start, s.end))
    out = []
    while i < len(doc_hits) and doc_hits[i].start < s.end:
        if doc_hits[i].end > s.end:
            return list(ctx.lexicon.metrics.find_all(ctx.canon, s.start, s.end))
        out.append(doc_hits[i])
        i += 1
    return out


def _observations(ctx: _Context, s: Sentence, ents: list[EntityMention], para_rank: dict[int, int]) -> list[ObservationFact]:
    canon = ctx.canon
    clauses = split_clauses(canon, s)
    periods = find_periods(canon, s.start, s.end, anchor=ctx.anchor(s.paragraph), scan=ctx.period_scan)
    if periods:  # "up 3.5 points from a year earlier": a basis of comparison, not the figure's period
        bases = [(a, b) for a, b, _ in Phrasebook.load().find(canon, "change_basis", start=s.start, end=s.end)]
        periods = [p for p in periods if not any(a <= p.start and p.end <= b for a, b in bases)]
    skip = [(p.start, p.end) for p in periods] + [(e.start, e.end) for e in ents]
    # titles ending inside the sentence: the same spans a scan of canon[:s.end] finds, as 《…》 cannot nest
    skip += [t for t in ctx.titles if s.start < t[1] <= s.end]
    skip += [m.span() for m in _CONSECUTIVE.finditer(canon, s.start, s.end)]
    numbers = [n for n in find_numbers(canon, s.start, s.end, skip=skip) if not ctx.norm.is_garbled(n.start, n.end)]
    ranks = _rank_figures(ctx, s, numbers)
    if ranks:
        known = {n.start for n in numbers}
        numbers = sorted([*numbers, *(n for n, _h in ranks.values() if n.start not in known)], key=lambda n: n.start)
    if not numbers:
        return []
    metrics = _metric_hits(ctx, s, ents)
    reported = _reported_by(ctx, s, ents)
    out: list[ObservationFact] = []
    last_value: dict[str, ObservationFact] = {}  # metric iri -> the last value read of it in the sentence
    prev_metric: tuple[Hit[MetricRef], str | None] | None = None
    counted_spans: list[tuple[int, int]] = []  # the nouns of bare counts read so far: no subject inside them
    rank_of: str | None = None  # what the last rank read ranks
    respective = _respectively(ctx, s, [e for e in ents if e.ref.type != "Person"], numbers, clauses)
    respective_metric = _respectively(ctx, s, metrics, numbers, clauses)
    if ranks:  # 「阿里雲和百度分別以19.8%和11.2%位列第二、第三」: the places pair with the names too
        respective.update(_respectively(ctx, s, [e for e in ents if e.ref.type != "Person"],
                                        [n for n, _h in ranks.values()], clauses))
    all_ents, all_metrics, all_periods = ents, metrics, periods
    e_starts = [e.start for e in all_ents]
    m_starts = [h.start for h in all_metrics]
    p_starts = [p.start for p in all_periods]
    c_starts = [c[0] for c in clauses]
    ctx.figure_ends = [n.end for n in numbers]
    priors = _prior_figures(canon, numbers, periods, clauses, c_starts, all_metrics)
    if priors:  # a period written inside 「由2024年第三季的X」 is X's alone
        own = [(pr.expr.start, pr.expr.end) for pr in priors.values() if pr.expr is not None]
        all_periods = [p for p in all_periods if not any(a <= p.start and p.end <= b for a, b in own)]
        p_starts = [p.start for p in all_periods]
    for n in numbers:
        # what a figure is read with lies within a window around it: a 50,000-character sentence
        # costs each figure the window, not the sentence
        lo, hi = n.start - _WINDOW, n.end + _WINDOW
        ents = all_ents[bisect_left(e_starts, lo):bisect_left(e_starts, hi)]
        metrics = all_metrics[bisect_left(m_starts, lo):bisect_left(m_starts, hi)]
        periods = all_periods[bisect_left(p_starts, lo):bisect_left(p_starts, hi)]
        ci = max(0, bisect_left(c_starts, n.start + 1) - 1)
        c0, c1 = clauses[ci]
        before = canon[c0:n.start]
        estimate = estimate_before(before) or estimate_after(canon[n.end:c1])
        if estimate is not None:  # "compared with the 179 billion yuan average of analysts' estimates": no prior
            priors.pop(n.start, None)
        metric, qualifier, anchor, from_share = _metric_for(ctx, n, metrics, clauses, ci, s, prev_metric)
        if n.start in ranks:  # 「銷量排名第二」, "the No. 14 overall free app on Google Play"
            cue = ranks[n.start][1]
            span = _rank_of(ctx, cue, n, c0, min([c1, *(p.start for p in periods if p.start >= n.end)]))
            metric, anchor, from_share = cue, n.start, False
            if span and n.start not in priors:
                words = ctx.norm.text[span[0]:span[1]].strip(" 的")
                qualifier = rank_of = words if words and not re.search(r"\d", words) else None  # 「以7.5%的份額」
            else:
                qualifier = rank_of  # "No. 14 … on Google Play, up from No. 133": the same chart's
            if span:
                counted_spans.append(span)  # "… on Google Play, up from No. 133": Google Play is no subject
        if n.start in respective_metric:  # 「現金及現金等價物和短期理財投資分別為1,017億元和694億元」
            hit = respective_metric[n.start]
            metric, qualifier, anchor, from_share = hit, None, hit.start, False  # type: ignore[assignment]
        elif metric is None and n.unit == "percent" and n.start in respective and \
                respective[n.start].ref.type == "BusinessUnit" and ctx.lexicon.metrics.get("revenue") is not None:
            # "online marketing services and transaction services grew 17% and 33% respectively": a business
            # line that grows, with no metric named, grows its revenue
            metric = Hit(n.start, n.start, "revenue", ctx.lexicon.metrics.get("revenue"))
        last_same = ctx.last_by_unit.get(n.unit if n.is_currency else "")
        if metric is None and estimate is not None and last_same is not None \
                and last_same.spans[0][1] >= s.start - _ESTIMATE_REACH:
            # 「淨利潤100.6億元。預估86.3億元」, "revenue of RMB 110.61 billion … . …, falling short of analyst
            # estimates of around RMB 115.38 billion": the estimate of the last figure stated in that currency
            last = last_same
            est = _figure(ctx, n, last.metric, "", canon[n.end:c1], False)
            if est is not None and est.value is not None and est.unit == last.unit:
                out.append(_replace(est, subject=last.subject, spans=[(c0, c1)], period=last.period,
                                    estimate=estimate[0], cues=(*est.cues, estimate[1])))
            continue
        if metric is None and ctx.last_obs is not None and ctx.last_obs.value is not None \
                and ctx.last_obs.spans[0][1] >= s.start - 16 and _LEAD_PRONOUN.match(canon, s.start) \
                and n.unit in ("percent", "pp"):
            # 「收入是3470億元。它同比增長了13.4%。」: the change of the figure just stated
            last = ctx.last_obs
            ch = _figure(ctx, n, last.metric, before, canon[n.end:c1], False)
            if ch is not None and ch.change is not None and ch.value is None:
                out.append(_replace(ch, subject=last.subject, spans=[(c0, c1)], period=last.period,
                                    qualifier=last.qualifier))
            continue
        if metric is not None and metric.value.name == "Count" and metric.end <= n.start:
            metric = None  # a counted noun is its own figure's: "2 MoE models and 6 dense models"
        verb_metric = _verb_metric(ctx, before, c0) if metric is None or metric.end <= c0 else None
        implied = verb_metric is not None
        if implied:  # 「首錄經營盈利 經調整多賺80.9%」: the verb names its own metric, over an earlier clause's
            metric = verb_metric
        carried = metric is None
        if metric is None:
            metric = _pronoun_metric(ctx, s)
        if metric is None:
            counted = _counted_noun(ctx, n, c1)
            if counted is None:
                continue
            metric, qualifier, carried = counted, ctx.norm.text[counted.start:counted.end], False
            counted_spans.append((counted.start, counted.end))
        if not from_share:
            metric = _with_modifiers(ctx, metric, c0)
            if prev_metric is not None:
                metric = _margin_of(ctx, metric, prev_metric[0])
            if prev_metric is not None and (n.start in priors or _compares_to_earlier(periods, n, c1)) \
                    and metric.value.iri in ctx.lexicon.metric_broader.get(prev_metric[0].value.iri, ()):
                # "net profit hit 12.9 billion, up from a profit of 3.6 billion": the metric just named
                metric, qualifier = Hit(metric.start, metric.end, prev_metric[0].key, prev_metric[0].value), prev_metric[1]
        if not (from_share and metric.start == n.start) and not implied:
            prev_metric = (metric, qualifier)  # "80% of its downloads", 「多賺26%」: no metric for the figures after
        if n.per_share and n.is_currency:
            metric = _per_share(ctx, metric)
        m = metric.value
        if n.unit == "plain" and m.kind != "count":
            continue
        if n.unit == "count" and m.kind not in ("count",) and not n.chinese:
            if m.kind != "count" and n.value is not None and n.value < 1000 and not canon[n.end:n.end + 1] in "家个名位":
                continue
        if counted_spans:
            ents = [e for e in ents if not any(a <= e.start and e.end <= b for a, b in counted_spans)]
        # "delivering 75,869 SU7 sedans", 「交付75869輛SU7」: the product counted is the count's subject
        thing = next((e for e in ents if n.end <= e.start <= n.end + 3 and e.ref.type in _COUNTED_THINGS), None) \
            if m.kind == "count" and m.name != "Count" and n.start not in respective else None
        of = _PERCENT_OF.match(canon, n.end) if from_share and n.unit == "percent" else None
        if of is not None:  # "80% of DeepSeek's total downloads": the whole's owner
            thing = next((e for e in ents if e.start == of.end() and re.match(r"'s|’s", canon[e.end:e.end + 2])), None)
        subjects = [respective[n.start].ref] if n.start in respective else [thing.ref] if thing is not None else \
            _subjects(ctx, s, ents, anchor, n, para_rank, reported, company_level=m.company_level)
        compared = last_value.get(m.iri) if n.start in priors else None
        if compared is not None and not any(compared.spans[0][1] <= e.start and e.end <= n.start for e in ents):
            subjects = [compared.subject]  # "Operating margin of JD Retail reached 4.5%, up from 4.0%": JD Retail's too
        if not subjects:
            continue
        period = _period_for(ctx, periods, clauses, ci, n, s, day_metric=m.name in DAY_METRICS or m.kind != "amount")
        if n.start in priors:
            period = priors[n.start].expr or period
        framed = period is _UNSTATED
        expr = period if isinstance(period, PeriodExpr) else None
        year_ago = expr is not None and expr.relative == "year_ago"  # "up from X in the same period a year earlier"
        if expr is not None:
            period = expr.period
            if expr.relative == "now" and ctx.ref_date is not None and (m.name == "Rank" or m.name in DAY_METRICS):
                # "currently the No. 14 free app": a chart place or a price is the dateline day's
                period = Period(ctx.ref_date.year, month=ctx.ref_date.month, day=ctx.ref_date.day)
        elif framed:
            period = None
        # 「18%的上升空間」: the metric named after the figure is no change cue of it
        obs = _figure(ctx, n, m, before, canon[n.end:metric.start if n.end <= metric.start < c1 else c1], from_share)
        if obs is None:
            continue
        span = (min(c0, metric.start) if metric.start >= s.start else c0, c1)
        span = (metric.start, c1) if carried else (max(span[0], s.start), span[1])  # the quote names the metric
        if n.start in respective:  # "A and B …, growing 17% and 33% respectively": from the name on
            span = (min(span[0], respective[n.start].start), span[1])
        cons = _CONSECUTIVE.search(canon, c0, c1)
        for subj in subjects:
            if subj.type == "Market" and m.name == "Revenue":
                m = ctx.lexicon.metrics.get("market size") or m  # a market's sales are its size
                obs = _replace(obs, metric=m)
            if framed:
                period = _framed_period(ctx, m, s, subj)
            elif expr is not None and expr.spec is not None and expr.spec.fiscal:
                period = _fiscal_period_of(ctx, expr, subj, s) or period
            fiscal = _fiscal_name(ctx, period, subj)
            o = _replace(obs, subject=subj, spans=[span], period=period, qualifier=qualifier, fiscal_period=fiscal,
                        forecast=bool(_FORECAST.search(canon, c0, n.start)),
                        reported_by=reported.ref if reported and reported.ref.iri != subj.iri else None,
                        consecutive_periods=_consecutive(cons) if cons else None,
                        compared_to=_compared_to(ctx, ents, n, c0))
            if estimate is not None and o.value is not None:
                o = _replace(o, estimate=estimate[0], cues=(*o.cues, estimate[1]))
            if n.start in priors:
                if o.value is None or o.period is None:
                    continue
                pr = priors[n.start]
                # 「經營利潤率由25.1%下降至5.7%」 with no basis: results are compared with a year earlier;
                # "up from No. 133 on January 24": a day written after the figure is its own
                own_after = any(n.end <= p.start <= n.end + 12 for p in periods)
                if o.period.kind == "day" and pr.expr is None and not own_after:
                    continue  # a day's figure up from one of an unstated day
                earlier = o.period if pr.expr is not None or year_ago or own_after else \
                    _earlier(o.period, pr.basis or "YearOverYear")
                if earlier is None:
                    continue  # the period the change started from is not said
                o = _replace(o, prior=True, period=earlier, fiscal_period=_fiscal_name(ctx, earlier, subj),
                             cues=(*o.cues, pr.cue))
            out.append(o)
            if o.value is not None and not o.prior:
                last_value[o.metric.iri] = o
            if o.value is not None:
                ctx.last_obs = o
                if o.estimate is None and not o.prior and n.is_currency:
                    ctx.last_by_unit[n.unit] = o
                if n.is_currency:
                    ctx.last_currency = n.unit
        if period is not None and not framed and n.start not in priors and not (expr is not None and expr.relative in ("now", "year_ago")):
            ctx.last_period = (s.paragraph, period)  # 「目前」, 「去年同期」 frame no figure after their own
    return _point_changes(_day_moves(_pair_value_and_change(out)))


def _point_changes(obs: list[ObservationFact]) -> list[ObservationFact]:
    """「毛利率從2023年的70.5%增至77.3%」, "margin rose to 21.5% from 18.9%", 「毛利率為56%，去年同期為53%」: a ratio
    stated in one sentence with the ratio it moved from (a prior, or the same ratio a year or a quarter
    before), and no change of its own, moved by their difference in percentage points."""
    def stated(o: ObservationFact) -> bool:
        return o.unit == "Percent" and o.value is not None and o.period is not None and o.estimate is None \
            and o.qualitative is None

    ratios: dict[tuple[object, ...], list[ObservationFact]] = {}
    for o in obs:
        if stated(o):
            ratios.setdefault((o.subject.iri, o.metric.iri, o.qualifier), []).append(o)
    if not any(len(v) > 1 for v in ratios.values()):
        return obs
    out = []
    for o in obs:
        same = ratios.get((o.subject.iri, o.metric.iri, o.qualifier), ()) if stated(o) else ()
        if not o.prior and len(same) > 1 and o.change is None:
            earlier = {_earlier(o.period, "YearOverYear"), _earlier(o.period, "QuarterOverQuarter")}
            before = [p for p in same if p.period != o.period and (p.prior or p.period in earlier)]
            near = [p for p in before if p.spans[0][0] < o.spans[0][1] and o.spans[0][0] < p.spans[0][1]]
            before = near if len(before) > 1 else before  # two pairs in one sentence: each with its own clause
            if len(before) == 1:
                p = before[0]
                basis = "YearOverYear" if _earlier(o.period, "YearOverYear") == p.period else \
                    "QuarterOverQuarter" if _earlier(o.period, "QuarterOverQuarter") == p.period else None
                o = _replace(o, change=round(o.value - p.value, 6), change_unit="PercentagePoint", change_basis=basis,
                             cues=(*o.cues, "derived:points-from-prior"))
        out.append(o)
    return out


def _day_moves(obs: list[ObservationFact]) -> list[ObservationFact]:
    """「全日收挫3.1%，報116.3港元」: a trading day's percentage move is the change of that day's price,
    stated on both (the price's change and the move's own change, as a fraction)."""
    moves = {(o.subject.iri, o.period): o for o in obs if o.metric.name == "StockPriceChange" and o.unit == "Percent"
             and o.value is not None and o.change is None and o.estimate is None
             and o.period is not None and o.period.day is not None}
    if not moves:
        return obs
    out = []
    for o in obs:
        mv = moves.get((o.subject.iri, o.period))
        if mv is not None and o.metric.name == "StockPriceChange" and o.value is not None and o.change is None:
            change = round(mv.value / 100, 8)
            if o is mv:
                o = _replace(o, change=change, change_unit="Percent")
            elif o.unit != "Percent":  # the price: joined with the move it closed on
                o = _replace(_joined(o, mv), change=change, change_unit="Percent", change_basis=None)
        out.append(o)
    return out


@dataclass(frozen=True)
class _Prior:
    """A figure a change starts from, with the cue that says so."""

    cue: str  # phrasebook entry id
    basis: str | None  # of the change stated after it: which earlier period the figure is
    expr: PeriodExpr | None  # the period written for it inside the cue (「由2024年第三季的」)


def _prior_figures(canon: str, numbers: list[NumberExpr], periods: list[PeriodExpr], clauses: list[tuple[int, int]],
                   c_starts: list[int], metrics: list[Hit[MetricRef]] = ()) -> dict[int, _Prior]:  # type: ignore[assignment]
    """Figures a change starts from, by number start: 「由120億元，按年下降40%至72億元」, "up from 60.2 billion yuan"."""
    out: dict[int, _Prior] = {}
    for k, n in enumerate(numbers):
        c0 = clauses[max(0, bisect_left(c_starts, n.start + 1) - 1)][0]
        lo = max(c0, n.start - 40)
        inside = [p for p in periods if lo <= p.start and p.end <= n.start]
        before, pos = [], lo
        for p in inside:  # the words before the figure, with the periods written there left out
            before.append(canon[pos:p.start])
            pos = p.end
        before.append(canon[pos:n.start])
        # 「由2024年的」, 「較上年同期的」, "rose to X ($Y) from"
        cue = prior_before("".join(before)) or prior_before(canon[max(c0, n.start - 80):n.start])
        if cue is None:
            aside = _bracketed_prior(canon, numbers, k, periods)
            if aside is not None:
                out[n.start] = _Prior("grammar:bracketed-year-ago", None, aside)
            continue
        key = cue.split(":", 1)[1]
        at = canon.rfind(canonical(key), lo, n.start)
        if at >= 0 and any(h.start <= at < h.end for h in metrics):
            continue  # 「自由現金流逾240億美元」: the cue's characters belong to a metric's name
        nxt = numbers[k + 1].end if k + 1 < len(numbers) else n.end + 40
        found = basis_in(canon[n.end:min(nxt + 8, n.end + 60)])
        own = inside[-1] if inside else next((p for p in periods if p.start >= n.end and p.relative == "year_ago"
                                                and (g := _GAP.match(canon, n.end, p.start)) and g.end() == p.start), None)
        out[n.start] = _Prior(cue, found[0] if found else None, own)  # "from 161.1 billion yuan a year earlier"
    return out


def _bracketed_prior(canon: str, numbers: list[NumberExpr], k: int, periods: list[PeriodExpr]) -> PeriodExpr | None:
    """"reached 54% (47% in the same period last year)", 「佔比54%(去年同期47%)」: a figure in brackets right
    after another, with a year-ago period inside the brackets, is the first figure a year earlier."""
    n = numbers[k]
    if k == 0 or not re.fullmatch(r"\s*[(（]\s*", canon[numbers[k - 1].end:n.start]):
        return None
    close = re.compile(r"[)）]").search(canon, n.end, n.end + 40)
    if close is None:
        return None
    inside = [p for p in periods if numbers[k - 1].end < p.start and p.end <= close.start()]
    return inside[0] if len(inside) == 1 and inside[0].relative == "year_ago" else None


_PROFIT_BASES = ("Profit", "NetProfit")


def _per_share(ctx: _Context, h: Hit[MetricRef]) -> Hit[MetricRef]:
    """"net income … was RMB8.6 billion, or RMB2.73 per share", 「每股2.73元」 after a profit: the earnings per
    share, with the profit's qualifiers (adjusted profit → adjusted EPS)."""
    form = ctx.lexicon.metric_form.get(h.value.iri)
    base = ctx.lexicon.metric_variants.get((form[0], frozenset())) if form else h.value
    eps = ctx.lexicon.metrics.get("eps")
    if eps is None or base is None or base.name not in _PROFIT_BASES:
        return h
    mods = (form[1] if form else frozenset()) & {"adjusted", "basic", "diluted"}
    eps_form = ctx.lexicon.metric_form.get(eps.iri)
    ref = ctx.lexicon.metric_variants.get((eps_form[0], frozenset(mods))) if eps_form and mods else None
    return Hit(h.start, h.end, h.key, ref or eps)


@functools.lru_cache(maxsize=1)
def _metric_verbs() -> tuple[str, ...]:
    """Canonical keys of the change verbs that name their metric (changes.yaml ``metric``)."""
    return tuple(e.key for e in Phrasebook.load().of("change_verb") if e.get("metric"))


def _verb_metric(ctx: _Context, before: str, c0: int) -> Hit[MetricRef] | None:
    """A change verb that names what changed (changes.yaml ``metric``: 多賺, 少賺 earn more or less: the
    net profit), when no metric is written: 「攜程次季多賺26%」, 「美團次季經調整少賺89%」."""
    if not any(k in before[-CUE_WINDOW:] for k in _metric_verbs()):
        return None  # the common case, on every figure named after its clause's start: no read needed
    book = Phrasebook.load()
    for cue in read_before(before).cues:
        role, _, text = cue.partition(":")
        entry = book.get(role, text) if role == "change_verb" else None
        name = entry.get("metric") if entry is not None else None
        ref = ctx.lexicon.metrics.get(str(name)) if name else None
        if ref is None:
            continue
        at = before.rfind(entry.key)  # type: ignore[union-attr]
        mod = book.ending_at(before, at, "metric_modifier", start=max(0, at - 8)) if at > 0 else None
        form = ctx.lexicon.metric_form.get(ref.iri)
        if mod is not None and form is not None:  # 「經調整少賺」: the adjusted net profit
            ref = ctx.lexicon.metric_variants.get((form[0], form[1] | {str(mod[1].get("modifier"))})) or ref
        return Hit(c0 + at, c0 + at + len(entry.key), str(name), ref)  # type: ignore[union-attr]
    return None


def _earlier(p: Period, basis: str | None) -> Period | None:
    """The period a change of ``basis`` compares ``p`` with (a year before; the quarter before)."""
    if basis == "YearOverYear" or (basis is None and p.kind == "year"):
        return dataclasses.replace(p, year=p.year - 1, end_year=p.end_year - 1 if p.end_year else None)
    if basis == "QuarterOverQuarter" and p.kind == "quarter" and p.quarter:
        return dataclasses.replace(p, year=p.year - (p.quarter == 1), quarter=4 if p.quarter == 1 else p.quarter - 1)
    return None


def _respectively(ctx: _Context, s: Sentence, items: Sequence[EntityMention | Hit[MetricRef]], numbers: list[NumberExpr],
                  clauses: list[tuple[int, int]]) -> dict[int, EntityMention | Hit[MetricRef]]:
    """The i-th of coordinated names or metrics goes with the i-th figure when a respective cue
    (names.yaml respective_cue) says so: 「阿里云和百度分别以19.8%和11.2%…」, 「現金及現金等價物和短期理財投資
    分別為1,017億元和694億元」, "online marketing and transaction services grew 17% and 33% respectively"."""
    out: dict[int, EntityMention | Hit[MetricRef]] = {}
    book = Phrasebook.load()
    for a, _b, _e in book.find(ctx.canon, "respective_cue", start=s.start, end=s.end):
        c1 = clauses[clause_of(clauses, a)][1]
        nums = [n for n in numbers if a < n.start < c1 + 40]
        ahead = len(nums) >= 2
        if not ahead:  # "… grew 17% and 33% respectively": the figures come before the cue
            nums = [n for n in numbers if s.start <= n.start < a]
        first = nums[0].start if nums else a
        group: list[EntityMention | Hit[MetricRef]] = []
        for e in sorted((e for e in items if e.end <= (a if ahead else first)), key=lambda e: e.start, reverse=True):
            if not group:
                if ahead and a - e.end > 6:
                    break  # 「A和B分別…」: the names stand right before the cue
                group.append(e)
            elif e.end > group[-1].start:
                continue
            elif _coordinated(ctx.canon[e.end:group[-1].start], book):
                group.append(e)
            else:
                break
        group.reverse()
        nums = nums[:len(group)] if ahead else nums[-len(group):] if group else []
        if len(group) >= 2 and len(nums) == len(group):
            for e, n in zip(group, nums):
                out[n.start] = e
    return out


def _coordinated(gap: str, book: Phrasebook) -> bool:
    """Whether the words between two names join them: 「和」, 「、」, "and", ", and" (names.yaml coordinator)."""
    words = gap.strip()
    return not words or book.get("coordinator", words) is not None or \
        (words[0] in ",，" and (not words[1:].strip() or book.get("coordinator", words[1:].strip()) is not None))


def _pronoun_metric(ctx: _Context, s: Sentence) -> Hit[MetricRef] | None:
    """「同期,淨利潤也超出了市場預期。其同比增長了191.2%,達到了99億元。」: a sentence that opens on a pronoun
    and names no metric is about the metric the sentence before it named without a figure."""
    prev = ctx.prev_sentence
    if prev is None or prev.paragraph != s.paragraph or not _LEAD_PRONOUN.match(ctx.canon, s.start):
        return None
    if ctx.last_obs is not None and ctx.last_obs.spans[0][1] > prev.start:
        return None  # the sentence before stated a figure: the pronoun is that figure's (read above)
    hits = _sentence_metric_hits(ctx, prev)
    return hits[-1] if hits else None


_CN_NUMERALS = frozenset("零〇一二两三四五六七八九十百千万亿")
_NOUN_ZH = re.compile(r"[\u4e00-\u9fffa-z0-9]{2,8}")
_NOUN_EN = re.compile(r"\s+((?:[a-z][a-z\-]*\s+){0,2}[a-z][a-z\-]*s)(?![a-z\-])")


def _rank_figures(ctx: _Context, s: Sentence, numbers: list[NumberExpr]) -> dict[int, tuple[NumberExpr, Hit[MetricRef]]]:
    """The places in a ranking a sentence states, by the number's start: a whole number right after a
    rank cue (numbers.yaml rank_cue), in digits or Chinese numerals (「排名第二」, "No. 14")."""
    ref = ctx.lexicon.metrics.get("rank")
    if ref is None:
        return {}
    out: dict[int, tuple[NumberExpr, Hit[MetricRef]]] = {}
    by_start = {n.start: n for n in numbers}
    for a, b, _e in Phrasebook.load().find(ctx.canon, "rank_cue", start=s.start, end=s.end):
        at = b + len(ctx.canon[b:s.end]) - len(ctx.canon[b:s.end].lstrip())
        n = by_start.get(at)
        if n is None:
            m = _RANK_CN.match(ctx.canon, at, s.end)
            if m is None:
                continue
            n = NumberExpr(m.start(), m.end(), float(chinese_int(m.group()) or 0), "plain", chinese=True)
        if n.value is None or n.value != int(n.value) or n.value < 1 or n.unit not in ("plain", "count"):
            continue
        out[n.start] = (n, Hit(a, b, "rank", ref))
        while True:  # 「位列第二、第三」: a list of places after one cue
            m = _RANK_NEXT.match(ctx.canon, n.end, s.end)
            if m is None:
                break
            n = NumberExpr(m.start("n"), m.end("n"), float(chinese_int(m.group("n")) or 0), "plain", chinese=True)
            out[n.start] = (n, Hit(a, b, "rank", ref))
    return out


def _rank_of(ctx: _Context, cue: Hit[MetricRef], n: NumberExpr, c0: int, c1: int) -> tuple[int, int] | None:
    """Where the text says what a rank places the subject in: the words before the cue in Chinese
    (「智能手機銷量」), the noun phrase after the number in English, up to ``c1`` ("overall free app on
    Google Play")."""
    canon = ctx.canon
    if n.chinese or not canon[n.start:n.end].isascii():
        words = re.split(r"[,，、在]", canon[c0:cue.start])[-1].strip()
        start = cue.start - len(words)
        for e in ctx.entities:  # 「小米智能手機銷量排名第二」: the name before is the subject, not what is ranked
            if start <= e.start < cue.start:
                start = max(start, e.end)
        while start < cue.start and canon[start] in " 的":
            start += 1
        return (start, cue.start) if start < cue.start else None
    m = re.match(r"\s+(?:spot\s+)?([^,.;]{2,40})", canon[n.end:c1])
    return (n.end + m.start(1), n.end + m.end(1)) if m else None


_RANK_CN = re.compile(r"[一二两三四五六七八九十]{1,3}")
_RANK_NEXT = re.compile(r"\s*[、和及]\s*第(?P<n>[一二两三四五六七八九十]{1,3})")


_COUNTED_THINGS = ("Product", "Platform", "AIModel")  # entity types a count can count (units of a product)


def _counted_noun(ctx: _Context, n: NumberExpr, c1: int) -> Hit[MetricRef] | None:
    """A whole number and the noun it counts, when no metric names the figure: 「30次版本更新」,
    「十多個城市」, "2 MoE models and 6 dense models", "in 111 countries" (kgm:Count, the noun as its
    qualifier). Not a classifier of time (「11個季度」, "for 3 years"), an ordinal (「第二家」, "No. 31"),
    a year, or a noun stopped by a function word (numbers.yaml count_noun_stop)."""
    ref = ctx.lexicon.metrics.get("count")
    if ref is None or n.value is None or n.value != int(n.value) or n.per_unit or n.range_end is not None:
        return None
    canon, book = ctx.canon, Phrasebook.load()
    lead = canon[max(0, n.start - 4):n.start]
    if lead.endswith("第") or re.search(r"no\.\s*$", lead) or n.unit not in ("count", "plain"):
        return None
    if any(a <= n.end + 1 and b > n.end for a, b, _ in book.find(canon, "duration_unit", start=max(n.start, n.end - 3),
                                                                    end=min(c1, n.end + 6))):
        return None
    if n.unit == "count":
        if book.ending_at(canon, n.end, "count_unit", start=n.start) is None:
            return None  # 「500萬車主」: a scale word alone does not count a noun
        m = _NOUN_ZH.match(canon, n.end, c1)
        if m is None:
            return None
        end = m.end()
        for a, _b, stop in book.find(canon, "count_noun_stop", start=m.start(), end=min(c1, m.end() + 4)):
            if stop.get("rejects"):
                return None  # 「兩條路線如何平衡」: a question about the things, not a count of them
            end = min(end, a)
        if end - m.start() < 2 or canon[m.start()] in _CN_NUMERALS:
            return None  # 「三位一體」: a set phrase, not a classifier and its noun
        return Hit(m.start(), end, "count", ref)
    if n.unit != "plain" or 1900 <= n.value <= 2100:
        return None
    m = _NOUN_EN.match(canon, n.end, c1)
    if m is None:
        return None
    words = m.group(1).split()
    if any(book.get("count_noun_stop", w) is not None or book.get("duration_unit", w) is not None for w in words):
        return None
    return Hit(m.start(1), m.end(1), "count", ref)


def _consecutive(m: re.Match[str]) -> int | None:
    if m.group("n"):
        return chinese_int(m.group("n"))
    return _EN_WORDS.get((m.group("en") or "").lower()) or (int(m.group("en")) if (m.group("en") or "").isdigit() else None)


def _metric_for(ctx: _Context, n: NumberExpr, metrics: list[Hit[MetricRef]], clauses: list[tuple[int, int]], ci: int,
                s: Sentence, prev: tuple[Hit[MetricRef], str | None] | None
                ) -> tuple[Hit[MetricRef] | None, str | None, int, bool]:
    """(metric hit, qualifier, subject anchor, is a share-of figure)."""
    canon = ctx.canon
    c0, c1 = clauses[ci]
    share = _share_of().search(canon, c0, n.start)
    if share is not None and any(h.start <= share.start() < h.end for h in metrics):
        share = None  # 「市佔率16.7%」: the 佔 of a metric's name is no share-of cue
    # 1. right after the number: "35%的移动搜索结果", "超1万家企业客户", "1,200 employees"
    same = [h for h in metrics if c0 <= h.start and h.end <= n.start]
    for h in metrics:
        gap = canon[n.end:h.start]
        gap = gap[_TWIN.match(gap).end():]  # 「18.04%/18.42%的上升空間」: the first of a pair as the second
        if n.end <= h.start < c1 and len(gap) <= 3 and re.fullmatch(r"\s*(?:的|家|个|名|位|款|of|in)?\s*", gap):
            # 「股價有18%的上升空間」: a percentage names its own ratio after it, over an amount named before
            own_ratio = n.unit == "percent" and h.value.kind == "ratio" and same and same[-1].value.kind != "ratio"
            if share is None and (not same or own_ratio or re.fullmatch(r"\s*(?:家|个|名|位|款)?\s*", gap)):
                return h, None, n.start, False
    of = _PERCENT_OF.match(canon, n.end) if n.unit == "percent" and share is None else None
    if of is not None:  # "more than 80% of DeepSeek's total mobile app downloads": a share of that metric
        whole = next((h for h in metrics if of.end() <= h.start <= of.end() + 40 and h.end <= c1), None)
        share_ref = ctx.lexicon.metrics.get("share")
        if whole is not None and share_ref is not None:
            owner = re.search(r"(?:'s|’s)\s+", canon[of.end():whole.start])
            start = of.end() + owner.end() if owner else of.end()
            return Hit(n.start, n.end, "share", share_ref), ctx.norm.text[start:whole.end].strip(), whole.start, True
    if share is not None:
        share_ref = ctx.lexicon.metrics.get("share") or ctx.lexicon.metrics.get("占比")
        den = ctx.norm.text[share.start("den"):share.end("den")].strip() or None
        before_share = [h for h in same if h.end <= share.start()]
        base = before_share[-1] if before_share else (prev[0] if prev else None)
        if share_ref is not None:
            hit = Hit(share.start(), share.end(), "share", share_ref)
            qual = den
            if base is not None and base.value.name not in ("Share",):
                qual = f"{ctx.norm.text[base.start:base.end]}/{den}" if den else ctx.norm.text[base.start:base.end]
            anchor = before_share[-1].start if before_share else (prev[0].start if prev and prev[0].start >= s.start else n.start)
            return hit, qual, anchor, True
    if same:
        h = same[-1]
        return h, _qualifier(ctx, h, c0, s), h.start, False
    if prev is not None and prev[0].start >= s.start:
        return prev[0], prev[1], n.start, False
    earlier = [h for h in metrics if s.start <= h.start and h.end <= n.start]
    if earlier:
        h = earlier[-1]
        return h, _qualifier(ctx, h, clauses[clause_of(clauses, h.start)][0], s), n.start, False
    after = [h for h in metrics if n.end <= h.start < c1]
    if after:
        return after[0], None, n.start, False
    markets = [e for e in ctx.entities if e.ref.type == "Market" and s.start <= e.start and e.end <= n.start]
    if markets and re.search(r"规模|size", canon[markets[-1].end:n.start]):
        size = ctx.lexicon.metrics.get("市场规模")
        if size is not None:
            return Hit(markets[-1].end, markets[-1].end, "市场规模", size), None, markets[-1].end, False
    market = _market_metric(ctx, n, s, c1)
    if market is not None:
        return market, None, n.start, False
    if n.per_unit and n.is_currency:
        price = ctx.lexicon.metrics.get("price")
        if price is not None:
            return Hit(n.start, n.start, "price", price), None, n.start, False
    return None, None, n.start, False


def _compares_to_earlier(periods: list[PeriodExpr], n: NumberExpr, c1: int) -> bool:
    """Whether a year-ago period ("a year earlier", 去年同期) follows the figure in its clause."""
    return any(n.end <= p.start and p.end <= c1 and p.relative == "year_ago" for p in periods)


def _with_modifiers(ctx: _Context, h: Hit[MetricRef], c0: int) -> Hit[MetricRef]:
    """The metric with the qualifiers written apart from its name (phrasebook role ``metric_modifier``):
    「歸屬於百度的淨利潤(Non-GAAP)」 is the adjusted attributable net profit."""
    form = ctx.lexicon.metric_form.get(h.value.iri)
    if form is None or h.end <= h.start:
        return h
    canon, book = ctx.canon, Phrasebook.load()
    added: set[str] = set()
    if h.start > c0 and canon[h.start - 1] == "的":
        for _a, _b, p in book.find(canon, "metric_modifier", start=max(c0, h.start - 24), end=h.start - 1):
            if p.get("position") == "before":
                added.add(str(p.get("modifier")))
    at = h.start - (h.start > c0 and canon[h.start - 1] in "下的")
    prefix = book.ending_at(canon, at, "metric_modifier", start=max(c0, at - 24))
    if prefix is not None and prefix[1].get("position") == "bracket":
        added.add(str(prefix[1].get("modifier")))  # 「非國際財務報告準則下經營盈利」: written right before it
    bracket = _bracket_after(canon, h.end)
    if bracket is not None:
        inner = canon[bracket.start() + 1:bracket.end() - 1].strip()
        p = book.get("metric_modifier", " ".join(inner.split()))
        if p is not None and p.get("position") == "bracket":
            added.add(str(p.get("modifier")))
    if not added - form[1]:
        return h
    ref = ctx.lexicon.metric_variants.get((form[0], form[1] | frozenset(added)))
    return Hit(h.start, h.end, h.key, ref) if ref is not None else h


def _margin_of(ctx: _Context, h: Hit[MetricRef], profit: Hit[MetricRef]) -> Hit[MetricRef]:
    """"Adjusted net profit reached 4.6 billion yuan, with a profit margin of 14%": a margin named plainly
    after a qualified profit in the same sentence is that profit's margin (its kgo:modifier added)."""
    if h.value.kind != "ratio" or profit.value.kind != "amount":
        return h
    ref = ctx.lexicon.qualified_like(h.value, profit.value)
    return Hit(h.start, h.end, h.key, ref) if ref is not h.value else h


def _market_metric(ctx: _Context, n: NumberExpr, s: Sentence, c1: int) -> Hit[MetricRef] | None:
    """A price or a percentage, naming no metric, in a sentence about the trading day (收報, 全日收挫, shares
    closed): the cue before it in the sentence (「港股早盤開盤後,跌幅曾一度擴大到5.75%」) or right after
    it in its clause (「以175.8港元/股報收」)."""
    book = Phrasebook.load()
    if not any(True for _ in book.find(ctx.canon, "market_cue", start=s.start, end=n.start)) and \
            not any(True for _ in book.find(ctx.canon, "market_cue", start=n.end, end=min(c1, n.end + 8))):
        return None
    key = "share price" if n.is_currency else "share price change" if n.unit == "percent" else None
    ref = ctx.lexicon.metrics.get(key) if key else None
    return Hit(n.start, n.start, key, ref) if ref is not None and key else None


def _qualifier(ctx: _Context, h: Hit[MetricRef], c0: int, s: Sentence) -> str | None:
    start = c0
    k = bisect_left(ctx.entity_starts, h.start)  # the entities that end before the metric, from the clause on
    while k > 0 and ctx.entities[k - 1].start >= max(s.start, c0 - _WINDOW):
        e = ctx.entities[k - 1]
        if s.start <= e.start and e.end <= h.start and e.end > start:
            start = e.end
        k -= 1
    text = ctx.canon[start:h.start]
    m = _QUALIFIER_CUT.match(text)
    if m:
        start += m.end()
    for p in find_periods(ctx.canon, start, h.start, ref_year=None, scan=ctx.period_scan):
        if ctx.canon[p.end:h.start].strip() == "" or p.start == start:
            start = max(start, p.end)  # 「小米上季收入」: a period before the metric is no qualifier of it
    q = ctx.norm.text[start:h.start].strip(" 「」\"'()（）")
    if not q or len(q) > 16 or any(ch.isdigit() for ch in q):
        return None
    if ctx.canon[start:h.start].strip() in ("同比", "总", "营业", "的", "and", "its", "their", "of", "in"):
        return None
    return q


def _reported_by(ctx: _Context, s: Sentence, ents: list[EntityMention]) -> EntityMention | None:
    for m in _REPORTED.finditer(ctx.canon, s.start, s.end):
        for e in ents:
            if 0 <= e.start - m.end() <= 2:
                return e
    for m in _REPORTED_AFTER.finditer(ctx.canon, s.start, s.end):
        for e in ents:
            if 0 <= m.start() - e.end <= 1:
                return e
    return None


def _subjects(ctx: _Context, s: Sentence, ents: list[EntityMention], anchor: int, n: NumberExpr,
              para_rank: dict[int, int], reported: EntityMention | None, *, company_level: bool = False
              ) -> list[EntityRef]:
    canon = ctx.canon
    cands = [e for e in ents if e.end <= anchor and e.ref.type != "Person" and e is not reported
             and not _rival_object(canon, e, s)
             and (not _SUBJECT_SKIP_BEFORE.search(canon, max(s.start, e.start - 4), e.start)
                  or canon.startswith("的", e.end))]
    asides = [m.span() for m in _ASIDE.finditer(canon, s.start, max(s.start, anchor))]
    if asides:  # 「京東零售(包括京東健康及京東工業)實現收入…」: names in a bracket are an aside, not the subject
        outside = [e for e in cands if not any(a <= e.start and e.end <= b for a, b in asides)]
        cands = outside or cands
    clause_asides = _clause_asides(canon, s, n.start)  # those before the anchor are among them
    if clause_asides:  # "shares of the company, which runs A and B, were down": never A or B
        cands = [e for e in cands if not any(a <= e.start and e.end <= b for a, b in clause_asides)]
    closed = [e for e in cands if _closed_subitem(canon, e, anchor)]
    if closed:  # 「…,其中生成式AI業務收入24億元;淨虧損43億元」: the sub-item ended at the semicolon
        cands = [e for e in cands if e not in closed]
        ents = [e for e in ents if e not in closed]
    pron = max((m.start() for m in _PRONOUN.finditer(canon, max(s.start, anchor - _WINDOW), max(anchor, 0))
                if not any(a <= m.start() < b for a, b in clause_asides)),
               default=-1)
    at = re.match(r"\s*(?:[a-z&\-]+\s+){0,2}?(?:at|of|for|from)\s+", canon[anchor:n.start]) if anchor < n.start else None
    if at is not None:
        after_at = [e for e in ents if e.start == anchor + at.end() and e.ref.type != "Person"]
        if after_at:
            return [after_at[0].ref]
    if cands and pron > cands[-1].end:
        topic = _topic(ctx, pron, para_rank, s, org_only=True)
        return [_owner_if(ctx, topic, company_level)] if topic else [cands[-1].ref]
    if cands:
        subj = cands[-1]
        refs = [subj.ref]
        # coordination: "阿里和快手股价涨幅均超过40%"
        prev = [e for e in cands[:-1] if e.ref.type != "Person"]
        if prev and re.fullmatch(r"\s*(?:和|与|及|、|以及|and|,)\s*", canon[prev[-1].end:subj.start]) and re.search(
                r"均|都|分别|both|each|all", canon[subj.end:n.start]):
            refs.insert(0, prev[-1].ref)
        return refs
    after = [e for e in ents if anchor <= e.start < n.start and e.ref.type != "Person"
             and not _SUBJECT_SKIP_BEFORE.search(canon, max(s.start, e.start - 4), e.start) and not _rival_object(canon, e, s)
             and not any(a <= e.start and e.end <= b for a, b in clause_asides)]
    if after:
        return [after[0].ref]
    topic = _topic(ctx, s.start, para_rank, s, org_only=True)
    company = ctx.frame.company if ctx.frame is not None else None
    if topic is not None and company is not None and topic.type == "BusinessUnit" \
            and ctx.lexicon.parents.get(topic.iri) == company.iri and _names_before_paragraph(ctx, topic, s):
        topic = company  # a new paragraph that names no one is about the company again, not its unit named before
    if topic is None and pron >= s.start:  # 「其用戶數便超過了600萬」 after a product named alone: the product's
        topic = _topic(ctx, pron, para_rank, s, org_only=False)
    if topic is None and ctx.frame is not None and ctx.frame.company is not None:
        topic = ctx.frame.company  # a figure with no subject in reach is the article's company's
    return [_owner_if(ctx, topic, company_level)] if topic else []


def _clause_asides(canon: str, s: Sentence, anchor: int) -> list[tuple[int, int]]:
    """Relative clauses set off by commas (", which includes A and B,", 「，包括A和B，」: role ``aside_open``):
    the names in them describe the name before, they are not the subject."""
    out = []
    for a, b, _ in Phrasebook.load().find(canon, "aside_open", start=s.start, end=max(s.start, anchor)):
        if not _opened_by_comma(canon, a, s.start):
            continue
        close = min((i for i in (canon.find(",", b, anchor), canon.find("，", b, anchor)) if i >= 0), default=anchor)
        out.append((a, close))
    return out


def _rival_object(canon: str, e: EntityMention, s: Sentence | None) -> bool:
    """The name is what a verb of rivalry acts on (names.yaml rival_verb: 「為應對騰訊《元夢之星》的競爭」,
    "to compete with Tencent"): a competitor, never the subject of the figure after it."""
    end = e.start
    while end > 0 and canon[end - 1] == " ":
        end -= 1
    lo = max(s.start if s is not None else 0, end - 16)
    return Phrasebook.load().ending_at(canon, end, "rival_verb", start=lo) is not None


def _after_place_word(canon: str, e: EntityMention) -> bool:
    """The name follows a preposition of place (names.yaml place_preposition), alone or as the last of a
    pair: "across both the App Store and Google Play", "on Google Play"."""
    return _place_before().search(canon[max(0, e.start - 40):e.start]) is not None


@functools.lru_cache(maxsize=1)
def _place_before() -> re.Pattern[str]:
    words = "|".join(map(re.escape, Phrasebook.load().keys("place_preposition")))
    return re.compile(rf"(?:^|\s)(?:{words})\s+(?:both\s+)?(?:the\s+)?(?:[^,.;]{{1,25}}?\s+and\s+(?:the\s+)?)?$")


def _in_aside(canon: str, e: EntityMention) -> bool:
    """The name stands in a comma-opened aside (names.yaml aside_open: 「,尤其是A」, ", including A")."""
    lo = max(canon.rfind(c, 0, e.start) for c in ",，。;；")  # the clause the name stands in
    return lo >= 0 and any(_opened_by_comma(canon, a, lo) for a, _b, _ in
                           Phrasebook.load().find(canon, "aside_open", start=lo + 1, end=e.start))


def _opened_by_comma(canon: str, at: int, floor: int) -> bool:
    """A comma (spaces aside) stands right before ``at``, after ``floor``: the word there opens an aside."""
    while at > floor and canon[at - 1] == " ":
        at -= 1
    return at > floor and canon[at - 1] in ",，"


def _closed_subitem(canon: str, e: EntityMention, anchor: int) -> bool:
    """A name brought in as a sub-item (其中, 包括, of which…) whose list item a semicolon has closed before ``anchor``."""
    lo = e.start
    while lo > 0 and canon[lo - 1] in " ,，、:：":
        lo -= 1
    book = Phrasebook.load()
    if book.ending_at(canon, lo, "subitem_cue", start=max(0, lo - 12)) is not None:
        return any(ch in ";；" for ch in canon[e.end:anchor])
    # 「其中，A收入506億元；B收入186億元。」: a name opening a later item of the list is a sub-item too, and the
    # list ends with its sentence
    if not (lo > 0 and canon[lo - 1] in ";；"):
        return False
    opened = max(canon.rfind(c, max(0, lo - _WINDOW), lo) for c in "。!?！？\n")
    if not any(True for _ in book.find(canon, "subitem_cue", start=max(opened + 1, lo - _WINDOW), end=lo)):
        return False
    return any(ch in ";；。!?！？" for ch in canon[e.end:anchor])


def _names_before_paragraph(ctx: _Context, topic: EntityRef, s: Sentence) -> bool:
    """Whether ``s`` opens its paragraph and ``topic`` was last named in an earlier one."""
    first = ctx.canon.rfind("\n", 0, s.start) + 1
    if ctx.canon[first:s.start].strip():
        return False
    k = bisect_left(ctx.entity_starts, s.start)
    last = next((e for e in reversed(ctx.entities[:k]) if e.ref.iri == topic.iri), None)
    return last is not None and last.end <= first


def _owner_if(ctx: _Context, topic: EntityRef, company_level: bool) -> EntityRef:
    """A company-level figure (「股東應佔盈利」, EPS, buybacks) carried over from a business unit is its owner's."""
    if not company_level:
        return topic
    owner = ctx.lexicon.parents.get(topic.iri)
    ref = ctx.lexicon.by_iri.get(owner) if owner else None
    return ref if ref is not None else topic


def _topic(ctx: _Context, before: int, para_rank: dict[int, int], s: Sentence, *, org_only: bool) -> EntityRef | None:
    """The organisation the text was last about, within this and the two previous paragraphs."""
    rank = para_rank.get(s.paragraph, 0)
    lo = None
    for p, r in para_rank.items():
        if r == max(0, rank - 2):
            lo = p
    for e in reversed(ctx.entities):
        if e.end > before:
            continue
        if org_only and not e.ref.is_org:
            continue
        if _closed_subitem(ctx.canon, e, before) or _in_aside(ctx.canon, e) or _after_place_word(ctx.canon, e) \
                or _rival_object(ctx.canon, e, None):
            continue  # 「…,尤其是騰訊系端遊《三角洲行動》等」: an example named in passing is not what the text is about
        para = _paragraph_at(ctx, e.start)
        if lo is not None and para < lo:
            return None
        return e.ref
    return None


def _paragraph_at(ctx: _Context, i: int) -> int:
    return ctx.norm.text.count("\n", 0, i)


_ASIDE = re.compile(r"[(（][^()（）]{1,60}[)）]")  # a bracketed aside within a sentence
_LEAD_PRONOUN = re.compile(r"\s*(?:它|其|this|it)(?![a-z])")  # a sentence that opens on the figure just stated
_PRONOUN = re.compile(r"其(?![中他它实次余])|its(?![a-z])|their(?![a-z])")
_WINDOW = 400  # characters around a figure its metric, subject and period are looked for in
_ESTIMATE_REACH = 200  # an estimate with no metric of its own is of a figure stated at most this far before
_UNSTATED = Period(0)  # no period is written for the figure: the frame's applies
_GAP = re.compile(r"\s*(?:[a-z]{1,3}\s+)?")  # at most one short word between a figure and its period: "25% in"
_TWIN = re.compile(r"(?:/[\d.,]+%?)?")  # the second figure of a pair written with a slash


# Figures of a product or a price list are not the reporting period's: they hold "now".
_UNFRAMED_METRICS = ("Price", "Cost", "Employees", "Valuation", "Funding", "MarketSize", "CAGR", "TargetPrice", "PERatio",
                     "PEGRatio", "Upside")
# of those, a company's valuation levels hold at the dateline's month
_AS_OF_METRICS = ("Valuation", "TargetPrice", "PERatio", "PEGRatio", "Upside")


def _fiscal_name(ctx: _Context, period: Period | None, subject: EntityRef) -> Period | None:
    """The fiscal name of a calendar period for a company whose fiscal year ends in another month."""
    fye = ctx.lexicon.fiscal_year_end_of(subject.iri)
    if period is None or period.fiscal or fye in (0, 12) or period.kind not in ("quarter", "half", "year"):
        return None
    return calendar_to_fiscal(period, fye)


def _fiscal_period_of(ctx: _Context, expr: PeriodExpr, subject: EntityRef, s: Sentence) -> Period | None:
    """A fiscal period written for ``subject``, read with its own fiscal calendar (unknown: kept fiscal)."""
    fye = ctx.lexicon.fiscal_year_end_of(subject.iri)
    a = ctx.anchor(s.paragraph)
    if fye == a.fiscal_year_end or expr.spec is None:
        return None
    return resolve(expr.spec, Anchor(a.date, a.year, a.frame, fye))


def _framed_period(ctx: _Context, m: MetricRef, s: Sentence, subject: EntityRef) -> Period | None:
    """The period of a figure that states none: the trading day for market figures, else the
    paragraph's or the article's reporting period, for what companies report; a company's valuation
    level (never framed) holds at the dateline's month."""
    if m.name in _UNFRAMED_METRICS or not (subject.is_org or subject.type == "Platform"):
        return _as_of(ctx, m) if subject.is_org else None
    if m.name in DAY_METRICS:
        last = ctx.last_period
        if last is not None and last[0] == s.paragraph and last[1].kind == "day":
            return last[1]  # 「在美東時間3月6日,…盤中曾一度上漲。之後…以43.92美元/股報收」: the day just named
        d = ctx.ref_date
        return Period(d.year, month=d.month, day=d.day) if d else None
    if ctx.last_period is not None and ctx.last_period[0] == s.paragraph:
        return ctx.last_period[1]  # the period stated earlier in the paragraph still holds
    if s.paragraph in ctx.para_frames:
        return ctx.para_frames[s.paragraph]
    return ctx.frame.period if ctx.frame else None


def _as_of(ctx: _Context, m: MetricRef) -> Period | None:
    """A company's valuation level stated with no period (a target price, a P/E, an upside) holds as
    of the month the article was published; a flow (revenue) or a product's count without one has none."""
    if ctx.ref_date is None or m.name not in _AS_OF_METRICS:
        return None
    return Period(ctx.ref_date.year, month=ctx.ref_date.month)


def _period_for(ctx: _Context, periods: list[PeriodExpr], clauses: list[tuple[int, int]], ci: int, n: NumberExpr,
                s: Sentence, day_metric: bool = True) -> Period | None:
    c0, c1 = clauses[ci]
    in_clause = [p for p in periods if c0 <= p.start and p.end <= c1]
    for a, b in zip(in_clause, in_clause[1:]):
        if re.fullmatch(r"\s*(?:至|到|-|–|~|to|through|until)\s*", ctx.canon[a.end:b.start]):
            return None  # a span of periods ("2025年至2030年"): not one period
    # 「截至2024年12月31日止,地平線全年營收…」: a period that runs into the clause is the clause's
    same_before = [p for p in periods if (c0 <= p.start or c0 < p.end) and p.end <= n.start
                   and not (p.relative == "now" and re.search(r"[;；]", ctx.canon[p.end:n.start]))  # 「目前…;全年…」
                   and not (p.relative == "year_ago" and _right_after_figure(ctx, p, c0))]
    # "decreased from 25% in the same period last year to 20%": the year-ago period right after a figure is that figure's
    if same_before and (same_before[-1].relative == "year_ago" or _compared_with(ctx.canon, same_before[-1])) \
            and read_before(ctx.canon[c0:n.start]).change:
        # 「與去年同期相比增長了6.8%」, "up 5% from the same quarter a year earlier", 「較4月之前增長200%」: what the
        # change is measured against, not the figure's period
        same_before = same_before[:-1]
        earlier_in = [p for p in periods if p.end <= c0]
        if not same_before and not earlier_in:
            return _UNSTATED
    same_after = [p for p in periods if n.end <= p.start and p.end <= c1
                  and not (p.relative == "year_ago" and (read_before(ctx.canon[c0:n.start]).change
                                                         or re.search(r"[\d(（]", ctx.canon[n.end:p.start])))  # "to 21.5% from 18.9% a year earlier", 「54%(去年同期為47%)」
                  and not (p.relative == "now" and re.search(r"[,，]", ctx.canon[n.end:p.start]))]  # 「290萬套,目前累計…」
    earlier = [p for p in periods if p.end <= c0  # 「目前累計…;全年交付…」: "now" ends at a semicolon
               and not (p.relative == "now" and re.search(r"[;；]", ctx.canon[p.end:c0]))
               and not (p.relative == "year_ago" and _in_basis(ctx.canon, p))  # 「和去年同期相比增長了71.1%」
               and not _EVENT.search(ctx.canon, clauses[clause_of(clauses, p.start)][0], clauses[clause_of(clauses, p.start)][1])]
    if not same_before and not same_after and len({p.period for p in earlier if p.period and p.period.kind != "day"}) > 1 \
            and earlier[-1].relative != "this_period":  # 「期內」 names the one period meant
        return None  # a range of periods ("2024 … 2031"): which one is not stated
    pick = same_before[-1] if same_before else same_after[0] if same_after else earlier[-1] if earlier else None
    if pick is None:
        return _UNSTATED
    if not day_metric and pick.period is not None and pick.period.kind == "day":
        # "beat forecasts on Tuesday (Nov 18) with a 14 per cent rise in third-quarter adjusted earnings": the
        # day is the announcement's; a reported figure is the quarter's named beside it
        spans = [p for p in same_before + same_after if p.period is not None and p.period.kind != "day"]
        if spans:
            pick = min(spans, key=lambda p: min(abs(p.start - n.end), abs(n.start - p.end)))
    if pick.relative == "this_period":
        # 「百度2025年Q1收入…;騰訊同期…」, "In the first quarter, … revenue … this quarter": the period just
        # named in the paragraph, before the article's frame (a preview of Q2 reviewing Q1)
        named = [p.period for p in periods if p.end <= pick.start and p.period is not None
                 and p.relative not in ("this_period", "year_ago")  # "from 25% a year earlier to 20% this quarter"
                 and (pick.period is None or p.period.kind in _FRAME_KINDS)]  # "launched in June 2024": no quarter
        if named:
            return named[-1]
        if ctx.last_period is not None and ctx.last_period[0] == s.paragraph:
            return ctx.last_period[1]
        if pick.period is None and s.paragraph in ctx.para_frames:  # under a heading that names it
            return ctx.para_frames[s.paragraph]
        if pick.period is None and ctx.last_period is not None:  # 「本季度」 in a new paragraph, no frame
            return ctx.last_period[1]
    return pick


def _right_after_figure(ctx: _Context, p: PeriodExpr, c0: int) -> bool:
    """Some figure of the clause ends right before the period ("161.1 billion yuan a year earlier", "25% in the
    same period last year"): the period is that figure's."""
    i = bisect_left(ctx.figure_ends, p.start + 1) - 1
    if i < 0 or ctx.figure_ends[i] < c0:
        return False
    gap = _GAP.match(ctx.canon, ctx.figure_ends[i], p.start)
    return gap is not None and gap.end() == p.start


def _compared_with(canon: str, p: PeriodExpr) -> bool:
    """A comparison word (changes.yaml comparison_word: 較, 比, 相比) stands right before the period."""
    at = len(canon[:p.start].rstrip())
    return Phrasebook.load().ending_at(canon, at, "comparison_word", start=max(0, at - 4)) is not None


def _in_basis(canon: str, p: PeriodExpr) -> bool:
    """The period is part of a change basis (changes.yaml change_basis: 「與去年同期相比」, 「較去年同期」): what a
    change is measured against, not a period later figures are about."""
    return any(a <= p.start and p.end <= b for a, b, _ in
               Phrasebook.load().find(canon, "change_basis", start=max(0, p.start - 2), end=p.end + 4))


def _compared_to(ctx: _Context, ents: list[EntityMention], n: NumberExpr, c0: int) -> EntityRef | None:
    for e in ents:
        if c0 <= e.start and e.end <= n.start and re.fullmatch(r"\s*的?\s*", ctx.canon[e.end:n.start]) and re.search(
                r"(?:为|是|比|of|than)\s*$", ctx.canon[max(c0, e.start - 4):e.start]):
            return e.ref
    return None


def _figure(ctx: _Context, n: NumberExpr, m: MetricRef, before: str, after: str, from_share: bool
            ) -> ObservationFact | None:
    """Value or change, with units, from one number expression."""
    as_written = ctx.norm.text[n.start:n.end]
    base = ObservationFact(subject=None, metric=m, spans=[], as_written=as_written,  # type: ignore[arg-type]
                           per_quantity=n.per_quantity, per_unit=n.per_unit)
    cue = read_before(before)
    after_cue = change_after(after) if not cue.change else None
    if after_cue is not None:
        cue = after_cue
    is_change = cue.change
    if n.unit in ("pp", "multiple") and m.kind not in ("rate", n.unit):  # 19倍PE is a multiple's value
        is_change = True
    if m.kind == "rate" or from_share or m.name == "Rank":
        is_change = False  # "up from No. 31": a place in a ranking, not a change
    if n.unit == "percent" and m.kind in ("amount", "count") and not from_share:
        if cue.level:
            return None  # "the revenue contribution … reached 54%": a share of something, not the amount's level
        is_change = True  # a percentage is never an amount's or a count's value
    negative = cue.sign < 0
    if cue.better and m.loss:  # 「虧損率改善3個百分點」: a loss that gets better gets smaller
        negative = not negative
    basis = cue.basis
    cues = list(cue.cues)
    if basis is None:
        found = basis_in(before[-24:] + " " + after[:40])
        if found is not None:
            basis = found[0]
            cues.append(found[1])
    base = _replace(base, cues=tuple(cues))
    if n.qualitative is not None:
        if is_change or cue.sign:
            return _replace(base, qualitative=n.qualitative, change_unit=_UNIT_NAME.get(n.unit) if n.unit in _UNIT_NAME else None,
                           change_basis=basis)
        return _replace(base, qualitative=n.qualitative, unit=_UNIT_NAME.get(n.unit) if n.unit in _UNIT_NAME else None)
    if n.value is None:
        return None
    unit = n.unit if n.is_currency else _UNIT_NAME.get(n.unit, "Count")
    value = n.value
    if m.kind == "rate" and negative:
        value = -n.value
    if is_change:
        if n.unit == "percent":
            change = round(n.value / 100, 8)
        else:
            change = n.value
        if negative:
            change = -change
        return _replace(base, change=change, change_unit=unit, change_basis=basis, change_bound=n.bound)
    if n.unit == "pp":
        unit = "PercentagePoint"
    if m.kind == "amount" and unit == "Count":
        # 「收入1,090.05億元,…首次突破千億大關」: an amount written without its currency is in the currency of
        # the same metric's figure just read; with none, it is not an amount the article states
        # 「本地商业分部收入达 643 亿」: mainland press often leaves 元 out, in the currency the article reports in
        last = ctx.last_obs
        if last is not None and last.metric.iri == m.iri and last.unit not in (None, "Count") \
                and last.spans[0][1] >= n.start - 60:
            unit = last.unit
        elif ctx.last_currency is not None and n.value >= 10_000:
            unit = ctx.last_currency
        else:
            return None
    return _replace(base, value=value, unit=unit, bound=n.bound)


def _pair_value_and_change(obs: list[ObservationFact]) -> list[ObservationFact]:
    """Join the values and the changes of one subject, metric and period read from one sentence.

    「收入為人民幣315億元(43.7億美元),同比增長1%」: both currencies carry the change.
    「收入28.37億元,yoy+11%,qoq+1%」: one observation per basis, each with the value.
    """
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, o in enumerate(obs):
        if o.qualitative is None:
            groups.setdefault(_pair_key(o), []).append(i)
    for key in [k for k in groups if k[3] is None]:  # a change whose period was not read joins the one
        same = [k for k in groups if k[3] is not None and k[:3] + k[4:] == key[:3] + key[4:]]  # dated value
        idx = groups[key]
        if len(same) == 1 and all(obs[i].value is None for i in idx):
            groups[same[0]].extend(idx)
            del groups[key]
    drop: set[int] = set()
    extra: list[tuple[int, ObservationFact]] = []
    for idx in groups.values():
        values = [i for i in idx if obs[i].value is not None and not obs[i].prior]
        changes = [i for i in idx if obs[i].value is None and obs[i].change is not None]
        if not values or not changes:
            continue
        done = {v: ({obs[v].change_basis} if obs[v].change is not None else set()) for v in values}
        plain = {v: obs[v] for v in values}  # each value as read, before a change joined it
        for c in changes:
            basis = obs[c].change_basis
            cands = [v for v in values if basis not in done[v]]
            if not cands:
                continue
            pos = obs[c].spans[0][0]
            best = min(cands, key=lambda v: (abs(plain[v].spans[0][0] - pos), -plain[v].spans[0][0]))
            near = [v for v in cands if v == best or (plain[v].unit != plain[best].unit
                                                       and abs(plain[v].spans[0][0] - plain[best].spans[0][0]) <= 40)]
            for v in near:
                if obs[v].change is None:
                    obs[v] = _joined(obs[v], obs[c])
                else:
                    extra.append((v, _joined(plain[v], obs[c])))
                done[v].add(basis)
            drop.add(c)
    out = [o for i, o in enumerate(obs) if i not in drop]
    out.extend(o for _, o in extra)
    return out


def _pair_key(o: ObservationFact) -> tuple[object, ...]:
    return (o.subject.iri, o.metric.iri, o.qualifier, o.period, o.estimate)


def _joined(v: ObservationFact, c: ObservationFact) -> ObservationFact:
    return _replace(v, change=c.change, change_unit=c.change_unit, change_basis=c.change_basis,
                    change_bound=c.change_bound, cues=tuple(dict.fromkeys(v.cues + c.cues)),
                    as_written=f"{v.as_written}; {c.as_written}",
                    spans=[(min(v.spans[0][0], c.spans[0][0]), max(v.spans[0][1], c.spans[0][1]))])


def _carry_lead_changes(obs: list[ObservationFact]) -> list[ObservationFact]:
    """A change stated alone (a headline's 「收入增47.4%」) joins the one value of that subject,
    metric and period the article states without a change, keeping both quotes."""
    values: dict[tuple[object, ...], list[int]] = {}
    changed: dict[tuple[object, ...], list[int]] = {}
    for i, o in enumerate(obs):
        if o.value is not None and o.qualitative is None:
            (values if o.change is None else changed).setdefault(_pair_key(o), []).append(i)
    drop: set[int] = set()
    for k, o in enumerate(obs):
        if o.value is not None or o.change is None or o.qualitative is not None or o.period is None:
            continue
        same = [t for t in changed.get(_pair_key(o), []) if obs[t].change == o.change
                and obs[t].change_unit == o.change_unit and o.change_basis in (None, obs[t].change_basis)]
        if same:  # 「美團次季經調整少賺89%」 in the headline, 「經調整淨利潤14.9億元，按年跌89%」 in the body: one fact
            obs[same[0]].spans = list(dict.fromkeys(obs[same[0]].spans + o.spans))
            drop.add(k)
            continue
        targets = values.get(_pair_key(o), [])
        units = {obs[t].unit for t in targets}
        if not targets or len(targets) != len(units):
            continue  # several values of one unit: which one changed is not said
        for t in targets:
            joined = _joined(obs[t], o)
            joined.spans = list(dict.fromkeys(obs[t].spans + o.spans))
            obs[t] = joined
        drop.add(k)
        values.pop(_pair_key(o), None)
    return [o for i, o in enumerate(obs) if i not in drop]


def _merge(obs: list[ObservationFact]) -> list[ObservationFact]:
    by_key: dict[tuple[object, ...], ObservationFact] = {}
    for o in obs:
        k = o.key()
        if k in by_key:
            kept = by_key[k]
            for sp in o.spans:
                if sp not in kept.spans:
                    kept.spans.append(sp)
        else:
            by_key[k] = o
    # The same figure stated again without its period (「達到319億元」 twice) is the fact stated with it.
    dated: dict[tuple[object, ...], ObservationFact] = {}
    for o in by_key.values():
        if o.period is not None:
            dated.setdefault(_undated_key(o), o)
    out = []
    for o in by_key.values():
        same = dated.get(_undated_key(o)) if o.period is None and o.value is not None else None
        if same is not None:
            same.spans.extend(sp for sp in o.spans if sp not in same.spans)
        else:
            out.append(o)
    return out


def _undated_key(o: ObservationFact) -> tuple[object, ...]:
    k = list(o.key())
    k[2] = None
    return tuple(k)
