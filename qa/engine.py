"""Question answering over the graph, offline: analyse, link, plan, execute, compose, verify.

>>> from kg.store import OxigraphStore
>>> from ingestion import Ingestor, parse_document   # doctest only: qa itself never imports ingestion
>>> store = OxigraphStore.in_memory()
>>> _ = Ingestor(store).ingest_document(parse_document("百度2025年Q1營收達324.5億元,同比增長3%。", name="n.txt"))
>>> qa = QA(store)
>>> a = qa.ask("百度2025年Q1營收是多少?")
>>> a.status, "324.5億元" in a.answer, a.facts[0].source.quote.startswith("百度2025年Q1營收達324.5億元,同比增長3%")
('answered', True, True)
>>> qa.ask("百度2025年第二季度營收是多少?").status
'not_found'
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from kg.factindex import FactIndex, tokens as _tokens
from kg.lexicon import CHANGE_METRICS, EntityRef, MetricRef
from kg.namespaces import KGM, KGO, REFERENCE_GRAPHS
from kg.periods import Period, find_periods
from kg.store import Store
from kg.text import canonical, to_script

from .analyze import WILDCARD_YEAR, Analysis, analyse
from .answer import Answer, Fact, Source
from .compose import figure_text, observation_sentence, period_text, tr
from .errors import InvalidQuestionError
from .graph import GraphIndex
from .link import Link, link_entities
from .plan import Obs, observations_of, products_of, relations_of
from .session import Frame, Session
from .verify import unsupported_numbers

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = ["QA"]

MAX_QUESTION_CHARS = 2000
_ZH_LIST_SEP = "、"


def _z(text: str, lang: str) -> str:
    """Traditional-script template text in the reader's script."""
    return to_script(text, "zh-Hans") if lang == "zh-Hans" else text


