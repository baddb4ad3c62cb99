"""The model in the reader's browser: greedy words per second, the first prediction, fine-tuning speed.

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
    browser_fine_tune_steps_per_s  the "train it yourself" explorer's steps per second (batch 64:
                                   forward, p - onehot, Adam on the dense layer), the median of 3
                                   runs of 20 steps (textgen_engine.mjs headStep)
    browser_fine_tune_first_pass_s from a 2,000-word text (the first 2,000 words of the plays) to the
                                   end of the first pass over it: reading it, LSTM-2's summaries
                                   of its windows (computed once), then one pass of steps, as the
                                   explorer runs them; the median of 3 runs
Targets (issue 14): at least 1,000 words per second, and the first prediction within 300 ms;
(issue 24) one pass over 2,000 words in under 2 s. Chromium: tests/chromium.py, as in the tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import measure

sys.path.insert(0, str(measure.ROOT / "tests"))
import chromium  # noqa: E402  (tests/chromium.py: the options and waiting the browser tests use)

TARGETS = {"browser_generate_words_per_s": 1000, "browser_first_prediction_ms": 300,
           "browser_fine_tune_first_pass_s": 2.0}
SEED_TEXT = "to be or not to be"


GENERATE = """
const [seedText, words, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
textgenLoadModel().then((model) => {
  const start = performance.now();
  const steps = [...TextgenEngine.generateSteps(model, seedText, {numWords: words, candidates: 0})];
  done({seconds: (performance.now() - start) / 1000, words: steps.length});
});
"""


FINE_TUNE_STEPS = """
const [steps, done] = [arguments[0], arguments[arguments.length - 1]];
textgenLoadModel().then((model) => {
  const E = TextgenEngine, windows = 64 * steps, units = model.lstm_2.units;
  const summaries = new Float32Array(windows * units), targets = [];
  const random = E.mulberry32(0);
  for (let i = 0; i < summaries.length; i++) summaries[i] = 2 * random() - 1;
  for (let i = 0; i < windows; i++) targets.push(2 + Math.floor(random() * (model.config.vocab_size - 2)));
  const trainer = E.headTrainer(model, {learningRate: 0.003});
  const start = performance.now();
  for (let s = 0; s < steps; s++) E.headStep(trainer, summaries, targets, 64 * s, 64);
  done({seconds: (performance.now() - start) / 1000, steps});
});
"""
FIRST_PASS = """
const [text, done] = [arguments[0], arguments[arguments.length - 1]];
textgenLoadModel().then((model) => {
  // the explorer's work up to the end of the first pass (textgen_explorers.js fineTuneRun)
  const E = TextgenEngine, start = performance.now();
  const reading = E.readTrainingText(model, text);
  const split = E.splitWindows(reading.ids, model.config.sequence_length);
  const summarize = (windows) => {
    const steps = E.summarizeWindows(model, windows);
    let next = steps.next();
    while (!next.done) next = steps.next();
    return next.value;
  };
  const summaries = summarize(split.train.windows);
  const heldOut = {summaries: summarize(split.heldOut.windows), targets: split.heldOut.targets};
  const summarized = performance.now();
  const trainer = E.headTrainer(model, {learningRate: 0.003});
  E.headLoss(trainer, summaries, split.train.targets);
  for (const event of E.trainHead(trainer, summaries, split.train.targets, 1, heldOut)) {
    if (event.passLoss !== undefined) break;
  }
  const end = performance.now();
  done({seconds: (end - start) / 1000, summarySeconds: (summarized - start) / 1000, tokens: reading.ids.length,
        windows: split.train.windows.length, steps: trainer.step});
});
"""


def first_words(count: int) -> str:
    """The first `count` words of the plays, as the corpus gives them."""
    import textgen_course as tc

    return " ".join(tc.load_corpus()[:50_000].split()[:count])


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
    text = first_words(2000)
    with chromium.serve(args.book) as base:
        browser = chromium.start_chromium(timeout=300)
        try:
            first_ms, load_ms = [], []
            for _ in range(repeats):
                browser.get(f"{base}/book/softmax_head.html")
                chromium.wait_for(browser, "return textgenTimings.firstPrediction", 120, interval=0.05)
                timings = browser.execute_script("return textgenTimings")
                first_ms.append(timings["firstPrediction"] - timings["loaded"])
                load_ms.append(timings["loaded"] - timings["start"])
            rates = []
            browser.execute_async_script(GENERATE, SEED_TEXT, 5)  # warm up (the JIT, the projection cache)
            for _ in range(repeats):
                run = browser.execute_async_script(GENERATE, SEED_TEXT, words)
                rates.append(run["words"] / run["seconds"])
            browser.execute_async_script(FINE_TUNE_STEPS, 2)  # warm up
            step_rates = []
            for _ in range(repeats):
                run = browser.execute_async_script(FINE_TUNE_STEPS, 5 if args.quick else 20)
                step_rates.append(run["steps"] / run["seconds"])
            passes = [browser.execute_async_script(FIRST_PASS, text) for _ in range(repeats)]
            version = browser.capabilities.get("browserVersion")
            clock.note_descendants()  # Chromium's CPU is the benchmark's, not other load
        finally:
            browser.quit()
    values = {
        "browser_generate_words_per_s": statistics.median(rates),
        "browser_first_prediction_ms": statistics.median(first_ms),
        "browser_fine_tune_steps_per_s": statistics.median(step_rates),
        "browser_fine_tune_first_pass_s": statistics.median(run["seconds"] for run in passes),
        "browser_speed_details": {
            "chromium": version,
            "words_per_run": words,
            "runs_words_per_s": rates,
            "runs_first_prediction_ms": first_ms,
            "model_script_load_and_decode_ms": statistics.median(load_ms),
            "runs_fine_tune_steps_per_s": step_rates,
            "runs_fine_tune_first_pass": passes,  # seconds, of which summarySeconds for the summaries
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
    print(
        f"fine-tuning in the page: {values['browser_fine_tune_steps_per_s']:.1f} steps per second (batch 64); "
        f"the first pass over a 2,000-word text ({passes[0]['tokens']:,} tokens, {passes[0]['steps']} steps): "
        f"{values['browser_fine_tune_first_pass_s']:.2f} s (target {TARGETS['browser_fine_tune_first_pass_s']} s)"
    )
    print(f"{measure.conditions_text(data['runs']['browser_speed'])}; written to {measure.results_path(args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
