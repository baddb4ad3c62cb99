"""The built book, opened in headless Chromium as a reader would open it.

Builds the HTML book (the same command as `python3 tasks.py book`, so the execution cache is
shared), serves it on localhost and checks every page of the table of contents: it loads with
no console errors (so nothing is fetched from the internet either), every image loads and has
alt text, formulas are typeset, saved widgets are rendered, and the search finds "forget gate".

Needs Debian's chromium and chromium-driver. Without them these tests skip, unless
TEXTGEN_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import chromium
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.notebook]  # builds the book and drives Chromium

ROOT = Path(__file__).resolve().parents[2]


def toc_pages() -> list[str]:
    """Every page of _toc.yml, as a path inside the built HTML (book/embedding.html, ...)."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    names = re.findall(r"^\s*(?:root|-\s*file):\s*(\S+)\s*$", toc, flags=re.MULTILINE)
    return [f"{name}.html" for name in names]


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


def wait_for(driver, script: str, timeout: float = 20.0):
    """Poll a JavaScript expression until it is truthy; return its value (fail on timeout)."""
    return chromium.wait_for(driver, script, timeout, interval=0.2)


PAGE_FACTS = """
const images = Array.from(document.querySelectorAll('main img')).map(img =>
  ({src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0, alt: img.getAttribute('alt')}));
return {title: document.querySelector('main h1') !== null, images,
        views: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
        explorers: document.querySelectorAll('.textgen-explorer').length,
        errorRendering: document.querySelector('main').innerText.includes('Error rendering')};
"""
_facts: dict[str, dict] = {}


def page_facts(driver, server, page: str) -> dict:
    """What the two tests below read of a page, from ONE load of it per session (they only read).

    The load waits for typesetting and for every saved widget to render (a timeout fails the test).
    """
    url = f"{server}/{page}"
    if url not in _facts:
        errors = open_page(driver, url)
        html = driver.page_source
        facts = driver.execute_script(PAGE_FACTS)
        facts.update(errors=errors, math="\\(" in html or "\\[" in html or 'class="math' in html,
                     widget_state="application/vnd.jupyter.widget-state+json" in html, typeset=0, rendered=0)
        if facts["math"]:
            facts["typeset"] = wait_for(driver, "return document.querySelectorAll('mjx-container').length > 0")
        if facts["widget_state"] and facts["views"]:
            facts["rendered"] = wait_for(driver, "return document.querySelectorAll('.jupyter-widgets').length")
            facts["errorRendering"] = "Error rendering" in driver.find_element("tag name", "main").text
        _facts[url] = facts
    return _facts[url]


@pytest.mark.parametrize("page", toc_pages())
def test_every_page_loads_without_console_errors_and_with_working_images(driver, server, page):
    facts = page_facts(driver, server, page)
    errors = facts["errors"]
    assert facts["title"], f"{page} has no title"
    assert not errors, f"{page}: console errors:\n" + "\n".join(entry["message"] for entry in errors)
    broken = [image["src"] for image in facts["images"] if not image["ok"]]
    assert not broken, f"{page}: images that did not load: {broken}"
    no_alt = [image["src"] for image in facts["images"] if not (image["alt"] or "").strip()]
    assert not no_alt, f"{page}: images without alt text: {no_alt}"


@pytest.mark.parametrize("page", toc_pages())
def test_formulas_are_typeset_and_saved_widgets_are_rendered(driver, server, page):
    facts = page_facts(driver, server, page)
    if facts["math"]:
        assert facts["typeset"]
    if facts["widget_state"]:
        views = facts["views"]
        # an explorer's output shows its live HTML view in the book (tests/book/test_web_explorers_in_browser.py)
        assert views > 0 or facts["explorers"] > 0, f"{page} saved widget state but displays no widget"
        if views:
            assert facts["rendered"] >= views, f"{page}: {views} widget views saved, {facts['rendered']} rendered"
        assert not facts["errorRendering"]


def test_search_finds_forget_gate(driver, server):
    open_page(driver, f"{server}/search.html?q=forget+gate")
    count = wait_for(driver, "return document.querySelectorAll('#search-results li').length")
    assert count > 0
    links = driver.execute_script(
        "return Array.from(document.querySelectorAll('#search-results li a')).map(a => a.getAttribute('href'))")
    assert any("lstm_context" in link for link in links), links
