"""Two or more entities side by side: which is higher or grew faster, and their sum, difference or ratio."""
from __future__ import annotations

import dataclasses

import re

from kg.lexicon import EntityRef, MetricRef
from kg.periods import Period
from kg.namespaces import KGM

from .analyze import Analysis
from .answer import Answer
from .compose import figure_text, observation_sentence, zh
from .context import Context
from .graph import GraphIndex
from .lookup import most_specific, not_found, ranked_observations
from .plan import Obs

__all__ = ["compare", "arithmetic", "default_metrics"]


def default_metrics(g: GraphIndex) -> list[MetricRef]:
    """"Which grew faster, A or B?" names no metric: revenue is what business news compares."""
    return [h.value for h in g.lexicon.metrics.find_all("revenue") if h.value.iri == KGM + "Revenue"][:1]


def compare(ctx: Context, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]) -> Answer:
    """Which of the entities is highest (lowest, fastest, slowest) on the metric, with the others beside it."""
    lang = a.language
    sparql = ""
    tiers: list[list[Obs]] = []
    for e in entities:
        sparql, ranked = ranked_observations(ctx, a, [e.iri], metrics)
        if ranked:
            tiers.append([o for s, o in ranked if s >= ranked[0][0] - 1e-9])
    best = _comparable(tiers)
    if len(best) < 2:
        return not_found(ctx, a, entities, metrics, sparql)

    def key(o: Obs) -> float:
        if a.aspect == "change" and o.change is not None:
            return o.change
        return o.value if o.value is not None else float("-inf")

    pick = min(best, key=key) if a.minimum else max(best, key=key)
    others = [o for o in best if o is not pick]
    head = observation_sentence(pick, ctx.g, lang)
    change = a.aspect == "change" and pick.change is not None
    two = a.kind == "comparison" or len(best) == 2
    if lang == "en":
        word = {(False, False): "highest", (False, True): "lowest", (True, False): "fastest",
                (True, True): "slowest"}[(change, a.minimum)]
        if two:
            word = {"highest": "higher", "lowest": "lower", "fastest": "faster", "slowest": "slower"}[word]
        text = f"{ctx.g.label(pick.subject, lang)} ({word}): {head} Compared with: " + \
            " ".join(observation_sentence(o, ctx.g, lang) for o in others)
    else:
        word = ("增長" if change else "") + ("較" if two else "最") + (
            ("慢" if a.minimum else "快") if change else ("低" if a.minimum else "高"))
        text = f"{ctx.g.label(pick.subject, lang)}{zh(word, lang)}：{head}" + zh("對比：", lang) + "".join(
            observation_sentence(o, ctx.g, lang) for o in others)
    return Answer(question=a.text, status="answered", answer=text, language=lang, sparql=sparql,
                  facts=[o.fact(ctx.g.label(o.subject, lang)) for o in [pick, *others]], confidence=0.8,
                  kind="superlative")


def _comparable(tiers: list[list[Obs]]) -> list[Obs]:
    """One figure per entity, in a unit they all have when there is one: RMB beside RMB, not a US-dollar
    conversion beside a yuan figure. Each tier is an entity's best-scoring figures, best first."""
    common = set.intersection(*({o.unit for o in t} for t in tiers)) if tiers else set()
    unit = next((o.unit for o in tiers[0] if o.unit in common), None) if tiers else None
    return [next((o for o in t if o.unit == unit), t[0]) if unit is not None else t[0] for t in tiers]


_SUM_Q = re.compile(r"合计|总共|加起来|一共|总和|combined|in total|sum of|together|altogether")
_MAX_TERMS = 6  # figures a sum adds up at most


_ESTIMATE_Q = re.compile(r"预估|预期|市场预期|一致预期|consensus|estimate|expectation|forecast")


