"""How good is a next-word model? Perplexity and accuracy (chapter: book/why_two_lstms.ipynb).

Perplexity is exp(mean cross-entropy): the number of words the model is, on average,
as unsure as if it were choosing uniformly among them. Lower is better; a model that
knows nothing scores vocab_size. Every model here is scored on the same targets (the
validation windows' next words), so the numbers compare directly, including the count-based baselines of baselines.py.
Besides one score per model, score_targets keeps every target's log-probability and rank,
so the same run can be broken down afterwards: the chapter's breakdowns (by the kind of word
to predict, by words of context, paired gaps between two models) are in analysis/why_two_lstms.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .model import next_word_probabilities
from .softmax_head import perplexity


@dataclass(frozen=True)
class Evaluation:
    """Scores of one model on one set of (context, next word) pairs."""

    loss: float  # mean cross-entropy in nats
    perplexity: float  # exp(loss)
    accuracy: float  # share of targets that are the model's most likely word
    top5_accuracy: float  # share of targets among the model's five most likely words
    windows: int  # how many targets were scored

    def __str__(self) -> str:
        return (f"perplexity {self.perplexity:.1f}, accuracy {self.accuracy:.1%}, "
                f"top-5 accuracy {self.top5_accuracy:.1%} ({self.windows:,} windows)")

    def to_dict(self) -> dict:
        """The scores as a plain dict (what the experiments' JSON files store)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "Evaluation":
        """Rebuild from to_dict() output."""
        return cls(**{key: values[key] for key in ("loss", "perplexity", "accuracy", "top5_accuracy", "windows")})


def perplexity_from_probabilities(target_probabilities) -> float:
    """exp of the mean negative log-probability the model gave the words that came next.

    target_probabilities: (n,), the probability of the actual next word in each window.
    Averaging log-probabilities (not probabilities) is what makes this the geometric mean:
    perplexity = (p_1 * p_2 * ... * p_n) ** (-1 / n).
    """
    probabilities = np.asarray(target_probabilities, dtype=np.float64)
    if probabilities.ndim != 1 or len(probabilities) == 0:
        raise ValueError("perplexity: expected a non-empty 1-D array of probabilities, "
                         f"got shape {probabilities.shape}.")
    if np.any(probabilities <= 0) or np.any(probabilities > 1):
        raise ValueError("perplexity: every probability must be in (0, 1].")
    return perplexity(-np.log(probabilities))  # softmax_head.perplexity: exp(mean cross-entropy)


@dataclass(frozen=True)
class TargetScores:
    """Per-target results of one model, kept so that any subset can be scored afterwards."""

    log_probability: np.ndarray  # (n,) natural log of the probability given to the actual next word
    rank: np.ndarray  # (n,) how many words the model found strictly more likely (0 = top-1 hit)

    def evaluation(self, mask: np.ndarray | None = None) -> Evaluation:
        """Scores over all targets, or over those where mask (n,) is True."""
        log_probability = self.log_probability if mask is None else self.log_probability[mask]
        rank = self.rank if mask is None else self.rank[mask]
        if len(rank) == 0:
            raise ValueError("TargetScores.evaluation: the mask selects no targets.")
        loss = float(-log_probability.mean())
        return Evaluation(loss, perplexity([loss]), float((rank == 0).mean()), float((rank < 5).mean()), len(rank))

    def clipped_loss(self, floor: float = 1e-7) -> float:
        """The mean loss as Keras reports it: probabilities below `floor` count as `floor`.

        Keras clips probabilities to [1e-7, 1 - 1e-7] before taking the log, so a word the model
        gave one chance in a billion costs 16.1 nats there instead of 20.7. evaluation() does not
        clip; the difference is the share of such surprises in the validation text.
        """
        return float(-np.maximum(self.log_probability, np.log(floor)).mean())


def strided_sample(windows: np.ndarray, targets: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """count (window, target) pairs spread evenly over the whole set: every (n // count)-th pair.

    A block of consecutive windows comes from one or two scenes, and its perplexity can lie far
    from the whole set's; evenly spaced windows visit every play the validation text draws from.
    With a step of 13 or more, no two chosen windows share a word, so their losses are close to
    independent and PerplexityEstimate's standard error applies.
    """
    windows, targets = check_pairs(windows, targets, "strided_sample")
    if not 1 <= count <= len(targets):
        raise ValueError(f"strided_sample: count must be in 1..{len(targets)}, got {count}.")
    step = len(targets) // count
    return windows[::step][:count], targets[::step][:count]


@dataclass(frozen=True)
class PerplexityEstimate:
    """Perplexity measured on a sample of windows: an estimate of the whole set's, with its uncertainty."""

    perplexity: float  # exp(mean loss) over the sample
    standard_error: float  # of that perplexity: perplexity x the standard error of the mean loss
    windows: int  # how many windows the estimate comes from

    def __str__(self) -> str:
        return (f"perplexity about {self.perplexity:.0f} ± {self.standard_error:.0f} "
                f"(an estimate from {self.windows:,} windows, ± one standard error)")


def estimate_perplexity(scores: "TargetScores") -> PerplexityEstimate:
    """The perplexity of a sample and its standard error, for windows whose losses are independent.

    The standard error of the mean loss is std / sqrt(n); exp turns a small change d of the mean
    loss into a change of about perplexity x d (its derivative), which gives the perplexity's.
    Use it on a strided or random sample, not on consecutive windows (they overlap).
    """
    losses = -np.asarray(scores.log_probability, dtype=np.float64)  # (n,) in nats
    if len(losses) < 2:
        raise ValueError(f"estimate_perplexity: need at least 2 windows, got {len(losses)}.")
    value = float(np.exp(losses.mean()))
    return PerplexityEstimate(value, value * float(losses.std(ddof=1) / np.sqrt(len(losses))), len(losses))


def _scores_of_batch(probabilities: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(len(targets))
    target_probability = probabilities[rows, targets]
    log_probability = np.log(np.maximum(target_probability.astype(np.float64), 1e-30))
    # rank = how many words the model finds strictly more likely than the target
    rank = (probabilities > target_probability[:, None]).sum(axis=1)
    return log_probability, rank


def scores_from_probabilities(probability_batches, targets: np.ndarray) -> TargetScores:
    """Per-target scores from batches of full next-word distributions (n_i, vocab) matching targets."""
    targets = np.asarray(targets)
    logs, ranks, start = [], [], 0
    for probabilities in probability_batches:
        batch_targets = targets[start : start + len(probabilities)]
        start += len(probabilities)
        log_probability, rank = _scores_of_batch(np.asarray(probabilities), batch_targets)
        logs.append(log_probability)
        ranks.append(rank)
    if start != len(targets) or start == 0:
        raise ValueError(f"score_probabilities: got {start} distributions for {len(targets)} targets.")
    return TargetScores(np.concatenate(logs), np.concatenate(ranks))


def score_probabilities(probability_batches, targets: np.ndarray) -> Evaluation:
    """Evaluate from batches of full next-word distributions (n_i, vocab) matching targets."""
    return scores_from_probabilities(probability_batches, targets).evaluation()


def check_pairs(windows: np.ndarray, targets: np.ndarray, caller: str) -> tuple[np.ndarray, np.ndarray]:
    """windows (n, sequence_length) and targets (n,) as arrays, or a ValueError that names caller."""
    windows, targets = np.asarray(windows), np.asarray(targets)
    if windows.ndim != 2 or targets.ndim != 1 or len(windows) != len(targets) or len(targets) == 0:
        raise ValueError(f"{caller}: need windows (n, sequence_length) and as many targets (n,), at least one; got "
                         f"windows of shape {windows.shape} and targets of shape {targets.shape}.")
    return windows, targets


def score_targets(model, windows: np.ndarray, targets: np.ndarray, batch_size: int = 2048) -> TargetScores:
    """Per-target log-probabilities and ranks of any model here on windows (n, 13) and next ids (n,).

    model: a Keras model (two or one LSTM), its PyTorch twin, a NumpyTextGenerator, or a
    baseline (UnigramModel, KneserNeyTrigram): anything with window_probabilities(windows).
    """
    windows, targets = check_pairs(windows, targets, "score_targets")
    if hasattr(model, "window_probabilities"):
        distributions = model.window_probabilities
    else:
        def distributions(batch):
            return next_word_probabilities(model, batch)
    batches = (distributions(windows[i : i + batch_size]) for i in range(0, len(windows), batch_size))
    return scores_from_probabilities(batches, targets)


def evaluate(model, windows: np.ndarray, targets: np.ndarray, batch_size: int = 2048) -> Evaluation:
    """Score a model (Keras, twin, NumPy engine or a baseline) on windows (n, 13) and next ids (n,)."""
    windows, targets = check_pairs(windows, targets, "evaluate")
    return score_targets(model, windows, targets, batch_size).evaluation()
