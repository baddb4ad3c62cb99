"""What book/first_race.ipynb measures besides the races' records: error bars, and the slow start.

The first race's tables and breakdowns are computed as the second race's are, by
analysis/why_two_lstms.py. Here, what only the first race needs:

    error bars      mean_loss_standard_error, perplexity_with_error, subset_errors
    the slow start  spread_at_start (how much each stage's output differs from window to
                    window in an untrained model, with Keras's start and with the shipped gain)

A perplexity scored on a subset of the validation windows is an estimate, and it comes with a
standard error: exp turns a small change d of the mean loss into a change of about
perplexity x d, so the perplexity's standard error is perplexity x the mean loss's. Windows
that follow each other share words, so for consecutive windows the mean loss's standard error
comes from the means of blocks of them (as analysis.why_two_lstms.paired_difference does for a gap).
"""

from __future__ import annotations

import keras
import numpy as np

from ..architectures import build_architecture
from ..artifacts import load_pretrained
from ..baselines import fit_baselines
from ..config import ModelConfig
from ..evaluation import score_targets
from ..text import load_corpus
from ..training import shipped_windows
from .why_two_lstms import keep_last_words


def mean_loss_standard_error(losses, block: int = 1) -> float:
    """Standard error of the mean of per-window losses (n,), in nats.

    block=1 treats the windows as independent (a strided or random sample); a larger block
    computes it from the means of `block` consecutive windows, for windows that overlap.
    """
    losses = np.asarray(losses, dtype=np.float64)
    if isinstance(block, bool) or not isinstance(block, int) or block < 1:
        raise ValueError(f"mean_loss_standard_error: block must be a whole number >= 1, got {block!r}.")
    blocks = len(losses) // block
    if blocks < 2:
        raise ValueError(f"mean_loss_standard_error: need at least {2 * block} losses, got {len(losses)}.")
    means = losses[: blocks * block].reshape(blocks, block).mean(axis=1)  # (blocks,)
    return float(means.std(ddof=1) / np.sqrt(blocks))


def perplexity_with_error(perplexity: float, loss_standard_error: float, digits: int = 0) -> str:
    """"362 ± 15": a subset's perplexity and one standard error (perplexity x that of the mean loss)."""
    return f"{perplexity:.{digits}f} ± {perplexity * loss_standard_error:.{digits}f}"


def subset_errors(context_windows: int = 20_000, start_windows: int = 5000, seed: int = 0) -> dict:
    """Standard errors for the first race's subset figures, measured on the subsets themselves.

    The first race's models were not kept, so their per-window losses cannot be re-scored. What
    can be measured on exactly the same windows: the Kneser-Ney trigram and the unigram model
    (refitted, they reproduce the records), and the shipped two-LSTM model, whose spread of
    per-window losses stands in for a network's.
    - context: the breakdown's random sample of validation windows (authoring/train_ablations.py
      breakdown: default_rng(seed).choice, sorted), cut to its last 2 words;
    - start: the first `start_windows` validation windows, on which the slow-start run measured
      its curves. They are consecutive and overlap, so their errors come from blocks of 250.
    Slow (it loads and tokenizes the corpus): the chapter reads the record that
    `scripts/train_ablations.py subset-errors` writes (experiments/subset_errors.json).
    """
    model, vocabulary = load_pretrained()
    text = load_corpus()
    data = shipped_windows(text, vocabulary)
    unigram, trigram = fit_baselines(vocabulary.encode(text), len(vocabulary))
    x, y = data.validation_x, data.validation_y
    subset = np.sort(np.random.default_rng(seed).choice(len(y), size=context_windows, replace=False))
    x2, y2 = keep_last_words(x[subset], 2), y[subset]

    def losses(scorer, windows, targets) -> np.ndarray:
        return -score_targets(scorer, windows, targets).log_probability  # (n,) in nats

    def summary(values: np.ndarray, block: int) -> dict:
        return {"perplexity": float(np.exp(values.mean())), "loss_spread": float(values.std(ddof=1)),
                "mean_loss_standard_error": mean_loss_standard_error(values, block), "windows": int(len(values)),
                "block": block}

    return {
        "context_k2": {"windows": context_windows, "seed": seed,
                       "kneser_ney_trigram": summary(losses(trigram, x2, y2), 1),
                       "shipped_model": summary(losses(model, x2, y2), 1)},
        "start": {"windows": start_windows,
                  "unigram": summary(losses(unigram, x[:start_windows], y[:start_windows]), 250),
                  "shipped_model": summary(losses(model, x[:start_windows], y[:start_windows]), 250)},
    }


def spread_at_start(architecture: str, config: ModelConfig | None = None, summary_input_gain: float = 1.0,
                    windows: int = 512, seed: int = 0) -> dict[str, float]:
    """How much each stage's output differs from window to window in an untrained model.

    Returns {stage name: the standard deviation over `windows` random windows, averaged over
    positions and numbers}. An output that hardly differs between windows carries little of
    the input to the next stage, and the error signal that flows back is as weak: this is
    what kept the two-LSTM model at unigram level for its first epoch with Keras's default
    start (book/first_race.ipynb). summary_input_gain scales LSTM-2's input weights first,
    as TrainingConfig.summary_input_gain does before training.
    """
    config = config or ModelConfig()
    model = build_architecture(architecture, config, seed=seed, summary_input_gain=summary_input_gain)
    ids = np.random.default_rng(seed).integers(2, config.vocab_size, (windows, config.sequence_length)).astype("int32")
    spread, x = {}, ids
    for layer in model.layers[1:-1]:  # embedding, (lstm_1,) lstm_2: the head's input is lstm_2's output
        x = layer(x)
        spread[layer.name] = float(keras.ops.convert_to_numpy(x).std(axis=0).mean())
    return spread
