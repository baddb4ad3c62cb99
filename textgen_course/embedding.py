"""Stage 1, the embedding layer (chapter: book/embedding.ipynb).

Word ids (batch, 13) -> meaning vectors (batch, 13, 100).

The layer is a trainable matrix with one 100-number row per vocabulary word; looking up
an id means taking its row. Here: the Keras builder, the PyTorch twin, the same lookup in
NumPy, and the cross-check that runs all three on the same ids. What the chapter measures
on the trained rows (neighbours, groups, a 2-d map) is in analysis/embedding.py.
"""

from __future__ import annotations

import keras
import numpy as np
import torch

from .config import ModelConfig
from .stage_check import StageCheck, max_abs_difference
from .input_checks import check_word_ids

STAGE = "embedding"


def build_embedding(config: ModelConfig, seed: int | None = None) -> keras.layers.Embedding:
    """Keras layer: ids (batch, sequence_length) -> vectors (batch, sequence_length, embedding_dim)."""
    return keras.layers.Embedding(
        input_dim=config.vocab_size,
        output_dim=config.embedding_dim,
        embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
        name=STAGE,
    )


def embedding_parameter_count(config: ModelConfig) -> int:
    """One row of embedding_dim numbers per word: vocab_size * embedding_dim."""
    return config.vocab_size * config.embedding_dim


def embedding_matrix(layer: keras.layers.Embedding) -> np.ndarray:
    """The layer's weights as NumPy: (vocab_size, embedding_dim), row i = word i's vector."""
    return keras.ops.convert_to_numpy(layer.embeddings)


def embed_numpy(matrix: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The lookup by hand: row selection, (batch, steps) -> (batch, steps, embedding_dim).

    Selecting row i is the same as multiplying a one-hot vector by the matrix.
    """
    return matrix[ids]


def one_hot(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """ids (...) -> one-hot vectors (..., vocab_size) float32: a 1 at each id's position, 0 elsewhere."""
    ids = np.asarray(ids)
    if not np.issubdtype(ids.dtype, np.integer) or (ids.size and (ids.min() < 0 or ids.max() >= vocab_size)):
        raise ValueError(f"one_hot: ids must be integers in [0, {vocab_size}), got {ids.dtype} ids "
                         f"in [{ids.min() if ids.size else '-'}, {ids.max() if ids.size else '-'}].")
    return np.eye(vocab_size, dtype=np.float32)[ids]


def embed_one_hot(matrix: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The same lookup as a matrix product: one_hot(ids) @ matrix, (batch, steps, embedding_dim).

    Each one-hot row has a single 1, so the product picks one row of matrix: the result
    equals embed_numpy, at the cost of vocab_size multiplications per number produced.
    """
    return one_hot(ids, matrix.shape[0]) @ matrix  # (batch, steps, vocab) @ (vocab, dim) -> (batch, steps, dim)


def torch_embedding_from_keras(layer: keras.layers.Embedding) -> torch.nn.Embedding:
    """The PyTorch twin: a torch.nn.Embedding holding a copy of the Keras weights."""
    matrix = embedding_matrix(layer)
    twin = torch.nn.Embedding(*matrix.shape)
    with torch.no_grad():
        twin.weight.copy_(torch.from_numpy(matrix))
    return twin


def cross_check_embedding(
    layer: keras.layers.Embedding, ids: np.ndarray, config: ModelConfig
) -> StageCheck:
    """Run Keras, PyTorch and NumPy on the same ids and compare the vectors."""
    ids = check_word_ids(ids, config.vocab_size, config.sequence_length, STAGE)
    keras_out = keras.ops.convert_to_numpy(layer(ids))  # (batch, 13, 100)
    with torch.no_grad():
        torch_out = torch_embedding_from_keras(layer)(torch.from_numpy(ids)).numpy()
    numpy_out = embed_numpy(embedding_matrix(layer), ids)
    return StageCheck(
        stage=STAGE,
        output_shape=tuple(keras_out.shape),
        torch_difference=max_abs_difference(keras_out, torch_out),
        numpy_difference=max_abs_difference(keras_out, numpy_out),
    )
