/* The chat pane: POST /chat read as server-sent events (fetch + ReadableStream; EventSource
   cannot POST), falling back to POST /ask. */
import { showTab } from "./app.js";
import { $, PROLOGUE, ROOT, apiError, el, errorBox, state, t } from "./core.js";
import { factsExport, fileSlug } from "./export.js";
import { citationChip, factsTable, statusBadge } from "./facts.js";
import { openInEditor } from "./sparql.js";

/* ---------------------------------------------------------------- chat */
export function renderChatEmpty() {
  const log = $("#chat-log");
  log.replaceChildren(el("div", { class: "chat-empty" },
    el("h2", {}, t("chat_empty_title")), el("p", {}, t("chat_empty_text")),
    el("div", { id: "suggestions", class: "suggestions" })));
  loadSuggestions();
}

export async function loadSuggestions() {
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

export function chatTurn(question) {
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

export async function ask(question) {
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

export async function askPlain(question, body) {
  const res = await fetch(ROOT + "/ask", { method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ question, session: state.session }) });
  if (!res.ok) throw await apiError(res);
  const a = await res.json();
  if (a.session) state.session = a.session;
  renderAnswer(body, a);
}

/* Server-sent events over fetch (EventSource cannot POST). */
export async function readEvents(stream, onEvent) {
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

export function updateSessionTag() {
  let tag = $("#session-tag");
  if (!tag) {
    tag = el("span", { id: "session-tag", class: "session-tag muted" });
    $(".chat-actions").append(tag);
  }
  tag.textContent = state.session ? `${t("session")} ${String(state.session).slice(0, 8)}` : "";
}

export function renderAnswer(body, a) {
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
  if (facts.length) {
    parts.push(el("details", { class: "facts-box", open: true }, el("summary", {}, `${t("facts")} (${facts.length})`),
      el("div", { class: "facts-tools" }, factsExport(facts, `${fileSlug(a.question)}-facts`)),
      el("div", { class: "table-scroll" }, factsTable(facts))));
  }
  if (a.sparql) {
    parts.push(el("details", { class: "sparql-box" }, el("summary", {}, t("sparql_used")),
      el("pre", { class: "code" }, a.sparql),
      el("button", { type: "button", class: "ghost small", onclick: () => openInEditor(a.sparql) }, t("open_in_editor"))));
  }
  body.replaceChildren(...parts.filter(Boolean));
  body.closest(".turn")?.classList.add(`turn-${a.status}`);
}
