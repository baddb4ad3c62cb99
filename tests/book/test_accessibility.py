"""Accessibility of the built book: axe-core on every page, in the light and the dark theme.

axe-core (tests/book/web/axe.min.js, see tests/book/web/README.md) is injected through Selenium into each
page of the book served on localhost (the fixtures of tests/browser_session.py build and serve
it). A page passes with no critical and no serious violation. Each page is loaded once for the
read-only checks (tests/book/page_visits.py): axe runs every rule in the light theme, then, after
the page's theme switch turns it dark, the rules that depend on colour (THEME_RULES). Besides axe:

- every figure in a chapter has alt text that says what it shows (a sentence, not a file name);
- every control of an explorer has an accessible name, is reached with the Tab key, and
  responds to the keyboard alone (arrow keys move a slider, typing edits a text box, ...).

Rules excluded from axe: none. (If one ever has to be, list it in EXCLUDED_RULES with the reason.)
"""

from __future__ import annotations

import re

import pytest
from page_visits import (AXE, AXE_VERSION, THEME_RULES, open_in_light_theme, open_page, run_axe, switch_theme,
                         toc_pages, visit)

# the fixtures that build the book, serve it and drive the session's one Chromium: tests/browser_session.py

FAILING_IMPACTS = ("critical", "serious")
THEMES = ("light", "dark")
PAGES = toc_pages() + ["genindex.html", "search.html"]

# the controls of the explorers: what a reader can operate inside the outputs of the chapters' cells
# (sphinx-copybutton's copy buttons are not explorer controls; axe checks them with the page)
CONTROLS = ", ".join(f"{control}:not(.copybtn)" for control in (
    "input", "select", "textarea", "button", "[role=slider]", "[role=spinbutton]", "[role=combobox]",
    "[role=checkbox]", "[role=switch]", "[role=button]", "[role=tab]", "[role=radio]", "[contenteditable=true]"))


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html']}\n      {' '.join(node['summary'].split())}")
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("page", PAGES)
def test_no_serious_or_critical_axe_violations(driver, server, page, theme):
    violations = [v for v in visit(driver, server, page)["axe"][theme] if v["impact"] in FAILING_IMPACTS]
    assert not violations, f"{page}, {theme} theme: axe-core {AXE_VERSION} finds\n" + describe(violations)


@pytest.mark.browser
def test_axe_finds_a_planted_violation(driver, server):
    """The check above can fail: a text box without a label and grey-on-white text are found."""
    open_in_light_theme(driver, f"{server}/{toc_pages()[0]}")
    driver.execute_script(
        "const planted = document.createElement('div'); planted.id = 'planted';"
        "planted.innerHTML = '<input type=\"text\"><p style=\"color:#bbb;background:#fff\">faint words</p>';"
        "document.querySelector('main article').appendChild(planted);")
    found = {v["id"] for v in run_axe(driver, "'#planted'") if v["impact"] in FAILING_IMPACTS}
    assert {"label", "color-contrast"} <= found, found


@pytest.mark.browser
def test_the_dark_theme_check_finds_text_that_only_the_dark_theme_hides(driver, server):
    """The dark run (THEME_RULES only) can fail: near-black text that passes in light fails in dark."""
    open_in_light_theme(driver, f"{server}/{toc_pages()[0]}")
    driver.execute_script(
        "const planted = document.createElement('p'); planted.id = 'planted';"
        "planted.style.color = '#222'; planted.textContent = 'words set for a white page';"
        "document.querySelector('main article').appendChild(planted);")
    assert not [v for v in run_axe(driver, "'#planted'", only=THEME_RULES) if v["impact"] in FAILING_IMPACTS]
    switch_theme(driver, "dark")
    try:
        found = {v["id"] for v in run_axe(driver, "'#planted'", only=THEME_RULES) if v["impact"] in FAILING_IMPACTS}
    finally:
        switch_theme(driver, "light")
    assert "color-contrast" in found, found


def alt_problem(alt: str | None) -> str | None:
    """Why an image's alt text does not say what the image shows (None when it does)."""
    text = (alt or "").strip()
    if not text:
        return "no alt text"
    if re.search(r"\.(png|jpe?g|svg|gif)\b|[/\\]|^(image|figure|plot|output|png)\b", text, flags=re.IGNORECASE):
        return f"alt text is a file name or a placeholder: {text!r}"
    if len(text.split()) < 4:
        return f"alt text too short to say what the image shows: {text!r}"
    return None


def test_alt_text_check_rejects_empty_and_placeholder_text():
    assert alt_problem(None) and alt_problem("  ") and alt_problem("../_images/plot_1.png")
    assert alt_problem("png") and alt_problem("A plot")
    assert alt_problem("Bar chart of the number of real tokens per training window.") is None


