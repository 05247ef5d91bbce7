/* The SPARQL pane: example queries, result table from /sparql, its export (the editor
   itself is editor.js). */
import { showTab } from "./app.js";
import { $, KGR, PROLOGUE, ROOT, apiError, compact, el, errorBox, navigate, shortId, state, t } from "./core.js";
import { openDocument } from "./document.js";
import { remember } from "./editor.js";
import { openEntity } from "./entity.js";
import { exportButtons, sparqlCsv } from "./export.js";

/* ---------------------------------------------------------------- SPARQL */
export function examples() {
  const focus = state.entity ? `  VALUES ?s { <${state.entity.iri}> }\n`
    : "  { SELECT ?s WHERE { ?x a kgo:Observation ; kgo:subject ?s } GROUP BY ?s ORDER BY DESC(COUNT(?x)) LIMIT 1 }\n";
  return [
    ["ex_observations", PROLOGUE + `SELECT ?subject ?metric ?period ?asWritten ?value ?quote WHERE {
${focus}  ?o a kgo:Observation ; kgo:subject ?s ; kgo:metric ?metric ; kgo:asWritten ?asWritten ;
     prov:wasDerivedFrom ?m .
  ?m kgo:quote ?quote .
  OPTIONAL { ?o kgo:period ?period } OPTIONAL { ?o kgo:value ?value }
  BIND(?s AS ?subject)
} ORDER BY ?metric ?period
LIMIT 100`],
    ["ex_documents", PROLOGUE + `SELECT ?doc ?name ?title ?date ?language (COUNT(DISTINCT ?o) AS ?observations) WHERE {
  ?doc a kgo:Document .
  OPTIONAL { ?doc rdfs:label ?name } OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:date ?date } OPTIONAL { ?doc dcterms:language ?language }
  OPTIONAL { ?o a kgo:Observation ; prov:wasDerivedFrom/kgo:document ?doc }
} GROUP BY ?doc ?name ?title ?date ?language
ORDER BY DESC(?date) ?doc
LIMIT 100`],
    ["ex_metrics", PROLOGUE + `SELECT ?metric ?en ?zh (COUNT(?o) AS ?observations) WHERE {
  ?o a kgo:Observation ; kgo:metric ?metric .
  OPTIONAL { ?metric skos:prefLabel ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
  OPTIONAL { ?metric skos:prefLabel ?zh FILTER(LANGMATCHES(LANG(?zh), "zh-Hant")) }
} GROUP BY ?metric ?en ?zh
ORDER BY DESC(?observations)
LIMIT 20`],
    ["ex_labels", PROLOGUE + `SELECT ?entity ?type ?en ?zhHant ?zhHans WHERE {
  { SELECT DISTINCT ?entity WHERE { ?entity kgo:mentionedIn ?doc } LIMIT 200 }
  ?entity a ?type . FILTER(STRSTARTS(STR(?type), STR(kgo:)))
  OPTIONAL { ?entity skos:prefLabel ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
  OPTIONAL { ?entity skos:prefLabel ?zhHant FILTER(LANGMATCHES(LANG(?zhHant), "zh-Hant")) }
  OPTIONAL { ?entity skos:prefLabel ?zhHans FILTER(LANGMATCHES(LANG(?zhHans), "zh-Hans")) }
} ORDER BY ?type ?entity
LIMIT 200`],
    ["ex_relations", PROLOGUE + `SELECT ?subject ?predicate ?object ?quote WHERE {
  ?r a kgo:Assertion ; kgo:subject ?subject ; kgo:predicate ?predicate ; prov:wasDerivedFrom ?m .
  OPTIONAL { ?r kgo:object ?object }
  ?m kgo:quote ?quote .
} ORDER BY ?predicate ?subject
LIMIT 100`],
  ];
}

