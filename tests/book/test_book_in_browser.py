"""The built book, opened in headless Chromium as a reader would open it.

Builds the HTML book (the same command as `python3 tasks.py book`, so the execution cache is
shared), serves it on localhost and checks every page of the table of contents: it loads with
no console errors (so nothing is fetched from the internet either), every image loads and has
alt text, formulas are typeset, saved widgets are rendered, and the search finds "forget gate".

Needs Debian's chromium and chromium-driver. Without them these tests skip, unless
TEXTGEN_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.notebook]  # builds the book and drives Chromium

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
HOW_TO_ENABLE = (
    "The browser tests need Chromium and ChromeDriver. On Debian or Ubuntu: "
    "sudo apt-get install chromium chromium-driver (then run the tests again)."
)


def toc_pages() -> list[str]:
    """Every page of _toc.yml, as a path inside the built HTML (book/embedding.html, ...)."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    names = re.findall(r"^\s*(?:root|-\s*file):\s*(\S+)\s*$", toc, flags=re.MULTILINE)
    return [f"{name}.html" for name in names]


def find_browser() -> tuple[str, str] | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


@pytest.fixture(scope="module")
def browser_paths():
    found = find_browser()
    if found is None:
        if os.environ.get("TEXTGEN_REQUIRE_BROWSER") == "1":
            pytest.fail("TEXTGEN_REQUIRE_BROWSER=1 but no browser was found. " + HOW_TO_ENABLE)
        pytest.skip(HOW_TO_ENABLE)
    return found


def wait_for_build(status: Path, log: str, timeout: float = 1800) -> None:
    """Wait until `python3 tasks.py test`'s background stream has built the book, then check it built."""
    deadline = time.monotonic() + timeout
    while not status.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"the book build behind did not finish in {timeout:.0f} s; its output: {log}")
        time.sleep(2)
    code = status.read_text(encoding="utf-8").strip()
    assert code == "0", f"the book build failed (exit code {code}); its output is in {log}"


@pytest.fixture(scope="module")
def built_book(browser_paths) -> Path:
    """Build the book with warnings as errors, exactly as the README's first command does.

    Under `python3 tasks.py test` the build runs in its background stream while the other tests
    run; TEXTGEN_BOOK_BUILD_STATUS names the file where it writes its exit code, and this waits for it.
    """
    status = os.environ.get("TEXTGEN_BOOK_BUILD_STATUS")
    if status:
        wait_for_build(Path(status), os.environ.get("TEXTGEN_BOOK_BUILD_LOG", "the test log"))
        return HTML
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, "the book build failed:\n" + result.stdout[-6000:] + result.stderr[-3000:]
    return HTML


@pytest.fixture(scope="module")
def server(built_book):
    """Serve the built HTML on a free localhost port."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def driver(browser_paths, tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = browser_paths
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1280,900",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(chromedriver), options=options)
    browser.set_page_load_timeout(60)
    yield browser
    browser.quit()


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
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for: {script}")


@pytest.mark.parametrize("page", toc_pages())
def test_every_page_loads_without_console_errors_and_with_working_images(driver, server, page):
    errors = open_page(driver, f"{server}/{page}")
    assert driver.execute_script("return document.querySelector('main h1') !== null"), f"{page} has no title"
    assert not errors, f"{page}: console errors:\n" + "\n".join(entry["message"] for entry in errors)
    images = driver.execute_script(
        "return Array.from(document.querySelectorAll('main img')).map(img => "
        "({src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0, alt: img.getAttribute('alt')}))"
    )
    broken = [image["src"] for image in images if not image["ok"]]
    assert not broken, f"{page}: images that did not load: {broken}"
    no_alt = [image["src"] for image in images if not (image["alt"] or "").strip()]
    assert not no_alt, f"{page}: images without alt text: {no_alt}"


@pytest.mark.parametrize("page", toc_pages())
def test_formulas_are_typeset_and_saved_widgets_are_rendered(driver, server, page):
    open_page(driver, f"{server}/{page}")
    html = driver.page_source
    if "\\(" in html or "\\[" in html or 'class="math' in html:
        wait_for(driver, "return document.querySelectorAll('mjx-container').length > 0")
    if "application/vnd.jupyter.widget-state+json" in html:
        views = driver.execute_script(
            "return document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]').length")
        # an explorer's output shows its live HTML view in the book (tests/book/test_web_explorers_in_browser.py)
        explorers = driver.execute_script("return document.querySelectorAll('.textgen-explorer').length")
        assert views > 0 or explorers > 0, f"{page} saved widget state but displays no widget"
        if views:
            rendered = wait_for(driver, "return document.querySelectorAll('.jupyter-widgets').length")
            assert rendered >= views, f"{page}: {views} widget views saved, {rendered} rendered"
        assert "Error rendering" not in driver.find_element("tag name", "main").text


def test_search_finds_forget_gate(driver, server):
    open_page(driver, f"{server}/search.html?q=forget+gate")
    count = wait_for(driver, "return document.querySelectorAll('#search-results li').length")
    assert count > 0
    links = driver.execute_script(
        "return Array.from(document.querySelectorAll('#search-results li a')).map(a => a.getAttribute('href'))")
    assert any("lstm_context" in link for link in links), links
