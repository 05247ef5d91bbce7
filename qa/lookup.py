"""Figures of named entities: rank observations against the question, pick the best, or say what is missing.

Also the subject-less case ("哪家公司营收最高?"): every subject with the metric, or the extreme one.
"""
from __future__ import annotations

import re

from pyoxigraph import NamedNode

from kg.lexicon import CHANGE_METRICS, DAY_METRICS, EntityRef, MetricRef
from kg.namespaces import KGM, KGO
from kg.periods import Period
from kg.text import canonical, to_script

from .analyze import WILDCARD_YEAR, Analysis
from .answer import Answer, Fact
from .compose import ZH_LIST_SEP, figure_text, observation_sentence, period_text, tr, zh
from .context import Context
from .graph import GraphIndex, chinese_phrase
from .link import Link
from .match import after_results, overlap, period_match, same_figure
from .plan import Obs, observations_of, relations_of
from .relations import catalog_fact, rel_fact

__all__ = ["lookup", "by_metric", "not_found", "ranked_observations", "most_specific", "score_observation",
           "period_words"]

_HAN = re.compile(r"[\u4e00-\u9fff]")
_EN_FILLER = {"and", "the", "related", "which", "including", "other", "some", "total", "currently"}


def most_specific(g: GraphIndex, entities: list[EntityRef], *, parts: bool = True) -> list[EntityRef]:
    """The most specific entities named: a unit rather than its parent when both are. With ``parts`` off a
    whole stays beside its named part (「手機×AIoT分部收入扣除智能手機業務」 subtracts one from the other);
    only owners give way."""
    iris = {e.iri for e in entities}
    focus = [e for e in entities if not (g.descendants(e.iri, parts=parts) & iris)]
    return focus or entities


def score_observation(g: GraphIndex, a: Analysis, o: Obs, metrics: list[MetricRef]) -> float | None:
    """How well one observation answers the question; ``None`` when it does not answer it at all."""
    ms = max((g.is_metric_match(o.metric, m.iri) for m in metrics), default=1)
    if ms == 0:
        return None
    rate = o.metric[len(KGM):] in CHANGE_METRICS
    if a.period is not None:
        pm = period_match(a.period, o.period_obj)
        if pm == 0 and o.metric[len(KGM):] in DAY_METRICS and after_results(a.period, o.period_obj):
            pm = 1  # "shares after the Q2 results": a trading day in the weeks after the quarter
        if pm == 0:
            return None
    else:
        pm = 0
    has_change = o.change is not None or (o.qualitative is not None and not o.unit)
    has_value = o.value is not None or (o.qualitative is not None and bool(o.unit))
    if a.aspect == "change" and not rate:
        if not has_change:
            return None
        aspect = 2
    else:
        if not has_value:
            return None
        aspect = 2 if o.value is not None else 1
    score = ms * 3 + pm + aspect
    if a.currency is not None and o.unit == a.currency:
        score += 1  # 「收報多少港元」: the Hong Kong price, not the New York one nor the day's move
    if ms == 1 and _adjusted_only(g, o.metric, metrics):
        score -= 0.5  # "net profit": the reported figure before the adjusted one, which still answers alone
    qual = canonical(o.qualifier or "").replace(" ", "")
    if qual and a.language != "en" and not _HAN.search(qual):  # 「多少個國家」 against the English noun "countries"
        qual = canonical(chinese_phrase(o.qualifier or "") or qual).replace(" ", "")
    english = g.english_phrase(o.qualifier) if qual and a.language == "en" and _HAN.search(qual) else None
    if english:  # an English question against a Chinese qualifier: compare its English words
        words = {w for w in re.findall(r"[a-z0-9&]+", english.lower()) if len(w) > 2 and w not in _EN_FILLER}
        hit = sum(1 for w in words if re.search(rf"(?<![a-z]){re.escape(w)}", a.canon)) / len(words) if words else 0
        score += 3 if hit == 1 else 1.5 if hit > 0 else -1.5
    elif qual:
        if qual in a.canon.replace(" ", ""):
            score += 3
        elif overlap(qual, a.canon) >= 0.5:
            score += 1
        else:
            score -= 1.5
    if o.period is None and a.period is None:
        score += 0.2
    if o.estimate and not _ASKS_ESTIMATE.search(a.canon):
        return None  # an analysts' estimate is not what the company reported
    if o.forecast and not re.search(r"预计|预期|forecast|expect|将|will", a.canon):
        score -= 0.5
    if a.aspect == "to" and o.value is not None and not o.bound:
        score += o.value / 1e12  # "rose to": the larger figure of a from-to pair
    return score


