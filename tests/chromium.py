"""Headless Chromium for the browser tests and bench/browser_speed.py: its options, waiting, serving a folder.

Written once here (issue 22): tests/browser_session.py makes the one Chromium of a pytest session
with it, and bench/browser_speed.py its own. Needs Debian's chromium and chromium-driver, and
selenium (requirements-dev.txt).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
import time

HOW_TO_ENABLE = (
    "The browser tests need Chromium and ChromeDriver. On Debian or Ubuntu: "
    "sudo apt-get install chromium chromium-driver (then run the tests again)."
)
ARGUMENTS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # nothing is fetched from the internet behind the tests' back
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
WINDOW = (1300, 900)  # the width tests/book/test_layout.py measures the column at


def find_browser() -> tuple[str, str] | None:
    """(chromium, chromedriver) paths, or None when either is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


def chromium_options(chromium: str, user_data_dir=None, *extra: str):
    """The options every headless Chromium of the course starts with; the browser's console is logged."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (*ARGUMENTS, f"--window-size={WINDOW[0]},{WINDOW[1]}", *extra):
        options.add_argument(argument)
    if user_data_dir is not None:
        options.add_argument(f"--user-data-dir={user_data_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


def start_chromium(paths: tuple[str, str] | None = None, user_data_dir=None, timeout: float = 120.0):
    """A headless Chromium driven by Selenium, with page-load and script timeouts of `timeout` seconds."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = paths or find_browser() or (None, None)
    if chromium is None:
        raise RuntimeError(HOW_TO_ENABLE)
    browser = webdriver.Chrome(service=Service(chromedriver), options=chromium_options(chromium, user_data_dir))
    browser.set_page_load_timeout(timeout)
    browser.set_script_timeout(timeout)
    return browser


def wait_for(driver, script: str, timeout: float = 60.0, interval: float = 0.1):
    """Poll a JavaScript expression until it is truthy; return its value (TimeoutError, naming it, if never)."""
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for: {script}")
        time.sleep(interval)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the output readable
        pass


@contextlib.contextmanager
def serve(folder):
    """Serve a folder on a free localhost port; yields its base URL (http://127.0.0.1:PORT)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def console_errors(driver) -> list[str]:
    """The console's SEVERE messages since the last call (reading the log empties it)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
