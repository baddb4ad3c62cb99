"""The model in the reader's browser: greedy words per second and the time to the first prediction.

    .venv/bin/python bench/browser_speed.py                     # the built book in _build/html
    .venv/bin/python bench/browser_speed.py --book /tmp/x/_build/html --quick

Headless Chromium opens the built book over a localhost server (build it first:
`python3 tasks.py book`). Two figures, written to bench/results.json:
    browser_generate_words_per_s   greedy words per second, batch 1, through the page's engine
                                   (textgen_engine.mjs, as the welcome panel runs it, without
                                   its top-5 table); the median of 3 runs of 200 words
    browser_first_prediction_ms    on the softmax chapter: from the weights being decoded in the
                                   page to the first next-word distribution drawn by its explorer;
                                   the median of 3 page loads
Targets (issue 14): at least 1,000 words per second, and the first prediction within 300 ms.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

import measure

TARGETS = {"browser_generate_words_per_s": 1000, "browser_first_prediction_ms": 300}
SEED_TEXT = "to be or not to be"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    browser.set_script_timeout(300)
    return browser


def wait_for(browser, script: str, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = browser.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(script)


GENERATE = """
const [seedText, words, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
textgenLoadModel().then((model) => {
  const start = performance.now();
  const steps = [...TextgenEngine.generateSteps(model, seedText, {numWords: words, candidates: 0})];
  done({seconds: (performance.now() - start) / 1000, words: steps.length});
});
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, default=measure.ROOT / "_build" / "html", help="the built HTML book")
    measure.add_common_arguments(parser)
    args = parser.parse_args(argv)
    if not (args.book / "textgen-web" / "textgen-model.js").exists():
        print(f"no built book with the web model in {args.book}: run python3 tasks.py book first", file=sys.stderr)
        return 2
    words, repeats = (20, 1) if args.quick else (200, 3)
    clock = measure.RunClock()
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(args.book))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    browser = chromium()
    try:
        first_ms, load_ms = [], []
        for _ in range(repeats):
            browser.get(f"{base}/book/softmax_head.html")
            wait_for(browser, "return textgenTimings.firstPrediction")
            timings = browser.execute_script("return textgenTimings")
            first_ms.append(timings["firstPrediction"] - timings["loaded"])
            load_ms.append(timings["loaded"] - timings["start"])
        rates = []
        browser.execute_async_script(GENERATE, SEED_TEXT, 5)  # warm up (the JIT, the projection cache)
        for _ in range(repeats):
            run = browser.execute_async_script(GENERATE, SEED_TEXT, words)
            rates.append(run["words"] / run["seconds"])
        version = browser.capabilities.get("browserVersion")
        clock.note_descendants()  # Chromium's CPU is the benchmark's, not other load
    finally:
        browser.quit()
        httpd.shutdown()
    values = {
        "browser_generate_words_per_s": statistics.median(rates),
        "browser_first_prediction_ms": statistics.median(first_ms),
        "browser_speed_details": {
            "chromium": version,
            "words_per_run": words,
            "runs_words_per_s": rates,
            "runs_first_prediction_ms": first_ms,
            "model_script_load_and_decode_ms": statistics.median(load_ms),
            "targets": TARGETS,
        },
    }
    data = measure.update_results(
        "browser_speed",
        values,
        clock,
        measure.results_path(args),
        measure.script_command(__file__, argv or sys.argv[1:]),
        quick=args.quick,
    )
    print(
        f"greedy words per second in the page: {values['browser_generate_words_per_s']:,.0f} "
        f"(target {TARGETS['browser_generate_words_per_s']:,})"
    )
    print(
        f"first prediction after the weights are loaded: {values['browser_first_prediction_ms']:.0f} ms "
        f"(target {TARGETS['browser_first_prediction_ms']}); loading + decoding the model: "
        f"{values['browser_speed_details']['model_script_load_and_decode_ms']:.0f} ms"
    )
    print(f"{measure.conditions_text(data['runs']['browser_speed'])}; written to {measure.results_path(args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