class QA:
    """Answers questions from one store; keeps an index of labels that it refreshes when the graph changes."""

    def __init__(self, store: Store, *, max_question_chars: int = MAX_QUESTION_CHARS,
                 embedding_model: str | None = None, llm: "BaseChatModel | None" = None,
                 llm_timeout_s: float = 60.0, llm_max_repairs: int = 2) -> None:
        self.store = store
        self.llm = llm  # optional: writes SPARQL where templates find nothing, phrases answers (qa.llm)
        self.llm_timeout_s = llm_timeout_s
        self.llm_max_repairs = llm_max_repairs
        self.max_chars = max_question_chars
        self.embedding_model = embedding_model
        self._g: GraphIndex | None = None
        self._building = threading.Lock()  # concurrent first questions build the index once
        self._index: tuple[tuple[object, ...], FactIndex] | None = None
        self.sessions: dict[str, Session] = {}

    def fact_index(self) -> FactIndex:
        stamp = self.g.stamp  # checked against the store at the start of each question
        if self._index is None or self._index[0] != stamp:
            self._index = (stamp, FactIndex.build(self.store, self.embedding_model))
        return self._index[1]

    @property
    def g(self) -> GraphIndex:
        """The label and structure index; :meth:`refresh` (run at the start of every question) keeps it current."""
        return self._g if self._g is not None else self.refresh()

    def refresh(self) -> GraphIndex:
        """Rebuild the index if the store changed since it was built (one cheap check, not one per lookup)."""
        stamp = GraphIndex.stamp_of(self.store)
        if self._g is not None and self._g.stamp == stamp:
            return self._g
        with self._building:
            if self._g is None or self._g.stamp != GraphIndex.stamp_of(self.store):
                self._g = GraphIndex.build(self.store)
            return self._g

    def session(self, sid: str | None) -> Session | None:
        if sid is None:
            return None
        return self.sessions.setdefault(sid, Session(id=sid))

    # -- for embedding: retrievers and tools (kgqa.integrations, the MCP server) ---------
    def describe(self, name_or_iri: str) -> Answer:
        """What the graph says about one entity, named in any script or alias, or given by its IRI."""
        try:
            text = self._check(name_or_iri)
        except InvalidQuestionError as exc:
            return Answer(question=str(name_or_iri)[:200], status="error", answer=str(exc), language="en")
        g = self.refresh()
        a = analyse(text, g.lexicon)
        ref = g.lexicon.by_iri.get(text)
        if ref is None and text in g.labels:
            ref = EntityRef(text, g.types.get(text, "Organization"), g.label(text, "en"))
        if ref is None:
            links = link_entities(a.canon, g)
            ref = links[0].ref if links else None
        if ref is None:
            return Answer(question=text, status="not_found", answer=tr(a.language, "no_entity"),
                          language=a.language, kind="describe")
        answer = self._describe(a, ref)
        answer.question = text
        return answer

    def related_facts(self, text: str, k: int = 5) -> tuple[str, list[tuple[Fact, str, float]]]:
        """The k facts nearest a text in the fact index: (language, [(fact, sentence in that language, score)]).

        For retrievers, which rank facts rather than answer; scores are 0..1, best first.
        """
        g = self.refresh()
        lang = analyse(text.strip(), g.lexicon).language if text.strip() else "en"
        hits = [(iri, s) for iri, s in self.fact_index().search(text, k) if s > 0]
        score = dict(hits)
        out: list[tuple[Fact, str, float]] = []
        obs_iris = [iri for iri, _ in hits if "/obs-" in iri]
        if obs_iris:
            for o in observations_of(self.store, [], iris=obs_iris)[1]:
                out.append((o.fact(g.label(o.subject, lang)), observation_sentence(o, g, lang), score[o.iri]))
        rel_iris = [iri for iri, _ in hits if iri not in obs_iris]
        if rel_iris:
            subjects = sorted({s for iri in rel_iris for (s,) in self.store.select(
                f"SELECT ?s WHERE {{ ?r <{KGO}subject> ?s }}", {"r": _iri(iri)})})
            for f in relations_of(self.store, subjects=subjects)[1] if subjects else []:
                if f.iri in score:
                    f = self._rel_fact(f, lang)
                    out.append((f, self._relation_sentence(f, lang), score[f.iri]))
        out.sort(key=lambda x: (-x[2], x[0].iri))
        return lang, out

    # -- entry point -----------------------------------------------------------------
    def ask(self, question: str, session: Session | str | None = None) -> Answer:
        """The verified answer to a question (with an LLM configured, possibly written or phrased by it)."""
        final: Answer | None = None
        for item in self.ask_stream(question, session):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def ask_stream(self, question: str, session: Session | str | None = None) -> Iterator[str | Answer]:
        """The answer text in pieces as it becomes ready, then the verified :class:`Answer`.

        Offline the pieces are the template answer's sentences. With an LLM, phrased text is
        passed on one verified sentence at a time; the pieces always join to ``Answer.answer``.
        """
        sess = self.session(session) if isinstance(session, str) or session is None else session
        answer, ctx = self._offline(question, sess)
        if self.llm is not None and ctx is not None:
            from .llm.stages import improve

            answer = yield from improve(self, answer, ctx)
        else:
            for piece in _pieces(answer.answer):
                yield piece
        if sess is not None and ctx is not None:
            a, entities, metrics = ctx
            if answer.mode == "llm" and answer.status == "answered" and not entities:  # the LLM's query found them
                entities = _dedupe(self.g.lexicon.by_iri[f.subject] for f in answer.facts
                                   if f.subject in self.g.lexicon.by_iri)
            sess.remember(question, answer.answer, Frame(entities, metrics, a.aspect, a.period, a.kind, a.language)
                          if answer.status == "answered" else None)
        yield answer

    def _offline(self, question: str, sess: Session | None
                 ) -> tuple[Answer, tuple[Analysis, list[EntityRef], list[MetricRef]] | None]:
        """The template (or retrieval) answer, verified, with what the question was understood to ask."""
        try:
            text = self._check(question)
        except InvalidQuestionError as exc:
            return Answer(question=str(question)[:200], status="error", answer=str(exc), language="en"), None
        g = self.refresh()
        a = analyse(text, g.lexicon, g.ref_year)
        links = link_entities(a.canon, g)
        entities = _dedupe([l.ref for l in links])
        metrics = [h.value for h in a.metrics]
        frame = sess.frame if sess else None
        if a.share:  # "研发费用占总营收的比例": the other metric words name the parts of the share
            share = [m for m in metrics if KGM + "Share" in self.g.broader.get(m.iri, ()) or m.iri == KGM + "Share"]
            metrics = share or metrics
        if frame is not None and a.neutral and frame.language in ("zh-Hant", "zh-Hans"):
            a.language = frame.language  # "那可灵呢?" is the same in both scripts: keep the conversation's
        if frame is not None:
            if not entities and (a.follow_up or a.pronoun or not _unknown_name(a, g)):
                # "同比增长多少?", "its revenue?": the conversation's subject; "Who is <unknown>?" is not about it
                entities = list(frame.entities)
                if not metrics and a.kind in ("lookup",):
                    metrics = list(frame.metrics)
            if entities and not metrics and a.kind in ("lookup",) and (a.follow_up or len(a.canon) < 24):
                metrics = list(frame.metrics)
                if a.aspect == "value":
                    a.aspect = frame.aspect
                if a.period is None:
                    a.period = frame.period
        answer = self._dispatch(a, links, entities, metrics)
        answer.question = question
        answer.kind = answer.kind or a.kind
        bad = unsupported_numbers(answer.answer, answer.facts, answer.computed)
        if answer.status == "answered" and bad:
            answer = Answer(question=question, status="not_found", language=a.language, kind=a.kind,
                            answer=tr(a.language, "not_found", what=text) + f" (unverified numbers: {', '.join(bad)})")
        return answer, (a, entities, metrics)

    def _check(self, question: object) -> str:
        if not isinstance(question, str):
            raise InvalidQuestionError("the question must be text")
        text = question.strip()
        if not text:
            raise InvalidQuestionError("empty question: ask about a company, product or figure")
        if len(text) > self.max_chars:
            raise InvalidQuestionError(f"question too long ({len(text)} characters; the limit is {self.max_chars})")
        controls = sum(1 for c in text if unicodedata.category(c) in ("Cc", "Cs", "Co") and c not in "\n\t\r")
        if controls or "\ufffd" in text:
            raise InvalidQuestionError("the question contains binary or undecodable characters")
        return text

    def _dispatch(self, a: Analysis, links: list[Link], entities: list[EntityRef], metrics: list[MetricRef]) -> Answer:
        if a.kind == "connection" and len(entities) >= 2:
            return self._connection(a, entities)
        if a.kind == "quote":
            return self._who_said(a, entities, metrics)
        if a.kind == "relation" and entities:
            r = self._relation(a, entities)
            if r is not None:
                return r
        if a.kind == "list" and entities and re.search(
                r"哪些(?:公司|企业|平台|厂商|机构)|(?:which|what) (?:companies|firms|platforms|products)", a.canon):
            r = self._relation(a, entities, reverse=True)  # "哪些公司接入了DeepSeek?": who did it to the entity
            if r is not None:
                return r
        if a.kind == "list" and entities:
            return self._list(a, entities)
        if a.kind == "describe" and entities and not metrics and a.period is None:
            return self._describe(a, entities[0])
        if entities and not metrics and (a.kind == "lookup" or a.kind == "describe" and a.period is not None) and (
                a.period is not None or re.search(r"多少|几|how (?:much|many)|what (?:was|is|were)", a.canon)):
            return self._lookup(a, links, entities, [])
        if a.kind in ("superlative", "comparison") and len(entities) >= 2:
            return self._compare(a, entities, metrics or self._default_metrics())
        if a.kind == "arithmetic" and metrics and (len(entities) >= 2 or entities):
            r = self._arithmetic(a, entities, metrics)
            if r is not None:
                return r
        if entities and metrics:
            return self._lookup(a, links, entities, metrics)
        if entities:
            return self._describe(a, entities[0])
        if metrics:
            if a.kind == "lookup" and _unknown_name(a, self.g):  # "Acme's net profit?": not some other company's
                return Answer(question=a.text, status="not_found", answer=tr(a.language, "no_entity"),
                              language=a.language, kind=a.kind)
            return self._by_metric(a, metrics)
        return self._retrieve(a)

    def _default_metrics(self) -> list[MetricRef]:
        """"Which grew faster, A or B?" names no metric: revenue is what business news compares."""
        return [h.value for h in self.g.lexicon.metrics.find_all("revenue") if h.value.iri == KGM + "Revenue"][:1]

    def _retrieve(self, a: Analysis) -> Answer:
        """No template fits: the facts whose verbalisations are nearest the question, if any is near."""
        lang = a.language
        index = self.fact_index()
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
        sparql, obs = observations_of(self.store, [], iris=obs_iris)
        text = " ".join(observation_sentence(o, self.g, lang) for o in obs)
        return Answer(question=a.text, status="answered", answer=text, language=lang, mode="retrieval",
                      facts=[o.fact(self.g.label(o.subject, lang)) for o in obs], sparql=sparql,
                      confidence=round(min(s for _, s in hits) * 0.5, 2), kind="retrieval")

    # -- lookup ------------------------------------------------------------------------
    def _focus(self, entities: list[EntityRef]) -> list[EntityRef]:
        iris = {e.iri for e in entities}
        focus = [e for e in entities if not (self.g.descendants(e.iri) & iris)]
        return focus or entities

    def _score(self, a: Analysis, o: Obs, metrics: list[MetricRef]) -> float | None:
        g = self.g
        ms = max((g.is_metric_match(o.metric, m.iri) for m in metrics), default=1)
        if ms == 0:
            return None
        rate = o.metric[len(KGM):] in CHANGE_METRICS
        if a.period is not None:
            pm = _period_match(a.period, o.period_obj)
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
        qual = canonical(o.qualifier or "").replace(" ", "")
        english = g.english_phrase(o.qualifier) if qual and a.language == "en" and _HAN.search(qual) else None
        if english:  # an English question against a Chinese qualifier: compare its English words
            words = {w for w in re.findall(r"[a-z0-9&]+", english.lower()) if len(w) > 2 and w not in _EN_FILLER}
            hit = sum(1 for w in words if re.search(rf"(?<![a-z]){re.escape(w)}", a.canon)) / len(words) if words else 0
            score += 3 if hit == 1 else 1.5 if hit > 0 else -1.5
        elif qual:
            if qual in a.canon.replace(" ", ""):
                score += 3
            elif _overlap(qual, a.canon) >= 0.5:
                score += 1
            else:
                score -= 1.5
        if o.period is None and a.period is None:
            score += 0.2
        if o.forecast and not re.search(r"预计|预期|forecast|expect|将|will", a.canon):
            score -= 0.5
        if a.aspect == "to" and o.value is not None and not o.bound:
            score += o.value / 1e12  # "rose to": the larger figure of a from-to pair
        return score

    def _ranked(self, a: Analysis, subjects: list[str], metrics: list[MetricRef]) -> tuple[str, list[tuple[float, Obs]]]:
        sparql, obs = observations_of(self.store, subjects)
        ranked = []
        for o in obs:
            s = self._score(a, o, metrics)
            if s is not None:
                ranked.append((s, o))
        ranked.sort(key=lambda so: (-so[0], so[1].iri))
        return sparql, ranked

    def _lookup(self, a: Analysis, links: list[Link], entities: list[EntityRef], metrics: list[MetricRef]) -> Answer:
        focus = self._focus(entities)
        sparql, ranked = self._ranked(a, [e.iri for e in focus], metrics)
        lang = a.language
        if not ranked:
            return self._not_found(a, focus, metrics, sparql)
        best_score = ranked[0][0]
        top = [o for s, o in ranked if s >= best_score - 1e-9]
        shown: list[Obs] = []
        for o in top + [o for s, o in ranked[len(top):] if s >= best_score - 1.5]:
            if all(figure_text(o, lang) != figure_text(x, lang) or o.subject != x.subject for x in shown) and \
                    not any(_same_figure(o, x) for x in shown):
                shown.append(o)
            if len(shown) >= 3:
                break
        lines = [observation_sentence(shown[0], self.g, lang)]
        if len(shown) > 1:
            lead = "Also in the graph: " if lang == "en" else _z("圖譜中另有：", lang)
            lines.append(lead + " ".join(observation_sentence(o, self.g, lang) for o in shown[1:]))
        nested = [l for l in links if l.how == "nested"]
        facts = [o.fact(self.g.label(o.subject, lang)) for o in shown]
        for l in nested:
            facts.extend(self._via_facts(l, lang))
            prefix = (f"{self.g.label(l.ref.iri, lang)}: " if lang == "en" else f"{self.g.label(l.ref.iri, lang)}：")
            lines[0] = prefix + lines[0]
        return Answer(question=a.text, status="answered", answer=" ".join(lines), language=lang, facts=facts,
                      sparql=sparql, confidence=min(1.0, best_score / 11), kind="lookup")

    def _via_facts(self, l: Link, lang: str) -> list[Fact]:
        if l.via and l.via != "catalog":
            _, rels = relations_of(self.store, subjects=[l.ref.iri])
            return [self._rel_fact(f, lang) for f in rels if f.iri == l.via]
        return [self._catalog_fact(l.ref.iri, "owns", None, lang)]

    def _not_found(self, a: Analysis, focus: list[EntityRef], metrics: list[MetricRef], sparql: str | None) -> Answer:
        lang = a.language
        subject = _ZH_LIST_SEP.join(self.g.label(e.iri, lang) for e in focus) if lang != "en" else ", ".join(
            self.g.label(e.iri, lang) for e in focus)
        metric = self.g.metric_label(metrics[0].iri, lang) if metrics else ""
        period = _period_words(a.period, lang)
        what = f"{subject} {period} {metric}".replace("  ", " ").strip() if lang == "en" else f"{subject}{period}{metric}"
        text = tr(lang, "not_found", what=what)
        _, obs = observations_of(self.store, [e.iri for e in focus])
        periods = sorted({o.period for o in obs if metrics and self.g.is_metric_match(o.metric, metrics[0].iri) and o.period})
        if periods:
            text += tr(lang, "nearby", subject=subject, metric=metric,
                       periods=(", " if lang == "en" else _ZH_LIST_SEP).join(period_text(p, lang) for p in periods))
        return Answer(question=a.text, status="not_found", answer=text, language=lang, sparql=sparql, kind=a.kind)

    def _by_metric(self, a: Analysis, metrics: list[MetricRef]) -> Answer:
        rows = self.store.select(f"SELECT DISTINCT ?s WHERE {{ ?o <{KGO}metric> ?m ; <{KGO}subject> ?s }}",
                                 {"m": _iri(metrics[0].iri)})
        subjects = [r[0] for r in rows]
        if not subjects:
            return self._not_found(a, [], metrics, None)
        sparql, ranked = self._ranked(a, subjects, metrics)
        if not ranked:
            return self._not_found(a, [], metrics, sparql)
        if a.kind == "superlative":
            r = self._extreme(a, ranked, sparql)
            if r is not None:
                return r
        shown = [o for _, o in ranked[:5]]
        text = " ".join(observation_sentence(o, self.g, a.language) for o in shown)
        return Answer(question=a.text, status="answered", answer=text, language=a.language, mode="retrieval",
                      facts=[o.fact(self.g.label(o.subject, a.language)) for o in shown], sparql=sparql,
                      confidence=0.4, kind="list")

    def _extreme(self, a: Analysis, ranked: list[tuple[float, Obs]], sparql: str) -> Answer | None:
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
        head = observation_sentence(pick, self.g, lang)
        if lang == "en":
            text = f"{self.g.label(pick.subject, lang)} ({'lowest' if a.minimum else 'highest'}): {head} Compared with: " + \
                " ".join(observation_sentence(o, self.g, lang) for o in others)
        else:
            text = f"{self.g.label(pick.subject, lang)}{_z('最低' if a.minimum else '最高', lang)}：{head}" + \
                _z("對比：", lang) + "".join(observation_sentence(o, self.g, lang) for o in others)
        return Answer(question=a.text, status="answered", answer=text, language=lang, sparql=sparql, mode="template",
                      facts=[o.fact(self.g.label(o.subject, lang)) for o in [pick, *others]], confidence=0.6,
                      kind="superlative")

    # -- comparisons and arithmetic -------------------------------------------------------
    def _compare(self, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]) -> Answer:
        lang = a.language
        best: list[Obs] = []
        sparql = ""
        for e in entities:
            sparql, ranked = self._ranked(a, [e.iri], metrics)
            if ranked:
                best.append(ranked[0][1])
        if len(best) < 2:
            return self._not_found(a, entities, metrics, sparql)

        def key(o: Obs) -> float:
            if a.aspect == "change" and o.change is not None:
                return o.change
            return o.value if o.value is not None else float("-inf")

        pick = min(best, key=key) if a.minimum else max(best, key=key)
        others = [o for o in best if o is not pick]
        head = observation_sentence(pick, self.g, lang)
        change = a.aspect == "change" and pick.change is not None
        two = a.kind == "comparison" or len(best) == 2
        if lang == "en":
            word = {(False, False): "highest", (False, True): "lowest", (True, False): "fastest",
                    (True, True): "slowest"}[(change, a.minimum)]
            if two:
                word = {"highest": "higher", "lowest": "lower", "fastest": "faster", "slowest": "slower"}[word]
            text = f"{self.g.label(pick.subject, lang)} ({word}): {head} Compared with: " + \
                " ".join(observation_sentence(o, self.g, lang) for o in others)
        else:
            word = ("增長" if change else "") + ("較" if two else "最") + (
                ("慢" if a.minimum else "快") if change else ("低" if a.minimum else "高"))
            text = f"{self.g.label(pick.subject, lang)}{_z(word, lang)}：{head}" + _z("對比：", lang) + "".join(
                observation_sentence(o, self.g, lang) for o in others)
        return Answer(question=a.text, status="answered", answer=text, language=lang, sparql=sparql,
                      facts=[o.fact(self.g.label(o.subject, lang)) for o in [pick, *others]], confidence=0.8,
                      kind="superlative")

    def _arithmetic(self, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]) -> Answer | None:
        lang = a.language
        picked: list[Obs] = []
        sparql = ""
        for e in entities[:2]:
            sparql, ranked = self._ranked(a, [e.iri], metrics)
            if ranked:
                picked.append(ranked[0][1])
        if len(picked) < 2:
            return None
        x, y = picked

        def val(o: Obs) -> float | None:
            return o.change * 100 if a.aspect == "change" and o.change is not None else o.value

        vx, vy = val(x), val(y)
        if vx is None or vy is None or (a.aspect != "change" and x.unit != y.unit):
            return None
        ratio_q = re.search(r"几倍|多少倍|how many times|ratio", a.canon)
        sum_q = not ratio_q and re.search(r"合计|总共|加起来|一共|总和|combined|in total|sum of|together|altogether", a.canon)
        result = vx / vy if ratio_q and vy else vx + vy if sum_q else vx - vy
        lx, ly = self.g.label(x.subject, lang), self.g.label(y.subject, lang)
        if sum_q:
            total = figure_text(Obs(**{**x.__dict__, "value": result, "change": None, "bound": None,
                                       "qualitative": None}), lang) if a.aspect != "change" else \
                (f"{result:.2f} percentage points" if lang == "en" else f"{result:.2f}" + _z("個百分點", lang))
            body = f"{lx} + {ly} = {total}" if lang == "en" else _z(f"{lx}與{ly}合計{total}", lang)
        elif ratio_q:
            body = f"{lx} / {ly} = {result:.2f}" + ("x" if lang == "en" else "倍")
        else:
            unit = "percentage points" if a.aspect == "change" or x.unit == "Percent" else (x.unit or "")
            diff = figure_text(Obs(**{**x.__dict__, "value": abs(result), "change": None, "bound": None,
                                      "qualitative": None}), lang) if x.unit not in ("Percent",) and a.aspect != "change" \
                else (f"{abs(result):.2f} {unit}" if lang == "en" else f"{abs(result):.2f}" + _z("個百分點", lang))
            body = (f"{lx} − {ly} = {'-' if result < 0 else ''}{diff}" if lang == "en"
                    else _z(f"{lx}與{ly}相差{diff}", lang))
        text = body + (". " if lang == "en" else "。") + " ".join(observation_sentence(o, self.g, lang) for o in picked)
        ans = Answer(question=a.text, status="answered", answer=text, language=lang, sparql=sparql,
                     facts=[o.fact(self.g.label(o.subject, lang)) for o in picked], confidence=0.7, kind="arithmetic")
        ans.computed = [result, round(result, 2), abs(round(result, 2))]
        return ans

    # -- relations -----------------------------------------------------------------------
    def _rel_fact(self, f: Fact, lang: str) -> Fact:
        f.subject_label = self.g.label(f.subject, lang)
        if f.object:
            f.object_label = self.g.label(f.object, lang)
        return f

    def _catalog_fact(self, child: str, pred: str, parent: str | None, lang: str) -> Fact:
        parent = parent or sorted(self.g.owners.get(child, {""}))[0]
        quote = f"{self.g.label(parent, 'en')} owns {self.g.label(child, 'en')}"
        return Fact(iri=REFERENCE_GRAPHS["catalog"], subject=parent, subject_label=self.g.label(parent, lang),
                    source=Source(REFERENCE_GRAPHS["catalog"], 0, 0, quote, "kgqa catalog (reference data)"),
                    predicate=pred, object=child, object_label=self.g.label(child, lang))

    def _relation(self, a: Analysis, entities: list[EntityRef], reverse: bool = False) -> Answer | None:
        lang = a.language
        c = a.canon
        e = entities[0]
        preds = []
        if re.search(r"founded|成立|创立|创办|establish|set up", c):
            preds = ["founded"]
        elif re.search(r"launched|推出|发布|release", c):
            preds = ["launched", "owns"]
        elif re.search(r"develop|研发|开发|built", c):
            preds = ["develops", "launched", "owns"]
        elif re.search(r"runs on|基于|依托|运行在|使用|power|based on", c):
            preds = ["runsOn", "integrates"]
        elif re.search(r"integrat|接入", c):
            preds = ["integrates"]
        elif re.search(r"ceo|总裁|president|chief|首席|创始人|founder|谁是|who (?:is|was) the|任职|担任|职位|职务|头衔|"
                       r"负责人|works? (?:for|at)|employ|position|role|title|job", c):
            preds = ["worksFor"]
        elif re.search(r"own|母公司|parent|属于|旗下|which company|哪家公司|哪个公司", c):
            preds = ["owns", "launched", "develops"]
        if not preds:
            return None
        who_did = re.search(r"which|who|哪家|哪个|谁|什么公司", c) and (not e.is_org or preds[0] in ("worksFor",) or
                                                                   e.type in ("Lab", "BusinessUnit"))
        if preds[0] in ("runsOn", "integrates") and not e.is_org and not re.search(r"compan|firm|公司|企业|谁|who", c):
            who_did = False  # "全站推广依托哪个大模型?": the product is the subject
        if reverse:
            who_did = True
        if preds == ["worksFor"] and e.type == "Person":  # "林嘉文在哪家公司任職?": the person is the subject
            sparql, facts = relations_of(self.store, subjects=[e.iri], predicates=preds)
        elif preds == ["worksFor"]:
            sparql, facts = relations_of(self.store, objects=[e.iri], predicates=preds)
        elif who_did:
            objects = [e.iri, *sorted(self.g.descendants(e.iri))] if reverse else [e.iri]
            sparql, facts = relations_of(self.store, objects=objects, predicates=preds)
        else:
            sparql, facts = relations_of(self.store, subjects=[e.iri], predicates=preds)
        facts = [self._rel_fact(f, lang) for f in facts]
        if not facts and "owns" in preds and who_did and self.g.owners.get(e.iri):
            facts = [self._catalog_fact(e.iri, "owns", p, lang) for p in sorted(self.g.owners[e.iri])]
        if not facts:
            return Answer(question=a.text, status="not_found", language=lang, sparql=sparql, kind="relation",
                          answer=tr(lang, "not_found", what=a.text))
        lines = [self._relation_sentence(f, lang) for f in facts[:5]]
        return Answer(question=a.text, status="answered", answer=" ".join(lines), language=lang, facts=facts[:5],
                      sparql=sparql, confidence=0.8, kind="relation")

    def _relation_sentence(self, f: Fact, lang: str) -> str:
        s, o = f.subject_label, f.object_label or ""
        year = f.period
        en = {"founded": "founded", "launched": "launched", "develops": "develops", "owns": "owns",
              "integrates": "integrates", "runsOn": "runs on", "worksFor": "works for", "said": "said"}
        zh = {"founded": "成立了", "launched": "推出了", "develops": "研發了", "owns": "擁有", "integrates": "接入了",
              "runsOn": "依託", "worksFor": "任職於", "said": "表示"}
        p = f.predicate or ""
        if lang == "en":
            extra = f" in {year}" if year else ""
            role = f" ({f.qualifier})" if f.qualifier and p == "worksFor" else ""
            alt = self.g.label(f.subject, "zh-Hant")
            who = f"{s} ({alt})" if alt != s and p in ("worksFor", "said") else s
            return f"{who}{role} {en.get(p, p)} {o}{extra}".rstrip(".") + "."
        extra = f"（{year}年）" if year else ""
        role = f"（{f.qualifier}）" if f.qualifier and p == "worksFor" else ""
        return _z(f"{s}{role}{zh.get(p, p)}{o}{extra}。", lang)

    def _who_said(self, a: Analysis, entities: list[EntityRef], metrics: list[MetricRef]) -> Answer:
        lang = a.language
        sparql, said = relations_of(self.store, predicates=["said"])
        iris = {e.iri for e in entities}
        works = {}
        for f in relations_of(self.store, predicates=["worksFor"])[1]:
            works.setdefault(f.subject, set()).add(f.object)
        phrases: set[str] = set()
        for m in metrics:
            phrases |= {canonical(x) for x in self.g.all_labels(m.iri)}
            rows = self.store.select("SELECT ?l WHERE { ?m <http://www.w3.org/2004/02/skos/core#altLabel> ?l }",
                                     {"m": _iri(m.iri)})
            phrases |= {canonical(r[0]) for r in rows}
        # what the quote is about: the question without its "who said" words and punctuation
        body = re.sub(r"who (?:said|says|stated|noted)( that)?|谁(?:说|表示|称|提到|认为)(?:过|了)?|[?？!！,，。.\s]", "",
                      a.canon)
        scored = []
        for f in said:
            quote = canonical(f.object_label or "")
            s = 0.0
            if f.subject in iris or works.get(f.subject, set()) & iris:
                s += 2
            if any(p and p in quote for p in phrases):
                s += 3
            s += max(_overlap(quote, a.canon), 3 * _overlap(body, quote) if len(body) >= 4 else 0.0)
            if s >= 2:
                scored.append((s, f))
        if not scored:
            return Answer(question=a.text, status="not_found", language=lang, sparql=sparql, kind="quote",
                          answer=tr(lang, "not_found", what=a.text))
        scored.sort(key=lambda sf: -sf[0])
        f = self._rel_fact(scored[0][1], lang)
        names = {self.g.label(f.subject, x) for x in ("zh-Hant", "zh-Hans", "en")}
        who = " / ".join(sorted(names, key=lambda n: n != f.subject_label))
        text = (f"{who} said: “{f.object_label}”" if lang == "en" else f"{who}{_z('表示', lang)}：「{f.object_label}」")
        return Answer(question=a.text, status="answered", answer=text, language=lang, facts=[f], sparql=sparql,
                      confidence=min(1.0, scored[0][0] / 6), kind="quote")

    def _list(self, a: Analysis, entities: list[EntityRef]) -> Answer:
        """What each named owner has: products (default), models, platforms or labs ("A和B分別有哪些實驗室?")."""
        lang = a.language
        owners = _dedupe(e for e in entities if e.is_org or e.type in ("Lab", "BusinessUnit"))[:4] or entities[:1]
        types: tuple[str, ...] = ("Product", "Platform", "AIModel")
        if re.search(r"model|模型", a.canon):
            types = ("AIModel",)
        elif re.search(r"platform|平台", a.canon):
            types = ("Platform",)
        elif re.search(r"\blabs?\b|laborator|academ|实验室|研究院|研究所|达摩院", a.canon):
            types = ("Lab",)
        sparql, rows = products_of(self.store, [o.iri for o in owners], types)
        items: dict[str, dict[str, str | None]] = {o.iri: {} for o in owners}
        for owner, x, _t, doc in sorted(rows):
            if x not in items and not any(x in v for v in items.values()):
                items[owner].setdefault(x, doc)
        if not any(items.values()):
            return Answer(question=a.text, status="not_found", language=lang, sparql=sparql, kind="list",
                          answer=tr(lang, "not_found", what=a.text))
        facts = []
        parts = []
        for owner_iri, things in items.items():
            if not things:
                continue
            for x in things:
                parent = sorted(self.g.owners.get(x, {owner_iri}))[0]
                facts.append(self._catalog_fact(x, "owns", parent, lang))
                men = self.store.select(f"""SELECT ?d ?a ?z ?q WHERE {{ ?x <{KGO}mentionedAt> ?m .
                    ?m <{KGO}document> ?d ; <{KGO}start> ?a ; <{KGO}end> ?z ; <{KGO}quote> ?q }} LIMIT 1""", {"x": _iri(x)})
                if men:
                    d, st, en, q = men[0]
                    facts[-1] = Fact(iri=facts[-1].iri, subject=x, subject_label=self.g.label(x, lang),
                                     source=Source(d, st, en, q), predicate="mentionedIn", object=parent,
                                     object_label=self.g.label(parent, lang))
            names = [self.g.label(x, lang) for x in things]
            if lang == "en":
                parts.append(f"{self.g.label(owner_iri, lang)}: " + ", ".join(names) + ".")
            else:
                parts.append(f"{self.g.label(owner_iri, lang)}：" + _ZH_LIST_SEP.join(names) + "。")
        return Answer(question=a.text, status="answered", answer=" ".join(parts), language=lang, facts=facts,
                      sparql=sparql, confidence=0.7, kind="list")

    def _describe(self, a: Analysis, e: EntityRef) -> Answer:
        lang = a.language
        g = self.g
        sparql, obs = observations_of(self.store, [e.iri])
        _, rels = relations_of(self.store, subjects=[e.iri])
        _, rels_in = relations_of(self.store, objects=[e.iri])
        facts: list[Fact] = []
        parts = []
        name = g.label(e.iri, lang)
        alt = g.label(e.iri, "zh-Hant" if lang == "en" else "en")
        owners = sorted(g.owners.get(e.iri, ()))
        if lang == "en":
            head = f"{name}" + (f" ({alt})" if alt != name else "")
            if owners:
                head += " belongs to " + ", ".join(g.label(o, lang) for o in owners)
                facts.append(self._catalog_fact(e.iri, "owns", owners[0], lang))
            parts.append(head + ".")
        else:
            head = f"{name}" + (f"（{alt}）" if alt != name else "")
            if owners:
                head += _z("隸屬於", lang) + _ZH_LIST_SEP.join(g.label(o, lang) for o in owners)
                facts.append(self._catalog_fact(e.iri, "owns", owners[0], lang))
            parts.append(head + "。")
        kept: list[Obs] = []
        for o in obs:
            if not any(_same_figure(o, x) for x in kept):
                kept.append(o)
        for o in kept[:6]:
            parts.append(observation_sentence(o, g, lang))
            facts.append(o.fact(g.label(o.subject, lang)))
        for f in (rels + rels_in)[:4]:
            f = self._rel_fact(f, lang)
            parts.append(self._relation_sentence(f, lang))
            facts.append(f)
        if len(facts) == 0:
            return Answer(question=a.text, status="not_found", language=lang, sparql=sparql, kind="describe",
                          answer=tr(lang, "not_found", what=name))
        return Answer(question=a.text, status="answered", answer=" ".join(parts), language=lang, facts=facts,
                      sparql=sparql, confidence=0.6, kind="describe", mode="template")

    def _connection(self, a: Analysis, entities: list[EntityRef]) -> Answer:
        import networkx as nx

        from kg.graphview import entity_graph

        lang = a.language
        graph = entity_graph(self.store).to_undirected(as_view=False)
        x, y = entities[0].iri, entities[1].iri
        if x not in graph or y not in graph or not nx.has_path(graph, x, y):
            return Answer(question=a.text, status="not_found", language=lang, kind="connection",
                          answer=tr(lang, "not_found", what=a.text))
        path = nx.shortest_path(graph, x, y)
        facts: list[Fact] = []
        lines = []
        for u, v in zip(path, path[1:]):
            data = next(iter(graph.get_edge_data(u, v).values()))
            fact_iri = data.get("fact")
            if fact_iri and "/obs-" in fact_iri:  # a comparison inside an observation ("1/4 of R1's cost")
                _, found = observations_of(self.store, [], iris=[fact_iri])
                if found:
                    facts.append(found[0].fact(self.g.label(found[0].subject, lang)))
                    lines.append(observation_sentence(found[0], self.g, lang))
                continue
            if fact_iri:
                rows = [f for f in relations_of(self.store, subjects=[u, v])[1] if f.iri == fact_iri]
                f = self._rel_fact(rows[0], lang) if rows else None
            else:
                parent, child = (u, v) if v in self.g.children.get(u, ()) else (v, u)
                f = self._catalog_fact(child, "owns", parent, lang)
            if f is not None:
                facts.append(f)
                lines.append(self._relation_sentence(f, lang))
        return Answer(question=a.text, status="answered" if facts else "not_found", answer=" ".join(lines),
                      language=lang, facts=facts, confidence=0.6, kind="connection")


