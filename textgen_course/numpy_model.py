"""The whole model in NumPy: the from-scratch reference, and a fast engine for one window.

Used by the cross-check (a third opinion next to Keras and PyTorch) and by generation:
for one 13-word window at a time, framework overhead dominates the tiny amount of
arithmetic, and this plain NumPy forward pass is several times faster than calling the
Keras model (bench/generation_speed.py measures it). Tests hold it equal to Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ModelConfig
from .lstm_gates import LstmWeights
from .softmax_head import softmax


def lstm_hidden_states(inputs: np.ndarray, weights: LstmWeights) -> np.ndarray:
    """Hidden state after every step, (batch, steps, input_dim) -> (batch, steps, units).

    The equations of lstm_gates.lstm_step, arranged for speed: the input part of all
    steps is one matrix product, and since sigmoid(x) = (1 + tanh(x / 2)) / 2, a single
    tanh call serves all four gates.
    """
    batch, steps, _ = inputs.shape
    units = weights.units
    projected = inputs @ weights.kernel + weights.bias  # (batch, steps, 4*units)
    scale = np.full(4 * units, 0.5, dtype=projected.dtype)  # x/2 for the three sigmoid gates
    scale[2 * units : 3 * units] = 1.0  # the candidate uses tanh(x) itself
    h = np.zeros((batch, units), projected.dtype)
    c = np.zeros_like(h)
    hidden = np.empty((batch, steps, units), projected.dtype)
    for t in range(steps):
        squashed = np.tanh((projected[:, t] + h @ weights.recurrent_kernel) * scale)
        gates = 0.5 + 0.5 * squashed  # sigmoid values (meaningful for input, forget, output)
        input_gate, forget_gate = gates[:, :units], gates[:, units : 2 * units]
        candidate, output_gate = squashed[:, 2 * units : 3 * units], gates[:, 3 * units :]
        c = forget_gate * c + input_gate * candidate
        h = output_gate * np.tanh(c)
        hidden[:, t] = h
    return hidden


@dataclass(frozen=True)
class NumpyTextGenerator:
    """The four stages' weights as NumPy arrays, and the forward pass through them."""

    config: ModelConfig
    embedding: np.ndarray  # (vocab_size, embedding_dim)
    lstm_1: LstmWeights
    lstm_2: LstmWeights
    dense_kernel: np.ndarray  # (lstm2_units, vocab_size)
    dense_bias: np.ndarray  # (vocab_size,)

    @classmethod
    def from_keras(cls, model) -> "NumpyTextGenerator":
        """Read the current weights of a model built by build_model."""
        (embedding,) = model.get_layer("embedding").get_weights()
        kernel, bias = model.get_layer("dense_softmax").get_weights()
        lstm_1 = LstmWeights.from_keras(model.get_layer("lstm_1"))
        lstm_2 = LstmWeights.from_keras(model.get_layer("lstm_2"))
        config = ModelConfig(
            vocab_size=embedding.shape[0],
            sequence_length=model.input_shape[1],
            embedding_dim=embedding.shape[1],
            lstm1_units=lstm_1.units,
            lstm2_units=lstm_2.units,
        )
        return cls(
            config=config,
            embedding=embedding,
            lstm_1=lstm_1,
            lstm_2=lstm_2,
            dense_kernel=kernel,
            dense_bias=bias,
        )

    def logits(self, ids: np.ndarray) -> np.ndarray:
        """Word ids (batch, steps) -> next-word scores (batch, vocab_size)."""
        meaning = self.embedding[ids]  # (batch, 13, 100)
        context = lstm_hidden_states(meaning, self.lstm_1)  # (batch, 13, 150)
        summary = lstm_hidden_states(context, self.lstm_2)[:, -1]  # (batch, 100)
        return summary @ self.dense_kernel + self.dense_bias  # (batch, 4818)

    def probabilities(self, ids: np.ndarray) -> np.ndarray:
        """Word ids (batch, steps) -> next-word probabilities (batch, vocab_size)."""
        return softmax(self.logits(ids)).astype(np.float32)
