"""The built book, opened in headless Chromium as a reader would open it.

Builds the HTML book (the same command as `python3 tasks.py book`, so the execution cache is
shared), serves it on localhost and checks every page of the table of contents, each loaded once
(tests/book/page_visits.py): it loads with no console errors (so nothing is fetched from the
internet either), every image loads and has alt text, formulas are typeset, saved widgets are
rendered, and the search finds "forget gate".

Needs Debian's chromium and chromium-driver. Without them these tests skip, unless
TEXTGEN_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import pytest
from page_visits import open_page, toc_pages, visit, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.notebook]  # builds the book and drives Chromium


@pytest.mark.parametrize("page", toc_pages())
def test_every_page_loads_without_console_errors_and_with_working_images(driver, server, page):
    facts = visit(driver, server, page)
    errors = facts["errors"]
    assert facts["title"], f"{page} has no title"
    assert not errors, f"{page}: console errors:\n" + "\n".join(entry["message"] for entry in errors)
    broken = [image["src"] for image in facts["images"] if not image["ok"]]
    assert not broken, f"{page}: images that did not load: {broken}"
    no_alt = [image["src"] for image in facts["images"] if not (image["alt"] or "").strip()]
    assert not no_alt, f"{page}: images without alt text: {no_alt}"


@pytest.mark.parametrize("page", toc_pages())
def test_formulas_are_typeset_and_saved_widgets_are_rendered(driver, server, page):
    facts = visit(driver, server, page)
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
