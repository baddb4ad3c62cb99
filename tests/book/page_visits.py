"""One load of each page of the built book serves every check that only reads it.

The read-only browser checks (tests/book/test_book_in_browser.py: console errors, images, formulas,
widgets; tests/book/test_layout.py: blocks that would scroll sideways; tests/book/test_accessibility.py:
axe-core in both colour themes, alt text) each read what they need from `visit(driver, server, page)`.
It loads the page once per pytest session, in the light theme, at the session browser's
window size (tests/chromium.py, the width test_layout's column is measured at), waits until its
scripts, formulas and widgets have settled, and reads:

- the console errors and the page's facts (title, images, widgets, typeset formulas);
- the code and output blocks and how far each overflows the column;
- the figures and the text that names them;
- axe-core's violations in the light theme (every rule), then, after the page's own theme switch
  turns it dark, the violations of the rules that depend on colour (THEME_RULES): the rest of axe's
  rules read the page's structure and names, which the theme does not change.

Checks that change the page (the keyboard test, the explorers' tests) load it themselves.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import chromium

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "web" / "axe.min.js"
AXE_VERSION = "4.14.1"
EXCLUDED_RULES: dict[str, str] = {}  # rule id -> why it is excluded (none today)
THEME_RULES = ("color-contrast", "link-in-text-block")  # axe's rules whose verdict depends on colours


def toc_pages() -> list[str]:
    """Every page of _toc.yml, as a path inside the built HTML (book/embedding.html, ...)."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    names = re.findall(r"^\s*(?:root|-\s*file):\s*(\S+)\s*$", toc, flags=re.MULTILINE)
    return [f"{name}.html" for name in names]


def wait_for(driver, script: str, timeout: float = 20.0):
    """Poll a JavaScript expression until it is truthy; return its value (fail on timeout)."""
    return chromium.wait_for(driver, script, timeout, interval=0.2)