def _adjusted_only(g: GraphIndex, observed: str, metrics: list[MetricRef]) -> bool:
    """The observed metric is an adjusted (non-GAAP) form that no asked metric is."""
    form = g.lexicon.metric_form.get(observed)
    if form is None or "adjusted" not in form[1]:
        return False
    return not any("adjusted" in g.lexicon.metric_form.get(m.iri, ("", frozenset()))[1] for m in metrics)


_ASKS_ESTIMATE = re.compile(r"预估|预期|一致预期|市场预期|估计|consensus|estimate|expect|forecast")


def ranked_observations(ctx: Context, a: Analysis, subjects: list[str], metrics: list[MetricRef]
           ) -> tuple[str, list[tuple[float, Obs]]]:
    """The subjects' observations that answer the question, best first, and the SPARQL that found them."""
    sparql, obs = observations_of(ctx.store, subjects)
    ranked = []
    for o in obs:
        s = score_observation(ctx.g, a, o, metrics)
        if s is not None:
            ranked.append((s, o))
    ranked.sort(key=lambda so: (-so[0], so[1].bound is not None, written_at(so[1]), so[1].iri))
    return sparql, ranked


def written_at(o: Obs) -> int:
    """Where the figure stands in its quote: of 「CNY48.9 billion (USD6.7 billion)」 the reported one comes
    first and the conversion after it."""
    at = o.source.quote.find(o.as_written) if o.as_written else -1
    return at if at >= 0 else len(o.source.quote)


def lookup(ctx: Context, a: Analysis, links: list[Link], entities: list[EntityRef], metrics: list[MetricRef],
           most: int = 3) -> Answer:
    """A figure of named entities: the best-matching observations, at most ``most``."""
    focus = most_specific(ctx.g, entities)
    sparql, ranked = ranked_observations(ctx, a, [e.iri for e in focus], metrics)
    lang = a.language
    named = [e for e in entities if e not in focus]
    if not ranked and named and metrics and all(m.kind == "count" for m in metrics):
        # "developers on Alibaba Cloud's Bailian platform": the owner named with it counts them (a count only:
        # a product's revenue is never answered with its owner's)
        sparql, ranked = ranked_observations(ctx, a, [e.iri for e in named], metrics)
    owners = _reporting_owners(ctx.g, focus, metrics) if not ranked else []
    if owners:  # "Trip.com's shares", 「Temu的淨利潤」: a platform's company reports them
        sparql, ranked = ranked_observations(ctx, a, owners, metrics)
    unit_note = ""
    if not ranked and not owners:
        units = _counting_units(ctx, focus, metrics)
        if units:  # 「小米交付了多少輛新車?」: only its EV unit counts deliveries
            sparql, ranked = ranked_observations(ctx, a, units, metrics)
            ranked = ranked if len({o.subject for _, o in ranked}) == 1 else []
            if ranked:
                unit_note = tr(lang, "unit_figure", subject=ctx.g.label(focus[0].iri, lang),
                               unit=ctx.g.label(ranked[0][1].subject, lang))
    if not ranked and not owners and not unit_note:
        sparql, ranked, unit_note = _owner_naming_unit(ctx, a, focus, metrics, sparql)
    if not ranked:
        return not_found(ctx, a, focus, metrics, sparql)
    best_score = ranked[0][0]
    if a.kind == "superlative" and len(focus) == 1:  # 「Qwen3系列最大的模型有多少參數?」: its largest figure first
        sign = 1 if a.minimum else -1
        ranked = sorted(ranked, key=lambda so: (-so[0], so[1].value is None, sign * (so[1].value or 0)))
    top = [o for s, o in ranked if s >= best_score - 1e-9]
    shown: list[Obs] = []
    for o in top + [o for s, o in ranked[len(top):] if s >= best_score - 1.5]:
        if all(figure_text(o, lang) != figure_text(x, lang) or o.subject != x.subject for x in shown) and \
                not any(same_figure(o, x) for x in shown):
            shown.append(o)
        if len(shown) >= most:
            break
    lines = [unit_note + observation_sentence(shown[0], ctx.g, lang)]
    if len(shown) > 1:
        lead = "Also in the graph: " if lang == "en" else zh("圖譜中另有：", lang)
        lines.append(lead + " ".join(observation_sentence(o, ctx.g, lang) for o in shown[1:]))
    nested = [l for l in links if l.how == "nested"]
    facts = [o.fact(ctx.g.label(o.subject, lang)) for o in shown]
    for l in nested:
        facts.extend(via_facts(ctx, l, lang))
        prefix = (f"{ctx.g.label(l.ref.iri, lang)}: " if lang == "en" else f"{ctx.g.label(l.ref.iri, lang)}：")
        lines[0] = prefix + lines[0]
    return Answer(question=a.text, status="answered", answer=" ".join(lines), language=lang, facts=facts,
                  sparql=sparql, confidence=min(1.0, best_score / 11), kind="lookup")


