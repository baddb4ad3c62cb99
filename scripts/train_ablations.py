"""The full-budget "why two LSTMs?" experiment: train the ablations, score everything, ship the numbers.

    .venv/bin/python scripts/train_ablations.py train one_lstm           # ~30-50 min each on 2 CPU cores
    .venv/bin/python scripts/train_ablations.py train one_lstm_matched
    .venv/bin/python scripts/train_ablations.py baselines                # a few seconds
    .venv/bin/python scripts/train_ablations.py breakdown                # ~10 min, needs both runs finished
    .venv/bin/python scripts/train_ablations.py seeds                    # a few minutes: seed-to-seed noise, small config

`train` uses exactly the recipe of the shipped model (the "training" and "model_config" of
textgen_course/pretrained/artifact.json) on the default corpus, changing only the
architecture, and trains into runs/ablation_<variant>/ (git-ignored). Every command writes
its result to textgen_course/experiments/<name>.json together with the command that made it;
book/why_two_lstms.ipynb reads those files. Weights are not shipped.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import shlex
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import textgen_course as tc  # noqa: E402  (selects the torch backend before Keras is imported)
from textgen_course import artifacts  # noqa: E402
from textgen_course.ablation import EXPERIMENTS, matched_units, parameter_count, with_units  # noqa: E402
from textgen_course.config import ModelConfig  # noqa: E402
from textgen_course.evaluation import (  # noqa: E402
    TOKEN_TYPES,
    breakdown,
    context_length_curve,
    fit_baselines,
    paired_difference,
    score_targets,
    token_type_groups,
)
from textgen_course.training import TrainingConfig, corpus_windows, train  # noqa: E402

RUNS = ROOT / "runs"
VARIANTS = ("one_lstm", "one_lstm_matched")
CONTEXT_LENGTHS = (1, 2, 3, 4, 6, 8, 10, 13)
FREQUENT_WORDS = 100  # "frequent words" in the token-type breakdown: the 100 most common non-punctuation words


def _command() -> str:
    return " ".join([".venv/bin/python", "scripts/train_ablations.py", *map(shlex.quote, sys.argv[1:])])


def _machine() -> str:
    import keras
    import torch

    return (f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
            f"keras {keras.__version__} ({keras.backend.backend()} backend), torch {torch.__version__}, "
            f"{torch.get_num_threads()} thread(s)")


def _write(name: str, result: dict) -> Path:
    path = EXPERIMENTS / f"{name}.json"
    EXPERIMENTS.mkdir(exist_ok=True)
    artifacts.write_json_atomically(path, result)
    print(f"wrote {path.relative_to(ROOT)}")
    return path


def shipped_recipe() -> tuple[ModelConfig, TrainingConfig, dict]:
    """The shipped model's sizes, training recipe and manifest."""
    manifest = artifacts.pretrained_manifest()
    return ModelConfig.from_dict(manifest["model_config"]), TrainingConfig(**manifest["training"]), manifest


def variant_config(variant: str, config: ModelConfig) -> ModelConfig:
    """one_lstm: one LSTM as wide as LSTM-2; one_lstm_matched: as many parameters as two LSTMs."""
    if variant == "one_lstm":
        return config
    if variant == "one_lstm_matched":
        return with_units(config, matched_units(config).units)
    raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}.")


def command_train(args) -> None:
    """Train one ablation with the shipped recipe, then record it."""
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    config, training, manifest = shipped_recipe()
    out = RUNS / f"ablation_{args.variant}"
    started = time.perf_counter()
    train(out, None, variant_config(args.variant, config), training, resume=args.resume, verbose=2,
          architecture="one_lstm")
    print(f"{args.variant}: trained in {time.perf_counter() - started:.0f} s")
    record(args.variant, _command(), torch.get_num_threads())


def record(variant: str, command: str, threads: int | None = None) -> Path:
    """Store a finished run's manifest (history and metrics, not the weights) as experiments/<variant>.json."""
    run = artifacts.read_manifest(RUNS / f"ablation_{variant}")
    _, training, shipped = shipped_recipe()
    if run["training"] != dataclasses.asdict(training) or run["corpus"]["sha256"] != shipped["corpus"]["sha256"]:
        raise ValueError(f"runs/ablation_{variant} was not trained with the shipped model's recipe and corpus.")
    config = ModelConfig.from_dict(run["model_config"])
    result = {
        "command": command,
        "date": date.today().isoformat(),
        "variant": variant,
        "architecture": run["architecture"],
        "units": config.lstm2_units,
        "parameters": parameter_count(run["architecture"], config),
        "model_config": run["model_config"],
        "training": run["training"],
        "corpus": run["corpus"],
        "machine": run["machine"] + (f", {threads} torch thread(s)" if threads else ""),
        "history": run["history"],
        "metrics": run["metrics"],
        "compared_with": {"artifact": "textgen_course/pretrained", "weights_sha256": shipped["files"]["weights"]["sha256"]},
    }
    return _write(variant, result)


