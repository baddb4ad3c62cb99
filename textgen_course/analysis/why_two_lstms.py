"""Does the notes' claim survive other random seeds? The seed study of book/why_two_lstms.ipynb.

The second race (two LSTMs against one LSTM with as many parameters, both trained with the
shipped recipe) was first run with one random seed per model. The seed study trains each model
with seeds 0, 1 and 2 (ablation.SEEDS): the seed sets the starting weights and the order of the
training windows, and the two models of one seed see the windows in the same order.

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

from ..ablation import EXPERIMENTS, SEEDS, load_experiment
from ..evaluation import PairedDifference, TargetScores, paired_difference

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
