"""13-word windows: training pairs, the train/validation split, left padding (chapter: book/text_to_ids.ipynb).

Every 13 consecutive ids form a window and the id after them is its target. The text
is split by position: the last tenth of each of ten equal stretches is validation text,
so every part of the corpus is represented and no window ever mixes the two.

A learner's seed text is often shorter than 13 words. Such text is left-padded with id 0,
and so that this is something the model has seen, a share of the training windows is
shortened the same way (their first words replaced by padding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .vocabulary import PAD_ID


def make_windows(ids, sequence_length: int = 13) -> tuple[np.ndarray, np.ndarray]:
    """Every sequence_length consecutive ids -> the id that follows.

    Returns X (n, sequence_length) int32 and y (n,) int32 with n = len(ids) - sequence_length.
    """
    ids = np.asarray(ids)
    if isinstance(sequence_length, bool) or not isinstance(sequence_length, int) or sequence_length < 1:
        raise ValueError(f"make_windows: sequence_length must be a positive integer, got {sequence_length!r}.")
    if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
        raise ValueError("make_windows: expected a flat list of integer ids, "
                         f"got shape {ids.shape}, dtype {ids.dtype}.")
    if len(ids) <= sequence_length:
        raise ValueError(
            f"make_windows: need more than {sequence_length} ids to make one window, got {len(ids)}."
        )
    windows = np.lib.stride_tricks.sliding_window_view(ids, sequence_length + 1)
    return windows[:, :-1].astype(np.int32), windows[:, -1].astype(np.int32)


def split_ids(ids, validation_fraction: float = 0.1, stretches: int = 10) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Cut ids into `stretches` equal parts; the last validation_fraction of each is validation.

    Returns (training pieces, validation pieces): lists of contiguous id arrays.
    """
    ids = np.asarray(ids)
    if not 0 < validation_fraction < 1:
        raise ValueError(f"split_ids: validation_fraction must be in (0, 1), got {validation_fraction}.")
    bounds = np.linspace(0, len(ids), stretches + 1).astype(int)
    train, validation = [], []
    for start, end in zip(bounds[:-1], bounds[1:]):
        cut = end - int(round((end - start) * validation_fraction))
        train.append(ids[start:cut])
        validation.append(ids[cut:end])
    return train, validation


def windows_from_pieces(pieces: list[np.ndarray], sequence_length: int) -> tuple[np.ndarray, np.ndarray]:
    """make_windows on each piece separately (no window crosses a piece), concatenated."""
    usable = [piece for piece in pieces if len(piece) > sequence_length]
    if not usable:
        raise ValueError(
            f"windows_from_pieces: every piece is {sequence_length} ids or shorter; the text is too short."
        )
    pairs = [make_windows(piece, sequence_length) for piece in usable]
    return np.concatenate([x for x, _ in pairs]), np.concatenate([y for _, y in pairs])


def shorten_some_windows(windows: np.ndarray, fraction: float, seed: int = 0) -> np.ndarray:
    """A copy of windows in which `fraction` of the rows keep only their last 1..n-1 ids.

    The dropped ids become PAD_ID (0), exactly as a short seed text is padded.
    """
    if not 0 <= fraction <= 1:
        raise ValueError(f"shorten_some_windows: fraction must be in [0, 1], got {fraction}.")
    rng = np.random.default_rng(seed)
    windows = windows.copy()
    rows = np.flatnonzero(rng.random(len(windows)) < fraction)
    sequence_length = windows.shape[1]
    kept = rng.integers(1, sequence_length, size=len(rows))  # 1..sequence_length-1 real words
    positions = np.arange(sequence_length)
    windows[rows] = np.where(positions[None, :] < (sequence_length - kept)[:, None], PAD_ID, windows[rows])
    return windows


def pad_left(ids, sequence_length: int = 13) -> np.ndarray:
    """One window from any number of ids: the last sequence_length ids, left-padded with 0."""
    ids = list(ids)[-sequence_length:]
    return np.array([PAD_ID] * (sequence_length - len(ids)) + ids, dtype=np.int32)


@dataclass(frozen=True)
class WindowData:
    """Training and validation pairs, ready for model.fit."""

    train_x: np.ndarray  # (n_train, 13) int32; some rows shortened with left padding
    train_y: np.ndarray  # (n_train,) int32
    validation_x: np.ndarray  # (n_validation, 13) int32; full windows only
    validation_y: np.ndarray  # (n_validation,) int32


def prepare_windows(
    ids,
    sequence_length: int = 13,
    validation_fraction: float = 0.1,
    short_window_fraction: float = 0.2,
    seed: int = 0,
) -> WindowData:
    """Split ids by position, make windows in each part, shorten a share of training windows."""
    train_pieces, validation_pieces = split_ids(ids, validation_fraction)
    train_x, train_y = windows_from_pieces(train_pieces, sequence_length)
    validation_x, validation_y = windows_from_pieces(validation_pieces, sequence_length)
    train_x = shorten_some_windows(train_x, short_window_fraction, seed)
    return WindowData(train_x, train_y, validation_x, validation_y)