export function fillExamples() {
  const select = $("#sparql-examples");
  const keep = select.value;
  select.replaceChildren(...examples().map(([key], i) => el("option", { value: String(i) }, t(key))));
  if (keep) select.value = keep;
  if (!$("#sparql-editor").value.trim()) setQuery(examples()[0][1]);
}

/* Put a query in the editor (highlighted, as if typed). */
export function setQuery(query) {
  const editor = $("#sparql-editor");
  editor.value = query;
  editor.dispatchEvent(new Event("input", { bubbles: true }));
}

export function openInEditor(query) {
  setQuery(query);
  navigate(`${ROOT}/#sparql`, true);
  showTab("sparql");
  runSparql();
}

export function termCell(term) {
  if (!term) return el("td", { class: "unbound" }, "");
  if (term.type === "uri") {
    const id = shortId(term.value);
    let link = null;
    if (term.value.startsWith(KGR)) {
      if (/^doc-/.test(id)) link = () => openDocument(id);
      else if (!/^(obs|rel|mention)-/.test(id)) link = () => openEntity(id);
    }
    const text = compact(term.value);
    return el("td", { class: "iri" }, link
      ? el("a", { href: "#", title: term.value, onclick: (e) => { e.preventDefault(); link(); } }, text)
      : el("span", { title: term.value }, text));
  }
  const suffix = term["xml:lang"] ? `@${term["xml:lang"]}` : "";
  const numeric = term.datatype && /#(integer|decimal|double|float|int|long)$/.test(term.datatype);
  return el("td", { class: numeric ? "num" : "literal" }, term.value, suffix ? el("span", { class: "lang-tag" }, suffix) : null);
}

export async function runSparql() {
  const query = $("#sparql-editor").value;
  const status = $("#sparql-status");
  const out = $("#sparql-results");
  status.textContent = t("running");
  status.className = "status-line";
  const began = performance.now();
  try {
    const res = await fetch(ROOT + "/sparql", { method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/sparql-results+json, application/n-triples;q=0.5, text/plain;q=0.1" },
      body: new URLSearchParams({ query }) });
    if (!res.ok) throw await apiError(res);
    const ctype = res.headers.get("content-type") || "";
    const ms = Math.round(performance.now() - began);
    remember(query, {});
    if (!ctype.includes("json")) {
      const text = await res.text();
      out.replaceChildren(el("pre", { class: "code" }, text));
      status.textContent = `${t("ms", { ms })}`;
      return;
    }
    const data = await res.json();
    if (typeof data.boolean === "boolean") {
      out.replaceChildren(el("div", { class: "boolean" }, t("boolean_result", { v: data.boolean })));
      status.textContent = t("ms", { ms });
      return;
    }
    const vars = data.head.vars;
    const rows = data.results.bindings;
    const shown = rows.slice(0, 2000);
    status.textContent = `${rows.length === 1 ? t("row") : t("rows", { n: rows.length })} · ${t("ms", { ms })}`;
    if (!rows.length) { out.replaceChildren(el("div", { class: "muted pad" }, t("no_rows"))); return; }
    out.replaceChildren(
      el("div", { class: "results-bar" }, exportButtons(() => ({ name: "sparql-results", csv: sparqlCsv(data),
        json: JSON.stringify(data, null, 2) + "\n" }))),
      shown.length < rows.length ? el("div", { class: "muted pad" }, t("truncated", { n: shown.length })) : "",
      el("table", { class: "grid" },
        el("thead", {}, el("tr", {}, el("th", { class: "idx" }, "#"), ...vars.map((v) => el("th", {}, `?${v}`)))),
        el("tbody", {}, shown.map((r, i) => el("tr", {}, el("td", { class: "idx" }, i + 1), ...vars.map((v) => termCell(r[v])))))));
  } catch (err) {
    remember(query, { error: err.message || String(err) });
    status.textContent = t("error");
    status.className = "status-line bad";
    out.replaceChildren(errorBox(err));
  }
}
