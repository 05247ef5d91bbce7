/* kgqa web page: chat, SPARQL editor, entity and document views. Plain JS modules, no build
   step, nothing loaded from the internet. Everything shown comes from the server's JSON; text
   from the graph is always inserted as text (never as HTML). This module: tabs, addresses,
   language, start-up. */
import { ask, renderChatEmpty, updateSessionTag } from "./chat.js";
import { $, ROOT, chineseScript, getJSON, navigate, state, t } from "./core.js";
import { openDocument, renderDocumentList } from "./document.js";
import { openEntity, renderEntityEmpty } from "./entity.js";
import { setupSearch } from "./search.js";
import { editorLabels, setupEditor } from "./editor.js";
import { examples, fillExamples, runSparql, setQuery } from "./sparql.js";

/* ---------------------------------------------------------------- navigation */
export function showTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll(".tab")) {
    const on = b.dataset.tab === tab;
    b.classList.toggle("active", on);
    b.setAttribute("aria-selected", on ? "true" : "false");
  }
  for (const p of document.querySelectorAll(".pane")) p.hidden = p.dataset.pane !== tab;
  if (tab === "entity" && !state.entity) renderEntityEmpty();
  if (tab === "document" && !state.doc && !state.docLoading) renderDocumentList();
  if (tab === "chat") $("#chat-input").focus();
}

function route() {
  const path = decodeURIComponent(location.pathname.slice(ROOT.length));
  const params = new URLSearchParams(location.search);
  if (path.startsWith("/entities/")) return openEntity(path.slice("/entities/".length), { push: false });
  if (path.startsWith("/documents/")) {
    const start = params.get("start"), end = params.get("end");
    const hl = start !== null && end !== null ? { start: +start, end: +end } : null;
    return openDocument(path.slice("/documents/".length), { highlight: hl, push: false });
  }
  const tab = location.hash.slice(1);
  showTab(["chat", "sparql", "entity", "document"].includes(tab) ? tab : "chat");
}

function tabUrl(tab) {
  if (tab === "entity" && state.entity) return `${ROOT}/entities/${encodeURIComponent(state.entity.id)}`;
  if (tab === "document" && state.doc) return `${ROOT}/documents/${encodeURIComponent(state.doc.id)}`;
  return `${ROOT}/#${tab}`;
}

/* ---------------------------------------------------------------- language */
function applyLanguage() {
  document.documentElement.lang = state.lang === "en" ? "en" : state.lang;
  for (const n of document.querySelectorAll("[data-i18n]")) n.textContent = t(n.dataset.i18n);
  for (const n of document.querySelectorAll("[data-i18n-placeholder]")) n.placeholder = t(n.dataset.i18nPlaceholder);
  for (const b of document.querySelectorAll(".lang-toggle button")) {
    const on = (b.dataset.lang === "en") === (state.lang === "en");
    b.classList.toggle("active", on);
    b.setAttribute("aria-pressed", on ? "true" : "false");
  }
  for (const n of document.querySelectorAll("[data-i18n-aria]")) n.setAttribute("aria-label", t(n.dataset.i18nAria));
  fillExamples();
  editorLabels();
  if (!$("#chat-log").querySelector(".turn")) renderChatEmpty();
}

function setLanguage(choice) {
  state.lang = choice === "en" ? "en" : chineseScript((navigator.languages || []).find((l) => /^zh/i.test(l)) || "zh-Hant");
  localStorage.setItem("kgqa.lang", state.lang);
  applyLanguage();
  if (state.entity) openEntity(state.entity.id, { push: false, keepTab: true });
  if (state.doc) openDocument(state.doc.id, { highlight: state.docHighlight, push: false, keepTab: true });
}

/* ---------------------------------------------------------------- start */
function setup() {
  for (const b of document.querySelectorAll(".tab")) {
    b.addEventListener("click", () => { navigate(tabUrl(b.dataset.tab), true); showTab(b.dataset.tab); });
  }
  document.querySelector(".brand").addEventListener("click", (ev) => { ev.preventDefault(); navigate(`${ROOT}/#chat`, true); showTab("chat"); });
  for (const b of document.querySelectorAll(".lang-toggle button")) b.addEventListener("click", () => setLanguage(b.dataset.lang));
  $("#chat-form").addEventListener("submit", (ev) => { ev.preventDefault(); const q = $("#chat-input").value; $("#chat-input").value = ""; ask(q); });
  $("#chat-input").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); $("#chat-form").requestSubmit(); }
  });
  $("#chat-reset").addEventListener("click", () => { state.session = null; updateSessionTag(); renderChatEmpty(); });
  $("#sparql-run").addEventListener("click", runSparql);
  $("#sparql-examples").addEventListener("change", (ev) => setQuery(examples()[+ev.target.value][1]));
  $("#sparql-editor").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); runSparql(); }
    else if (ev.key === "Tab") { ev.preventDefault(); document.execCommand("insertText", false, "  "); }
  });
  window.addEventListener("popstate", route);
  setupSearch();
  setupEditor();
  applyLanguage();
  getJSON("/api/vocabulary").then((v) => { state.metrics = v.metrics || {}; }).catch(() => {});
  route();
}

setup();
