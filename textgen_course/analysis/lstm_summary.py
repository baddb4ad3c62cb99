"""What the LSTM-2 chapter measures (chapter: book/lstm_summary.ipynb).

The stage itself (builder, twin, cross-check, the NumPy Summarizer) is in lstm_summary.py.
Here: memory_curve, how much the summary (or the prediction) moves when one word of the
window is replaced, position by position.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def memory_curve(
    describe: Callable[[np.ndarray], np.ndarray | dict[str, np.ndarray]],
    windows: np.ndarray,
    vocab_size: int,
    seed: int = 0,
    first_word_id: int = 2,
) -> np.ndarray | dict[str, np.ndarray]:
    """How much the output moves when one word of the window is replaced, for each position.

    describe: word ids (batch, steps) -> one vector per window, (batch, width) (the summary,
    or the next-word probabilities), or a dict of such arrays to measure several outputs
    in one pass. For each position k, word k of every window is replaced by a random other
    word (ids first_word_id..vocab_size-1, so never padding or <unk>) and the distance moved
    is averaged over the windows. Returns (steps,) (a dict of them for a dict), in units of
    the typical distance between the vectors of two unrelated windows: 0 means the word is
    forgotten, 1 means changing it alone moves the vector as far as changing the whole window.
    """
    windows = np.asarray(windows)
    if windows.ndim != 2 or len(windows) < 2:
        raise ValueError(f"memory_curve: expected at least 2 windows of shape (batch, steps), got {windows.shape}.")
    if not 0 <= first_word_id < vocab_size - 1:
        raise ValueError(f"memory_curve: need at least two word ids in {first_word_id}..{vocab_size - 1}.")

    def as_named(output) -> dict[str, np.ndarray]:
        named = output if isinstance(output, dict) else {"": output}
        return {name: np.asarray(values, dtype=np.float64) for name, values in named.items()}

    rng = np.random.default_rng(seed)
    first_output = describe(windows)
    several = isinstance(first_output, dict)
    original = as_named(first_output)  # each (batch, width)
    typical = {}
    for name, values in original.items():
        typical[name] = float(np.linalg.norm(values - np.roll(values, 1, axis=0), axis=-1).mean())  # unrelated pairs
        if typical[name] == 0.0:
            raise ValueError("memory_curve: every window gives the same vector, so there is nothing to compare.")
    curves: dict[str, list[float]] = {name: [] for name in original}
    for position in range(windows.shape[1]):
        changed = windows.copy()
        offsets = rng.integers(1, vocab_size - first_word_id, size=len(windows))  # never the same word
        current = np.clip(windows[:, position] - first_word_id, 0, None)
        changed[:, position] = first_word_id + (current + offsets) % (vocab_size - first_word_id)
        for name, values in as_named(describe(changed)).items():
            moved = np.linalg.norm(values - original[name], axis=-1)
            curves[name].append(float(moved.mean()) / typical[name])
    result = {name: np.array(curve) for name, curve in curves.items()}
    return result if several else result[""]
