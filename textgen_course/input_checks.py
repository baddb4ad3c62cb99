"""Input checks shared by every stage: dtype, rank, shape and id range.

Each check raises a ``ValueError`` that names the stage, says what was expected and what
was given, so a learner never has to read a traceback from deep inside Keras or torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def to_numpy(values: Any) -> np.ndarray:
    """Turn a list, NumPy array, torch tensor or Keras tensor into a NumPy array."""
    if isinstance(values, np.ndarray):
        return values
    if hasattr(values, "detach"):  # torch.Tensor
        return values.detach().cpu().numpy()
    try:
        return np.asarray(values)
    except Exception:  # a backend tensor NumPy cannot read directly
        import keras

        return keras.ops.convert_to_numpy(values)


def check_word_ids(ids: Any, vocab_size: int, sequence_length: int, stage: str) -> np.ndarray:
    """Check a batch of word-id windows and return it as an int64 array.

    ids: (batch, sequence_length) integers in [0, vocab_size).
    """
    array = to_numpy(ids)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"{stage}: word ids must be integers, got dtype {array.dtype}. "
            "Convert with ids.astype('int32') after checking they are whole numbers."
        )
    if array.ndim != 2:
        hint = " For one window, use ids[None, :] (a batch of one)." if array.ndim == 1 else ""
        raise ValueError(
            f"{stage}: expected word ids of shape (batch, {sequence_length}), "
            f"got shape {tuple(array.shape)} (rank {array.ndim}).{hint}"
        )
    if array.shape[1] != sequence_length:
        raise ValueError(
            f"{stage}: expected {sequence_length} word ids per window, got {array.shape[1]} "
            f"(shape {tuple(array.shape)}). Pad short windows on the left with 0."
        )
    if array.size and (array.min() < 0 or array.max() >= vocab_size):
        bad = array[(array < 0) | (array >= vocab_size)]
        raise ValueError(
            f"{stage}: word ids must lie in [0, {vocab_size}), got {int(bad[0])} "
            f"({bad.size} id(s) out of range, min {int(array.min())}, max {int(array.max())})."
        )
    return array.astype(np.int64, copy=False)


def check_vectors(values: Any, trailing_shape: tuple[int, ...], stage: str) -> np.ndarray:
    """Check a float batch whose shape must end with ``trailing_shape``; return float32.

    For example trailing_shape=(13, 100) for LSTM-1's input: (batch, 13, 100).
    """
    array = to_numpy(values)
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(
            f"{stage}: expected floating-point vectors, got dtype {array.dtype}. "
            "Word ids go into the embedding stage; later stages take its float outputs."
        )
    expected_rank = len(trailing_shape) + 1
    expected = "(batch, " + ", ".join(str(size) for size in trailing_shape) + ")"
    if array.ndim != expected_rank or tuple(array.shape[1:]) != tuple(trailing_shape):
        raise ValueError(f"{stage}: expected shape {expected}, got {tuple(array.shape)}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{stage}: the input contains NaN or infinite values.")
    return array.astype(np.float32, copy=False)