def _iri(iri: str):  # type: ignore[no-untyped-def]
    from pyoxigraph import NamedNode

    return NamedNode(iri)


def _pieces(text: str) -> Iterator[str]:
    """A text in sentence-sized pieces that join back to it exactly."""
    start = 0
    for m in re.finditer(r"[。！？!?；]+|(?<!\d)\.(?=\s)", text):
        yield text[start:m.end()]
        start = m.end()
    if start < len(text):
        yield text[start:]


def _dedupe(refs: Iterable[EntityRef]) -> list[EntityRef]:
    seen: set[str] = set()
    out = []
    for r in refs:
        if r.iri not in seen:
            seen.add(r.iri)
            out.append(r)
    return out


_HAN = re.compile(r"[\u4e00-\u9fff]")
_EN_FILLER = {"and", "the", "related", "which", "including", "other", "some", "total", "currently"}
_EN_NOT_NAMES = re.compile(
    r"(?:what|how|which|who|when|where|why|did|does|do|is|was|were|are|has|have|had|tell|give|show|list|in|of|"
    r"for|the|and|or|by|q[1-4]|h[1-2]|fy\d*|\d.*|ai|rmb|us|usd|cny|china|chinese|global|year|quarter|fiscal|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|i|it|its|they|"
    r"their|then|also|about|please|from|compared|and|what.s|how.s)", re.IGNORECASE)
