/* Shared pieces: constants, page state, translation, DOM builders, labels, HTTP errors. */
import { I18N } from "./i18n.js";

export const ROOT = document.body.dataset.root || "";
export const KGR = "https://w3id.org/kgqa/resource/";
export const PREFIXES = {
  kgo: "https://w3id.org/kgqa/ontology#", kgr: KGR, kgm: "https://w3id.org/kgqa/metric/",
  kgp: "https://w3id.org/kgqa/period/", kgu: "https://w3id.org/kgqa/unit/", kgg: "https://w3id.org/kgqa/graph/",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#", rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  xsd: "http://www.w3.org/2001/XMLSchema#", owl: "http://www.w3.org/2002/07/owl#",
  skos: "http://www.w3.org/2004/02/skos/core#", schema: "https://schema.org/",
  prov: "http://www.w3.org/ns/prov#", dcterms: "http://purl.org/dc/terms/",
};
export const PROLOGUE = ["kgo", "kgr", "kgm", "kgp", "skos", "rdfs", "prov", "dcterms"]
  .map((p) => `PREFIX ${p}: <${PREFIXES[p]}>`).join("\n") + "\n";
export const TYPE_COLOURS = {
  Organization: "#2563eb", BusinessUnit: "#0891b2", Lab: "#7c3aed", Product: "#059669", Platform: "#0d9488",
  AIModel: "#db2777", Person: "#d97706", Market: "#4b5563", Entity: "#6b7280",
};

export const state = {
  lang: pickLanguage(),
  session: null,
  metrics: {},
  entity: null,       // last entity payload
  doc: null,          // last document payload
  docLoading: null,   // id of the document being fetched
  docHighlight: null, // {start, end}
  graph: null,        // the entity graph drawn: {centre, expanded: [short ids], selected, data}
  tab: "chat",
};

export function pickLanguage() {
  const saved = localStorage.getItem("kgqa.lang");
  if (saved && I18N[saved]) return saved;
  const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"];
  const first = String(langs[0] || "en");
  return first.toLowerCase().startsWith("zh") ? chineseScript(first) : "en";
}

export function chineseScript(tag) {
  const t = String(tag || "").toLowerCase();
  return /hans|-cn|-sg|-my/.test(t) || t === "zh" ? "zh-Hans" : "zh-Hant";
}

export function t(key, vars) {
  const table = I18N[state.lang] || I18N.en;
  let s = table[key] ?? I18N.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/* ---------------------------------------------------------------- DOM helpers */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

export const $ = (sel) => document.querySelector(sel);

export function shortId(iri) {
  return iri && iri.startsWith(KGR) ? iri.slice(KGR.length) : iri;
}

export function compact(iri) {
  let best = null;
  for (const [p, ns] of Object.entries(PREFIXES)) {
    if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
  }
  return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
}

export function typeLabel(type) { return t(`type.${type}`); }
export function predLabel(pred) { const k = `pred.${pred}`; const s = t(k); return s === k ? pred : s; }
export function metricLabel(metric, labels) {
  const by = (labels && labels[metric]) || state.metrics[metric];
  return by ? (by[state.lang] || by.en || metric) : metric;
}
export function periodLabel(period, labels) {
  const by = labels && labels[period];
  return by ? (by[state.lang] || by.en || period) : formatPeriod(period);
}

/* A period key (2025-Q1, FY2025-Q4, 2025-H1, 2025-03, 2025-YTD, 2024) in the page's language. */
export function formatPeriod(key) {
  const m = /^(FY)?(\d{4})(?:-(Q[1-4]|H[12]|\d{2}|YTD))?$/.exec(key || "");
  if (!m) return key || "";
  const [, fy, year, part] = m;
  const zh = state.lang !== "en";
  const y = zh ? `${year}${fy ? (state.lang === "zh-Hans" ? "财年" : "財年") : "年"}` : (fy ? `FY${year}` : year);
  if (!part) return y;
  const n = +part.slice(1);
  const zhNum = ["", "一", "二", "三", "四"];
  if (part[0] === "Q") return zh ? `${y}第${zhNum[n]}季度` : `Q${n} ${y}`;
  if (part[0] === "H") return zh ? `${y}${n === 1 ? "上" : "下"}半年` : `H${n} ${y}`;
  if (part === "YTD") return zh ? `${y}初至今` : `${y} year to date`;
  return zh ? `${year}年${+part}月` : `${year}-${part}`;
}
export function nameOf(iri, names, fallback) {
  const by = names && names[iri];
  return by ? (by[state.lang] || by.en || fallback || shortId(iri)) : (fallback || shortId(iri));
}

export function typeBadge(type) {
  return el("span", { class: "type-badge", style: `--c:${TYPE_COLOURS[type] || TYPE_COLOURS.Entity}` }, typeLabel(type));
}

export async function apiError(res) {
  let message = `${res.status} ${res.statusText}`;
  let code = "http_error";
  try {
    const body = await res.json();
    if (body && body.error) { message = body.error.message; code = body.error.code; }
  } catch (_) { /* not JSON */ }
  const e = new Error(message);
  e.code = code; e.status = res.status;
  return e;
}

export function errorBox(err) {
  return el("div", { class: "error-box", role: "alert" },
    el("strong", {}, `${t("error")}${err.status ? ` ${err.status}` : ""}`),
    err.code ? el("code", {}, err.code) : null, " ", err.message || String(err));
}

export async function getJSON(path) {
  const res = await fetch(ROOT + path, { headers: { Accept: "application/json" } });
  if (!res.ok) throw await apiError(res);
  return res.json();
}

export function navigate(url, push) {
  if (push && location.pathname + location.search + location.hash !== url) history.pushState({}, "", url);
}
