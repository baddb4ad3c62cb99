"""The whole model in NumPy: the from-scratch reference, and a fast engine for one window.

Used by the cross-check (a third opinion next to Keras and PyTorch) and by generation:
for one 13-word window at a time, framework overhead dominates the tiny amount of
arithmetic, and this plain NumPy forward pass is several times faster than calling the
Keras model (bench/generation_speed.py measures it). Tests hold it equal to Keras, for
both architectures the course builds (two LSTMs, and the one-LSTM ablation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ModelConfig
from .lstm_gates import LstmWeights, lstm_hidden_states  # noqa: F401  (lstm_hidden_states: re-exported)
from .lstm_summary import Summarizer
from .softmax_head import softmax


@dataclass(frozen=True)
class NumpyTextGenerator:
    """The four stages' weights as NumPy arrays, and the forward pass through them."""

    config: ModelConfig
    embedding: np.ndarray  # (vocab_size, embedding_dim)
    lstm_1: LstmWeights | None  # None for the one-LSTM ablation (no context stage)
    lstm_2: LstmWeights
    dense_kernel: np.ndarray  # (lstm_2_units, vocab_size)
    dense_bias: np.ndarray  # (vocab_size,)

    @property
    def architecture(self) -> str:
        """ "two_lstms", or "one_lstm" when there is no LSTM-1 (architectures.ARCHITECTURES)."""
        return "two_lstms" if self.lstm_1 is not None else "one_lstm"

    @classmethod
    def from_keras(cls, model) -> "NumpyTextGenerator":
        """Read the current weights of a model built by architectures.build_architecture."""
        summarizer = Summarizer.from_keras(model)
        kernel, bias = model.get_layer("dense_softmax").get_weights()
        config = getattr(model, "config", None) or ModelConfig(
            vocab_size=summarizer.embedding.shape[0],
            sequence_length=model.input_shape[1],
            embedding_dim=summarizer.embedding.shape[1],
            lstm_1_units=summarizer.lstm_1.units if summarizer.lstm_1 is not None else ModelConfig().lstm_1_units,
            lstm_2_units=summarizer.lstm_2.units,
        )
        return cls(
            config=config,
            embedding=summarizer.embedding,
            lstm_1=summarizer.lstm_1,
            lstm_2=summarizer.lstm_2,
            dense_kernel=kernel,
            dense_bias=bias,
        )

    def logits(self, ids: np.ndarray) -> np.ndarray:
        """Word ids (batch, steps) -> next-word scores (batch, vocab_size)."""
        summary = Summarizer(self.embedding, self.lstm_1, self.lstm_2)(ids)  # (batch, 100)
        return summary @ self.dense_kernel + self.dense_bias  # (batch, 4818)

    def probabilities(self, ids: np.ndarray) -> np.ndarray:
        """Word ids (batch, steps) -> next-word probabilities (batch, vocab_size)."""
        return softmax(self.logits(ids)).astype(np.float32)
