"""The full-budget "why two LSTMs?" experiment: train the rivals, score everything, ship the numbers.

    .venv/bin/python scripts/train_ablations.py train one_lstm_matched_gain4   # a full training run each
    .venv/bin/python scripts/train_ablations.py train two_lstms_first_recipe   # the first race (below)
    .venv/bin/python scripts/train_ablations.py train one_lstm
    .venv/bin/python scripts/train_ablations.py train one_lstm_matched
    .venv/bin/python scripts/train_ablations.py baselines      # the count-based models
    .venv/bin/python scripts/train_ablations.py breakdown      # needs the first race's runs
    .venv/bin/python scripts/train_ablations.py second-race    # after the shipped model and one_lstm_matched_gain4
    .venv/bin/python scripts/train_ablations.py second-race-context  # the same two models by words of context
    .venv/bin/python scripts/train_ablations.py start          # the first 600 steps, usual start vs gain 4
    .venv/bin/python scripts/train_ablations.py seeds          # random-seed noise at the miniature config

(The same as `python -m authoring.train_ablations ...`; each command records how long it took.)

There were two races (book/why_two_lstms.ipynb; the first is kept in book/first_race.ipynb). The
first used the first recipe, Keras's default start for every layer (TrainingConfig() as it
stands); the second uses the shipped recipe (the "training" of
textgen_course/pretrained/artifact.json), which differs only in summary_input_gain=4. Every run
uses the shipped model's sizes on the default corpus, changing only the architecture (and
LSTM-2's width for the parameter-matched rival), and trains into runs/ablation_<variant>/
(git-ignored). Every command writes its result to textgen_course/experiments/<name>.json
together with the command that made it; the book reads those files. Weights are not shipped.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import platform
import shlex
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import keras
import numpy as np
import torch

import textgen_course as tc  # selects the torch backend before Keras is imported
from textgen_course import artifacts
from textgen_course.ablation import (
    EXPERIMENTS,
    FIRST_RACE,
    RIVALS,
    SECOND_RACE,
    SEED_STUDY,
    VARIANTS,
    load_experiment,
    parameter_count,
    shipped_recipe,
    variant_recipe,
)
from textgen_course.analysis.why_two_lstms import (
    TOKEN_TYPES,
    breakdown,
    context_length_curve,
    keep_last_words,
    losses_path,
    pack_scores,
    paired_difference,
    token_type_groups,
)
from textgen_course.baselines import fit_baselines
from textgen_course.config import MINIATURE_CHARACTERS, MINIATURE_CONFIG, ModelConfig
from textgen_course.evaluation import estimate_perplexity, score_targets, strided_sample
from textgen_course.training import (
    MINIATURE_TRAINING,
    TrainingConfig,
    corpus_windows,
    epoch_order,
    model_for_training,
    shipped_windows,
    train,
)
from textgen_course.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parents[1]  # the repository: runs/ is git-ignored there

# Where the runs train: runs/ (git-ignored), or TEXTGEN_RUNS, e.g. a folder outside the work tree that outlives it
RUNS = Path(os.environ.get("TEXTGEN_RUNS") or ROOT / "runs")
FIRST_RACE_RIVALS = tuple(key for key in FIRST_RACE[1:] if key in RIVALS)  # scored by `breakdown` with its leader
SHIPPED, RIVAL, TRIGRAM, UNIGRAM = SECOND_RACE  # the second race's members, as ablation.SECOND_RACE lists them
CONTEXT_LENGTHS = (1, 2, 3, 4, 6, 8, 10, 13)
FAR_WORDS = (4, 13)  # "the far words": what reading all 13 words adds to reading the last 4
FREQUENT_WORDS = 100  # "frequent words" in the token-type breakdown: the 100 most common non-punctuation words


def _command() -> str:
    return " ".join([".venv/bin/python", "scripts/train_ablations.py", *map(shlex.quote, sys.argv[1:])])


def _machine() -> str:
    return (f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
            f"keras {keras.__version__} ({keras.backend.backend()} backend), torch {torch.__version__}, "
            f"{torch.get_num_threads()} thread(s)")


def _write(name: str, result: dict) -> Path:
    path = EXPERIMENTS / f"{name}.json"
    EXPERIMENTS.mkdir(exist_ok=True)
    artifacts.write_json_atomically(path, result)
    print(f"wrote {path.relative_to(ROOT)}")
    return path


def command_train(args) -> None:
    """Train one rival with its race's recipe, then record it."""
    if args.threads:
        torch.set_num_threads(args.threads)
    architecture, config, training = variant_recipe(args.variant)
    started = time.perf_counter()
    train(RUNS / f"ablation_{args.variant}", None, config, training, resume=args.resume, verbose=2,
          architecture=architecture)
    print(f"{args.variant}: trained in {time.perf_counter() - started:.0f} s")
    record(args.variant, _command(), torch.get_num_threads())


