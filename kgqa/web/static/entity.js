/* The entity pane: names, a metric over time, facts, relations and the neighbourhood graph
   drawn as SVG (positions come from networkx on the server). Clicking a node expands it: its
   own neighbours join the graph (GET /api/graph), laid out again; "Open" goes to its page. */
import { showTab } from "./app.js";
import { chartCard } from "./chart.js";
import { $, ROOT, TYPE_COLOURS, el, errorBox, getJSON, nameOf, navigate, predLabel, shortId, state, svg, t, typeBadge, typeLabel } from "./core.js";
import { openDocument } from "./document.js";
import { factsExport, fileSlug } from "./export.js";
import { citationChip, factsTable } from "./facts.js";
import { examples, fillExamples, openInEditor } from "./sparql.js";

/* ---------------------------------------------------------------- entity */
export function renderEntityEmpty() {
  $("#entity-view").replaceChildren(el("div", { class: "empty-state" }, t("entity_empty")));
}

export async function openEntity(id, { push = true, keepTab = false } = {}) {
  if (!keepTab) showTab("entity");
  const view = $("#entity-view");
  if (!keepTab) view.replaceChildren(el("div", { class: "muted pad" }, t("loading")));
  navigate(`${ROOT}/entities/${encodeURIComponent(id)}`, push);
  try {
    const e = await getJSON(`/entities/${encodeURIComponent(id)}?lang=${encodeURIComponent(state.lang)}`);
    state.entity = e;
    renderEntity(e);
    document.title = `${e.label} · kgqa`;
  } catch (err) {
    view.replaceChildren(err.status === 404 ? el("div", { class: "empty-state" }, t("not_found_entity"), errorBox(err)) : errorBox(err));
  }
}

export function renderEntity(e) {
  const others = Object.entries(e.labels || {}).filter(([, v]) => v !== e.label).map(([lang, v]) => `${v} (${lang})`);
  const aliases = [...new Set(Object.values(e.aliases || {}).flat())];
  const header = el("div", { class: "entity-head card" },
    el("div", { class: "title-row" }, el("h1", {}, e.label), typeBadge(e.type)),
    others.length ? el("div", { class: "other-names" }, [...new Set(others)].join(" · ")) : null,
    aliases.length ? el("div", { class: "aliases" }, el("span", { class: "muted" }, t("aliases")),
      ...aliases.map((a) => el("span", { class: "alias" }, a))) : null,
    el("div", { class: "iri-line" }, el("span", { class: "muted" }, t("iri")), el("code", {}, e.iri)),
    el("div", { class: "head-actions" },
      el("button", { type: "button", class: "ghost small", onclick: () => { fillExamples(); $("#sparql-examples").value = "0"; openInEditor(examples()[0][1]); } }, t("query_entity"))));
  // the same entity again (a change of language): keep what the reader expanded
  const prev = state.graph && state.graph.centre === e.id ? state.graph : null;
  state.graph = { centre: e.id, expanded: prev ? prev.expanded : [], selected: prev ? prev.selected : null, data: e.graph };
  const graphCard = el("div", { class: "card graph-card" },
    el("div", { class: "card-title" }, t("neighbourhood"), el("span", { class: "muted small" }, t("graph_hint"))),
    el("div", { id: "graph-box" }), el("div", { id: "graph-bar", class: "graph-bar" }), el("div", { id: "graph-legend" }));
  const slug = fileSlug(e.label || e.id);
  const factsCard = el("div", { class: "card facts-card" }, el("div", { class: "card-title" },
    `${t("facts")} (${e.facts.length}${e.truncated && e.truncated.facts ? "+" : ""})`,
    e.facts.length ? factsExport(e.facts, `${slug}-facts`) : null),
  e.facts.length ? el("div", { class: "table-scroll" }, factsTable(e.facts, { names: e.names, metrics: e.metrics, periods: e.periods, showSubject: false }))
    : el("div", { class: "muted pad" }, t("no_facts")));
  const relCard = el("div", { class: "card relations-card" }, el("div", { class: "card-title" },
    `${t("relations")} (${e.relations.length}${e.truncated && e.truncated.relations ? "+" : ""})`,
    e.relations.length ? factsExport(e.relations, `${slug}-relations`) : null),
  e.relations.length ? el("div", { class: "table-scroll" }, relationsTable(e)) : el("div", { class: "muted pad" }, t("no_relations")));
  const docsCard = el("div", { class: "card" }, el("div", { class: "card-title" }, t("mentioned_in")),
    el("ul", { class: "doc-list" }, e.documents.map((d) => el("li", {},
      el("a", { href: `${ROOT}/documents/${encodeURIComponent(d.id)}`, onclick: (ev) => { ev.preventDefault(); openDocument(d.id); } },
        d.title || d.name || d.id), d.date ? el("span", { class: "muted small" }, ` ${d.date}`) : null))));
  $("#entity-view").replaceChildren(header,
    el("div", { class: "entity-grid" }, graphCard, el("div", { class: "stack" }, chartCard(e), factsCard, relCard, docsCard)));
  renderGraph();
  if (state.graph.expanded.length) growGraph();
}