def _validation_data():
    config, training, _ = shipped_recipe()
    model, vocabulary = tc.load_pretrained()
    text = tc.load_corpus()
    ids = vocabulary.encode(text)
    data = corpus_windows(text, vocabulary, config, training)
    return model, vocabulary, ids, data, training


def command_baselines(args) -> None:
    """Score the unigram and Kneser-Ney trigram models on the shipped model's validation windows."""
    _, vocabulary, ids, data, training = _validation_data()
    started = time.perf_counter()
    unigram, trigram = fit_baselines(ids, len(vocabulary), training.validation_fraction)
    fitted = time.perf_counter() - started
    result = {
        "command": _command(),
        "date": date.today().isoformat(),
        "validation_windows": int(len(data.validation_y)),
        "counted_on": "the training text only (the last tenth of each of ten stretches is held out)",
        "unigram": {**tc.evaluate(unigram, data.validation_x, data.validation_y).to_dict(),
                    "description": "word frequencies, add-one smoothed; the context is ignored"},
        "kneser_ney_trigram": {**tc.evaluate(trigram, data.validation_x, data.validation_y).to_dict(),
                               "description": "interpolated Kneser-Ney trigram, discount 0.75",
                               "discount": trigram.discount},
        "fit_seconds": round(fitted, 1),
        "machine": _machine(),
    }
    _write("baselines", result)


def command_breakdown(args) -> None:
    """Every model on the same windows: overall, by kind of next word, by words of context."""
    import numpy as np

    model, vocabulary, ids, data, training = _validation_data()
    unigram, trigram = fit_baselines(ids, len(vocabulary), training.validation_fraction)
    models = {"two_lstms": model, "kneser_ney_trigram": trigram, "unigram": unigram}
    for variant in VARIANTS:
        models[variant], _, _ = artifacts.load_artifact(RUNS / f"ablation_{variant}")
    if args.limit:  # a quick look while runs are still training; the shipped file scores every window
        data = dataclasses.replace(data, validation_x=data.validation_x[: args.limit],
                                   validation_y=data.validation_y[: args.limit])
    groups = token_type_groups(data.validation_y, vocabulary, FREQUENT_WORDS)
    rng = np.random.default_rng(args.seed)
    subset = np.sort(rng.choice(len(data.validation_y), size=min(args.windows, len(data.validation_y)), replace=False))
    result = {
        "command": _command(),
        "date": date.today().isoformat(),
        "validation_windows": int(len(data.validation_y)),
        "token_types": {"frequent_words": FREQUENT_WORDS, "order": list(TOKEN_TYPES),
                        "shares": {name: float(mask.mean()) for name, mask in groups.items()},
                        "frequent_word_examples": vocabulary.tokens(
                            [i for i in range(2, 40) if vocabulary.words[i].isalpha()][:15])},
        "context_lengths": {"lengths": list(CONTEXT_LENGTHS), "windows": int(len(subset)), "seed": args.seed},
        "shipped_weights_sha256": artifacts.pretrained_manifest()["files"]["weights"]["sha256"],
        "machine": _machine(),
        "models": {},
    }
    all_scores = {}
    for name, scored in models.items():
        started = time.perf_counter()
        scores = all_scores[name] = score_targets(scored, data.validation_x, data.validation_y)
        curve = context_length_curve(scored, data.validation_x[subset], data.validation_y[subset], CONTEXT_LENGTHS)
        result["models"][name] = {
            "overall": scores.evaluation().to_dict(),
            "clipped_loss": scores.clipped_loss(),  # what Keras's validation loss would say
            "by_token_type": {kind: value.to_dict() for kind, value in breakdown(scores, groups).items()},
            "by_context_length": {str(length): value.to_dict() for length, value in curve.items()},
        }
        print(f"{name}: {scores.evaluation()} ({time.perf_counter() - started:.0f} s)", flush=True)
    result["paired_differences"] = {  # > 0: two LSTMs have the lower loss
        f"two_lstms_vs_{rival}": dataclasses.asdict(paired_difference(all_scores["two_lstms"], all_scores[rival]))
        for rival in ("one_lstm", "one_lstm_matched", "kneser_ney_trigram")
    }
    _write("breakdown", result)


