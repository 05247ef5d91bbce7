/* Fact tables and citation chips, shared by the chat, entity and document panes. */
import { PREFIXES, ROOT, el, metricLabel, nameOf, periodLabel, predLabel, shortId, t } from "./core.js";
import { openDocument } from "./document.js";
import { openEntity } from "./entity.js";

export function citationChip(source, n, factIri) {
  if (!source && factIri && factIri.startsWith(PREFIXES.kgg)) {
    return el("span", { class: "chip chip-catalog", title: t("catalog_title") }, t("catalog"));
  }
  if (!source) return el("span", { class: "chip chip-none" }, "—");
  const catalog = !source.document || source.document.startsWith(PREFIXES.kgg);
  if (catalog) return el("span", { class: "chip chip-catalog", title: `${t("catalog_title")}: ${source.quote || ""}` }, t("catalog"));
  return el("button", { type: "button", class: "chip citation", title: source.quote,
    dataset: { doc: source.document, start: source.start, end: source.end },
    onclick: () => openDocument(shortId(source.document), { highlight: { start: source.start, end: source.end } }) },
    `[${n}]`);
}

export function statusBadge(status) {
  return el("span", { class: `badge status-${status}` }, t(`st_${status}`));
}

export function factsTable(facts, { names = null, metrics = null, periods = null, showSubject = true } = {}) {
  const rows = facts.map((f, i) => {
    const subject = el("a", { href: `${ROOT}/entities/${encodeURIComponent(shortId(f.subject))}`, class: "entity-link",
      onclick: (e) => { e.preventDefault(); openEntity(shortId(f.subject)); } },
      nameOf(f.subject, names, f.subject_label));
    const what = f.predicate ? predLabel(f.predicate) : metricLabel(f.metric, metrics);
    const value = f.predicate
      ? (f.object ? el("a", { href: "#", class: "entity-link",
          onclick: (e) => { e.preventDefault(); openEntity(shortId(f.object)); } }, nameOf(f.object, names, f.object_label))
        : f.object_label || "")
      : el("span", { class: "num" }, f.as_written || f.qualitative || (f.value ?? ""));
    return el("tr", {},
      el("td", { class: "idx" }, i + 1),
      showSubject ? el("td", {}, subject) : null,
      el("td", {}, what, f.qualifier ? el("div", { class: "muted small" }, f.qualifier) : null),
      el("td", {}, f.predicate ? (f.period || "") : periodLabel(f.period, periods)),
      el("td", {}, value),
      el("td", {}, citationChip(f.source, i + 1, f.iri)));
  });
  return el("table", { class: "facts" },
    el("thead", {}, el("tr", {}, el("th", {}, "#"), showSubject ? el("th", {}, t("subject")) : null,
      el("th", {}, `${t("metric")} / ${t("relation")}`), el("th", {}, t("period")), el("th", {}, t("value")),
      el("th", {}, t("source")))),
    el("tbody", {}, rows));
}
