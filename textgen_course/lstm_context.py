"""Stage 2, LSTM-1 with 150 units (chapter: book/lstm_context.ipynb).

Meaning vectors (batch, 13, 100) -> context vectors (batch, 13, 150).

LSTM-1 reads the 13 words in order and, at every step, outputs a 150-number context
vector: "this word's meaning plus what came before it" (return_sequences=True).
Here: the Keras builder and the cross-check against the PyTorch twin (torch.nn.LSTM) and
the NumPy gates; what both LSTM stages share (the gates, the twin's weight copy, the
parameter count) lives in lstm_gates.py.
"""

from __future__ import annotations

import keras
import numpy as np

from .config import ModelConfig
from .input_checks import check_vectors
from .lstm_gates import (  # noqa: F401  (lstm_parameter_count: re-exported, its home is lstm_gates)
    LstmWeights,
    lstm_parameter_count,
    run_lstm,
    run_torch_lstm,
    torch_lstm_from_keras,
)
from .stage_check import StageCheck, max_abs_difference

STAGE = "lstm_1"


def build_lstm_context(config: ModelConfig, seed: int | None = None) -> keras.layers.LSTM:
    """Keras layer: (batch, steps, embedding_dim) -> (batch, steps, lstm1_units), one vector per word."""
    return keras.layers.LSTM(
        config.lstm1_units,
        return_sequences=True,  # keep the output of every step, not only the last
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        recurrent_initializer=keras.initializers.Orthogonal(seed=seed),
        name=STAGE,
    )


def cross_check_lstm_context(
    layer: keras.layers.LSTM, inputs: np.ndarray, config: ModelConfig
) -> StageCheck:
    """Run Keras, PyTorch and the NumPy gates on the same vectors; compare all 13 outputs."""
    inputs = check_vectors(inputs, (config.sequence_length, config.embedding_dim), STAGE)
    keras_out = keras.ops.convert_to_numpy(layer(inputs))  # (batch, 13, 150)
    torch_out = run_torch_lstm(torch_lstm_from_keras(layer), inputs)
    numpy_out = run_lstm(inputs, LstmWeights.from_keras(layer)).hidden
    return StageCheck(
        stage=STAGE,
        output_shape=tuple(keras_out.shape),
        torch_difference=max_abs_difference(keras_out, torch_out),
        numpy_difference=max_abs_difference(keras_out, numpy_out),
    )


