"""What book/why_two_lstms.ipynb measures on the races (book/first_race.ipynb reads the first race the same way).

The experiment itself (the rivals, their recipes, their training records) is ablation.py;
scoring one model is evaluation.py. Here, what the chapter computes from them, in its order:

    the races           full_budget_results (every model on the same validation windows, a
                        ResultsTable) and validation_curves (perplexity after each epoch)
    bigger than noise   paired_difference: the gap between two models scored on the same targets,
                        with the standard error the choice of validation text gives it
    grammar or content  token_type_groups and breakdown (scores by the kind of next word),
                        gap_by_token_type (each kind's share of the gap)
    dependencies        keep_last_words and context_length_curve (scores when a model may read
                        only the last k words)
    the seed question   seed_verdict (below)

The seed study. The second race (two LSTMs against one LSTM with as many parameters, both
trained with the shipped recipe) was first run with one random seed per model. The seed study
trains each model with seeds 0, 1 and 2 (ablation.SEEDS): the seed sets the starting weights
and the order of the training windows, and the two models of one seed see the windows in the
same order.

Every run's record (experiments/<run>.json, written by authoring/train_ablations.py) keeps its
loss on every validation window (experiments/<run>.losses.npz, float16), so everything here is
recomputed from the records, without the weights:

- each model's perplexity for each seed, their mean and spread;
- the gap for each seed (the one LSTM's loss minus the two LSTMs', nats per word), its mean and
  a 95% confidence interval over seeds (Student's t, because three seeds are few);
- for each seed, the paired gap on the same windows with its standard error, which measures how
  much the choice of validation text could move it (not how much another seed could).
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..ablation import EXPERIMENTS, MODEL_NAMES, SEEDS, TRAINED, load_experiment, trained_runs
from ..architectures import parameter_count
from ..config import ModelConfig
from ..evaluation import Evaluation, TargetScores, check_pairs, evaluate
from ..text import PUNCTUATION
from ..vocabulary import PAD_ID, UNKNOWN_ID


# ---- the races: every model on the same validation windows ---------------------------------------

@dataclass(frozen=True)
class ResultRow:
    """One model's full-budget result on the validation windows."""

    key: str  # a key of ablation.MODEL_NAMES, e.g. "two_lstms" (the shipped model) or "unigram"
    name: str  # as the book prints it
    parameters: int | None  # trainable parameters (None for the count-based baselines)
    best_epoch: int | None  # the epoch whose weights were kept
    epochs_run: int | None  # epochs trained before early stopping or the end of the schedule
    perplexity: float
    accuracy: float
    top5_accuracy: float
    training_seconds: float | None
    summary_input_gain: float | None = None  # the recipe's start for LSTM-2's input weights (1.0: Keras's)


@dataclass(frozen=True)
class ResultsTable:
    """The full-budget comparison, every model scored on the same validation windows."""

    rows: tuple[ResultRow, ...]
    windows: int

    def __getitem__(self, key: str) -> ResultRow:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(f"no model {key!r}; the models are {[row.key for row in self.rows]}")

    def __str__(self) -> str:
        lines = [f"{'model':<29}{'parameters':>11}{'gain':>6}{'epochs':>8}{'perplexity':>12}{'top-1':>8}"
                 f"{'top-5':>8}{'time':>8}"]
        for row in self.rows:
            parameters = f"{row.parameters:,}" if row.parameters else "counts"
            gain = f"{row.summary_input_gain:g}" if row.summary_input_gain else ""
            epochs = f"{row.best_epoch}/{row.epochs_run}" if row.epochs_run else ""
            minutes = f"{row.training_seconds / 60:.0f} min" if row.training_seconds else ""
            lines.append(f"{row.name:<29}{parameters:>11}{gain:>6}{epochs:>8}{row.perplexity:>12.1f}"
                         f"{row.accuracy:>8.1%}{row.top5_accuracy:>8.1%}{minutes:>8}")
        lines.append(f"(validation perplexity and accuracy on the same {self.windows:,} windows; "
                     "gain: summary_input_gain; epochs: best/run)")
        return "\n".join(lines)

    __repr__ = __str__