def _operands(ctx: Context, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]
              ) -> tuple[str, list[Obs], tuple[str, str]]:
    """The two figures a question computes with: two entities' (A比B), one entity's two metrics
    (网络营销收入比非网络营销收入), two periods (2024年比2023年), or the reported figure and the
    analysts' estimate ("miss the consensus")."""
    lang = a.language
    g = ctx.g

    def best(a2: Analysis, subject: str, ms: list[MetricRef], estimate: bool | None = None) -> tuple[str, Obs | None]:
        sparql, ranked = ranked_observations(ctx, a2, [subject], ms)
        fits = [o for _, o in ranked if estimate is None or bool(o.estimate) == estimate]
        unit = picked[0].unit if picked else ("CNY" if lang != "en" else None)
        same = [o for o in fits if o.unit == unit] if unit else []
        return sparql, (same or fits or [None])[0]

    picked: list[Obs] = []
    sparql = ""
    if len(entities) >= 2:
        entities = most_specific(g, entities, parts=False)  # 「小米手機×AIoT分部收入扣除智能手機業務」: the units, not 小米
    if len(entities) >= 2:
        # a sum takes every entity listed (「增值服務、廣告和移動遊戲三項收入合計」), a difference or ratio two
        for e in entities[:_MAX_TERMS if _SUM_Q.search(a.canon) else 2]:
            sparql, o = best(a, e.iri, metrics, False)
            if o is not None:
                picked.append(o)
        return sparql, picked, tuple(g.label(o.subject, lang) for o in picked) if len(picked) >= 2 else ("", "")  # type: ignore[return-value]
    if not entities:
        return sparql, [], ("", "")
    e = entities[0]
    name = g.label(e.iri, lang)
    if len(metrics) >= 2:
        for m in metrics[:2]:
            sparql, o = best(a, e.iri, [m], False)
            if o is not None:
                picked.append(o)
        labels = tuple(f"{name}{' ' if lang == 'en' else ''}{g.metric_label(o.metric, lang)}" for o in picked)
    elif len(a.periods) >= 2:
        for p in a.periods[:2]:
            sparql, o = best(dataclasses.replace(a, period=p, aspect="value"), e.iri, metrics, False)
            if o is not None and o.period == p.key:
                picked.append(o)
        sep = " " if lang == "en" else ""
        labels = tuple(f"{name}{sep}{o.period_obj.label(lang) if o.period_obj else ''}".strip() for o in picked)
    elif _ESTIMATE_Q.search(a.canon):
        for est in (False, True):
            sparql, o = best(a, e.iri, metrics, est)
            if o is not None:
                picked.append(o)
        labels = (name, ("consensus" if lang == "en" else zh("市場預期", lang)))
    else:
        return sparql, [], ("", "")
    return sparql, picked, labels if len(labels) == 2 else ("", "")  # type: ignore[return-value]