# and the metrics under them; a net margin is a profit's too (「AI投入會拖累經調整淨利潤率多少?」 after 可靈)
_COMPANY_REPORTED = frozenset((KGM + "Profit", KGM + "Loss", KGM + "EPS", KGM + "NetMargin"))


def _reporting_owners(g: GraphIndex, focus: list[EntityRef], metrics: list[MetricRef]) -> list[str]:
    """The companies that own the platforms or products asked about, when the metric is one only a
    company reports (kgo:scope "company", a profit or loss, earnings per share); else none."""
    if not metrics or not all(e.type in ("Platform", "Product", "AIModel") for e in focus):
        return []
    if not all(m.company_level or not g.broader.get(m.iri, set()).isdisjoint(_COMPANY_REPORTED) for m in metrics):
        return []
    return sorted({o for e in focus for o in g.owners.get(e.iri, ()) if g.types.get(o) == "Organization"})


def _owner_naming_unit(ctx: Context, a: Analysis, focus: list[EntityRef], metrics: list[MetricRef], sparql: str
                       ) -> tuple[str, list[tuple[float, Obs]], str]:
    """「小米智能手機的ASP」 asked, 「智能手機的ASP由…」 read in a Xiaomi article and stored as Xiaomi's: the
    owner's figure whose quote writes the unit's own word (its label without the owner's name) right before
    the metric. Said so in the answer; an owner's figure that does not name the unit (its overall gross
    margin) never answers for the unit."""
    g, lang = ctx.g, a.language
    if len(focus) != 1 or not metrics:
        return sparql, [], ""
    owners = sorted(g.owners.get(focus[0].iri, ()))

    def flat(label: str) -> str:
        return canonical(label).replace(" ", "")

    owner_names = [flat(label) for o in owners for label in g.lexicon.labels_of(o)]
    words = {name[len(own):] for name in map(flat, g.lexicon.labels_of(focus[0].iri)) for own in owner_names
             if name.startswith(own) and len(name) - len(own) >= 2}  # 小米智能手機 less 小米
    if not words:
        return sparql, [], ""
    before = re.compile("(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")的?$")
    found, ranked = ranked_observations(ctx, a, owners, metrics)
    keep = []
    for s, o in ranked:
        quote = canonical(o.source.quote).replace(" ", "")
        if any(h.value.iri == o.metric and before.search(quote, 0, h.start) for h in g.lexicon.metrics.find_all(quote)):
            keep.append((s, o))
    if not keep:
        return sparql, [], ""
    return found, keep, tr(lang, "owner_figure", owner=g.label(keep[0][1].subject, lang), unit=g.label(focus[0].iri, lang))


def _counting_units(ctx: Context, focus: list[EntityRef], metrics: list[MetricRef]) -> list[str]:
    """The business units of one company asked for a count it holds for no period (deliveries, users,
    shipments): a count belongs to the one unit that counts it. Amounts and ratios are never taken from a
    unit, since a segment's revenue or margin is not the company's."""
    if len(focus) != 1 or not metrics or not all(m.kind == "count" for m in metrics):
        return []
    _, own = observations_of(ctx.store, [focus[0].iri])
    if any(ctx.g.is_metric_match(o.metric, m.iri) for o in own for m in metrics):
        return []
    return sorted(ctx.g.descendants(focus[0].iri))


def via_facts(ctx: Context, l: Link, lang: str) -> list[Fact]:
    """The facts a nested description was resolved through ("the company that launched X")."""
    if l.via and l.via != "catalog":
        _, rels = relations_of(ctx.store, subjects=[l.ref.iri])
        return [rel_fact(ctx.g, f, lang) for f in rels if f.iri == l.via]
    return [catalog_fact(ctx.g, l.ref.iri, "owns", None, lang)]