# The miniature race of book/why_two_lstms.ipynb, whose seed 0 the chapter runs live.
SEED_CONFIG = ModelConfig(vocab_size=1000, sequence_length=13, embedding_dim=32, lstm1_units=48, lstm2_units=32)
SEED_TRAINING = dict(epochs=2, batch_size=256, learning_rate=1e-2, final_learning_rate=1e-3)
SEED_CHARACTERS = 100_000  # the first 100,000 characters of the corpus (about 22,000 words)


def command_seeds(args) -> None:
    """Seed-to-seed noise: both architectures at a small config, several seeds each, same data."""
    import numpy as np

    text = tc.load_corpus()[:SEED_CHARACTERS]
    runs = {"two_lstms": [], "one_lstm": []}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "slice.txt"
        corpus.write_text(text, encoding="utf-8")
        for seed in range(args.seeds):
            for architecture in runs:
                training = TrainingConfig(**SEED_TRAINING, seed=seed)
                result = train(Path(folder) / f"{architecture}-{seed}", corpus, SEED_CONFIG, training, verbose=0,
                               architecture=architecture)
                metrics = result.manifest["metrics"]
                runs[architecture].append({"seed": seed, "validation_perplexity": metrics["validation_perplexity"],
                                           "validation_top5_accuracy": metrics["validation_top5_accuracy"],
                                           "best_epoch": metrics["best_epoch"]})
                print(f"seed {seed} {architecture}: validation perplexity {metrics['validation_perplexity']:.2f}",
                      flush=True)
        corpus_info = result.manifest["corpus"]

    def spread(values) -> dict:
        values = np.asarray(values, dtype=np.float64)
        return {"mean": float(values.mean()), "std": float(values.std(ddof=1)), "min": float(values.min()),
                "max": float(values.max())}

    two = [r["validation_perplexity"] for r in runs["two_lstms"]]
    one = [r["validation_perplexity"] for r in runs["one_lstm"]]
    result = {
        "command": _command(),
        "date": date.today().isoformat(),
        "model_config": SEED_CONFIG.to_dict(),
        "parameters": {a: parameter_count(a, SEED_CONFIG) for a in runs},
        "training": SEED_TRAINING,
        "corpus": {"characters": SEED_CHARACTERS, "tokens": corpus_info["tokens"], "windows": corpus_info["windows"],
                   "train_windows": corpus_info["train_windows"], "validation_windows": corpus_info["validation_windows"]},
        "runs": runs,
        "validation_perplexity": {"two_lstms": spread(two), "one_lstm": spread(one),
                                  "gap_one_minus_two": spread(np.subtract(one, two))},
        "seconds": round(time.perf_counter() - started),
        "machine": _machine(),
    }
    _write("seed_variation", result)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    train_parser = commands.add_parser("train", help="train one ablation with the shipped recipe and record it")
    train_parser.add_argument("variant", choices=VARIANTS)
    train_parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    train_parser.add_argument("--resume", action="store_true", help="continue an interrupted run")
    train_parser.set_defaults(run=command_train)
    record_parser = commands.add_parser("record", help="(re)write experiments/<variant>.json from a finished run")
    record_parser.add_argument("variant", choices=VARIANTS)
    record_parser.add_argument("--command", help="the command that trained it (default: the train command)")
    record_parser.set_defaults(run=lambda a: record(a.variant, a.command or
                                                    f".venv/bin/python scripts/train_ablations.py train {a.variant}"))
    commands.add_parser("baselines", help="score the n-gram baselines").set_defaults(run=command_baselines)
    breakdown_parser = commands.add_parser("breakdown", help="every model by kind of next word and by context length")
    breakdown_parser.add_argument("--windows", type=int, default=20_000, help="validation windows for the context curve")
    breakdown_parser.add_argument("--seed", type=int, default=0)
    breakdown_parser.add_argument("--limit", type=int, default=0, help="score only the first N validation windows")
    breakdown_parser.set_defaults(run=command_breakdown)
    seeds_parser = commands.add_parser("seeds", help="seed-to-seed noise at a small config")
    seeds_parser.add_argument("--seeds", type=int, default=5)
    seeds_parser.add_argument("--threads", type=int, default=0)
    seeds_parser.set_defaults(run=command_seeds)
    args = parser.parse_args()
    if getattr(args, "threads", 0):
        import torch

        torch.set_num_threads(args.threads)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
