"""Questions no template fits: the facts whose verbalisations are nearest the text, from the fact index."""
from __future__ import annotations

from pyoxigraph import NamedNode

from kg.factindex import FactIndex
from kg.factindex import tokens as _tokens
from kg.namespaces import KGO

from .analyze import Analysis, analyse
from .answer import Answer, Fact
from .compose import observation_sentence, tr
from .context import Context
from .plan import observations_of, relations_of
from .relations import rel_fact, relation_sentence

__all__ = ["retrieve", "related_facts"]


def retrieve(ctx: Context, index: FactIndex, a: Analysis) -> Answer:
    """No template fits: the facts whose verbalisations are nearest the question, if any is near."""
    lang = a.language
    q_tokens = {t for t in _tokens(a.text) if len(t) >= 2}
    hits = []
    for iri, s in index.search(a.text, 3):
        text_tokens = set(_tokens(index.text_of(iri)))
        cover = len(q_tokens & text_tokens) / len(q_tokens) if q_tokens else 0.0
        if s >= 0.6 and cover >= 0.5:  # only facts that share most of the question's words
            hits.append((iri, s))
    obs_iris = [iri for iri, _ in hits if "/obs-" in iri]
    if not obs_iris:
        return Answer(question=a.text, status="not_found", answer=tr(lang, "no_entity"), language=lang)
    sparql, obs = observations_of(ctx.store, [], iris=obs_iris)
    text = " ".join(observation_sentence(o, ctx.g, lang) for o in obs)
    return Answer(question=a.text, status="answered", answer=text, language=lang, mode="retrieval",
                  facts=[o.fact(ctx.g.label(o.subject, lang)) for o in obs], sparql=sparql,
                  confidence=round(min(s for _, s in hits) * 0.5, 2), kind="retrieval")


def related_facts(ctx: Context, index: FactIndex, text: str, k: int) -> tuple[str, list[tuple[Fact, str, float]]]:
    """The k facts nearest a text: (language, [(fact, sentence in that language, score)]), best first."""
    g = ctx.g
    lang = analyse(text.strip(), g.lexicon).language if text.strip() else "en"
    hits = [(iri, s) for iri, s in index.search(text, k) if s > 0]
    score = dict(hits)
    out: list[tuple[Fact, str, float]] = []
    obs_iris = [iri for iri, _ in hits if "/obs-" in iri]
    if obs_iris:
        for o in observations_of(ctx.store, [], iris=obs_iris)[1]:
            out.append((o.fact(g.label(o.subject, lang)), observation_sentence(o, g, lang), score[o.iri]))
    rel_iris = [iri for iri, _ in hits if iri not in obs_iris]
    if rel_iris:
        subjects = sorted({s for iri in rel_iris for (s,) in ctx.store.select(
            f"SELECT ?s WHERE {{ ?r <{KGO}subject> ?s }}", {"r": NamedNode(iri)})})
        for f in relations_of(ctx.store, subjects=subjects)[1] if subjects else []:
            if f.iri in score:
                f = rel_fact(g, f, lang)
                out.append((f, relation_sentence(g, f, lang), score[f.iri]))
    out.sort(key=lambda x: (-x[2], x[0].iri))
    return lang, out
