/* kgqa web page: chat, SPARQL editor, entity and document views. Plain JS, no build step.
   Everything shown comes from the server's JSON; text from the graph is always inserted as
   text (never as HTML). */
(() => {
"use strict";

const ROOT = document.body.dataset.root || "";
const KGR = "https://w3id.org/kgqa/resource/";
const PREFIXES = {
  kgo: "https://w3id.org/kgqa/ontology#", kgr: KGR, kgm: "https://w3id.org/kgqa/metric/",
  kgp: "https://w3id.org/kgqa/period/", kgu: "https://w3id.org/kgqa/unit/", kgg: "https://w3id.org/kgqa/graph/",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#", rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  xsd: "http://www.w3.org/2001/XMLSchema#", owl: "http://www.w3.org/2002/07/owl#",
  skos: "http://www.w3.org/2004/02/skos/core#", schema: "https://schema.org/",
  prov: "http://www.w3.org/ns/prov#", dcterms: "http://purl.org/dc/terms/",
};
const PROLOGUE = ["kgo", "kgr", "kgm", "kgp", "skos", "rdfs", "prov", "dcterms"]
  .map((p) => `PREFIX ${p}: <${PREFIXES[p]}>`).join("\n") + "\n";
const TYPE_COLOURS = {
  Organization: "#2563eb", BusinessUnit: "#0891b2", Lab: "#7c3aed", Product: "#059669", Platform: "#0d9488",
  AIModel: "#db2777", Person: "#d97706", Market: "#4b5563", Entity: "#6b7280",
};

/* ---------------------------------------------------------------- strings */
// @@I18N-START
const I18N = {
  en: {
    tagline: "Business news knowledge graph", tab_chat: "Chat", tab_sparql: "SPARQL", tab_entity: "Entity",
    tab_document: "Document", search_placeholder: "Search entities…", chat_placeholder: "Ask a question about the news in the graph…",
    send: "Ask", new_session: "New conversation", examples: "Examples", run: "Run",
    chat_empty_title: "Ask the graph", chat_empty_text: "Answers come only from facts in the graph, each with the sentence it was read from. Click a citation to open it in its article.",
    suggestions: "Try", thinking: "Looking in the graph…", you: "You",
    st_answered: "answered", st_not_found: "not found", st_ambiguous: "ambiguous", st_error: "error",
    mode: "mode", confidence: "confidence", facts: "Facts", sources: "Sources", sparql_used: "SPARQL used",
    open_in_editor: "Open in SPARQL editor", subject: "Subject", metric: "Metric", period: "Period", value: "Value (as written)",
    change: "Change", qualifier: "Qualifier", source: "Source", relation: "Relation", object: "Object", year: "Year",
    catalog: "catalog", catalog_title: "Reference data (catalog), not a document",
    rows: "{n} rows", row: "1 row", ms: "{ms} ms", running: "Running…", no_rows: "No rows.", truncated: "Showing the first {n} rows.",
    boolean_result: "Result: {v}", error: "Error",
    ex_observations: "Observations of an entity", ex_documents: "Documents", ex_metrics: "Top metrics",
    ex_labels: "Labels in three scripts", ex_relations: "Relations with their sources",
    entity_empty: "Search for an entity above, or click a subject in an answer.",
    document_empty: "Documents in the graph", document_pick: "Open a document to read it with its mentions highlighted.",
    aliases: "Also known as", types: "Type", neighbourhood: "Neighbourhood", relations: "Relations",
    documents: "Documents", mentioned_in: "Mentioned in", no_facts: "No figures recorded for this entity.",
    no_relations: "No relations recorded.", query_entity: "Query its observations", iri: "IRI",
    doc_meta: "Document", date: "Date", language: "Language", hash: "Content hash", graph: "Named graph",
    mentions: "Mentions", doc_facts: "Facts read from this document", show_fact_sentences: "Shade fact sentences",
    not_found_entity: "No such entity.", not_found_document: "No such document.", loading: "Loading…",
    untitled: "(untitled)", facts_count: "{n} facts", mentions_count: "{n} mentions", session: "session",
    graph_hint: "Click a node to open it.",
    "type.Organization": "Organization", "type.BusinessUnit": "Business unit", "type.Lab": "Lab", "type.Product": "Product",
    "type.Platform": "Platform", "type.AIModel": "AI model", "type.Person": "Person", "type.Market": "Market", "type.Entity": "Entity",
    "pred.owns": "owns", "pred.launched": "launched", "pred.develops": "develops", "pred.founded": "founded",
    "pred.integrates": "integrates", "pred.runsOn": "runs on", "pred.worksFor": "works for", "pred.said": "said",
    "pred.comparedTo": "compared to", "pred.appliesAITo": "applies AI to",
    suggest_value: "What was {e}'s {m} in {p}?", suggest_value_np: "What is {e}'s {m}?",
  },
  "zh-Hant": {
    tagline: "商業新聞知識圖譜", tab_chat: "問答", tab_sparql: "SPARQL", tab_entity: "實體", tab_document: "文檔",
    search_placeholder: "搜索實體…", chat_placeholder: "就圖譜中的新聞提問…", send: "提問", new_session: "新對話",
    examples: "示例", run: "執行",
    chat_empty_title: "向圖譜提問", chat_empty_text: "答案只來自圖譜中的事實，每條都附有其出處句子。點擊引文即可在原文中查看。",
    suggestions: "試試", thinking: "正在圖譜中查找…", you: "你",
    st_answered: "已回答", st_not_found: "未找到", st_ambiguous: "有歧義", st_error: "錯誤",
    mode: "方式", confidence: "置信度", facts: "事實", sources: "出處", sparql_used: "所用 SPARQL",
    open_in_editor: "在 SPARQL 編輯器中打開", subject: "主體", metric: "指標", period: "期間", value: "數值（原文）",
    change: "變化", qualifier: "限定", source: "出處", relation: "關係", object: "客體", year: "年份",
    catalog: "目錄", catalog_title: "參考數據（目錄），非文檔",
    rows: "{n} 行", row: "1 行", ms: "{ms} 毫秒", running: "執行中…", no_rows: "沒有結果。", truncated: "僅顯示前 {n} 行。",
    boolean_result: "結果：{v}", error: "錯誤",
    ex_observations: "某實體的觀測值", ex_documents: "文檔列表", ex_metrics: "最常見指標",
    ex_labels: "三種書寫的名稱", ex_relations: "關係及其出處",
    entity_empty: "在上方搜索實體，或點擊答案中的主體。",
    document_empty: "圖譜中的文檔", document_pick: "打開一篇文檔，查看其中標出的實體。",
    aliases: "別名", types: "類型", neighbourhood: "關係圖", relations: "關係",
    documents: "文檔", mentioned_in: "出現於", no_facts: "沒有此實體的數據記錄。",
    no_relations: "沒有關係記錄。", query_entity: "查詢其觀測值", iri: "IRI",
    doc_meta: "文檔", date: "日期", language: "語言", hash: "內容哈希", graph: "命名圖",
    mentions: "實體提及", doc_facts: "從本文讀出的事實", show_fact_sentences: "標示事實句",
    not_found_entity: "沒有這個實體。", not_found_document: "沒有這篇文檔。", loading: "載入中…",
    untitled: "（無標題）", facts_count: "{n} 條事實", mentions_count: "{n} 處提及", session: "會話",
    graph_hint: "點擊節點即可打開。",
    "type.Organization": "機構", "type.BusinessUnit": "業務部門", "type.Lab": "實驗室", "type.Product": "產品",
    "type.Platform": "平台", "type.AIModel": "AI 模型", "type.Person": "人物", "type.Market": "市場", "type.Entity": "實體",
    "pred.owns": "擁有", "pred.launched": "推出", "pred.develops": "研發", "pred.founded": "創立",
    "pred.integrates": "接入", "pred.runsOn": "基於", "pred.worksFor": "任職於", "pred.said": "表示",
    "pred.comparedTo": "對比", "pred.appliesAITo": "將 AI 應用於",
    suggest_value: "{e}{p}的{m}是多少？", suggest_value_np: "{e}的{m}是多少？",
  },
  "zh-Hans": {
    tagline: "商业新闻知识图谱", tab_chat: "问答", tab_sparql: "SPARQL", tab_entity: "实体", tab_document: "文档",
    search_placeholder: "搜索实体…", chat_placeholder: "就图谱中的新闻提问…", send: "提问", new_session: "新对话",
    examples: "示例", run: "执行",
    chat_empty_title: "向图谱提问", chat_empty_text: "答案只来自图谱中的事实，每条都附有其出处句子。点击引文即可在原文中查看。",
    suggestions: "试试", thinking: "正在图谱中查找…", you: "你",
    st_answered: "已回答", st_not_found: "未找到", st_ambiguous: "有歧义", st_error: "错误",
    mode: "方式", confidence: "置信度", facts: "事实", sources: "出处", sparql_used: "所用 SPARQL",
    open_in_editor: "在 SPARQL 编辑器中打开", subject: "主体", metric: "指标", period: "期间", value: "数值（原文）",
    change: "变化", qualifier: "限定", source: "出处", relation: "关系", object: "客体", year: "年份",
    catalog: "目录", catalog_title: "参考数据（目录），非文档",
    rows: "{n} 行", row: "1 行", ms: "{ms} 毫秒", running: "执行中…", no_rows: "没有结果。", truncated: "仅显示前 {n} 行。",
    boolean_result: "结果：{v}", error: "错误",
    ex_observations: "某实体的观测值", ex_documents: "文档列表", ex_metrics: "最常见指标",
    ex_labels: "三种书写的名称", ex_relations: "关系及其出处",
    entity_empty: "在上方搜索实体，或点击答案中的主体。",
    document_empty: "图谱中的文档", document_pick: "打开一篇文档，查看其中标出的实体。",
    aliases: "别名", types: "类型", neighbourhood: "关系图", relations: "关系",
    documents: "文档", mentioned_in: "出现于", no_facts: "没有此实体的数据记录。",
    no_relations: "没有关系记录。", query_entity: "查询其观测值", iri: "IRI",
    doc_meta: "文档", date: "日期", language: "语言", hash: "内容哈希", graph: "命名图",
    mentions: "实体提及", doc_facts: "从本文读出的事实", show_fact_sentences: "标示事实句",
    not_found_entity: "没有这个实体。", not_found_document: "没有这篇文档。", loading: "载入中…",
    untitled: "（无标题）", facts_count: "{n} 条事实", mentions_count: "{n} 处提及", session: "会话",
    graph_hint: "点击节点即可打开。",
    "type.Organization": "机构", "type.BusinessUnit": "业务部门", "type.Lab": "实验室", "type.Product": "产品",
    "type.Platform": "平台", "type.AIModel": "AI 模型", "type.Person": "人物", "type.Market": "市场", "type.Entity": "实体",
    "pred.owns": "拥有", "pred.launched": "推出", "pred.develops": "研发", "pred.founded": "创立",
    "pred.integrates": "接入", "pred.runsOn": "基于", "pred.worksFor": "任职于", "pred.said": "表示",
    "pred.comparedTo": "对比", "pred.appliesAITo": "将 AI 应用于",
    suggest_value: "{e}{p}的{m}是多少？", suggest_value_np: "{e}的{m}是多少？",
  },
};
// @@I18N-END

const state = {
  lang: pickLanguage(),
  session: null,
  metrics: {},
  entity: null,       // last entity payload
  doc: null,          // last document payload
  docHighlight: null, // {start, end}
  tab: "chat",
};

function pickLanguage() {
  const saved = localStorage.getItem("kgqa.lang");
  if (saved && I18N[saved]) return saved;
  const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"];
  const first = String(langs[0] || "en");
  return first.toLowerCase().startsWith("zh") ? chineseScript(first) : "en";
}

function chineseScript(tag) {
  const t = String(tag || "").toLowerCase();
  return /hans|-cn|-sg|-my/.test(t) || t === "zh" ? "zh-Hans" : "zh-Hant";
}

function t(key, vars) {
  const table = I18N[state.lang] || I18N.en;
  let s = table[key] ?? I18N.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/* ---------------------------------------------------------------- DOM helpers */
function el(tag, attrs, ...children) {
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

function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

const $ = (sel) => document.querySelector(sel);

function shortId(iri) {
  return iri && iri.startsWith(KGR) ? iri.slice(KGR.length) : iri;
}

function compact(iri) {
  let best = null;
  for (const [p, ns] of Object.entries(PREFIXES)) {
    if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
  }
  return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
}

function typeLabel(type) { return t(`type.${type}`); }
function predLabel(pred) { const k = `pred.${pred}`; const s = t(k); return s === k ? pred : s; }
function metricLabel(metric, labels) {
  const by = (labels && labels[metric]) || state.metrics[metric];
  return by ? (by[state.lang] || by.en || metric) : metric;
}
function periodLabel(period, labels) {
  const by = labels && labels[period];
  return by ? (by[state.lang] || by.en || period) : formatPeriod(period);
}

/* A period key (2025-Q1, FY2025-Q4, 2025-H1, 2025-03, 2025-YTD, 2024) in the page's language. */
function formatPeriod(key) {
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
function nameOf(iri, names, fallback) {
  const by = names && names[iri];
  return by ? (by[state.lang] || by.en || fallback || shortId(iri)) : (fallback || shortId(iri));
}

function typeBadge(type) {
  return el("span", { class: "type-badge", style: `--c:${TYPE_COLOURS[type] || TYPE_COLOURS.Entity}` }, typeLabel(type));
}

async function apiError(res) {
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

function errorBox(err) {
  return el("div", { class: "error-box", role: "alert" },
    el("strong", {}, `${t("error")}${err.status ? ` ${err.status}` : ""}`),
    err.code ? el("code", {}, err.code) : null, " ", err.message || String(err));
}

async function getJSON(path) {
  const res = await fetch(ROOT + path, { headers: { Accept: "application/json" } });
  if (!res.ok) throw await apiError(res);
  return res.json();
}

/* ---------------------------------------------------------------- navigation */
function showTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll(".tab")) {
    const on = b.dataset.tab === tab;
    b.classList.toggle("active", on);
    b.setAttribute("aria-selected", on ? "true" : "false");
  }
  for (const p of document.querySelectorAll(".pane")) p.hidden = p.dataset.pane !== tab;
  if (tab === "entity" && !state.entity) renderEntityEmpty();
  if (tab === "document" && !state.doc) renderDocumentList();
  if (tab === "chat") $("#chat-input").focus();
}

function navigate(url, push) {
  if (push && location.pathname + location.search + location.hash !== url) history.pushState({}, "", url);
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
  fillExamples();
  if (!$("#chat-log").querySelector(".turn")) renderChatEmpty();
}

function setLanguage(choice) {
  state.lang = choice === "en" ? "en" : chineseScript((navigator.languages || []).find((l) => /^zh/i.test(l)) || "zh-Hant");
  localStorage.setItem("kgqa.lang", state.lang);
  applyLanguage();
  if (state.entity) openEntity(state.entity.id, { push: false, keepTab: true });
  if (state.doc) openDocument(state.doc.id, { highlight: state.docHighlight, push: false, keepTab: true });
}

/* ---------------------------------------------------------------- chat */
function renderChatEmpty() {
  const log = $("#chat-log");
  log.replaceChildren(el("div", { class: "chat-empty" },
    el("h2", {}, t("chat_empty_title")), el("p", {}, t("chat_empty_text")),
    el("div", { id: "suggestions", class: "suggestions" })));
  loadSuggestions();
}

async function loadSuggestions() {
  // Built from the graph itself: a few observed (entity, metric, period) triples.
  const lang = state.lang === "en" ? "en" : state.lang;
  const q = PROLOGUE + `SELECT ?s ?m ?p (SAMPLE(?sl) AS ?slabel) (SAMPLE(?ml) AS ?mlabel) (SAMPLE(?pl) AS ?plabel) WHERE {
  { SELECT ?s (COUNT(?x) AS ?n) WHERE { ?x a kgo:Observation ; kgo:subject ?s ; kgo:value ?xv } GROUP BY ?s ORDER BY DESC(?n) LIMIT 8 }
  ?o a kgo:Observation ; kgo:subject ?s ; kgo:metric ?m ; kgo:value ?v ; kgo:period ?p .
  FILTER NOT EXISTS { ?o kgo:qualifier ?qf }
  ?p rdfs:label ?pl FILTER(LANGMATCHES(LANG(?pl), "${lang}"))
  ?s skos:prefLabel ?sl FILTER(LANGMATCHES(LANG(?sl), "${lang}"))
  ?m skos:prefLabel ?ml FILTER(LANGMATCHES(LANG(?ml), "${lang}"))
} GROUP BY ?s ?m ?p ?n ORDER BY DESC(?n) ?s ?m LIMIT 60`;
  try {
    const res = await fetch(ROOT + "/sparql", { method: "POST", headers: { Accept: "application/sparql-results+json",
      "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ query: q }) });
    if (!res.ok) return;
    const rows = (await res.json()).results.bindings;
    const bySubject = new Map();
    for (const r of rows) if (!bySubject.has(r.s.value)) bySubject.set(r.s.value, r);
    const picked = [...bySubject.values()].slice(0, 4);
    const box = $("#suggestions");
    if (!box || !picked.length) return;
    box.replaceChildren(el("span", { class: "muted" }, t("suggestions")),
      ...picked.map((r) => {
        const text = r.plabel ? t("suggest_value", { e: r.slabel.value, m: r.mlabel.value, p: r.plabel.value })
          : t("suggest_value_np", { e: r.slabel.value, m: r.mlabel.value });
        return el("button", { type: "button", class: "suggestion", onclick: () => ask(text) }, text);
      }));
  } catch (_) { /* suggestions are optional */ }
}

function chatTurn(question) {
  const log = $("#chat-log");
  log.querySelector(".chat-empty")?.remove();
  const body = el("div", { class: "answer-body" }, el("div", { class: "thinking" }, el("span", { class: "spinner" }), t("thinking")));
  const turn = el("article", { class: "turn" },
    el("div", { class: "question" }, el("span", { class: "who" }, t("you")), el("span", { class: "q-text" }, question)),
    el("div", { class: "answer" }, body));
  log.append(turn);
  turn.scrollIntoView({ block: "end" });
  return body;
}

async function ask(question) {
  question = question.trim();
  if (!question) return;
  showTab("chat");
  const body = chatTurn(question);
  const send = $("#chat-send");
  send.disabled = true;
  try {
    const res = await fetch(ROOT + "/chat", { method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ message: question, session: state.session }) });
    if (res.status === 404 || res.status === 405) return await askPlain(question, body);
    if (!res.ok) throw await apiError(res);
    if (!(res.headers.get("content-type") || "").includes("text/event-stream")) {
      const a = await res.json();
      if (a.session) state.session = a.session;
      return renderAnswer(body, a);
    }
    let streamed = "";
    let done = false;
    await readEvents(res.body, (event, data) => {
      if (event === "session" && data && data.session) state.session = data.session;
      else if (event === "token" && data) {
        streamed += data.text || "";
        body.replaceChildren(el("div", { class: "answer-text streaming" }, streamed));
      } else if (event === "answer" && data) { renderAnswer(body, data); done = true; }
      else if (event === "error" && data) throw Object.assign(new Error((data.error || data).message || "error"),
        { code: (data.error || data).code });
    });
    if (!done) throw new Error("the answer stream ended before the answer arrived");
  } catch (err) {
    body.replaceChildren(errorBox(err));
  } finally {
    send.disabled = false;
    updateSessionTag();
  }
}

async function askPlain(question, body) {
  const res = await fetch(ROOT + "/ask", { method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ question, session: state.session }) });
  if (!res.ok) throw await apiError(res);
  const a = await res.json();
  if (a.session) state.session = a.session;
  renderAnswer(body, a);
}

/* Server-sent events over fetch (EventSource cannot POST). */
async function readEvents(stream, onEvent) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  const dispatch = (block) => {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length && event === "message") return;
    let parsed = data.join("\n");
    try { parsed = JSON.parse(parsed); } catch (_) { /* plain text data */ }
    onEvent(event, parsed);
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf = (buf + decoder.decode(value, { stream: true })).replace(/\r\n?/g, "\n");
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      dispatch(block);
    }
  }
  if (buf.trim()) dispatch(buf);
}