/* ---------------------------------------------------------------- graph */
export function renderGraph() {
  const g = state.graph;
  const box = $("#graph-box");
  box.replaceChildren(drawGraph(g.data, { onPick: pickNode, selected: g.selected, width: box.clientWidth }));
  $("#graph-legend").replaceChildren(graphLegend(g.data));
  const node = g.data.nodes.find((n) => n.short_id === g.selected);
  const bar = $("#graph-bar");
  const count = el("span", { class: "muted small graph-count" },
    t("graph_count", { n: g.data.nodes.length, e: g.data.edges.length }), g.data.truncated ? ` · ${t("graph_truncated")}` : "");
  const reset = g.expanded.length ? el("button", { type: "button", class: "ghost small", id: "graph-reset",
    onclick: () => { g.expanded = []; g.selected = null; growGraph(); } }, t("graph_reset")) : null;
  if (!node || node.centre) { bar.replaceChildren(...[count, reset].filter(Boolean)); return; }
  const label = (node.labels && node.labels[state.lang]) || node.label;
  bar.replaceChildren(el("span", { class: "graph-picked" }, typeBadge(node.type), " ", el("strong", {}, label)),
    el("button", { type: "button", class: "primary small", id: "graph-open", onclick: () => openEntity(node.short_id) },
      t("graph_open", { name: label })), ...[count, reset].filter(Boolean));
}

async function pickNode(n) {
  const g = state.graph;
  g.selected = n.short_id;
  if (n.expanded) { renderGraph(); return; }
  g.expanded = [...g.expanded, n.short_id];
  await growGraph();
}

export async function growGraph() {
  const g = state.graph;
  const q = new URLSearchParams({ entity: g.centre, lang: state.lang });
  for (const x of g.expanded) q.append("expand", x);
  const box = $("#graph-box");
  box.classList.add("busy");
  try {
    const data = await getJSON(`/api/graph?${q}`);
    if (state.graph !== g) return;  // another entity was opened meanwhile
    g.data = data;
    renderGraph();
  } catch (err) {
    $("#graph-bar").replaceChildren(errorBox(err));
  } finally {
    box.classList.remove("busy");
  }
}

export function relationsTable(e) {
  const rows = e.relations.map((f, i) => el("tr", {},
    el("td", { class: "idx" }, i + 1),
    el("td", {}, entityAnchor(f.subject, nameOf(f.subject, e.names, f.subject_label), f.subject === e.iri)),
    el("td", {}, predLabel(f.predicate), f.qualifier ? el("div", { class: "muted small" }, f.qualifier) : null),
    el("td", {}, f.object ? entityAnchor(f.object, nameOf(f.object, e.names, f.object_label), f.object === e.iri) : (f.object_label || "")),
    el("td", {}, f.period || ""),
    el("td", {}, citationChip(f.source, i + 1, f.iri))));
  return el("table", { class: "facts" },
    el("thead", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, t("subject")), el("th", {}, t("relation")),
      el("th", {}, t("object")), el("th", {}, t("year")), el("th", {}, t("source")))),
    el("tbody", {}, rows));
}

export function entityAnchor(iri, label, self) {
  if (self) return el("strong", {}, label);
  return el("a", { href: `${ROOT}/entities/${encodeURIComponent(shortId(iri))}`, class: "entity-link",
    onclick: (ev) => { ev.preventDefault(); openEntity(shortId(iri)); } }, label);
}

/* ``width``: the width the drawing will be shown at; a narrow one (a phone) gets a taller
   drawing with less room kept for labels, so that text stays readable. */
