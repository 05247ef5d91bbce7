"""Questions no template fits: the facts whose verbalisations are nearest the text, from the fact index.

The index (``kg.factindex``) is built once and shared; a question only ranks it. A question with
no word the index could hold (emoji, right-to-left script) is ``not_found`` at once.
"""
from __future__ import annotations

from pyoxigraph import NamedNode

from kg.factindex import FactIndexer
from kg.factindex import tokens as _tokens
from kg.namespaces import KGO

from .analyze import Analysis, analyse
from .answer import Answer, Fact
from .compose import observation_sentence, tr
from .context import Context
from .link import link_entities
from .plan import observations_of, relations_of
from .relations import rel_fact, relation_sentence
from .sources import cite

__all__ = ["retrieve", "related_facts", "ENTITY_BOOST", "METRIC_BOOST"]

# Ranking for retrievers: a fact about the very entity the text names outranks one about its
# segments or products, and one of the metric it names outranks others ("百度營收": Baidu's revenue).
ENTITY_BOOST = 0.2
METRIC_BOOST = 0.1


def retrieve(ctx: Context, indexer: FactIndexer, a: Analysis) -> Answer:
    """No template fits: the facts whose verbalisations are nearest the question, if any is near."""
    lang = a.language
    q_tokens = {t for t in _tokens(a.text) if len(t) >= 2}
    if not q_tokens:  # nothing a fact could share with it: no need to look
        return Answer(question=a.text, status="not_found", answer=tr(lang, "no_entity"), language=lang)
    ctx.deadline.check()
    index = indexer.current(ctx.deadline.check)
    found = index.search(a.text, 3, query_vector=indexer.query_vector(index, a.text))
    ctx.deadline.check()
    top = found[0][1] if found else 0.0
    hits = []
    for iri, s in found:
        text_tokens = set(_tokens(index.text_of(iri)))
        cover = len(q_tokens & text_tokens) / len(q_tokens)
        if s >= 0.6 * top and cover >= 0.5:  # near the best, and sharing most of the question's words
            hits.append((iri, s))
    obs_iris = [iri for iri, _ in hits if "/obs-" in iri]
    if not obs_iris:
        return Answer(question=a.text, status="not_found", answer=tr(lang, "no_entity"), language=lang)
    sparql, obs = observations_of(ctx.store, [], iris=obs_iris)
    text = " ".join(observation_sentence(o, ctx.g, lang) for o in obs)
    return Answer(question=a.text, status="answered", answer=text, language=lang, mode="retrieval",
                  facts=[o.fact(ctx.g.label(o.subject, lang)) for o in obs], sparql=sparql,
                  confidence=round(min(s for _, s in hits) * 0.5, 2), kind="retrieval")


def related_facts(ctx: Context, indexer: FactIndexer, text: str, k: int) -> tuple[str, list[tuple[Fact, str, float]]]:
    """The k facts nearest a text: (language, [(fact, sentence in that language, score)]), best first.

    Scores are absolute, 0..1: the index's similarity, plus ``ENTITY_BOOST`` when the fact's subject is
    an entity the text names and ``METRIC_BOOST`` when its metric is one the text names (at most 1).
    A text sharing no word with any fact gets nothing. Each fact's source carries its document's
    title, URL and date.
    """
    g = ctx.g
    a = analyse(text.strip(), g.lexicon) if text.strip() else None
    lang = a.language if a is not None else "en"
    if a is None or not _tokens(text):
        return lang, []
    named = {link.ref.iri for link in link_entities(a.canon, g)}
    metrics = {h.value.iri for h in a.metrics}
    index = indexer.current(ctx.deadline.check)
    pool = max(k * 4, 20)  # boosts reorder: rank more than k before cutting
    hits = index.search(text, pool, query_vector=indexer.query_vector(index, text))
    score = dict(hits)
    out: list[tuple[Fact, str, float]] = []
    obs_iris = [iri for iri, _ in hits if "/obs-" in iri]
    if obs_iris:
        for o in observations_of(ctx.store, [], iris=obs_iris)[1]:
            s = score[o.iri] + ENTITY_BOOST * (o.subject in named) + METRIC_BOOST * (o.metric in metrics)
            out.append((o.fact(g.label(o.subject, lang)), observation_sentence(o, g, lang), min(1.0, s)))
    rel_iris = [iri for iri, _ in hits if iri not in obs_iris]
    if rel_iris:
        subjects = sorted({s for iri in rel_iris for (s,) in ctx.store.select(
            f"SELECT ?s WHERE {{ ?r <{KGO}subject> ?s }}", {"r": NamedNode(iri)})})
        for f in relations_of(ctx.store, subjects=subjects)[1] if subjects else []:
            if f.iri in score:
                f = rel_fact(g, f, lang)
                s = score[f.iri] + ENTITY_BOOST * (f.subject in named)
                out.append((f, relation_sentence(g, f, lang), min(1.0, s)))
    out.sort(key=lambda x: (-x[2], x[0].iri))
    out = out[:k]
    cite(ctx.store, [f for f, _, _ in out])
    return lang, out
