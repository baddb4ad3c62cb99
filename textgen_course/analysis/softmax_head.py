"""What book/softmax_head.ipynb (and book/data_flow.ipynb) measure on the model's choices.

How spread out a next-word distribution is (effective_number_of_words: exp of its entropy)
and how varied a generated text is (distinct_fraction). The stage itself is softmax_head.py;
the sampling strategies are generation.py.
"""

from __future__ import annotations

import numpy as np


def effective_number_of_words(probabilities: np.ndarray) -> np.ndarray:
    """exp(entropy) along the last axis: how many equally likely words would be as uncertain.

    1 for a distribution sure of one word, vocab_size for the uniform distribution.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    logs = np.log(np.where(probabilities > 0, probabilities, 1.0))  # 0 * log 0 counts as 0
    return np.exp(-(probabilities * logs).sum(axis=-1))


def distinct_fraction(ids, n: int = 1) -> float:
    """Share of the n-grams in ids that are distinct: 1.0 never repeats, near 0 loops.

    A simple measure of how varied generated text is (distinct-n).
    """
    ids = list(ids)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"distinct_fraction: n must be a positive integer, got {n!r}.")
    if len(ids) < n:
        raise ValueError(f"distinct_fraction: need at least {n} ids for {n}-grams, got {len(ids)}.")
    grams = [tuple(ids[i : i + n]) for i in range(len(ids) - n + 1)]
    return len(set(grams)) / len(grams)