export function drawGraph(graph, { onPick = null, selected = null, width = 0 } = {}) {
  const big = graph.nodes.length > 24;
  const W = Math.round(Math.min(Math.max(width || 760, 300), big ? 960 : 760));
  const narrow = W < 560;
  const H = narrow ? Math.round(W * (big ? 1.5 : 1.15)) : big ? 720 : 480;
  const PAD_X = narrow ? 78 : big ? 150 : 170, PAD_Y = 40;
  const pos = new Map(graph.nodes.map((n) => [n.id, [W / 2 + n.x * (W / 2 - PAD_X), H / 2 + n.y * (H / 2 - PAD_Y)]]));
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "graph", role: "img", "aria-label": t("neighbourhood") });
  root.append(svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
    markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow-head" }))));
  const edges = svg("g", { class: "edges" });
  const pairCount = new Map();
  for (const ed of graph.edges) {
    const a = pos.get(ed.source), b = pos.get(ed.target);
    if (!a || !b) continue;
    const key = [ed.source, ed.target].sort().join("|");
    const k = pairCount.get(key) || 0;
    pairCount.set(key, k + 1);
    const dx = b[0] - a[0], dy = b[1] - a[1], len = Math.hypot(dx, dy) || 1;
    const rA = radius(graph, ed.source) + 2, rB = radius(graph, ed.target) + 4;
    const x1 = a[0] + dx / len * rA, y1 = a[1] + dy / len * rA, x2 = b[0] - dx / len * rB, y2 = b[1] - dy / len * rB;
    edges.append(svg("line", { x1, y1, x2, y2, class: "edge", "marker-end": "url(#arrow)" }, svg("title", {}, predLabel(ed.label))));
    // on a phone the relation names would cover the drawing; they stay in the lines' titles
    if (!narrow) edges.append(svg("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 3 + k * 11, class: "edge-label", "text-anchor": "middle" }, predLabel(ed.label)));
  }
  const nodes = svg("g", { class: "nodes" });
  for (const n of graph.nodes) {
    const [x, y] = pos.get(n.id);
    const full = (n.labels && n.labels[state.lang]) || n.label;
    const max = narrow ? (n.centre ? 16 : 11) : big && !n.expanded ? 14 : 24;
    const label = full.length > max ? `${full.slice(0, max - 2)}…` : full;
    const cls = ["node", n.centre ? "centre" : "", n.expanded ? "expanded" : "", n.short_id === selected ? "selected" : ""];
    const pick = () => (onPick ? onPick(n) : (!n.centre && openEntity(n.short_id)));
    const g = svg("g", { class: cls.filter(Boolean).join(" "), transform: `translate(${x},${y})`, tabindex: "0",
      role: "button", "data-id": n.short_id, onclick: pick, ondblclick: () => { if (!n.centre) openEntity(n.short_id); },
      onkeydown: (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); } } });
    g.append(svg("title", {}, `${full} · ${typeLabel(n.type)}`));
    g.append(svg("circle", { r: radius(graph, n.id), fill: TYPE_COLOURS[n.type] || TYPE_COLOURS.Entity }));
    // Labels point away from the centre so that a ring of neighbours does not overlap.
    const r = radius(graph, n.id);
    const side = n.centre ? 0 : (n.x > 0.35 ? 1 : n.x < -0.35 ? -1 : 0);
    const attrs = side === 0
      ? { x: 0, y: n.y < -0.2 ? -(r + 6) : r + 14, "text-anchor": "middle" }
      : { x: side * (r + 5), y: 4, "text-anchor": side > 0 ? "start" : "end" };
    g.append(svg("text", { ...attrs, class: "node-label" }, label));
    nodes.append(g);
  }
  root.append(edges, nodes);
  return root;
}

export function radius(graph, id) {
  const n = graph.nodes.find((x) => x.id === id);
  return n && n.centre ? 15 : n && n.expanded ? 11 : 9;
}

export function graphLegend(graph) {
  const types = [...new Set(graph.nodes.map((n) => n.type))];
  return el("div", { class: "legend" }, types.map((ty) => el("span", { class: "legend-item" },
    el("span", { class: "dot", style: `background:${TYPE_COLOURS[ty] || TYPE_COLOURS.Entity}` }), typeLabel(ty))));
}
