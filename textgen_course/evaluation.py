"""How good is a next-word model? Perplexity and accuracy (chapter: book/why_two_lstms.ipynb).

Perplexity is exp(mean cross-entropy): the number of words the model is, on average,
as unsure as if it were choosing uniformly among them. Lower is better; a model that
knows nothing scores vocab_size. Every model here is scored on the same targets (the
validation windows' next words), so the numbers compare directly, including the count-based baselines of baselines.py.
Besides one score per model, score_targets keeps every target's log-probability and rank,
so the same run can be broken down: by the kind of word to predict (token_type_groups) or
by how many words of context the model may read (keep_last_words, context_length_curve).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .model import next_word_probabilities
from .softmax_head import perplexity
from .text import PUNCTUATION
from .vocabulary import PAD_ID, UNKNOWN_ID


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


def strided_sample(windows: np.ndarray, targets: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """count (window, target) pairs spread evenly over the whole set: every (n // count)-th pair.

    A block of consecutive windows comes from one or two scenes, and its perplexity can lie far
    from the whole set's; evenly spaced windows visit every play the validation text draws from.
    With a step of 13 or more, no two chosen windows share a word, so their losses are close to
    independent and PerplexityEstimate's standard error applies.
    """
    windows, targets = _check_pairs(windows, targets, "strided_sample")
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


def _check_pairs(windows: np.ndarray, targets: np.ndarray, caller: str) -> tuple[np.ndarray, np.ndarray]:
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
    windows, targets = _check_pairs(windows, targets, "score_targets")
    if hasattr(model, "window_probabilities"):
        distributions = model.window_probabilities
    else:
        def distributions(batch):
            return next_word_probabilities(model, batch)
    batches = (distributions(windows[i : i + batch_size]) for i in range(0, len(windows), batch_size))
    return scores_from_probabilities(batches, targets)


def evaluate(model, windows: np.ndarray, targets: np.ndarray, batch_size: int = 2048) -> Evaluation:
    """Score a model (Keras, twin, NumPy engine or a baseline) on windows (n, 13) and next ids (n,)."""
    windows, targets = _check_pairs(windows, targets, "evaluate")
    return score_targets(model, windows, targets, batch_size).evaluation()


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
    windows, targets = _check_pairs(windows, targets, "context_length_curve")
    return {int(length): evaluate(model, keep_last_words(windows, int(length)), targets, batch_size)
            for length in lengths}


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