_ZH_NOT_NAMES = re.compile(r"哪家公司|哪个公司|哪家|哪个|哪些|什么|多少|是否|请问|一下|公司|企业|集团|平台|产品|今年|去年|"
                           r"以来|全年|季度|上半年|下半年|同比|环比|总共|预计|目前|当季|同期|增长|增加|增速|增幅|下降|减少|"
                           r"变化|提升|提高|达到|如何|怎么样|怎样|那么|还有|它们|它的|[的在是了有和与及其年月为涨跌升降呢那它吗]")


def _unknown_name(a: Analysis, g: GraphIndex) -> bool:
    """Whether the question names a subject the graph does not know (no entity was linked): a capitalised
    name in English ("Acme's revenue"), or Chinese words before the metric ("苹果2025年第二季度的净利润")."""
    covered = [(h.start, h.end) for h in a.metrics]
    covered += [(p.start, p.end) for p in find_periods(a.canon, ref_year=WILDCARD_YEAR)]
    blank = list(a.text)
    for x, y in covered:
        blank[x:y] = " " * (y - x)
    rest = "".join(blank)
    if a.language == "en" or not any("\u4e00" <= c <= "\u9fff" for c in rest):
        names = [" ".join(w for w in m.group().split() if not _EN_NOT_NAMES.fullmatch(w))
                 for m in re.finditer(r"[A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*)*", rest)]
        names = [n for n in names if n]
        if not names and re.search(r"[A-Za-z0-9][’']s\b", rest):
            names = [m.group(1) for m in re.finditer(r"([A-Za-z0-9][\w&.\-]*)[’']s\b", rest)]
        return any(not g.names_part_of_a_label(n) for n in names)
    first = min((h.start for h in a.metrics), default=len(rest))
    head = canonical(rest[:first])
    head = _ZH_NOT_NAMES.sub(" ", re.sub(r"[^\u4e00-\u9fffa-z]", " ", head))
    words = re.findall(r"[\u4e00-\u9fff]{2,}|[a-z]{2,}", head)
    return any(not g.names_part_of_a_label(w) for w in words)  # "AI广告市场": part of 全球AI广告市场's name