def record(variant: str, command: str, threads: int | None = None) -> Path:
    """Store a finished run's manifest (history and metrics, not the weights) as experiments/<variant>.json."""
    run = artifacts.read_manifest(RUNS / f"ablation_{variant}")
    architecture, config, training = variant_recipe(variant)
    _, _, shipped = shipped_recipe()
    if (TrainingConfig(**run["training"]) != training or ModelConfig.from_dict(run["model_config"]) != config
            or run.get("architecture", "two_lstms") != architecture
            or run["corpus"]["sha256"] != shipped["corpus"]["sha256"]):
        raise ValueError(f"runs/ablation_{variant} was not trained with the sizes, recipe and corpus of {variant}.")
    result = {
        "command": command,
        "date": date.today().isoformat(),
        "variant": variant,
        "architecture": architecture,
        "units": config.lstm_2_units,
        "parameters": parameter_count(architecture, config),
        "model_config": config.to_dict(),  # the run's, checked above (in today's field names)
        "training": dataclasses.asdict(TrainingConfig(**run["training"])),
        "recipe": VARIANTS[variant][2],
        "corpus": run["corpus"],
        "machine": run["machine"] + (f", {threads} torch thread(s)" if threads else ""),
        "history": run["history"],
        "metrics": run["metrics"],
        "weights_sha256": run["files"]["weights"]["sha256"],  # the weights stay in runs/, not shipped
    }
    return _write(variant, result)


def command_subset_errors(args) -> None:
    """Standard errors for the first race's subset figures (textgen_course/analysis/first_race.py)."""
    from textgen_course.analysis.first_race import subset_errors

    _write("subset_errors", {"command": _command(), "date": date.today().isoformat(), **subset_errors()})


def command_seed_scores(args) -> None:
    """Score finished runs of the seed study on every validation window and keep each window's loss.

    Writes experiments/<run>.losses.npz (float16 losses, uint8 ranks: a few hundred kB) and adds
    its checksum and the whole-set scores to experiments/<run>.json, so that every statistic of
    the seed study (textgen_course/analysis/why_two_lstms.py) is recomputed without the weights.
    "two_lstms_seed0" is the shipped model: its record is written from the shipped manifest.
    """
    if args.threads:
        torch.set_num_threads(args.threads)
    _, vocabulary, _, data, _ = _validation_data()
    for run in args.runs:
        if run == "two_lstms_seed0":
            model, manifest = tc.load_pretrained()[0], artifacts.pretrained_manifest()
            if not (EXPERIMENTS / f"{run}.json").exists():
                _write(run, _seed_record_of_shipped(manifest))
        elif run in SEED_STUDY:
            model, _, manifest = artifacts.load_artifact(RUNS / f"ablation_{run}")
            if not (EXPERIMENTS / f"{run}.json").exists():
                record(run, "(recorded by seed-scores after training)")
        else:
            raise SystemExit(f"seed-scores: {run!r} is not a run of the seed study; the runs are "
                             f"{['two_lstms_seed0', *SEED_STUDY]}.")
        result = load_experiment(run)
        if result["weights_sha256"] != manifest["files"]["weights"]["sha256"]:
            raise SystemExit(f"seed-scores: the weights of {run} are not the ones its record names.")
        started = time.perf_counter()
        scores = score_targets(model, data.validation_x, data.validation_y)
        packed = pack_scores(scores)
        losses_path(run).write_bytes(packed)
        result["validation_scores"] = {
            "file": losses_path(run).name, "sha256": hashlib.sha256(packed).hexdigest(),
            **scores.evaluation().to_dict(), "seconds": round(time.perf_counter() - started, 1)}
        _write(run, result)
        print(f"{run}: {scores.evaluation()}", flush=True)