function updateSessionTag() {
  let tag = $("#session-tag");
  if (!tag) {
    tag = el("span", { id: "session-tag", class: "session-tag muted" });
    $(".chat-actions").append(tag);
  }
  tag.textContent = state.session ? `${t("session")} ${String(state.session).slice(0, 8)}` : "";
}

function citationChip(source, n, factIri) {
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

function statusBadge(status) {
  return el("span", { class: `badge status-${status}` }, t(`st_${status}`));
}

function factValue(f) {
  if (f.predicate) return [predLabel(f.predicate), f.object_label || ""].join(" ");
  return f.as_written || f.qualitative || (f.value !== null && f.value !== undefined ? `${f.value} ${f.unit || ""}` : "");
}

function factsTable(facts, { names = null, metrics = null, periods = null, showSubject = true } = {}) {
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

function renderAnswer(body, a) {
  const facts = a.facts || [];
  const meta = el("div", { class: "answer-meta" }, statusBadge(a.status),
    a.mode ? el("span", { class: "meta-item" }, `${t("mode")}: ${a.mode}`) : null,
    a.kind ? el("span", { class: "meta-item" }, a.kind) : null,
    typeof a.confidence === "number" && a.status === "answered"
      ? el("span", { class: "meta-item" }, `${t("confidence")}: ${Math.round(a.confidence * 100)}%`) : null,
    a.llm && a.llm.used ? el("span", { class: "meta-item" }, `LLM ${a.llm.stage}${a.llm.rejected ? " ✗" : ""}`) : null);
  const chips = facts.filter((f) => f.source).length
    ? el("div", { class: "citations" }, el("span", { class: "muted" }, t("sources")),
        ...facts.map((f, i) => citationChip(f.source, i + 1)))
    : null;
  const parts = [meta, el("div", { class: "answer-text" }, a.answer || ""), chips];
  if (facts.length) parts.push(el("details", { class: "facts-box", open: true }, el("summary", {}, `${t("facts")} (${facts.length})`), factsTable(facts)));
  if (a.sparql) {
    parts.push(el("details", { class: "sparql-box" }, el("summary", {}, t("sparql_used")),
      el("pre", { class: "code" }, a.sparql),
      el("button", { type: "button", class: "ghost small", onclick: () => openInEditor(a.sparql) }, t("open_in_editor"))));
  }
  body.replaceChildren(...parts.filter(Boolean));
  body.closest(".turn")?.classList.add(`turn-${a.status}`);
}

/* ---------------------------------------------------------------- SPARQL */
function examples() {
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

function fillExamples() {
  const select = $("#sparql-examples");
  const keep = select.value;
  select.replaceChildren(...examples().map(([key], i) => el("option", { value: String(i) }, t(key))));
  if (keep) select.value = keep;
  const editor = $("#sparql-editor");
  if (!editor.value.trim()) editor.value = examples()[0][1];
}

function openInEditor(query) {
  $("#sparql-editor").value = query;
  navigate(`${ROOT}/#sparql`, true);
  showTab("sparql");
  runSparql();
}

function termCell(term) {
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

async function runSparql() {
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
      shown.length < rows.length ? el("div", { class: "muted pad" }, t("truncated", { n: shown.length })) : "",
      el("table", { class: "grid" },
        el("thead", {}, el("tr", {}, el("th", { class: "idx" }, "#"), ...vars.map((v) => el("th", {}, `?${v}`)))),
        el("tbody", {}, shown.map((r, i) => el("tr", {}, el("td", { class: "idx" }, i + 1), ...vars.map((v) => termCell(r[v])))))));
  } catch (err) {
    status.textContent = t("error");
    status.className = "status-line bad";
    out.replaceChildren(errorBox(err));
  }
}

/* ---------------------------------------------------------------- entity */
function renderEntityEmpty() {
  $("#entity-view").replaceChildren(el("div", { class: "empty-state" }, t("entity_empty")));
}

async function openEntity(id, { push = true, keepTab = false } = {}) {
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

function renderEntity(e) {
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
  const graphCard = el("div", { class: "card graph-card" },
    el("div", { class: "card-title" }, t("neighbourhood"), el("span", { class: "muted small" }, t("graph_hint"))),
    drawGraph(e.graph), graphLegend(e.graph));
  const factsCard = el("div", { class: "card" }, el("div", { class: "card-title" }, `${t("facts")} (${e.facts.length}${e.truncated && e.truncated.facts ? "+" : ""})`),
    e.facts.length ? factsTable(e.facts, { names: e.names, metrics: e.metrics, periods: e.periods, showSubject: false })
      : el("div", { class: "muted pad" }, t("no_facts")));
  const relCard = el("div", { class: "card" }, el("div", { class: "card-title" }, `${t("relations")} (${e.relations.length}${e.truncated && e.truncated.relations ? "+" : ""})`),
    e.relations.length ? relationsTable(e) : el("div", { class: "muted pad" }, t("no_relations")));
  const docsCard = el("div", { class: "card" }, el("div", { class: "card-title" }, t("mentioned_in")),
    el("ul", { class: "doc-list" }, e.documents.map((d) => el("li", {},
      el("a", { href: `${ROOT}/documents/${encodeURIComponent(d.id)}`, onclick: (ev) => { ev.preventDefault(); openDocument(d.id); } },
        d.title || d.name || d.id), d.date ? el("span", { class: "muted small" }, ` ${d.date}`) : null))));
  $("#entity-view").replaceChildren(header,
    el("div", { class: "entity-grid" }, graphCard, el("div", { class: "stack" }, factsCard, relCard, docsCard)));
}

function relationsTable(e) {
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

function entityAnchor(iri, label, self) {
  if (self) return el("strong", {}, label);
  return el("a", { href: `${ROOT}/entities/${encodeURIComponent(shortId(iri))}`, class: "entity-link",
    onclick: (ev) => { ev.preventDefault(); openEntity(shortId(iri)); } }, label);
}

function drawGraph(graph) {
  const W = 760, H = 480, PAD_X = 170, PAD_Y = 40;
  const pos = new Map(graph.nodes.map((n) => [n.id, [W / 2 + n.x * (W / 2 - PAD_X), H / 2 + n.y * (H / 2 - PAD_Y)]]));
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "graph", role: "img", "aria-label": t("neighbourhood") });
  root.append(svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
    markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#94a3b8" }))));
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
    edges.append(svg("line", { x1, y1, x2, y2, class: "edge", "marker-end": "url(#arrow)" }));
    edges.append(svg("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 3 + k * 11, class: "edge-label", "text-anchor": "middle" }, predLabel(ed.label)));
  }
  const nodes = svg("g", { class: "nodes" });
  for (const n of graph.nodes) {
    const [x, y] = pos.get(n.id);
    const full = (n.labels && n.labels[state.lang]) || n.label;
    const label = full.length > 24 ? `${full.slice(0, 22)}…` : full;
    const g = svg("g", { class: `node${n.centre ? " centre" : ""}`, transform: `translate(${x},${y})`, tabindex: "0",
      "data-id": n.short_id, onclick: () => { if (!n.centre) openEntity(n.short_id); },
      onkeydown: (ev) => { if (ev.key === "Enter" && !n.centre) openEntity(n.short_id); } });
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

function radius(graph, id) {
  const n = graph.nodes.find((x) => x.id === id);
  return n && n.centre ? 15 : 9;
}

function graphLegend(graph) {
  const types = [...new Set(graph.nodes.map((n) => n.type))];
  return el("div", { class: "legend" }, types.map((ty) => el("span", { class: "legend-item" },
    el("span", { class: "dot", style: `background:${TYPE_COLOURS[ty] || TYPE_COLOURS.Entity}` }), typeLabel(ty))));
}

/* ---------------------------------------------------------------- documents */
async function renderDocumentList() {
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

async function openDocument(id, { highlight = null, push = true, keepTab = false } = {}) {
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
  }
}

function renderDocument(d, hl) {
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
    el("div", { class: "card fact-list-card" }, el("div", { class: "card-title" }, `${t("doc_facts")} (${d.facts.length})`),
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
function renderText(text, mentions, facts, hl) {
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

/* ---------------------------------------------------------------- search box */
function setupSearch() {
  const input = $("#entity-search");
  const list = $("#search-results");
  let timer = null;
  let items = [];
  let active = -1;
  const close = () => { list.hidden = true; active = -1; };
  const choose = (hit) => { close(); input.value = ""; openEntity(hit.id); };
  const paint = () => {
    list.replaceChildren(...items.map((h, i) => el("li", { role: "option", class: i === active ? "active" : "",
      onmousedown: (ev) => { ev.preventDefault(); choose(h); } },
      el("span", { class: "hit-label" }, (h.labels && h.labels[state.lang]) || h.label), typeBadge(h.type),
      el("span", { class: "muted small" }, h.name))));
    list.hidden = !items.length;
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { items = []; paint(); return; }
    timer = setTimeout(async () => {
      try {
        const data = await getJSON(`/api/entities?q=${encodeURIComponent(q)}&limit=8&lang=${encodeURIComponent(state.lang)}`);
        if (input.value.trim() !== q) return;
        items = data.results; active = items.length ? 0 : -1; paint();
      } catch (_) { items = []; paint(); }
    }, 150);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); paint(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp") { active = Math.max(0, active - 1); paint(); ev.preventDefault(); }
    else if (ev.key === "Enter" && items[active]) { choose(items[active]); ev.preventDefault(); }
    else if (ev.key === "Escape") close();
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
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
  $("#sparql-examples").addEventListener("change", (ev) => { $("#sparql-editor").value = examples()[+ev.target.value][1]; });
  $("#sparql-editor").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); runSparql(); }
    else if (ev.key === "Tab") { ev.preventDefault(); document.execCommand("insertText", false, "  "); }
  });
  window.addEventListener("popstate", route);
  setupSearch();
  applyLanguage();
  getJSON("/api/vocabulary").then((v) => { state.metrics = v.metrics || {}; }).catch(() => {});
  route();
}

setup();
})();
