"""Stage 1, the embedding layer (chapter: book/embedding.ipynb).

Word ids (batch, 13) -> meaning vectors (batch, 13, 100).

The layer is a trainable matrix with one 100-number row per vocabulary word; looking up
an id means taking its row. Here: the Keras builder, the PyTorch twin, the same lookup in
NumPy, and the cross-check that runs all three on the same ids.
"""

from __future__ import annotations

import keras
import numpy as np
import torch

from .config import ModelConfig
from .crosscheck import StageCheck, max_abs_difference
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


def embedding_change_after_training_step(
    model: keras.Model, ids: np.ndarray, next_ids: np.ndarray, learning_rate: float = 1.0
) -> np.ndarray:
    """How far each word's vector moves in one SGD step; the model is left unchanged.

    ids: (batch, sequence_length) windows; next_ids: (batch,) the words that follow.
    Returns (vocab_size,): the length of each row's change. Only words that appear in
    the batch get a gradient, so only their rows move.
    """
    layer = model.get_layer(STAGE)
    ids = check_word_ids(ids, layer.input_dim, model.input_shape[1], STAGE)
    next_ids = np.asarray(next_ids)
    if next_ids.shape != (ids.shape[0],):
        raise ValueError(
            f"{STAGE}: next_ids must have shape ({ids.shape[0]},), one per window; "
            f"got {next_ids.shape}."
        )
    if learning_rate <= 0:
        raise ValueError(f"{STAGE}: learning_rate must be > 0, got {learning_rate}.")
    saved = model.get_weights()
    before = embedding_matrix(layer).copy()
    # A second Model over the same layers: training it moves the shared weights without
    # touching `model`'s own compile state; the weights are restored afterwards.
    trainer = keras.Model(model.input, model.output)
    trainer.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="sparse_categorical_crossentropy")
    trainer.train_on_batch(ids, next_ids)
    after = embedding_matrix(layer)
    model.set_weights(saved)
    return np.linalg.norm(after - before, axis=1)
