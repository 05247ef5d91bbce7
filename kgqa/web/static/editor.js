/* The SPARQL editor: a plain textarea with a highlighted copy of its text drawn underneath
   (same font, padding and scroll position; the textarea's own text is transparent), the
   queries run before (kept in localStorage), and PREFIX lines inserted on request.
   Written here, offline: no editor library. */
import { $, PREFIXES, el, t } from "./core.js";

/* ---------------------------------------------------------------- tokens */
const KEYWORDS = new Set(("select construct describe ask where from named prefix base distinct reduced as optional " +
  "union minus graph service silent filter bind values group by having order asc desc limit offset not exists in " +
  "a true false undef insert delete data load clear drop create add move copy with using default all to into").split(" "));
const FUNCTIONS = new Set(("str lang langmatches datatype bound iri uri bnode rand abs ceil floor round concat strlen " +
  "ucase lcase encode_for_uri contains strstarts strends strbefore strafter year month day hours minutes seconds " +
  "timezone tz now uuid struuid md5 sha1 sha256 sha384 sha512 coalesce if strlang strdt sameterm isiri isuri " +
  "isblank isliteral isnumeric regex substr replace count sum min max avg sample group_concat").split(" "));

const TOKEN = new RegExp([
  String.raw`(?<comment>#[^\n]*)`,
  String.raw`(?<string>"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')`,
  String.raw`(?<iri><[^<>"{}|^\x60\\\s]*>)`,
  String.raw`(?<var>[?$][\p{L}\p{N}_]+)`,
  String.raw`(?<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)`,
  String.raw`(?<pname>(?:[\p{L}][\p{L}\p{N}_.-]*)?:[\p{L}\p{N}_%.-]*)`,
  String.raw`(?<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)`,
  String.raw`(?<word>[\p{L}_][\p{L}\p{N}_]*)`,
  String.raw`(?<space>\s+)`,
  String.raw`(?<other>.)`,
].join("|"), "gsuy");

/* [kind, text] pairs covering the whole query; kinds: comment string iri var lang pname
   number keyword function word punct space. */
export function tokenize(text) {
  const out = [];
  TOKEN.lastIndex = 0;
  let m;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) {
    const [kind, value] = Object.entries(m.groups).find(([, v]) => v !== undefined);
    let k = kind;
    if (kind === "word") {
      const w = value.toLowerCase();
      k = KEYWORDS.has(w) || value === "a" ? "keyword" : FUNCTIONS.has(w) ? "function" : "word";
    } else if (kind === "other") k = "punct";
    out.push([k, value]);
  }
  return out;
}

export function highlight(code, text) {
  const frag = document.createDocumentFragment();
  for (const [kind, value] of tokenize(text)) {
    frag.append(kind === "space" || kind === "word" || kind === "punct" ? value : el("span", { class: `tok-${kind}` }, value));
  }
  frag.append(text.endsWith("\n") || !text ? " " : "");  // a last empty line still takes its height
  code.replaceChildren(frag);
}

/* ---------------------------------------------------------------- prefixes */
export function declaredPrefixes(text) {
  const out = new Set();
  for (const m of text.matchAll(/^\s*PREFIX\s+([\p{L}][\p{L}\p{N}_.-]*)?:/gimu)) out.add(m[1] || "");
  return out;
}

/* Known prefixes (core.PREFIXES) the query uses without declaring them. */
export function missingPrefixes(text) {
  const declared = declaredPrefixes(text);
  const used = new Set(tokenize(text).filter(([k]) => k === "pname").map(([, v]) => v.slice(0, v.indexOf(":"))));
  return [...used].filter((p) => !declared.has(p) && PREFIXES[p]).sort();
}

