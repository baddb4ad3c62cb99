"""Quality: validation perplexity and top-1 / top-5 accuracy of the shipped model and its baselines.

    .venv/bin/python bench/quality.py           # about a minute on a quiet 2-core machine
    .venv/bin/python bench/quality.py --quick   # 2,000 windows, to check the script works (seconds)

Every model is scored on the same targets: the validation windows exactly as training
makes them (textgen_course.training.shipped_windows: the last tenth of each tenth of the
text, never seen in training), 13 words in, the next word scored.
    model     the shipped two-LSTM model (tc.load_pretrained()); scored through its PyTorch
              twin for speed, and checked against the Keras model itself on a subset
    unigram   word frequencies of the training text, add-one smoothed (no context)
    ngram     an interpolated Kneser-Ney trigram model of the training text
    one_lstm_matched_gain4
              the parameter-matched one-LSTM ablation trained with the shipped recipe
    one_lstm, one_lstm_matched
              the one-LSTM ablations of the first recipe (Keras's default start)
    model_first_recipe
              the two-LSTM model of the first recipe (shipped until the second)
              The ablations (authoring/train_ablations.py) come as the library reports
              them: textgen_course.analysis.why_two_lstms.full_budget_results(), scored by the same
              evaluation code on the same windows (retraining them takes hours, so this
              script reads them rather than measures them)
The three models this script scores itself are also compared with the library's table: the
differences must be rounding only. Writes validation_* keys and quality_notes to bench/results.json.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

import measure
from textgen_course.ablation import RIVALS  # the one registry of the trained rivals of the races

ABLATIONS = tuple(name for name, variant in RIVALS.items() if variant.architecture == "one_lstm")  # every rival
FROM_LIBRARY = (*ABLATIONS, "model_first_recipe")
LIBRARY_TABLE = "textgen_course.analysis.why_two_lstms.full_budget_results()"  # where the ablations' scores come from
LIBRARY_KEYS = {"model": "two_lstms", "unigram": "unigram", "ngram": "kneser_ney_trigram",
                **{name: name for name in ABLATIONS},
                "model_first_recipe": "two_lstms_first_recipe"}  # ours -> the library's


def library_scores() -> dict[str, dict]:
    """{our key: {"perplexity", "accuracy", "top5_accuracy"}} from the library's full_budget_results()."""
    from textgen_course.analysis.why_two_lstms import full_budget_results

    table = full_budget_results()
    return {ours: {"perplexity": table[theirs].perplexity, "accuracy": table[theirs].accuracy,
                   "top5_accuracy": table[theirs].top5_accuracy} for ours, theirs in LIBRARY_KEYS.items()}