def full_budget_results(models: tuple[str, ...] = tuple(MODEL_NAMES)) -> ResultsTable:
    """The shipped results, one scorer for all: every model of `models` on the same validation windows.

    models: keys of ablation.MODEL_NAMES, in the order wanted (ablation.FIRST_RACE and
    ablation.SECOND_RACE are the two races). Perplexity and accuracies are evaluation.evaluate's on every
    validation window: from experiments/breakdown.json for the models it scored, from the
    training record's exact metrics (the same scorer) for the others; epochs and times
    from the training records.
    """
    unknown = [key for key in models if key not in MODEL_NAMES]
    if unknown:
        raise KeyError(f"no model {unknown[0]!r}; the models are {list(MODEL_NAMES)}")
    first_race = load_experiment("breakdown")  # the first race, scored by authoring/train_ablations.py breakdown
    scores = {key: model["overall"] for key, model in first_race["models"].items()}
    runs = trained_runs(tuple(key for key in models if key in TRAINED))
    windows = load_experiment("baselines")["validation_windows"]
    rows = []
    for key in models:
        run = runs.get(key)
        metrics = run["metrics"] if run else {}
        if key in scores:
            overall = scores[key]
        else:
            overall = {"perplexity": metrics["validation_perplexity"], "accuracy": metrics["validation_accuracy"],
                       "top5_accuracy": metrics["validation_top5_accuracy"]}
        rows.append(ResultRow(
            key=key, name=MODEL_NAMES[key],
            parameters=(parameter_count(run["architecture"], ModelConfig.from_dict(run["model_config"]))
                        if run else None),
            best_epoch=metrics.get("best_epoch"), epochs_run=metrics.get("epochs_run"),
            perplexity=overall["perplexity"], accuracy=overall["accuracy"], top5_accuracy=overall["top5_accuracy"],
            training_seconds=metrics.get("training_seconds"),
            summary_input_gain=run["training"].get("summary_input_gain", 1.0) if run else None,
        ))
    return ResultsTable(tuple(rows), windows)


def validation_curves(models: tuple[str, ...] = TRAINED) -> dict[str, list[float]]:
    """{model key: validation perplexity after each epoch, as Keras logged it} for trained models."""
    runs = trained_runs(models)
    return {key: [record["val_perplexity"] for record in runs[key]["history"]] for key in models}


# ---- bigger than the noise of the text: paired gaps ----------------------------------------------

@dataclass(frozen=True)
class PairedDifference:
    """How much lower model A's loss is than model B's on the same targets, with its uncertainty."""

    loss_difference: float  # mean over targets of (B's loss - A's loss), in nats; > 0: A is better
    standard_error: float  # of that mean, from blocks of consecutive targets (neighbouring windows overlap)
    blocks: int  # how many blocks the standard error is computed from

    def __str__(self) -> str:
        return f"{self.loss_difference:+.4f} ± {self.standard_error:.4f} nats per word ({self.blocks} blocks)"


def paired_difference(a: TargetScores, b: TargetScores, block: int = 1000) -> PairedDifference:
    """Compare two models scored on the same targets; the error bar covers the choice of validation text.

    Consecutive windows share 12 of their 13 words, so single targets are not independent:
    the standard error is computed from the means of blocks of `block` consecutive targets.
    It says how much the gap could move with other text of the same kind, not with another seed.
    """
    if a.log_probability.shape != b.log_probability.shape:
        raise ValueError(f"paired_difference: both models must be scored on the same targets, got "
                         f"{a.log_probability.shape} and {b.log_probability.shape}.")
    difference = a.log_probability - b.log_probability  # (n,) per-target gain of A over B, in nats
    blocks = len(difference) // block
    if blocks < 2:
        raise ValueError(f"paired_difference: need at least {2 * block} targets for blocks of {block}, "
                         f"got {len(difference)}.")
    block_means = difference[: blocks * block].reshape(blocks, block).mean(axis=1)
    return PairedDifference(float(difference.mean()), float(block_means.std(ddof=1) / np.sqrt(blocks)), blocks)


# ---- grammar or content: by the kind of next word ------------------------------------------------

TOKEN_TYPES = ("punctuation", "frequent words", "other words", "unknown word")


def token_type_groups(targets: np.ndarray, vocabulary, frequent: int = 100) -> dict[str, np.ndarray]:
    """Masks (n,) that sort next words into TOKEN_TYPES.

    punctuation     , . ; : ! ?  (where a sentence or a clause ends: grammar)
    frequent words  the `frequent` most common words that are not punctuation (the, and, i,
                    to, of, you, my, a...: mostly function words, again grammar)
    other words     the rest of the vocabulary (mostly content words: names, nouns, verbs)
    unknown word    <unk>, every word outside the vocabulary
    Vocabulary ids are ordered by frequency, so "frequent" is a cut in the id order.
    """
    targets = np.asarray(targets)
    punctuation_ids = np.array([vocabulary.id_of(mark) for mark in PUNCTUATION if mark in vocabulary], dtype=np.int64)
    is_punctuation = np.isin(targets, punctuation_ids)
    is_unknown = targets == UNKNOWN_ID
    word_ids = np.setdiff1d(np.arange(2, len(vocabulary)), punctuation_ids)  # real words, most frequent first
    is_frequent = np.isin(targets, word_ids[:frequent])
    return {
        "punctuation": is_punctuation,
        "frequent words": is_frequent,
        "other words": ~(is_punctuation | is_unknown | is_frequent),
        "unknown word": is_unknown,
    }