def _seed_record_of_shipped(manifest: dict) -> dict:
    """The shipped model as the seed study's "two_lstms_seed0" record (the same fields as record() writes)."""
    architecture, config, training = "two_lstms", *shipped_recipe()[:2]
    return {
        "command": "(the shipped model: textgen_course/pretrained/)",
        "date": date.today().isoformat(),
        "variant": "two_lstms_seed0",
        "architecture": architecture,
        "units": config.lstm_2_units,
        "parameters": parameter_count(architecture, config),
        "model_config": config.to_dict(),  # the shipped manifest's, in today's field names
        "training": dataclasses.asdict(training),
        "recipe": "shipped",
        "corpus": manifest["corpus"],
        "machine": manifest["machine"],
        "history": manifest["history"],
        "metrics": manifest["metrics"],
        "weights_sha256": manifest["files"]["weights"]["sha256"],
    }


def _validation_data():
    _, training, _ = shipped_recipe()
    model, vocabulary = tc.load_pretrained()
    text = tc.load_corpus()
    ids = vocabulary.encode(text)
    return model, vocabulary, ids, shipped_windows(text, vocabulary), training


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


def _scored(scores, groups: dict) -> dict:
    """A model's scores as the experiment files store them: overall, Keras-clipped loss, by kind of next word."""
    return {"overall": scores.evaluation().to_dict(),
            "clipped_loss": scores.clipped_loss(),  # what Keras's validation loss would say
            "by_token_type": {kind: value.to_dict() for kind, value in breakdown(scores, groups).items()}}


def command_breakdown(args) -> None:
    """Every model on the same windows: overall, by kind of next word, by words of context."""
    model, vocabulary, ids, data, training = _validation_data()
    unigram, trigram = fit_baselines(ids, len(vocabulary), training.validation_fraction)
    models = {}
    for variant in ("two_lstms_first_recipe", *FIRST_RACE_RIVALS):
        models[variant], _, _ = artifacts.load_artifact(RUNS / f"ablation_{variant}")
    models.update(kneser_ney_trigram=trigram, unigram=unigram)
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
        "two_lstms_first_recipe_weights_sha256":
            artifacts.read_manifest(RUNS / "ablation_two_lstms_first_recipe")["files"]["weights"]["sha256"],
        "machine": _machine(),
        "models": {},
    }
    all_scores = {}
    for name, scored in models.items():
        started = time.perf_counter()
        scores = all_scores[name] = score_targets(scored, data.validation_x, data.validation_y)
        curve = context_length_curve(scored, data.validation_x[subset], data.validation_y[subset], CONTEXT_LENGTHS)
        result["models"][name] = {
            **_scored(scores, groups),
            "by_context_length": {str(length): value.to_dict() for length, value in curve.items()},
        }
        print(f"{name}: {scores.evaluation()} ({time.perf_counter() - started:.0f} s)", flush=True)
    result["paired_differences"] = {  # > 0: two LSTMs have the lower loss
        f"two_lstms_first_recipe_vs_{rival}": dataclasses.asdict(
            paired_difference(all_scores["two_lstms_first_recipe"], all_scores[rival]))
        for rival in (*FIRST_RACE_RIVALS, TRIGRAM)
    }
    result["note"] = ("The first race (book/first_race.ipynb): every trained model here used Keras's default "
                      "start (summary_input_gain 1). two_lstms_first_recipe is the model shipped before the second "
                      "recipe (experiments/two_lstms_first_recipe.json).")
    _write("breakdown", result)


def command_second_race(args) -> None:
    """The second race on every validation window: overall, by kind of next word, and the paired gap."""
    model, vocabulary, _, data, _ = _validation_data()
    rival, _, rival_manifest = artifacts.load_artifact(RUNS / f"ablation_{RIVAL}")
    groups = token_type_groups(data.validation_y, vocabulary, FREQUENT_WORDS)
    scores, result_models = {}, {}
    for name, scored in ((SHIPPED, model), (RIVAL, rival)):
        started = time.perf_counter()
        scores[name] = score_targets(scored, data.validation_x, data.validation_y)
        result_models[name] = _scored(scores[name], groups)
        print(f"{name}: {scores[name].evaluation()} ({time.perf_counter() - started:.0f} s)", flush=True)
    result = {
        "command": _command(),
        "date": date.today().isoformat(),
        "validation_windows": int(len(data.validation_y)),
        "token_types": {"frequent_words": FREQUENT_WORDS, "order": list(TOKEN_TYPES),
                        "shares": {name: float(mask.mean()) for name, mask in groups.items()}},
        "shipped_weights_sha256": artifacts.pretrained_manifest()["files"]["weights"]["sha256"],
        "rival_weights_sha256": rival_manifest["files"]["weights"]["sha256"],
        "machine": _machine(),
        "models": result_models,
        # > 0: the two-LSTM model has the lower loss
        "paired_difference": dataclasses.asdict(paired_difference(scores[SHIPPED], scores[RIVAL])),
    }
    _write("second_race", result)