@pytest.mark.browser
@pytest.mark.parametrize("page", toc_pages())
def test_every_figure_has_alt_text_that_says_what_it_shows(driver, server, page):
    images = visit(driver, server, page)["figures"]
    problems = [f"{image['src']}: {alt_problem(image['alt'])}" for image in images if alt_problem(image["alt"])]
    assert not problems, f"{page}:\n" + "\n".join(problems)


# What each kind of control must do when operated from the keyboard: the key to press, and the
# state that must change (a JavaScript expression on `el`).
KEYBOARD_USE = {
    "slider": ("ARROW_RIGHT", "el.tagName === 'INPUT' ? el.value : el.getAttribute('aria-valuenow')"),
    "number": ("ARROW_UP", "el.tagName === 'INPUT' ? el.value : el.getAttribute('aria-valuenow')"),
    "select": ("ARROW_DOWN", "el.tagName === 'SELECT' ? el.selectedIndex : el.getAttribute('aria-activedescendant')"),
    "text": ("x", "el.value"),
    "toggle": ("SPACE", "el.checked ?? el.getAttribute('aria-checked') ?? el.getAttribute('aria-pressed')"),
}
BACK = {"ARROW_RIGHT": "ARROW_LEFT", "ARROW_UP": "ARROW_DOWN", "ARROW_DOWN": "ARROW_UP"}

CONTROL_FACTS = """
const el = arguments[0];
const role = el.getAttribute('role');
const type = (el.getAttribute('type') || '').toLowerCase();
let kind = 'button';
if (role === 'slider' || type === 'range') kind = 'slider';
else if (el.tagName === 'SELECT' || role === 'combobox') kind = 'select';
else if (type === 'number' || role === 'spinbutton') kind = 'number';
else if (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && ['', 'text', 'search'].includes(type))) kind = 'text';
else if (['checkbox', 'radio'].includes(type) || ['checkbox', 'switch', 'radio'].includes(role)) kind = 'toggle';
axe.setup(document);
const name = axe.commons.text.accessibleText(el).trim();
axe.teardown();
const box = el.getBoundingClientRect();
return {kind, name, disabled: !!el.disabled || !!el.closest('[disabled], [aria-disabled=true]'),
        visible: box.width > 0 && box.height > 0, html: el.outerHTML.slice(0, 160)};
"""


def press(driver, key: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).send_keys(getattr(Keys, key) if key.isupper() else key).perform()


def tab_through(driver, container, limit: int = 200) -> list:
    """The elements the Tab key visits from the start of container until focus leaves it."""
    driver.execute_script("arguments[0].setAttribute('tabindex', '-1'); arguments[0].focus();", container)
    visited = []
    for _ in range(limit):
        press(driver, "TAB")
        element = driver.execute_script("const el = document.activeElement;"
                                        "return el && arguments[0].contains(el) ? el : null", container)
        if element is None:
            break
        visited.append(element)
    driver.execute_script("arguments[0].removeAttribute('tabindex')", container)
    return visited


@pytest.mark.browser
@pytest.mark.parametrize("page", toc_pages())
def test_explorer_controls_have_names_and_work_from_the_keyboard(driver, server, page):
    open_page(driver, f"{server}/{page}")
    outputs = driver.execute_script(
        f"return Array.from(document.querySelectorAll('main article .cell_output'))"
        f".filter(out => out.querySelector({CONTROLS!r}))")
    if not outputs:
        return
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    problems = []
    for output in outputs:
        controls = driver.execute_script(f"return Array.from(arguments[0].querySelectorAll({CONTROLS!r}))", output)
        facts = [driver.execute_script(CONTROL_FACTS, control) for control in controls]
        reachable = tab_through(driver, output)
        # menus last: a strategy menu turns the boxes of the other strategies off once it changes
        pairs = sorted(zip(controls, facts), key=lambda pair: pair[1]["kind"] == "select")
        for control, fact in pairs:
            if not fact["visible"] or fact["disabled"]:
                continue
            if not fact["name"]:
                problems.append(f"no accessible name: {fact['html']}")
            if control not in reachable:
                problems.append(f"not reached with the Tab key: {fact['name'] or fact['html']}")
                continue
            if fact["kind"] not in KEYBOARD_USE:
                continue  # a button: Enter and Space press it
            key, state = KEYBOARD_USE[fact["kind"]]
            read = f"const el = arguments[0]; return String({state});"
            before = driver.execute_script(read, control)
            driver.execute_script("arguments[0].focus()", control)
            press(driver, key)
            if driver.execute_script(read, control) == before and key in BACK:
                press(driver, BACK[key])  # the control was at the end of its range
            if driver.execute_script(read, control) == before and fact["kind"] == "number":
                press(driver, "5")  # a number box with step="any" has no arrow steps: type into it
            if driver.execute_script(read, control) == before:
                problems.append(f"{fact['kind']} {fact['name']!r} does not respond to {key}: {fact['html']}")
    assert not problems, f"{page}: explorer controls\n" + "\n".join(problems)
