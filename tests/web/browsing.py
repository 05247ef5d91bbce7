"""Helpers for the browser tests: Debian's Chromium under Playwright, pages at a given size and
colour scheme, screenshots (to the test's tmp dir and .test-output/screenshots/), and
measurements made in the page (overflow, text contrast)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / ".test-output" / "screenshots"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def launch(p: Any) -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium (scripts/setup-browser.sh)")
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def open_page(browser: Browser, url: str, *, size: str = "desktop", scheme: str = "light", locale: str = "en-US",
              downloads: bool = False) -> Page:
    w, h = SIZES[size]
    ctx = browser.new_context(viewport={"width": w, "height": h}, color_scheme=scheme, locale=locale, base_url=url,
                              accept_downloads=downloads, is_mobile=size == "phone", has_touch=size == "phone")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}") if "127.0.0.1" not in r.url else None)
    page.on("request", lambda r: errors.append(f"left the machine: {r.url}")
            if not r.url.startswith((url, "data:", "blob:")) else None)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def shot(page: Page, tmp_path: Path, name: str, *, full_page: bool = False) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)
    assert path.stat().st_size > 10_000
    return path


# Elements wider than the viewport that are not inside a scrolling box (a wide table in its
# card is fine; the page itself must not scroll sideways, nor cut them off).
OVERFLOW_JS = """(w) => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (!r.width || (r.right <= w + 0.5 && r.left >= -0.5)) continue;
    let p = e.parentElement, scrolled = false;
    while (p && p !== document.body) {
      const cs = getComputedStyle(p);
      if (/(auto|scroll)/.test(cs.overflowX)) { scrolled = true; break; }
      // a hidden copy drawn under a scrolling field (the SPARQL editor's highlighting) scrolls with it
      if (p.getAttribute('aria-hidden') === 'true' && /(hidden|clip)/.test(cs.overflowX)) { scrolled = true; break; }
      // an SVG drawing clips what lies outside it; only the drawing's own box counts
      if (p.tagName.toLowerCase() === 'svg') { const b = p.getBoundingClientRect(); if (b.right <= w + 0.5) { scrolled = true; break; } }
      p = p.parentElement;
    }
    if (!scrolled) out.push(`${e.tagName.toLowerCase()}.${String(e.className.baseVal ?? e.className)} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return out.slice(0, 10);
}"""

# WCAG contrast ratio of each visible element's text colour against the first opaque
# background behind it (ancestors' background colours, the page's at the end).
CONTRAST_JS = """(selectors) => {
  const rgb = (s) => { const m = s.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const v = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 }; };
  const lum = (c) => { const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const bgOf = (e) => { for (let n = e; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor); if (c && c.a > 0.5) return c; } return rgb(getComputedStyle(document.documentElement).backgroundColor) || { r: 255, g: 255, b: 255, a: 1 }; };
  const out = [];
  for (const sel of selectors) {
    for (const e of document.querySelectorAll(sel)) {
      const r = e.getBoundingClientRect();
      if (!r.width || !r.height || !e.textContent.trim()) continue;
      const cs = getComputedStyle(e);
      const fg = rgb(e instanceof SVGElement ? cs.fill : cs.color);
      if (!fg) continue;
      const bg = bgOf(e instanceof SVGElement ? e.closest('svg') : e);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      out.push({ sel, text: e.textContent.trim().slice(0, 30), ratio: (a + 0.05) / (b + 0.05) });
      break;
    }
  }
  return out;
}"""

BACKGROUND_LUMINANCE_JS = """() => {
  const m = getComputedStyle(document.body).backgroundColor.match(/\\d+(\\.\\d+)?/g).map(Number);
  const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]);
}"""