def _same_figure(o: Obs, x: Obs) -> bool:
    """The same figure stated twice, once with a bound ("1.5億元" and "超1.5億元"): show it once."""
    return (o.subject, o.metric, o.period, o.value, o.change) == (x.subject, x.metric, x.period, x.value, x.change) \
        and (o.value is not None or o.change is not None)


def _overlap(a: str, b: str) -> float:
    """Share of a's characters (bigrams for Chinese, words for English) found in b."""
    a = a.replace(" ", "")
    if len(a) < 2:
        return 0.0
    grams = {a[i:i + 2] for i in range(len(a) - 1)}
    b2 = b.replace(" ", "")
    return sum(1 for gr in grams if gr in b2) / len(grams)


def _period_match(q: Period, o: Period | None) -> int:
    if o is None:
        return 0
    if (q.quarter, q.month, q.half, q.ytd) != (o.quarter, o.month, o.half, o.ytd):
        if q.quarter is None and q.month is None and q.half is None and not q.ytd and q.year in (o.year, WILDCARD_YEAR):
            return 1  # a year asked ("this year" reads as any year), a part of it stated
        return 0
    if q.year == WILDCARD_YEAR:
        return 2
    return 3 if q.year == o.year else 0


def _period_words(p: Period | None, lang: str) -> str:
    if p is None:
        return ""
    if p.year == WILDCARD_YEAR:
        label = Period(2000, p.quarter, p.month, p.half, p.fiscal, p.ytd).label(lang)
        label = label.replace("2000年", "").replace(" 2000", "").replace("2000 ", "").replace("2000", "")
    else:
        label = p.label(lang)
    return to_script(label, "zh-Hans") if lang == "zh-Hans" else label