def word_identity_share(vectors: np.ndarray, word_ids: np.ndarray) -> float:
    """How much of the spread of vectors is explained by which word sits at that position.

    vectors: (n, width), one vector per occurrence (say, LSTM-1's output at one step of n
    windows); word_ids: (n,) the word at that step. Returns 1 - (spread among occurrences
    of the same word) / (spread over all occurrences), each spread a variance with its
    degrees of freedom (an adjusted R^2, so rare words seen once do not inflate it).
    1 means the vector is the word's alone (as for the embedding, where every occurrence of
    a word gets the very same vector); 0 means the word tells you nothing about the vector.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    word_ids = np.asarray(word_ids)
    if vectors.ndim != 2 or word_ids.shape != (len(vectors),):
        raise ValueError(
            f"word_identity_share: expected vectors (n, width) and word_ids (n,), got {vectors.shape} "
            f"and {word_ids.shape}."
        )
    total = float(((vectors - vectors.mean(axis=0)) ** 2).sum())
    if total == 0.0:
        raise ValueError("word_identity_share: all vectors are identical, so there is no spread to explain.")
    _, group, counts = np.unique(word_ids, return_inverse=True, return_counts=True)
    if len(counts) >= len(vectors):
        raise ValueError("word_identity_share: every word occurs once; need repeated words to compare occurrences.")
    sums = np.zeros((len(counts), vectors.shape[1]))
    np.add.at(sums, group, vectors)
    within = float((vectors**2).sum() - ((sums**2).sum(axis=1) / counts).sum())  # around each word's mean
    n, groups = len(vectors), len(counts)
    return 1.0 - (within / (n - groups)) / (total / (n - 1))


def probe_recall(features: np.ndarray, targets: np.ndarray, train_share: float = 2 / 3,
                 ridge: float = 1e-3) -> float:
    """How well a linear read-out recovers targets from features, on held-out rows (R^2).

    features (n, width), for example context vectors; targets (n, dims), for example the
    embedding of the word k steps back. A ridge regression is fitted on the first
    train_share of the rows and scored on the rest: 1 means the targets can be read back
    exactly, 0 means no better than guessing their average.
    """
    features = np.asarray(features, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if features.ndim != 2 or targets.ndim != 2 or len(features) != len(targets):
        raise ValueError(
            f"probe_recall: expected features (n, width) and targets (n, dims) with the same n, got "
            f"{features.shape} and {targets.shape}."
        )
    n_train = int(len(features) * train_share)
    if not 2 <= n_train <= len(features) - 2:
        raise ValueError(f"probe_recall: need at least 2 rows to fit and 2 to score, got {len(features)} rows.")
    feature_mean, target_mean = features[:n_train].mean(axis=0), targets[:n_train].mean(axis=0)
    x, y = features[:n_train] - feature_mean, targets[:n_train] - target_mean
    gram = x.T @ x
    penalty = ridge * np.trace(gram) / len(gram)  # scaled to the features, so one value fits all widths
    read_out = np.linalg.solve(gram + penalty * np.eye(len(gram)), x.T @ y)  # (width, dims)
    predicted = (features[n_train:] - feature_mean) @ read_out + target_mean
    held_out = targets[n_train:]
    return 1.0 - float(((predicted - held_out) ** 2).sum() / ((held_out - held_out.mean(axis=0)) ** 2).sum())


def fresh_lstm_weights(input_dim: int, units: int, seed: int = 0) -> LstmWeights:
    """The initial (untrained) weights of an LSTM-1 of any width, as build_lstm_context makes them."""
    config = ModelConfig(embedding_dim=input_dim, lstm1_units=units)
    layer = build_lstm_context(config, seed)
    layer.build((None, None, input_dim))
    return LstmWeights.from_keras(layer)


def recall_by_width(meaning: np.ndarray, widths: tuple[int, ...], steps_back: tuple[int, ...],
                    seed: int = 0) -> dict[int, list[float]]:
    """Room for the past: untrained LSTM-1s of several widths, probed for earlier words.

    meaning: (n, steps, input_dim) embedded windows. For every width, a fresh layer reads
    them; a linear probe then tries to recover, from the last context vector alone, the
    input vector k steps back (k = 0 is the last word itself). Returns
    {width: [R^2 for each k in steps_back]}. No training is involved, so the numbers show
    how much room a width gives, not what training chooses to keep.
    """
    meaning = np.asarray(meaning, dtype=np.float32)
    if meaning.ndim != 3:
        raise ValueError(f"recall_by_width: expected meaning vectors (n, steps, input_dim), got shape {meaning.shape}.")
    steps = meaning.shape[1]
    if any(not 0 <= k < steps for k in steps_back):
        raise ValueError(f"recall_by_width: steps_back must lie in 0..{steps - 1}, got {steps_back}.")
    table = {}
    for width in widths:
        last_context = run_lstm(meaning, fresh_lstm_weights(meaning.shape[2], width, seed)).hidden[:, -1]
        table[width] = [probe_recall(last_context, meaning[:, steps - 1 - k]) for k in steps_back]
    return table


def keep_main_directions(context: np.ndarray, keep: int) -> np.ndarray:
    """Squeeze context vectors through their `keep` most important directions (PCA).

    context: (n, steps, width). The directions are the principal components of all n * steps
    vectors: the axes along which they vary most. Each vector is replaced by its projection
    onto the first `keep` of them (plus the mean), so only `keep` numbers' worth of it survive.
    keep = width gives the vectors back unchanged.
    """
    context = np.asarray(context)
    width = context.shape[-1]
    if isinstance(keep, bool) or not isinstance(keep, (int, np.integer)) or not 1 <= keep <= width:
        raise ValueError(f"keep_main_directions: keep must be a whole number in 1..{width}, got {keep!r}.")
    flat = context.reshape(-1, width).astype(np.float64)  # (n * steps, width)
    mean = flat.mean(axis=0)
    variances, directions = np.linalg.eigh(np.cov(flat, rowvar=False))  # ascending variance
    main = directions[:, ::-1][:, :keep]  # (width, keep): the `keep` directions of largest variance
    squeezed = (flat - mean) @ main @ main.T + mean
    return squeezed.reshape(context.shape).astype(context.dtype)


def position_correlation(cell: np.ndarray) -> np.ndarray:
    """For each unit, how closely its cell state follows the position in the window.

    cell: (n, steps, units), the cell state c_t of n windows. Returns (units,): the
    correlation between c_t and t over all windows and steps. Near +1 or -1 the unit
    works as a counter: its memory grows (or falls) by about the same amount at every
    word, whatever the word is.
    """
    cell = np.asarray(cell, dtype=np.float64)
    if cell.ndim != 3 or cell.shape[1] < 2:
        raise ValueError(f"position_correlation: expected cell states (n, steps >= 2, units), got shape {cell.shape}.")
    position = np.arange(cell.shape[1], dtype=np.float64)[None, :, None]  # (1, steps, 1)
    cell_centred = cell - cell.mean(axis=(0, 1))
    position_centred = position - position.mean()
    covariance = (cell_centred * position_centred).mean(axis=(0, 1))  # (units,)
    spread = cell_centred.std(axis=(0, 1)) * position_centred.std()
    return np.divide(covariance, spread, out=np.zeros_like(covariance), where=spread > 0)
