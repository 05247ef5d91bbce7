/* A metric of the entity over periods (GET /api/series), drawn as an inline SVG line chart.
   Every point is a link to the sentence its figure was read from. */
import { $, ROOT, el, errorBox, getJSON, shortId, state, svg, t } from "./core.js";
import { openDocument } from "./document.js";
import { factsExport, fileSlug } from "./export.js";

const LOCALES = { en: "en", "zh-Hant": "zh-Hant-TW", "zh-Hans": "zh-Hans-CN" };
const CURRENCIES = new Set(["CNY", "USD", "HKD", "EUR", "JPY", "GBP"]);

/* A value for the chart; ``bare`` leaves the currency out (the caption names it). */
export function formatValue(v, unit, { compact = true, bare = false } = {}) {
  const locale = LOCALES[state.lang] || "en";
  if (unit === "Percent") return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(v)}%`;
  if (unit === "PercentagePoint") return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(v)} pp`;
  if (unit === "Multiple") return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(v)}×`;
  const n = new Intl.NumberFormat(locale, compact ? { notation: "compact", maximumFractionDigits: 1 } : {}).format(v);
  return CURRENCIES.has(unit) && !bare ? `${unit} ${n}` : n;
}

/* About five round steps covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  if (lo === hi) { const d = Math.abs(lo) || 1; lo -= d / 2; hi += d / 2; }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const out = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  if (out[out.length - 1] < hi) out.push(+(out[out.length - 1] + step).toPrecision(12));
  return out;
}

function docHref(source) {
  return `${ROOT}/documents/${encodeURIComponent(shortId(source.document))}?start=${source.start}&end=${source.end}`;
}

/* ``width``: the width the chart will be shown at, so that its text is drawn at its real size. */
export function drawChart(series, width = 640) {
  const pts = series.points;
  const W = Math.round(Math.min(Math.max(width, 300), 760)), H = W < 520 ? 250 : 290;
  const L = W < 520 ? 48 : 60, R = W < 520 ? 24 : 32, T = 28, B = 54;
  const values = pts.map((p) => p.value);
  const ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values));
  const lo = ticks[0], hi = ticks[ticks.length - 1];
  const x = (i) => pts.length === 1 ? L + (W - L - R) / 2 : L + i * (W - L - R) / (pts.length - 1);
  const y = (v) => T + (hi - v) / (hi - lo || 1) * (H - T - B);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img",
    "aria-label": `${t("over_time")}: ${pts.map((p) => `${p.period_labels[state.lang] || p.period_label} ${p.as_written || p.value}`).join(", ")}` });
  const grid = svg("g", { class: "grid-lines" });
  for (const v of ticks) {
    grid.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: v === 0 ? "zero" : "" }));
    grid.append(svg("text", { x: L - 8, y: y(v) + 4, "text-anchor": "end", class: "tick" }, formatValue(v, series.unit, { bare: true })));
  }
  const slanted = pts.length > 6;
  const axis = svg("g", { class: "x-axis" });
  pts.forEach((p, i) => {
    const label = p.period_labels[state.lang] || p.period_label;
    axis.append(svg("text", slanted
      ? { x: x(i), y: H - B + 16, "text-anchor": "end", transform: `rotate(-30 ${x(i)} ${H - B + 16})`, class: "tick" }
      : { x: x(i), y: H - B + 18, "text-anchor": "middle", class: "tick" }, label));
  });
  const line = svg("polyline", { class: "series-line", points: pts.map((p, i) => `${x(i)},${y(p.value)}`).join(" ") });
  const dots = svg("g", { class: "points" });
  const shownAll = pts.map((p) => formatValue(p.value, series.unit, { bare: true }));
  // labels too wide for the gap between points take turns above and below the line
  const gap = pts.length > 1 ? (W - L - R) / (pts.length - 1) : W;
  const crowded = Math.max(...shownAll.map((v) => v.length)) * 7 + 8 > gap;
  pts.forEach((p, i) => {
    const label = p.period_labels[state.lang] || p.period_label;
    const shown = shownAll[i];
    const written = p.as_written ? ` (${p.as_written})` : "";
    const body = [svg("title", {}, p.source ? `${label}: ${shown}${written}\n${p.source.quote}` : `${label}: ${shown}${written}`),
      svg("circle", { cx: x(i), cy: y(p.value), r: 5.5 }),
      // the first and last labels lean inwards, so that they stay inside the chart
      svg("text", { x: x(i), y: crowded && i % 2 ? y(p.value) + 20 : y(p.value) - 10, class: "value-label",
        "text-anchor": pts.length > 1 && i === 0 ? "start" : pts.length > 1 && i === pts.length - 1 ? "end" : "middle" }, shown)];
    if (!p.source) { dots.append(svg("g", { class: "point uncited" }, ...body)); return; }
    const a = svg("a", { class: "point", href: docHref(p.source), "data-period": p.period, "data-quote": p.source.quote,
      onclick: (ev) => { ev.preventDefault(); openDocument(shortId(p.source.document), { highlight: { start: p.source.start, end: p.source.end } }); } },
    ...body);
    dots.append(a);
  });
  root.append(grid, axis, line, dots);
  return root;
}

function seriesName(s) {
  const parts = [t(`gran.${s.granularity}`), s.unit || ""];
  if (s.qualifier) parts.push(s.qualifier);
  if (s.estimate) parts.push(t("estimate_kind", { k: s.estimate }));
  return `${parts.filter(Boolean).join(" · ")} (${s.points.length})`;
}

/* The card; loads the entity's series and redraws on a change of metric or series. */
export function chartCard(entity) {
  const card = el("div", { class: "card chart-card", id: "chart-card" },
    el("div", { class: "card-title" }, t("over_time")), el("div", { class: "muted pad" }, t("loading")));
  loadSeries(card, entity, null, 0);
  return card;
}

async function loadSeries(card, entity, metric, index) {
  let data;
  try {
    const q = new URLSearchParams({ entity: entity.id, lang: state.lang });
    if (metric) q.set("metric", metric);
    data = await getJSON(`/api/series?${q}`);
  } catch (err) {
    card.replaceChildren(el("div", { class: "card-title" }, t("over_time")), errorBox(err));
    return;
  }
  if (!card.isConnected && state.entity && state.entity.id !== entity.id) return;
  if (!data.metrics.length) { card.hidden = true; return; }
  const metricSelect = el("select", { id: "chart-metric", "aria-label": t("metric"),
    onchange: (ev) => loadSeries(card, entity, ev.target.value, 0) },
  data.metrics.map((m) => el("option", { value: m.metric, selected: m.metric === data.metric }, `${m.labels[state.lang] || m.metric} (${m.facts})`)));
  const seriesSelect = data.series.length > 1 ? el("select", { id: "chart-series", "aria-label": t("series"),
    onchange: (ev) => loadSeries(card, entity, data.metric, +ev.target.value) },
  data.series.map((s, i) => el("option", { value: String(i), selected: i === index }, seriesName(s)))) : null;
  const s = data.series[index] || data.series[0];
  const title = `${data.label} · ${(data.metric_labels && data.metric_labels[state.lang]) || data.metric}`;
  const facts = s ? s.points.map((p) => ({ subject: data.entity, subject_label: data.label, metric: data.metric,
    period: p.period, value: p.value, unit: s.unit, as_written: p.as_written, change: p.change, change_unit: p.change_unit,
    change_basis: p.change_basis, bound: p.bound, qualifier: s.qualifier, iri: p.fact, source: p.source })) : [];
  card.replaceChildren(
    el("div", { class: "card-title" }, t("over_time"), s ? factsExport(facts, fileSlug(title)) : null),
    el("div", { class: "chart-controls" }, metricSelect, seriesSelect,
      s && s.points.length === 1 ? el("span", { class: "muted small" }, t("one_point")) : null),
    s ? el("figure", { class: "chart-figure" }, drawChart(s, card.clientWidth - 34),
      el("figcaption", { class: "muted small" }, title, s.unit ? ` (${s.unit})` : "", " · ", t("chart_hint")))
      : el("div", { class: "muted pad" }, t("no_series")));
}

export function refreshChart() {
  const card = $("#chart-card");
  if (card && state.entity) card.replaceWith(chartCard(state.entity));
}