def largest_difference(measured: dict[str, dict], library: dict[str, dict]) -> dict[str, float]:
    """The largest relative difference, metric by metric, between this script's scores and the library's."""
    return {metric: max(abs(measured[key][metric] / library[key][metric] - 1) for key in measured)
            for metric in ("perplexity", "accuracy", "top5_accuracy")}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keras-check-windows", type=int, default=4096,
                        help="validation windows also scored by the Keras model itself (default 4096)")
    parser.add_argument("--keras", action="store_true", help="score every window with the Keras model (slower)")
    parser.add_argument("--windows", type=int, help="score only the first N validation windows (default: all)")
    measure.add_common_arguments(parser)
    args = parser.parse_args(argv)
    if args.quick:
        args.windows, args.keras_check_windows = 2000, 256
    clock = measure.RunClock()

    import textgen_course as tc
    from textgen_course.artifacts import pretrained_manifest
    from textgen_course.baselines import fit_baselines
    from textgen_course.evaluation import evaluate
    from textgen_course.training import TrainingConfig, shipped_windows

    model, vocabulary = tc.load_pretrained()
    manifest = pretrained_manifest()
    training = TrainingConfig(**manifest["training"])
    text = tc.load_corpus()
    data = shipped_windows(text, vocabulary)
    unigram, trigram = fit_baselines(vocabulary.encode(text), len(vocabulary), training.validation_fraction)
    x, y = data.validation_x[: args.windows], data.validation_y[: args.windows]
    all_windows = args.windows is None or args.windows >= len(data.validation_y)

    seconds, scores = {}, {}
    clock_start = time.perf_counter()
    scores["model"] = evaluate(model if args.keras else tc.torch_model_from_keras(model), x, y)
    seconds["model"] = time.perf_counter() - clock_start
    subset = np.random.default_rng(0).choice(len(y), size=min(args.keras_check_windows, len(y)), replace=False)
    keras_subset = evaluate(model, x[subset], y[subset])
    twin_subset = evaluate(tc.torch_model_from_keras(model), x[subset], y[subset])
    clock_start = time.perf_counter()
    scores["unigram"] = unigram.evaluate(x, y)
    seconds["unigram"] = time.perf_counter() - clock_start
    clock_start = time.perf_counter()
    scores["ngram"] = trigram.evaluate(x, y)
    seconds["ngram"] = time.perf_counter() - clock_start

    library = library_scores()
    measured = {key: {"perplexity": s.perplexity, "accuracy": s.accuracy, "top5_accuracy": s.top5_accuracy}
                for key, s in scores.items()}
    rows = {**measured, **{key: library[key] for key in FROM_LIBRARY}}

    def metric(name: str) -> dict:
        return {key: row[name] for key, row in rows.items()}

    perplexity = metric("perplexity")
    recorded = manifest.get("metrics", {})
    values = {
        "validation_perplexity": perplexity,
        "validation_accuracy": metric("accuracy"),
        "validation_top5_accuracy": metric("top5_accuracy"),
        "validation_windows": int(len(y)),
        "quality_notes": {
            "model_beats_count_baselines": bool(perplexity["model"] < min(perplexity["unigram"], perplexity["ngram"])),
            # the ablations are scored on every window: compare only when this run scored every window too
            "model_beats_one_lstm_ablations": bool(perplexity["model"] < min(perplexity[k] for k in ABLATIONS))
            if all_windows else None,
            # the fair comparison: the rival trained with the same (shipped) recipe
            "model_beats_same_recipe_ablation": bool(perplexity["model"] < perplexity["one_lstm_matched_gain4"])
            if all_windows else None,
            "model_engine": "Keras model" if args.keras else "PyTorch twin of the shipped Keras model",
            "keras_vs_twin_on_subset": {"windows": int(len(subset)), "keras_perplexity": keras_subset.perplexity,
                                        "twin_perplexity": twin_subset.perplexity},
            "measured_here": sorted(measured),
            "from_library": {key: LIBRARY_TABLE for key in FROM_LIBRARY},
            "all_validation_windows": all_windows,
            "largest_relative_difference_from_library": largest_difference(measured, library) if all_windows else None,
            "recorded_at_training": {"best_epoch": recorded.get("best_epoch"),
                                     "validation_perplexity": recorded.get("validation_perplexity"),
                                     "epochs_run": recorded.get("epochs_run")},
            "seconds_to_score": {k: round(v, 1) for k, v in seconds.items()},
        },
    }
    data = measure.update_results("quality", values, clock, measure.results_path(args),
                                  measure.script_command(__file__, argv), quick=args.quick)

    print(f"Validation, {len(y):,} windows (the split training uses; "
          f"{measure.conditions_text(data['runs']['quality'])})")
    notes = {"model": f"shipped, epoch {recorded.get('best_epoch')}", "unigram": "word frequencies only",
             "ngram": "Kneser-Ney trigram", "one_lstm_matched_gain4": "ablation, shipped recipe (library)",
             "one_lstm": "ablation, first recipe (library)", "one_lstm_matched": "ablation, first recipe (library)",
             "model_first_recipe": "two LSTMs, first recipe (library)"}
    table = [[name, row["perplexity"], f"{row['accuracy']:.1%}", f"{row['top5_accuracy']:.1%}", notes[name]]
             for name, row in rows.items()]
    print(measure.format_table(["model", "perplexity", "top-1", "top-5", "note"], table))
    print(f"Keras vs twin on {len(subset):,} windows: perplexity {keras_subset.perplexity:.4f} vs "
          f"{twin_subset.perplexity:.4f}; the training log (Keras clips probabilities at 1e-7): "
          f"{math.exp(recorded.get('keras_validation_loss', recorded['validation_loss'])):.1f}")
    difference = values["quality_notes"]["largest_relative_difference_from_library"]
    if difference is not None:
        print(f"largest relative difference from {LIBRARY_TABLE}: "
              + ", ".join(f"{name} {value:.1e}" for name, value in difference.items()))
    notes = values["quality_notes"]
    verdict = {True: "beaten", False: "NOT beaten", None: "not compared (not every window scored)"}
    met = notes["model_beats_count_baselines"] and notes["model_beats_one_lstm_ablations"]
    print(f"target: the shipped model beats every baseline on perplexity: {'met' if met else 'NOT met'} "
          f"(count baselines: {verdict[notes['model_beats_count_baselines']]}; "
          f"one-LSTM ablations: {verdict[notes['model_beats_one_lstm_ablations']]}; the one trained with the "
          f"same recipe: {verdict[notes['model_beats_same_recipe_ablation']]})")
    print(f"written to {measure.results_path(args)}" + (" (--quick: the figures mean nothing)" if args.quick else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