def arithmetic(ctx: Context, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]) -> Answer | None:
    """The sum, difference or ratio of two entities' figures; the computed numbers are recorded for verification."""
    lang = a.language
    sparql, picked, labels = _operands(ctx, a, entities, metrics)
    if len(picked) < 2:
        return _complement(ctx, a, entities, metrics)
    x, y = picked[:2]
    # 「2024年比2023年減少了多少?」: two periods' levels are compared, not their changes
    by_change = a.aspect == "change" and not (len(a.periods) >= 2 and x.value is not None and y.value is not None)
    a = dataclasses.replace(a, aspect="change" if by_change else "value")

    def val(o: Obs) -> float | None:
        return o.change * 100 if by_change and o.change is not None else o.value

    vs = [v for v in map(val, picked) if v is not None]
    if len(vs) < len(picked) or (a.aspect != "change" and len({o.unit for o in picked}) > 1):
        return None
    vx, vy = vs[0], vs[1]
    ratio_q = re.search(r"几倍|多少倍|how many times|ratio", a.canon)
    sum_q = not ratio_q and _SUM_Q.search(a.canon)
    if not sum_q:
        picked = picked[:2]
    result = vx / vy if ratio_q and vy else sum(vs) if sum_q else vx - vy
    lx, ly = labels[0], labels[1]
    if sum_q:
        total = figure_text(Obs(**{**x.__dict__, "value": result, "change": None, "bound": None,
                                   "qualitative": None}), lang) if a.aspect != "change" else \
            (f"{result:.2f} percentage points" if lang == "en" else f"{result:.2f}" + zh("個百分點", lang))
        body = " + ".join(labels) + f" = {total}" if lang == "en" else \
            zh("、".join(labels[:-1]) + f"與{labels[-1]}合計{total}", lang)
    elif ratio_q:
        body = f"{lx} / {ly} = {result:.2f}" + ("x" if lang == "en" else "倍")
    else:
        unit = "percentage points" if a.aspect == "change" or x.unit == "Percent" else (x.unit or "")
        diff = figure_text(Obs(**{**x.__dict__, "value": abs(result), "change": None, "bound": None,
                                  "qualitative": None}), lang) if x.unit not in ("Percent",) and a.aspect != "change" \
            else (f"{abs(result):.2f} {unit}" if lang == "en" else f"{abs(result):.2f}" + zh("個百分點", lang))
        body = (f"{lx} − {ly} = {'-' if result < 0 else ''}{diff}" if lang == "en"
                else zh(f"{lx}與{ly}相差{diff}", lang))
    text = body + (". " if lang == "en" else "。") + " ".join(observation_sentence(o, ctx.g, lang) for o in picked)
    ans = Answer(question=a.text, status="answered", answer=text, language=lang, sparql=sparql,
                 facts=[o.fact(ctx.g.label(o.subject, lang)) for o in picked], confidence=0.7, kind="arithmetic")
    ans.computed = [result, round(result, 2), abs(round(result, 2))]
    return ans


def _rest_of_year(p: Period) -> Period | None:
    """The part of p's year that p leaves out, when it is one period: the first nine months and the fourth
    quarter, one half and the other."""
    if p.fiscal or p.day or p.month or p.end_year:
        return None
    if p.months == 9:
        return Period(p.year, quarter=4)
    if p.quarter == 4:
        return Period(p.year, months=9)
    if p.half:
        return Period(p.year, half=3 - p.half)
    return None


def _complement(ctx: Context, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]) -> Answer | None:
    """「前三季度合计收入是多少(全年减去第四季度)?」, "implied fourth-quarter revenue": a part of a year that
    no article states is the year's figure less the rest of it, both cited."""
    if len(entities) != 1 or not metrics:
        return None
    lang = a.language
    e = entities[0]

    def stated(p: Period) -> tuple[str, Obs | None]:
        sparql, ranked = ranked_observations(ctx, dataclasses.replace(a, period=p, aspect="value"), [e.iri], metrics)
        return sparql, next((o for _, o in ranked if o.period == p.key and o.value is not None and not o.bound
                             and not o.estimate), None)

    for p in a.periods:
        rest = _rest_of_year(p)
        if rest is None or stated(p)[1] is not None:
            continue
        sparql, year = stated(Period(p.year))
        _, part = stated(rest)
        if year is None or part is None or year.unit != part.unit or year.value is None or part.value is None:
            continue
        result = year.value - part.value
        total = figure_text(Obs(**{**year.__dict__, "value": result, "change": None, "bound": None,
                                   "qualitative": None}), lang)
        name = ctx.g.label(e.iri, lang)
        whole, other, asked = Period(p.year).label(lang), rest.label(lang), p.label(lang)
        body = (f"{name} {asked} = {whole} − {other} = {total}" if lang == "en"
                else zh(f"{name}{asked}（{whole}減去{other}）為{total}", lang))
        text = body + (". " if lang == "en" else "。") + " ".join(observation_sentence(o, ctx.g, lang) for o in (year, part))
        ans = Answer(question=a.text, status="answered", answer=text, language=lang, sparql=sparql,
                     facts=[o.fact(ctx.g.label(o.subject, lang)) for o in (year, part)], confidence=0.7,
                     kind="arithmetic")
        ans.computed = [result, round(result, 2)]
        return ans
    return None
