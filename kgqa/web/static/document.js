/* The document pane: the article with mentions underlined and the cited quote marked. */
import { showTab } from "./app.js";
import { $, PROLOGUE, ROOT, TYPE_COLOURS, apiError, compact, el, errorBox, getJSON, metricLabel, nameOf, navigate, periodLabel, predLabel, shortId, state, t, typeLabel } from "./core.js";
import { openEntity } from "./entity.js";
import { factsExport, fileSlug } from "./export.js";

/* ---------------------------------------------------------------- documents */
export async function renderDocumentList() {
  const view = $("#document-view");
  view.replaceChildren(el("div", { class: "muted pad" }, t("loading")));
  const q = PROLOGUE + `SELECT ?doc ?name ?title ?date WHERE { ?doc a kgo:Document .
  OPTIONAL { ?doc rdfs:label ?name } OPTIONAL { ?doc dcterms:title ?title } OPTIONAL { ?doc dcterms:date ?date }
} ORDER BY DESC(?date) ?doc LIMIT 200`;
  try {
    const res = await fetch(ROOT + "/sparql", { method: "POST", headers: { Accept: "application/sparql-results+json",
      "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ query: q }) });
    if (!res.ok) throw await apiError(res);
    const rows = (await res.json()).results.bindings;
    if (state.doc || state.docLoading) return;  // a document was opened meanwhile
    view.replaceChildren(el("div", { class: "card" }, el("div", { class: "card-title" }, t("document_empty")),
      el("p", { class: "muted" }, t("document_pick")),
      el("ul", { class: "doc-list" }, rows.map((r) => el("li", {},
        el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); openDocument(shortId(r.doc.value)); } },
          (r.title && r.title.value) || (r.name && r.name.value) || shortId(r.doc.value)),
        r.date ? el("span", { class: "muted small" }, ` ${r.date.value}`) : null)))));
  } catch (err) {
    view.replaceChildren(errorBox(err));
  }
}

export async function openDocument(id, { highlight = null, push = true, keepTab = false } = {}) {
  state.docLoading = id;  // the pane shows this document, not the list (whichever answers first)
  if (!keepTab) showTab("document");
  const view = $("#document-view");
  const search = highlight ? `?start=${highlight.start}&end=${highlight.end}` : "";
  navigate(`${ROOT}/documents/${encodeURIComponent(id)}${search}`, push);
  try {
    let d = state.doc;
    if (!d || (d.id !== id && d.iri !== id) || d.lang !== state.lang) {
      view.replaceChildren(el("div", { class: "muted pad" }, t("loading")));
      d = await getJSON(`/documents/${encodeURIComponent(id)}?lang=${encodeURIComponent(state.lang)}`);
      d.lang = state.lang;
    }
    state.doc = d;
    state.docHighlight = highlight;
    renderDocument(d, highlight);
    document.title = `${d.title || d.name || d.id} · kgqa`;
  } catch (err) {
    view.replaceChildren(err.status === 404 ? el("div", { class: "empty-state" }, t("not_found_document"), errorBox(err)) : errorBox(err));
  } finally {
    if (state.docLoading === id) state.docLoading = null;
  }
}

