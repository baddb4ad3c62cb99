"""Quality: validation perplexity and top-1 / top-5 accuracy of the shipped model and its baselines.

    .venv/bin/python bench/quality.py       # about a minute on a quiet 2-core machine

Every model is scored on the same targets: the validation windows exactly as training
makes them (textgen_course.training.corpus_windows: the last tenth of each tenth of the
text, never seen in training), 13 words in, the next word scored.
    model     the shipped two-LSTM model (tc.load_pretrained()); scored through its PyTorch
              twin for speed, and checked against the Keras model itself on a subset
    unigram   word frequencies of the training text, add-one smoothed (no context)
    ngram     an interpolated Kneser-Ney trigram model of the training text
    one_lstm  the one-LSTM ablation, read from textgen_course/experiments/one_lstm.json
              (and one_lstm_matched.json) when the ablation has been run
Writes validation_* keys and quality_notes to bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

import measure

EXPERIMENTS = measure.ROOT / "textgen_course" / "experiments"
ABLATIONS = {"one_lstm": "one_lstm.json", "one_lstm_matched": "one_lstm_matched.json"}
METRIC_NAMES = {
    "perplexity": ("validation_perplexity", "val_perplexity", "perplexity"),
    "accuracy": ("validation_accuracy", "val_accuracy", "accuracy"),
    "top5_accuracy": ("validation_top5_accuracy", "val_top5_accuracy", "top5_accuracy"),
}


def read_ablation(path: Path) -> dict:
    """The validation metrics recorded in an ablation file, or why there are none.

    Looks for the metric names an artifact manifest uses, at the top level or under
    "metrics", "one_lstm", "evaluation" or "result".
    """
    if not path.exists():
        return {"found": False, "file": str(path.relative_to(measure.ROOT)), "note": "missing (ablation not run yet)"}
    data = json.loads(path.read_text(encoding="utf-8"))
    places = [data] + [data[key] for key in ("metrics", "one_lstm", "evaluation", "result")
                       if isinstance(data.get(key), dict)]
    scores = {}
    for metric, names in METRIC_NAMES.items():
        for place in places:
            value = next((place[name] for name in names if isinstance(place.get(name), (int, float))), None)
            if value is not None:
                scores[metric] = float(value)
                break
    found = "perplexity" in scores
    note = "" if found else f"no perplexity under the expected names; top-level keys: {sorted(data)[:12]}"
    return {"found": found, "file": str(path.relative_to(measure.ROOT)), **scores, "note": note}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keras-check-windows", type=int, default=4096,
                        help="validation windows also scored by the Keras model itself (default 4096)")
    parser.add_argument("--keras", action="store_true", help="score every window with the Keras model (slower)")
    args = parser.parse_args()
    started, load_at_start = time.perf_counter(), measure.load_average()

    import textgen_course as tc
    from textgen_course.artifacts import pretrained_manifest
    from textgen_course.evaluation import KneserNeyTrigram, UnigramModel, evaluate
    from textgen_course.training import TrainingConfig, corpus_windows
    from textgen_course.windows import split_ids

    model, vocabulary = tc.load_pretrained()
    manifest = pretrained_manifest()
    training = TrainingConfig(**manifest["training"])
    text = tc.load_corpus()
    data = corpus_windows(text, vocabulary, model.config, training)
    train_pieces, _ = split_ids(vocabulary.encode(text), training.validation_fraction)
    x, y = data.validation_x, data.validation_y

    seconds, scores = {}, {}
    clock = time.perf_counter()
    scores["model"] = evaluate(model if args.keras else tc.torch_model_from_keras(model), x, y)
    seconds["model"] = time.perf_counter() - clock
    subset = np.random.default_rng(0).choice(len(y), size=min(args.keras_check_windows, len(y)), replace=False)
    keras_subset = evaluate(model, x[subset], y[subset])
    twin_subset = evaluate(tc.torch_model_from_keras(model), x[subset], y[subset])
    clock = time.perf_counter()
    scores["unigram"] = UnigramModel(np.concatenate(train_pieces), len(vocabulary)).evaluate(x, y)
    seconds["unigram"] = time.perf_counter() - clock
    clock = time.perf_counter()
    scores["ngram"] = KneserNeyTrigram(train_pieces, len(vocabulary)).evaluate(x, y)
    seconds["ngram"] = time.perf_counter() - clock
    ablations = {name: read_ablation(EXPERIMENTS / file) for name, file in ABLATIONS.items()}

    def metric(name: str) -> dict:
        row = {key: getattr(score, name) for key, score in scores.items()}
        for key, ablation in ablations.items():
            row[key] = ablation.get(name)  # None when the ablation has not been run
        return row

    baselines = [scores["unigram"].perplexity, scores["ngram"].perplexity]
    baselines += [a["perplexity"] for a in ablations.values() if a["found"]]
    recorded = manifest.get("metrics", {})
    values = {
        "validation_perplexity": metric("perplexity"),
        "validation_accuracy": metric("accuracy"),
        "validation_top5_accuracy": metric("top5_accuracy"),
        "validation_windows": int(len(y)),
        "quality_notes": {
            "model_beats_every_baseline": bool(all(scores["model"].perplexity < b for b in baselines)),
            "model_engine": "Keras model" if args.keras else "PyTorch twin of the shipped Keras model",
            "keras_vs_twin_on_subset": {"windows": int(len(subset)), "keras_perplexity": keras_subset.perplexity,
                                        "twin_perplexity": twin_subset.perplexity},
            "recorded_at_training": {"best_epoch": recorded.get("best_epoch"),
                                     "validation_perplexity": recorded.get("validation_perplexity"),
                                     "epochs_run": recorded.get("epochs_run")},
            "ablations": ablations,
            "seconds_to_score": {k: round(v, 1) for k, v in seconds.items()},
        },
    }
    measure.update_results("quality", values, started, load_at_start)

    print(f"Validation, {len(y):,} windows (the split training uses; load average {load_at_start})")
    notes = {"model": f"shipped, epoch {recorded.get('best_epoch')}", "unigram": "word frequencies only",
             "ngram": "Kneser-Ney trigram"}
    rows = [[name, score.perplexity, f"{score.accuracy:.1%}", f"{score.top5_accuracy:.1%}", notes[name]]
            for name, score in scores.items()]
    for name, ablation in ablations.items():
        rows.append([name, ablation.get("perplexity"), _percent(ablation.get("accuracy")),
                     _percent(ablation.get("top5_accuracy")), ablation["note"] or ablation["file"]])
    print(measure.format_table(["model", "perplexity", "top-1", "top-5", "note"], rows))
    print(f"Keras vs twin on {len(subset):,} windows: perplexity {keras_subset.perplexity:.4f} vs "
          f"{twin_subset.perplexity:.4f}; recorded at training: {recorded.get('validation_perplexity')}")
    beats = values["quality_notes"]["model_beats_every_baseline"]
    print(f"target: the shipped model beats every baseline on perplexity: {'met' if beats else 'NOT met'}")
    return 0


def _percent(value) -> str | None:
    return None if value is None else f"{value:.1%}"


if __name__ == "__main__":
    sys.exit(main())