/* Insert PREFIX lines for ``names`` after the query's last PREFIX/BASE line (or at its top). */
export function insertPrefixes(editor, names) {
  const text = editor.value;
  const declared = declaredPrefixes(text);
  const lines = names.filter((p) => PREFIXES[p] && !declared.has(p)).map((p) => `PREFIX ${p}: <${PREFIXES[p]}>\n`).join("");
  if (!lines) return false;
  let at = 0;
  const re = /^[ \t]*(?:PREFIX|BASE)\b[^\n]*(?:\n|$)/gim;
  for (let m; (m = re.exec(text));) { if (text.slice(at, m.index).trim()) break; at = m.index + m[0].length; }
  const body = at && !text.slice(0, at).endsWith("\n") ? "\n" + lines : lines;
  editor.setRangeText(body, at, at, "end");
  editor.dispatchEvent(new Event("input", { bubbles: true }));
  return true;
}

/* ---------------------------------------------------------------- history */
const HISTORY_KEY = "kgqa.sparql.history";
export const HISTORY_MAX = 30;

export function history() {
  try {
    const h = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
    return Array.isArray(h) ? h.filter((e) => e && typeof e.query === "string") : [];
  } catch (_) { return []; }
}

export function remember(query, outcome) {
  if (!query.trim()) return;
  const rest = history().filter((e) => e.query !== query);
  localStorage.setItem(HISTORY_KEY, JSON.stringify([{ query, at: Date.now(), ...outcome }, ...rest].slice(0, HISTORY_MAX)));
  fillHistory();
}

export function clearHistory() { localStorage.removeItem(HISTORY_KEY); fillHistory(); }

/* The first line that says what a query does (not a PREFIX line), for the history list. */
export function summary(query) {
  const line = query.split("\n").map((l) => l.trim()).find((l) => l && !/^(PREFIX|BASE)\b/i.test(l) && !l.startsWith("#")) || query.trim();
  return line.length > 70 ? `${line.slice(0, 68)}…` : line;
}

export function fillHistory() {
  const select = $("#sparql-history");
  if (!select) return;
  const items = history();
  const when = (at) => new Date(at).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  select.replaceChildren(el("option", { value: "" }, t("history_n", { n: items.length })),
    ...items.map((e, i) => el("option", { value: String(i), title: e.query },
      `${e.error ? "✗ " : ""}${when(e.at)} · ${summary(e.query)}`)),
    items.length ? el("option", { value: "clear" }, t("history_clear")) : null);
  select.value = "";
  select.disabled = !items.length;
}

/* ---------------------------------------------------------------- set-up */
function refresh() {
  const editor = $("#sparql-editor");
  const layer = $("#sparql-highlight");
  highlight(layer.firstElementChild, editor.value);
  layer.scrollTop = editor.scrollTop;
  layer.scrollLeft = editor.scrollLeft;
  const missing = missingPrefixes(editor.value);
  const fix = $("#sparql-fix-prefixes");
  fix.hidden = !missing.length;
  fix.textContent = t("declare_prefixes", { p: missing.map((p) => `${p}:`).join(" ") });
}

/* Texts in the page's language: the PREFIX menu, the history list, the missing-prefix button. */
export function editorLabels() {
  $("#sparql-prefix").replaceChildren(el("option", { value: "" }, t("add_prefix")),
    ...Object.entries(PREFIXES).map(([p, ns]) => el("option", { value: p, title: ns }, `${p}: <${ns}>`)));
  fillHistory();
  refresh();
}

export function setupEditor() {
  const editor = $("#sparql-editor");
  const layer = $("#sparql-highlight");
  editor.addEventListener("input", refresh);
  editor.addEventListener("scroll", () => { layer.scrollTop = editor.scrollTop; layer.scrollLeft = editor.scrollLeft; });
  new ResizeObserver(() => { layer.style.height = `${editor.offsetHeight}px`; }).observe(editor);
  $("#sparql-fix-prefixes").addEventListener("click", () => { insertPrefixes(editor, missingPrefixes(editor.value)); editor.focus(); });
  const prefixes = $("#sparql-prefix");
  prefixes.addEventListener("change", () => {
    if (prefixes.value) insertPrefixes(editor, [prefixes.value]);
    prefixes.value = "";
    editor.focus();
  });
  $("#sparql-history").addEventListener("change", (ev) => {
    const v = ev.target.value;
    if (v === "clear") clearHistory();
    else if (v !== "") { const e = history()[+v]; if (e) { editor.value = e.query; refresh(); } }
    ev.target.value = "";
  });
}