def mean_with_error(values) -> dict:
    """The mean of independent per-window values, with its standard error (std / sqrt(n))."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"mean_with_error: need a 1-D array of at least 2 values, got shape {values.shape}.")
    return {"mean": float(values.mean()), "standard_error": float(values.std(ddof=1) / np.sqrt(len(values))),
            "windows": int(len(values))}


def context_scores(models: dict, windows: np.ndarray, targets: np.ndarray, lengths=CONTEXT_LENGTHS,
                   far=FAR_WORDS) -> dict:
    """The context-length experiment on one sample of windows whose losses are independent.

    For each model and each length k, the scores when the model may read only the last k
    words (analysis.why_two_lstms.keep_last_words), with the perplexity's standard error. Then, paired on
    the same windows: how much lower the first model's loss is than each other model's at
    each k, and how much each model gains from the far words (loss with far[0] words minus
    loss with far[1]), with the difference of those gains between the first model and each
    other. Standard errors treat windows as independent, so use a strided sample with a step
    of at least sequence_length (evaluation.strided_sample), in which no two windows share a word.
    """
    if not set(far) <= set(lengths):
        raise ValueError(f"context_scores: far={far} must be among the lengths {tuple(lengths)}.")
    scores = {name: {int(k): score_targets(model, keep_last_words(windows, int(k)), targets) for k in lengths}
              for name, model in models.items()}
    short, long = far

    def far_gain(name):  # (n,) per window: loss reading `short` words - loss reading `long` words, in nats
        return scores[name][long].log_probability - scores[name][short].log_probability

    first, *others = scores
    result = {"lengths": [int(k) for k in lengths], "far_words": {"from": short, "to": long}, "models": {}}
    for name, by_length in scores.items():
        result["models"][name] = {
            "by_context_length": {str(k): {**value.evaluation().to_dict(),
                                           "standard_error": estimate_perplexity(value).standard_error}
                                  for k, value in by_length.items()},
            "far_word_gain": mean_with_error(far_gain(name)),  # nats per word; > 0: the far words help
        }
    result["paired"] = {  # > 0: the first model's loss is lower; windows independent, so blocks of 1
        f"{first}_vs_{other}": {
            "by_context_length": {str(k): dataclasses.asdict(paired_difference(scores[first][k], scores[other][k],
                                                                               block=1))
                                  for k in scores[first]},
            # > 0: the first model gains more from the far words than `other` does
            "far_word_gain_difference": mean_with_error(far_gain(first) - far_gain(other)),
        }
        for other in others
    }
    return result


def rerun_overall(model, rival, rival_manifest: dict, data) -> dict:
    """A retrained rival against the recorded one, on every validation window: its scores, its training
    history and the shipped model's paired gap over it (as second_race.json holds for the recorded run).

    Same recipe, same seed, but floating-point work done in a different order (the training code
    changed between the runs), so the two runs differ as runs of one recipe do."""
    race = load_experiment("second_race")
    shipped = score_targets(model, data.validation_x, data.validation_y)
    rerun = score_targets(rival, data.validation_x, data.validation_y)
    return {"this_run": rerun.evaluation().to_dict(),
            "second_race": race["models"][RIVAL]["overall"],
            "history": [{key: epoch[key] for key in ("epoch", "val_perplexity", "seconds")}
                        for epoch in rival_manifest["history"]],
            "best_epoch": rival_manifest["metrics"]["best_epoch"],
            # > 0: the shipped model has the lower loss; the recorded run's is second_race's paired_difference
            "paired_difference": dataclasses.asdict(paired_difference(shipped, rerun)),
            "recorded_paired_difference": race["paired_difference"]}


def command_second_race_context(args) -> None:
    """The second race by words of context: the shipped model, its same-recipe rival and the trigram,
    on one strided sample of validation windows (the long-range breakdown of the first race's
    `breakdown`, for the shipped model)."""
    model, vocabulary, ids, data, training = _validation_data()
    if args.every < 1:
        raise ValueError(f"--every must be a positive whole number, got {args.every}.")
    folder = Path(args.rival) if args.rival else RUNS / f"ablation_{RIVAL}"
    rival, _, rival_manifest = artifacts.load_artifact(folder)
    _, trigram = fit_baselines(ids, len(vocabulary), training.validation_fraction)
    sample_x, sample_y = strided_sample(data.validation_x, data.validation_y, len(data.validation_y) // args.every)
    if args.limit:  # a quick look; the shipped file uses the whole strided sample
        sample_x, sample_y = sample_x[: args.limit], sample_y[: args.limit]
    rival_sha = rival_manifest["files"]["weights"]["sha256"]
    recorded_sha = load_experiment("second_race")["rival_weights_sha256"]  # the rival the race scored
    started = time.perf_counter()
    scored = context_scores({SHIPPED: model, RIVAL: rival, TRIGRAM: trigram},
                            sample_x, sample_y)
    for name, value in scored["models"].items():
        print(f"{name}: " + "  ".join(f"{k}: {v['perplexity']:.1f}" for k, v in value["by_context_length"].items()),
              flush=True)
    result = {
        "command": _command(),
        "date": date.today().isoformat(),
        "validation_windows": int(len(data.validation_y)),
        "sample": {"every": args.every, "windows": int(len(sample_y)),
                   "how": "evaluation.strided_sample: every `every`-th validation window, from the first; "
                          "with a step of 13 or more no two windows share a word"},
        "shipped_weights_sha256": artifacts.pretrained_manifest()["files"]["weights"]["sha256"],
        "rival_weights_sha256": rival_sha,
        # False: runs/ holds a retrained rival whose weights differ from the recorded run's
        "rival_is_the_recorded_run": rival_sha == recorded_sha,
        "machine": _machine(),
        **scored,
        "seconds": round(time.perf_counter() - started),
    }
    if rival_sha != recorded_sha:  # a second run of the same recipe: score it as the second race did
        result["rival_overall"] = rerun_overall(model, rival, rival_manifest, data)
        print(f"the rival in {folder} is not the recorded run: perplexity on every window "
              f"{result['rival_overall']['this_run']['perplexity']:.2f}, recorded "
              f"{result['rival_overall']['second_race']['perplexity']:.2f}", flush=True)
    _write("second_race_context", result)


def command_start(args) -> None:
    """The two-LSTM model's first steps with Keras's usual start and with the shipped summary_input_gain.

    Exactly the first steps of train(): the same vocabulary, windows, initial weights, order of
    windows and optimizer; the validation perplexity is measured every `every` steps on the
    first `windows` validation windows.
    """
    config, shipped_training, _ = shipped_recipe()
    text = tc.load_corpus()
    vocabulary = Vocabulary.from_text(text, config.vocab_size)
    data = corpus_windows(text, vocabulary, config, shipped_training)
    check_x, check_y = data.validation_x[: args.windows], data.validation_y[: args.windows]
    batch = shipped_training.batch_size
    order = epoch_order(shipped_training, 0, len(data.train_y))
    curves = {}
    started = time.perf_counter()
    for gain in (1.0, args.gain or shipped_training.summary_input_gain):
        training = dataclasses.replace(shipped_training, summary_input_gain=gain)
        model = model_for_training("two_lstms", config, training, steps_per_epoch=-(-len(data.train_y) // batch))
        curve = [tc.evaluate(model, check_x, check_y).perplexity]
        for step in range(args.steps):
            rows = order[step * batch:(step + 1) * batch]
            model.train_on_batch(data.train_x[rows], data.train_y[rows])
            if (step + 1) % args.every == 0:
                curve.append(tc.evaluate(model, check_x, check_y).perplexity)
                print(f"gain {gain:g}, step {step + 1}: validation perplexity {curve[-1]:.1f}", flush=True)
        curves[f"{gain:g}"] = curve
    result = {
        "command": _command(),
        "date": date.today().isoformat(),
        "steps": list(range(0, args.steps + 1, args.every)),
        "batch_size": batch,
        "validation_windows": int(len(check_y)),
        "validation_perplexity_by_gain": curves,
        "unigram_perplexity": load_experiment("baselines")["unigram"]["perplexity"],
        "seconds": round(time.perf_counter() - started),
        "machine": _machine(),
    }
    _write("slow_start", result)


# The miniature race of book/why_two_lstms.ipynb (config.MINIATURE_CONFIG, training.MINIATURE_TRAINING),
# whose random seed 0 the chapter runs live. What experiments/seed_variation.json records of the recipe:
MINIATURE_TRAINING_KEYS = ("epochs", "batch_size", "learning_rate", "final_learning_rate")


def command_seeds(args) -> None:
    """Random-seed noise: both architectures at the miniature config, several random seeds each, same data."""
    text = tc.load_corpus()[:MINIATURE_CHARACTERS]
    runs = {"two_lstms": [], "one_lstm": []}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "slice.txt"
        corpus.write_text(text, encoding="utf-8")
        for seed in range(args.seeds):
            for architecture in runs:
                training = dataclasses.replace(MINIATURE_TRAINING, seed=seed)
                result = train(Path(folder) / f"{architecture}-{seed}", corpus, MINIATURE_CONFIG, training, verbose=0,
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
        "model_config": MINIATURE_CONFIG.to_dict(),
        "parameters": {a: parameter_count(a, MINIATURE_CONFIG) for a in runs},
        "training": {key: getattr(MINIATURE_TRAINING, key) for key in MINIATURE_TRAINING_KEYS},
        "corpus": {"characters": MINIATURE_CHARACTERS,
                   **{key: corpus_info[key] for key in ("tokens", "windows", "train_windows", "validation_windows")}},
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
    train_parser.add_argument("variant", choices=tuple(VARIANTS))
    train_parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    train_parser.add_argument("--resume", action="store_true", help="continue an interrupted run")
    train_parser.set_defaults(run=command_train)
    record_parser = commands.add_parser("record", help="(re)write experiments/<variant>.json from a finished run")
    record_parser.add_argument("variant", choices=tuple(VARIANTS))
    record_parser.add_argument("--command", help="the command that trained it (default: the train command)")
    record_parser.set_defaults(run=lambda a: record(a.variant, a.command or
                                                    f".venv/bin/python scripts/train_ablations.py train {a.variant}"))
    commands.add_parser("baselines", help="score the n-gram baselines").set_defaults(run=command_baselines)
    breakdown_parser = commands.add_parser("breakdown", help="every model by kind of next word and by context length")
    breakdown_parser.add_argument("--windows", type=int, default=20_000,
                                  help="validation windows for the context curve")
    breakdown_parser.add_argument("--seed", type=int, default=0)
    breakdown_parser.add_argument("--limit", type=int, default=0, help="score only the first N validation windows")
    breakdown_parser.set_defaults(run=command_breakdown)
    commands.add_parser("second-race", help="score the second race's two models on every validation window"
                        ).set_defaults(run=command_second_race)
    context_parser = commands.add_parser("second-race-context",
                                         help="the second race's models by words of context, on a strided sample")
    context_parser.add_argument("--every", type=int, default=13,
                                help="take every N-th validation window (13 or more: no two share a word)")
    context_parser.add_argument("--limit", type=int, default=0, help="score only the first N windows of the sample")
    context_parser.add_argument("--rival",
                                help=f"the rival's run folder (default: runs/ablation_{RIVAL})")
    context_parser.add_argument("--threads", type=int, default=0)
    context_parser.set_defaults(run=command_second_race_context)
    start_parser = commands.add_parser("start", help="the two-LSTM model's first steps, usual start vs gain")
    start_parser.add_argument("--steps", type=int, default=600)
    start_parser.add_argument("--every", type=int, default=50)
    start_parser.add_argument("--windows", type=int, default=5000, help="validation windows scored at each point")
    start_parser.add_argument("--gain", type=float, help="the gain to compare with 1 (default: the shipped recipe's)")
    start_parser.add_argument("--threads", type=int, default=0)
    start_parser.set_defaults(run=command_start)
    commands.add_parser("subset-errors", help="standard errors for the first race's subset figures"
                        ).set_defaults(run=command_subset_errors)
    scores_parser = commands.add_parser("seed-scores", help="score seed-study runs on every validation window "
                                        "and keep each window's loss in experiments/<run>.losses.npz")
    scores_parser.add_argument("runs", nargs="+", help="e.g. two_lstms_seed0 two_lstms_seed1 ...")
    scores_parser.add_argument("--threads", type=int, default=0)
    scores_parser.set_defaults(run=command_seed_scores)
    seeds_parser = commands.add_parser("seeds", help="random-seed noise at the miniature config")
    seeds_parser.add_argument("--seeds", type=int, default=5, help="how many random seeds per architecture")
    seeds_parser.add_argument("--threads", type=int, default=0)
    seeds_parser.set_defaults(run=command_seeds)
    args = parser.parse_args()
    if getattr(args, "threads", 0):
        torch.set_num_threads(args.threads)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
