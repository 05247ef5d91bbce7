/* The entity search box in the top bar (/api/entities). */
import { $, el, getJSON, state, typeBadge } from "./core.js";
import { openEntity } from "./entity.js";

/* ---------------------------------------------------------------- search box */
export function setupSearch() {
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