def not_found(ctx: Context, a: Analysis, focus: list[EntityRef], metrics: list[MetricRef], sparql: str | None
              ) -> Answer:
    """``not_found``, naming what was asked and the periods the graph does hold for it."""
    lang = a.language
    subject = ZH_LIST_SEP.join(ctx.g.label(e.iri, lang) for e in focus) if lang != "en" else ", ".join(
        ctx.g.label(e.iri, lang) for e in focus)
    metric = ctx.g.metric_label(metrics[0].iri, lang) if metrics else ""
    period = period_words(a.period, lang)
    what = f"{subject} {period} {metric}".replace("  ", " ").strip() if lang == "en" else f"{subject}{period}{metric}"
    text = tr(lang, "not_found", what=what)
    _, obs = observations_of(ctx.store, [e.iri for e in focus])
    periods = sorted({o.period for o in obs if metrics and ctx.g.is_metric_match(o.metric, metrics[0].iri) and o.period})
    if periods:
        text += tr(lang, "nearby", subject=subject, metric=metric,
                   periods=(", " if lang == "en" else ZH_LIST_SEP).join(period_text(p, lang) for p in periods))
    return Answer(question=a.text, status="not_found", answer=text, language=lang, sparql=sparql, kind=a.kind)


def by_metric(ctx: Context, a: Analysis, metrics: list[MetricRef]) -> Answer:
    """A metric without a subject: every subject's figure, or the extreme one for a superlative."""
    rows = ctx.store.select(f"SELECT DISTINCT ?s WHERE {{ ?o <{KGO}metric>/<{KGO}growthOf>? ?m ; <{KGO}subject> ?s }}",
                             {"m": NamedNode(metrics[0].iri)})
    subjects = [r[0] for r in rows]
    if not subjects:
        return not_found(ctx, a, [], metrics, None)
    sparql, ranked = ranked_observations(ctx, a, subjects, metrics)
    if not ranked:
        return not_found(ctx, a, [], metrics, sparql)
    if a.kind == "superlative":
        r = extreme(ctx, a, ranked, sparql)
        if r is not None:
            return r
    shown = [o for _, o in ranked[:5]]
    text = " ".join(observation_sentence(o, ctx.g, a.language) for o in shown)
    return Answer(question=a.text, status="answered", answer=text, language=a.language, mode="retrieval",
                  facts=[o.fact(ctx.g.label(o.subject, a.language)) for o in shown], sparql=sparql,
                  confidence=0.4, kind="list")


def extreme(ctx: Context, a: Analysis, ranked: list[tuple[float, Obs]], sparql: str) -> Answer | None:
    """"哪家公司第二季度营收同比增长最快?": each subject's best-matching fact, the largest (or smallest) first."""
    lang = a.language
    best: dict[str, tuple[float, Obs]] = {}
    for sc, o in ranked:
        if o.subject not in best:
            best[o.subject] = (sc, o)
    top = max(sc for sc, _ in best.values())

    def key(o: Obs) -> float | None:
        if a.aspect == "change" and o.metric[len(KGM):] not in CHANGE_METRICS:
            if o.change is None or (o.change_unit or "Percent") not in ("Percent", "Multiple"):
                return None
            return o.change
        return o.value

    cands = [o for sc, o in best.values() if sc >= top - 1 and key(o) is not None]
    units = {o.unit for o in cands} if a.aspect != "change" or any(
        o.metric[len(KGM):] in CHANGE_METRICS for o in cands) else {None}
    if len(cands) < 2 or len(units) > 1:
        return None
    cands.sort(key=lambda o: (key(o) or 0.0), reverse=not a.minimum)
    pick, others = cands[0], cands[1:6]
    head = observation_sentence(pick, ctx.g, lang)
    if lang == "en":
        text = f"{ctx.g.label(pick.subject, lang)} ({'lowest' if a.minimum else 'highest'}): {head} Compared with: " + \
            " ".join(observation_sentence(o, ctx.g, lang) for o in others)
    else:
        text = f"{ctx.g.label(pick.subject, lang)}{zh('最低' if a.minimum else '最高', lang)}：{head}" + \
            zh("對比：", lang) + "".join(observation_sentence(o, ctx.g, lang) for o in others)
    return Answer(question=a.text, status="answered", answer=text, language=lang, sparql=sparql, mode="template",
                  facts=[o.fact(ctx.g.label(o.subject, lang)) for o in [pick, *others]], confidence=0.6,
                  kind="superlative")


def period_words(p: Period | None, lang: str) -> str:
    """A period as words in the reader's language; a period asked without a year has none."""
    if p is None:
        return ""
    if p.year == WILDCARD_YEAR:
        label = Period(2000, p.quarter, p.month, p.half, p.fiscal, p.ytd).label(lang)
        label = label.replace("2000年", "").replace(" 2000", "").replace("2000 ", "").replace("2000", "")
    else:
        label = p.label(lang)
    return to_script(label, "zh-Hans") if lang == "zh-Hans" else label