export function renderDocument(d, hl) {
  const text = d.text || "";
  const article = el("div", { class: "article", lang: d.language || "" }, renderText(text, d.mentions, d.facts, hl));
  const counts = {};
  for (const m of d.mentions) counts[m.type] = (counts[m.type] || 0) + 1;
  const metaRows = [[t("date"), d.date], [t("language"), d.language], [t("source"), d.source],
    [t("hash"), d.content_hash ? d.content_hash.slice(0, 16) : null], [t("graph"), compact(d.graph)]]
    .filter(([, v]) => v);
  const shade = el("label", { class: "toggle" }, el("input", { type: "checkbox", onchange: (ev) => article.classList.toggle("shade-facts", ev.target.checked) }), t("show_fact_sentences"));
  const side = el("aside", { class: "doc-side" },
    el("div", { class: "card" }, el("div", { class: "card-title" }, t("doc_meta")),
      el("dl", { class: "meta" }, metaRows.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]))),
    el("div", { class: "card" }, el("div", { class: "card-title" }, `${t("mentions")} (${d.mentions.length})`),
      el("div", { class: "legend" }, Object.entries(counts).map(([ty, n]) => el("span", { class: "legend-item" },
        el("span", { class: "dot", style: `background:${TYPE_COLOURS[ty] || TYPE_COLOURS.Entity}` }), `${typeLabel(ty)} ${n}`))),
      shade),
    el("div", { class: "card fact-list-card" }, el("div", { class: "card-title" }, `${t("doc_facts")} (${d.facts.length})`,
      d.facts.length ? factsExport(d.facts, `${fileSlug(d.title || d.name || d.id)}-facts`) : null),
      el("ol", { class: "fact-list" }, d.facts.map((f) => el("li", {
        class: hl && f.source && f.source.start === hl.start && f.source.end === hl.end ? "current" : "",
        onclick: () => f.source && openDocument(d.id, { highlight: { start: f.source.start, end: f.source.end } }) },
        el("div", { class: "fact-line" }, el("strong", {}, nameOf(f.subject, d.names, f.subject_label)), " ",
          f.predicate ? predLabel(f.predicate) : metricLabel(f.metric, d.metrics), " ",
          el("span", { class: "num" }, f.predicate ? nameOf(f.object || "", d.names, f.object_label || "") : (f.as_written || f.qualitative || "")),
          f.period && !f.predicate ? el("span", { class: "muted small" }, ` · ${periodLabel(f.period, d.periods)}`) : null),
        f.source ? el("div", { class: "quote" }, f.source.quote) : null)))));
  const head = el("div", { class: "doc-head" }, el("h1", {}, d.title || d.name || t("untitled")),
    el("div", { class: "muted small" }, [t("mentions_count", { n: d.mentions.length }), t("facts_count", { n: d.facts.length })].join(" · ")));
  $("#document-view").replaceChildren(head, el("div", { class: "doc-grid" }, el("div", { class: "card article-card" }, article), side));
  const mark = article.querySelector(".hl");
  if (mark) requestAnimationFrame(() => mark.scrollIntoView({ block: "center" }));
}

/* The text as spans: entity mentions underlined, fact sentences shadable, the cited quote marked. */
export function renderText(text, mentions, facts, hl) {
  const cuts = new Set([0, text.length]);
  const spans = [];
  for (const m of mentions) if (m.end > m.start && m.end <= text.length) { cuts.add(m.start); cuts.add(m.end); spans.push(["m", m]); }
  for (const f of facts) if (f.source && f.source.end > f.source.start && f.source.end <= text.length) {
    cuts.add(f.source.start); cuts.add(f.source.end); spans.push(["f", { start: f.source.start, end: f.source.end }]);
  }
  if (hl && hl.end > hl.start && hl.end <= text.length) { cuts.add(hl.start); cuts.add(hl.end); }
  const points = [...cuts].sort((a, b) => a - b);
  spans.sort((a, b) => a[1].start - b[1].start);
  const frag = document.createDocumentFragment();
  let active = [];
  let next = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i], b = points[i + 1];
    active = active.filter(([, s]) => s.end > a);
    while (next < spans.length && spans[next][1].start <= a) { if (spans[next][1].end > a) active.push(spans[next]); next++; }
    const piece = text.slice(a, b);
    const mention = [...active].reverse().find(([k]) => k === "m");
    const inFact = active.some(([k]) => k === "f");
    const inHl = hl && a >= hl.start && b <= hl.end;
    if (!mention && !inFact && !inHl) { frag.append(piece); continue; }
    const cls = [];
    if (inFact) cls.push("fact");
    if (inHl) cls.push("hl");
    let node;
    if (mention) {
      const m = mention[1];
      cls.push("mention");
      node = el("span", { class: cls.join(" "), style: `--c:${TYPE_COLOURS[m.type] || TYPE_COLOURS.Entity}`,
        title: `${m.label} · ${typeLabel(m.type)}`, dataset: { entity: m.id },
        onclick: () => openEntity(m.id) }, piece);
    } else {
      node = el("span", { class: cls.join(" ") }, piece);
    }
    frag.append(node);
  }
  return frag;
}