def breakdown(scores: TargetScores, groups: dict[str, np.ndarray]) -> dict[str, Evaluation]:
    """{group name: scores over the targets in that group}; empty groups are left out."""
    return {name: scores.evaluation(mask) for name, mask in groups.items() if mask.any()}


def gap_by_token_type(breakdown: dict, model: str = "two_lstms_first_recipe", rival: str = "one_lstm_matched") -> dict:
    """Where the difference between two models comes from: {kind of next word: (loss gap, share of the gap)}.

    breakdown: load_experiment("breakdown"). A kind's loss gap is the rival's mean loss minus the
    model's on the next words of that kind (nats per word; > 0: `model` is better there). The
    overall gap is the share-weighted sum of the kinds' gaps, so each kind's share of it says how
    much of the difference that kind of word explains (the shares add up to 1).
    """
    models = breakdown["models"]
    shares = breakdown["token_types"]["shares"]
    gaps = {kind: models[rival]["by_token_type"][kind]["loss"] - models[model]["by_token_type"][kind]["loss"]
            for kind in breakdown["token_types"]["order"] if kind in models[model]["by_token_type"]}
    total = sum(shares[kind] * gap for kind, gap in gaps.items())
    if total == 0:
        raise ValueError(f"gap_by_token_type: {model} and {rival} have the same loss; there is no gap to split.")
    return {kind: (gap, shares[kind] * gap / total) for kind, gap in gaps.items()}


# ---- longer dependencies: by words of context ----------------------------------------------------

def keep_last_words(windows: np.ndarray, count: int) -> np.ndarray:
    """A copy of windows (n, 13) in which only the last `count` ids remain; the rest become padding.

    This is how a model is shown less context: exactly as a short seed text is padded.
    """
    windows = np.asarray(windows)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 1 <= count <= windows.shape[1]:
        raise ValueError(f"keep_last_words: count must be a whole number in 1..{windows.shape[1]}, got {count!r}.")
    shortened = windows.copy()
    shortened[:, : windows.shape[1] - count] = PAD_ID
    return shortened


def context_length_curve(model, windows: np.ndarray, targets: np.ndarray, lengths=(1, 2, 3, 4, 6, 8, 10, 13),
                         batch_size: int = 2048) -> dict[int, Evaluation]:
    """{words of context: the model's scores when it may read only that many last words}."""
    windows, targets = check_pairs(windows, targets, "context_length_curve")
    return {int(length): evaluate(model, keep_last_words(windows, int(length)), targets, batch_size)
            for length in lengths}


# ---- the seed question ---------------------------------------------------------------------------

MODELS = ("two_lstms", "one_lstm_matched_gain4")  # the second race: the shipped recipe for both
RANK_CAP = 255  # ranks are stored as uint8: only "top-1" (0) and "top-5" (< 5) are ever asked
# Student's t for a two-sided 95% interval with n - 1 degrees of freedom (n seeds)
T_95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571}


def run_name(model: str, seed: int) -> str:
    """The record of one run: "two_lstms_seed1", or "two_lstms_seed0" for the shipped model."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}.")
    return f"{model}_seed{seed}"


def losses_path(run: str) -> Path:
    return EXPERIMENTS / f"{run}.losses.npz"


def pack_scores(scores: TargetScores) -> bytes:
    """One run's per-window scores as a compressed .npz: loss (float16, nats) and rank (uint8, capped)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, loss=(-scores.log_probability).astype(np.float16),
                        rank=np.minimum(scores.rank, RANK_CAP).astype(np.uint8))
    return buffer.getvalue()


def window_scores(run: str) -> TargetScores:
    """A run's loss on every validation window, from its stored record (float16: within 0.01 nats each).

    The file's SHA-256 must match the record's, so a record and its losses cannot drift apart.
    """
    record = load_experiment(run)
    entry = record.get("validation_scores")
    if entry is None:
        raise ValueError(f"experiments/{run}.json has no per-window scores yet: "
                         f"run `.venv/bin/python scripts/train_ablations.py seed-scores {run}`.")
    data = losses_path(run).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ValueError(f"experiments/{run}.losses.npz does not match its record's checksum.")
    with np.load(io.BytesIO(data)) as stored:
        return TargetScores(-stored["loss"].astype(np.float64), stored["rank"].astype(np.int64))


