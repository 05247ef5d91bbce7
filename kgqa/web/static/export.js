/* Export of what a table shows, as CSV or JSON files made in the page (no round trip).

   CSV is RFC 4180 (CRLF, fields quoted when they hold a comma, quote or line break) with a
   UTF-8 byte-order mark, so that spreadsheet programs read Chinese text correctly. A facts
   table exports one row per fact with its citation; a SPARQL result exports as the SPARQL 1.1
   CSV results format (IRIs bare, literals by their lexical form) and, as JSON, the
   application/sparql-results+json document the server sent. */
import { el, t } from "./core.js";

export const FACT_COLUMNS = ["subject", "subject_label", "metric", "period", "value", "unit", "as_written",
  "change", "change_unit", "change_basis", "bound", "qualitative", "qualifier", "predicate", "object",
  "object_label", "fact", "document", "document_title", "start", "end", "quote"];

export function csvField(v) {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(header, rows) {
  return "\ufeff" + [header, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

export function factRow(f) {
  const s = f.source || {};
  const flat = { ...f, fact: f.iri, document: s.document, document_title: s.title, start: s.start, end: s.end, quote: s.quote };
  return FACT_COLUMNS.map((c) => flat[c]);
}

export function factsCsv(facts) { return toCsv(FACT_COLUMNS, facts.map(factRow)); }

export function sparqlCsv(data) {
  const vars = data.head.vars;
  const cell = (term) => !term ? "" : term.type === "bnode" ? `_:${term.value}` : term.value;
  return toCsv(vars, data.results.bindings.map((b) => vars.map((v) => cell(b[v]))));
}

export function download(name, mime, text) {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = el("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/* Two small buttons, CSV and JSON; ``files()`` returns {name, csv, json} when clicked. */
export function exportButtons(files, { label = t("export") } = {}) {
  const run = (kind) => () => {
    const f = files();
    if (kind === "csv") download(`${f.name}.csv`, "text/csv;charset=utf-8", f.csv);
    else download(`${f.name}.json`, "application/json;charset=utf-8", f.json);
  };
  return el("span", { class: "export", role: "group", "aria-label": label },
    el("span", { class: "muted small export-label" }, label),
    el("button", { type: "button", class: "ghost small export-csv", onclick: run("csv") }, "CSV"),
    el("button", { type: "button", class: "ghost small export-json", onclick: run("json") }, "JSON"));
}

export function factsExport(facts, name) {
  return exportButtons(() => ({ name, csv: factsCsv(facts), json: JSON.stringify(facts, null, 2) + "\n" }));
}

export function fileSlug(text) {
  return String(text || "kgqa").normalize("NFKC").replace(/[\\/:*?"<>|\s]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "kgqa";
}