def open_page(driver, url: str) -> list[dict]:
    """Load url, wait until it and its scripts have settled; return the console errors."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    wait_for(driver, "return document.readyState === 'complete'")
    # saved widgets render after the load event and then fetch their fonts: wait for them, so
    # that their errors are caught however fast or slow the machine is
    wait_for(driver, "return document.querySelectorAll("
                     "'script[type=\"application/vnd.jupyter.widget-view+json\"]').length "
                     "<= document.querySelectorAll('.jupyter-widgets').length")
    time.sleep(1.0)  # MathJax typesetting and font loads
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def theme(driver) -> str:
    return driver.execute_script("return document.documentElement.dataset.theme")


def open_in_light_theme(driver, url: str) -> list[dict]:
    """open_page, in the light theme (the theme's switch keeps the choice in localStorage)."""
    errors = open_page(driver, url)
    if theme(driver) != "light":
        driver.execute_script("localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light')")
        errors = open_page(driver, url)
    assert theme(driver) == "light"
    return errors


def switch_theme(driver, wanted: str) -> None:
    """Press the page's own theme switch (light -> dark -> auto -> ...) until the page shows `wanted`."""
    for _ in range(3):
        if theme(driver) == wanted:
            break
        driver.execute_script("document.querySelector('.theme-switch-button').click()")
    assert theme(driver) == wanted, f"the theme switch never showed the {wanted} theme"
    time.sleep(0.3)  # the theme's transitions


def run_axe(driver, context: str = "document", only: tuple[str, ...] = ()) -> list[dict]:
    """Inject axe-core (once per page) and return its violations (of the rules `only`, if given)."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    assert driver.execute_script("return axe.version") == AXE_VERSION
    driver.set_script_timeout(180)
    options = {"resultTypes": ["violations"], "rules": {rule: {"enabled": False} for rule in EXCLUDED_RULES}}
    if only:
        options["runOnly"] = {"type": "rule", "values": [rule for rule in only if rule not in EXCLUDED_RULES]}
    return driver.execute_async_script(
        f"const done = arguments[arguments.length - 1];"
        f"axe.run({context}, {json.dumps(options)})"
        ".then(result => done(result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, "
        "nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160), "
        "summary: n.failureSummary}))}))))"
        ".catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), nodes: []}]));")


PAGE_FACTS = """
const images = Array.from(document.querySelectorAll('main img')).map(img =>
  ({src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0, alt: img.getAttribute('alt')}));
return {title: document.querySelector('main h1') !== null, images,
        views: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
        explorers: document.querySelectorAll('.textgen-explorer').length,
        errorRendering: document.querySelector('main').innerText.includes('Error rendering')};
"""

# the figures of the article and the text that names them (alt of an <img>, aria-label of an SVG figure)
FIGURES_JS = """
return Array.from(document.querySelectorAll('main article img, main article svg[role=img]')).map(img =>
  ({src: img.getAttribute('src') || img.outerHTML.slice(0, 80),
    alt: img.tagName === 'IMG' ? img.getAttribute('alt') : img.getAttribute('aria-label')}));
"""

# Every code and output block of the article, and how far it overflows the column.
BLOCKS_JS = """
const article = document.querySelector('main article');
const right = article.getBoundingClientRect().right - parseFloat(getComputedStyle(article).paddingRight);
const blocks = [], seen = new Set();
const add = (kind, el) => { if (!seen.has(el)) { seen.add(el); blocks.push([kind, el]); } };
for (const pre of article.querySelectorAll('div.highlight > pre')) {
  add(pre.closest('.cell_output') ? 'output' : pre.closest('.cell_input') ? 'code cell' : 'listing', pre);
}
for (const out of article.querySelectorAll('.cell_output > *')) {
  if (!out.querySelector('div.highlight > pre')) add('output', out);
}
for (const table of article.querySelectorAll('table')) { if (!table.closest('.cell_output')) add('table', table); }
const shown = el => { const box = el.getBoundingClientRect(); return box.width > 0 && box.height > 0; };
return blocks.filter(([kind, el]) => shown(el)).map(([kind, el]) => {
  let scroll = el.scrollWidth - el.clientWidth, spill = el.getBoundingClientRect().right - right;
  for (const inner of el.querySelectorAll('*')) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(inner).overflowX)) {
      scroll = Math.max(scroll, inner.scrollWidth - inner.clientWidth);
    }
    const box = inner.getBoundingClientRect();
    if (box.width > 0 && !inner.closest('a.headerlink')) spill = Math.max(spill, box.right - right);
  }
  const lines = (el.textContent || '').split('\\n');  // textContent: also inside a closed dropdown
  const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
  const first = lines.find(line => line.trim()) || '';
  return {kind, overflow: Math.round(Math.max(scroll, spill)), longest: longest.trim().slice(0, 100),
          first: first.trim().slice(0, 100)};
});
"""

_visits: dict[str, dict] = {}


def visit(driver, server: str, page: str) -> dict:
    """What the read-only checks read of a page, from ONE load of it per session (see the module docstring).

    Keys: errors, title, images, views, explorers, errorRendering, math, typeset, widget_state,
    rendered, window_width, blocks, figures, axe (theme -> violations).
    """
    url = f"{server}/{page}"
    if url in _visits:
        return _visits[url]
    errors = open_in_light_theme(driver, url)
    html = driver.page_source
    facts = driver.execute_script(PAGE_FACTS)
    facts.update(errors=errors, math="\\(" in html or "\\[" in html or 'class="math' in html,
                 widget_state="application/vnd.jupyter.widget-state+json" in html, typeset=0, rendered=0)
    if facts["math"]:
        facts["typeset"] = wait_for(driver, "return document.querySelectorAll('mjx-container').length > 0")
    if facts["widget_state"] and facts["views"]:
        facts["rendered"] = wait_for(driver, "return document.querySelectorAll('.jupyter-widgets').length")
        facts["errorRendering"] = "Error rendering" in driver.find_element("tag name", "main").text
    article = driver.execute_script("return document.querySelector('main article') !== null")
    facts["window_width"] = driver.execute_script("return window.innerWidth")
    facts["blocks"] = driver.execute_script(BLOCKS_JS) if article else []
    facts["figures"] = driver.execute_script(FIGURES_JS)
    facts["axe"] = {"light": run_axe(driver)}
    switch_theme(driver, "dark")
    facts["axe"]["dark"] = run_axe(driver, only=THEME_RULES)
    switch_theme(driver, "light")  # the next page opens light, as the reader's first visit does
    _visits[url] = facts
    return facts
