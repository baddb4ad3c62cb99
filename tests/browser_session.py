"""The browser tests' shared fixtures: the built book, a server for it, and ONE Chromium for the session.

A pytest plugin (tests/conftest.py: pytest_plugins), so that its session fixtures are made once
for the whole session, whichever test file asks (a fixture imported into several test files would
be made once per file).

Every browser test of tests/book (the pages, the explorers, accessibility, layout, the keyboard)
drives the same headless Chromium (`driver`), started once per pytest session with the
options of tests/chromium.py. A test that needs JavaScript off asks for `javascript_off` (the same
browser, with script execution switched off through the DevTools protocol, then on again).

The book: TEXTGEN_BUILT_BOOK (a built _build/html folder) if set; else, under
`python3 tasks.py test`, the build of its background stream (TEXTGEN_BOOK_BUILD_STATUS); else
it is built here, as the README says.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import chromium
import pytest

ROOT = Path(__file__).resolve().parents[1]  # tests/ -> the repository
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def browser_paths():
    """(chromium, chromedriver); without them the test skips, or fails under TEXTGEN_REQUIRE_BROWSER=1 (CI)."""
    found = chromium.find_browser()
    if found is None:
        if os.environ.get("TEXTGEN_REQUIRE_BROWSER") == "1":
            pytest.fail("TEXTGEN_REQUIRE_BROWSER=1 but no browser was found. " + chromium.HOW_TO_ENABLE)
        pytest.skip(chromium.HOW_TO_ENABLE)
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


@pytest.fixture(scope="session")
def built_book(browser_paths) -> Path:
    """The built HTML book (see the module docstring): built with warnings as errors if need be."""
    given = os.environ.get("TEXTGEN_BUILT_BOOK")
    if given:
        return Path(given)
    status = os.environ.get("TEXTGEN_BOOK_BUILD_STATUS")
    if status:
        wait_for_build(Path(status), os.environ.get("TEXTGEN_BOOK_BUILD_LOG", "the test log"))
        return HTML
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, "the book build failed:\n" + result.stdout[-6000:] + result.stderr[-3000:]
    return HTML


@pytest.fixture(scope="session")
def html_folder(built_book) -> Path:
    return built_book


@pytest.fixture(scope="session")
def server(built_book):
    """The built HTML on a free localhost port."""
    with chromium.serve(built_book) as base:
        yield base


@pytest.fixture(scope="session")
def bases(server, built_book):
    """The book over http (the localhost server) and straight from disk (file://)."""
    return {"http": server, "file": built_book.resolve().as_uri()}


@pytest.fixture(scope="session")
def driver(browser_paths, tmp_path_factory):
    """The session's one headless Chromium."""
    browser = chromium.start_chromium(browser_paths, tmp_path_factory.mktemp("chromium"))
    yield browser
    browser.quit()


@pytest.fixture()
def javascript_off(driver):
    """The session's Chromium with JavaScript switched off until the test ends."""
    driver.get("about:blank")
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    yield driver
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    driver.get("about:blank")