@dataclass(frozen=True)
class ModelAcrossSeeds:
    """One model's validation perplexity for each seed."""

    model: str
    perplexity: dict[int, float]  # seed -> perplexity on every validation window

    @property
    def mean(self) -> float:
        return float(np.mean(list(self.perplexity.values())))

    @property
    def spread(self) -> float:
        """The standard deviation over seeds (n - 1 in the denominator)."""
        return float(np.std(list(self.perplexity.values()), ddof=1))


@dataclass(frozen=True)
class SeedVerdict:
    """The second race across seeds: does two LSTMs' lead hold for every seed, and how large is it?"""

    models: tuple[ModelAcrossSeeds, ModelAcrossSeeds]  # two LSTMs, then the one-LSTM rival
    gaps: dict[int, PairedDifference]  # seed -> the rival's loss minus two LSTMs' on every window (> 0: two win)

    @property
    def seeds(self) -> list[int]:
        return sorted(self.gaps)

    @property
    def mean_gap(self) -> float:
        """Nats per word, averaged over seeds; > 0: two LSTMs have the lower loss."""
        return float(np.mean([gap.loss_difference for gap in self.gaps.values()]))

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% confidence interval of the mean gap over seeds (Student's t, n - 1 degrees of freedom)."""
        values = [gap.loss_difference for gap in self.gaps.values()]
        half = T_95[len(values) - 1] * float(np.std(values, ddof=1)) / math.sqrt(len(values))
        return self.mean_gap - half, self.mean_gap + half

    @property
    def wins(self) -> int:
        """For how many seeds two LSTMs have the lower validation loss."""
        return sum(gap.loss_difference > 0 for gap in self.gaps.values())

    def answer(self) -> str:
        """One sentence: what the seeds say about the notes' claim."""
        low, high = self.interval
        n = len(self.gaps)
        if low > 0:
            return (f"Two LSTMs beat one LSTM of the same size for {self.wins} of {n} seeds, and the interval "
                    "over seeds lies above zero: the lead is small but it is not the luck of one seed.")
        if high < 0:
            return (f"One LSTM beats two for {n - self.wins} of {n} seeds, and the interval over seeds lies "
                    "below zero: with this recipe the notes' claim does not hold.")
        return (f"Two LSTMs win for {self.wins} of {n} seeds, but the interval over seeds includes zero: "
                "three seeds cannot tell the two models apart.")

    def __str__(self) -> str:
        two, one = self.models
        lines = [f"{'seed':<6}{'two LSTMs':>11}{'one LSTM':>10}{'gap (nats/word)':>21}"]
        for seed in self.seeds:
            gap = self.gaps[seed]
            lines.append(f"{seed:<6}{two.perplexity[seed]:>11.1f}{one.perplexity[seed]:>10.1f}"
                         f"{gap.loss_difference:>+13.4f} ± {gap.standard_error:.4f}")
        low, high = self.interval
        lines.append(f"{'mean':<6}{two.mean:>11.1f}{one.mean:>10.1f}{self.mean_gap:>+13.4f}")
        lines.append(f"{'spread':<6}{two.spread:>11.2f}{one.spread:>10.2f}   95% interval over seeds: "
                     f"{low:+.4f} to {high:+.4f}")
        return "\n".join(lines)

    __repr__ = __str__


def seed_verdict(seeds: tuple[int, ...] = SEEDS, scores=window_scores) -> SeedVerdict:
    """The seed study from the records: each model's perplexity per seed and each seed's paired gap.

    scores: run name -> TargetScores (the stored per-window scores; tests pass stand-ins).
    """
    if len(seeds) < 2:
        raise ValueError(f"seed_verdict: an interval over seeds needs at least 2 seeds, got {seeds}.")
    by_model = {model: {seed: scores(run_name(model, seed)) for seed in seeds} for model in MODELS}
    models = tuple(ModelAcrossSeeds(model, {seed: runs[seed].evaluation().perplexity for seed in seeds})
                   for model, runs in by_model.items())
    two, one = (by_model[model] for model in MODELS)
    gaps = {seed: paired_difference(two[seed], one[seed]) for seed in seeds}
    return SeedVerdict(models, gaps)
