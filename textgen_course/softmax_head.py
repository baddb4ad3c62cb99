"""Stage 4, the dense softmax layer (chapter: book/softmax_head.ipynb).

Summary vector (batch, 100) -> next-word probabilities (batch, 4818).

A Dense layer scores every vocabulary word, logits = summary @ kernel + bias, and the
softmax turns the scores into probabilities that are positive and sum to 1:
p_i = exp(logit_i) / sum_j exp(logit_j).
Training scores the probability given to the word that really came next:
cross-entropy = -log p(target), and perplexity = exp(mean cross-entropy).
Here: the Keras builder, the logits on their own, the loss, the PyTorch twin and the
cross-check.
"""

from __future__ import annotations

import keras
import numpy as np
import torch

from .config import ModelConfig
from .stage_check import StageCheck, max_abs_difference
from .input_checks import check_vectors

STAGE = "dense_softmax"


def build_softmax_head(config: ModelConfig, seed: int | None = None) -> keras.layers.Dense:
    """Keras layer: (batch, lstm_2_units) -> (batch, vocab_size) probabilities."""
    return keras.layers.Dense(
        config.vocab_size,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        name=STAGE,
    )


def dense_parameter_count(config: ModelConfig) -> int:
    """A weight from every summary number to every word, plus one bias per word."""
    return (config.lstm_2_units + 1) * config.vocab_size


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities from scores along the last axis; temperature < 1 sharpens, > 1 flattens."""
    if temperature <= 0:
        raise ValueError(f"softmax: temperature must be > 0, got {temperature}.")
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)  # exp of large numbers overflows; shift first
    exps = np.exp(scaled)
    return exps / exps.sum(axis=-1, keepdims=True)


def cross_entropy(probabilities: np.ndarray, targets) -> np.ndarray:
    """-log p(target) for each row, in nats: (batch, vocab_size) and (batch,) -> (batch,).

    The loss Keras calls sparse categorical cross-entropy: only the probability of the
    word that really came next counts. 0 when the model gave it probability 1.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    targets = np.asarray(targets)
    if probabilities.ndim != 2:
        raise ValueError(
            f"cross_entropy: expected probabilities of shape (batch, vocab_size), got {probabilities.shape}."
        )
    if targets.shape != probabilities.shape[:1] or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(
            f"cross_entropy: expected one integer target per row, shape ({len(probabilities)},), "
            f"got {targets.dtype} targets of shape {targets.shape}."
        )
    if targets.size and (targets.min() < 0 or targets.max() >= probabilities.shape[1]):
        raise ValueError(f"cross_entropy: targets must lie in [0, {probabilities.shape[1]}).")
    target_probabilities = probabilities[np.arange(len(targets)), targets]  # (batch,)
    return -np.log(np.maximum(target_probabilities, 1e-30))  # the floor keeps log(0) finite


def perplexity(losses) -> float:
    """exp(mean cross-entropy): as unsure as a uniform choice among this many words."""
    return float(np.exp(np.mean(losses)))


def logits_numpy(layer: keras.layers.Dense, summary: np.ndarray) -> np.ndarray:
    """The scores before the softmax: (batch, lstm_2_units) -> (batch, vocab_size)."""
    kernel, bias = layer.get_weights()  # (100, 4818), (4818,)
    return np.asarray(summary) @ kernel + bias


class TorchSoftmaxHead(torch.nn.Module):
    """PyTorch twin: torch.nn.Linear followed by a softmax."""

    def __init__(self, summary_dim: int, vocab_size: int) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(summary_dim, vocab_size)

    def logits(self, summary: torch.Tensor) -> torch.Tensor:
        """(batch, summary_dim) -> (batch, vocab_size) scores."""
        return self.linear(summary)

    def forward(self, summary: torch.Tensor) -> torch.Tensor:
        """(batch, summary_dim) -> (batch, vocab_size) probabilities."""
        return torch.softmax(self.logits(summary), dim=-1)


def torch_softmax_head_from_keras(layer: keras.layers.Dense) -> TorchSoftmaxHead:
    """Copy the Dense weights into the twin; torch.nn.Linear stores the kernel transposed."""
    kernel, bias = layer.get_weights()
    twin = TorchSoftmaxHead(*kernel.shape)
    with torch.no_grad():
        twin.linear.weight.copy_(torch.from_numpy(kernel.T))  # (vocab_size, summary_dim)
        twin.linear.bias.copy_(torch.from_numpy(bias))
    return twin


def cross_check_softmax_head(
    layer: keras.layers.Dense, summary: np.ndarray, config: ModelConfig
) -> StageCheck:
    """Run Keras, PyTorch and NumPy on the same summaries; compare the probabilities."""
    summary = check_vectors(summary, (config.lstm_2_units,), STAGE)
    keras_out = keras.ops.convert_to_numpy(layer(summary))  # (batch, 4818)
    with torch.no_grad():
        torch_out = torch_softmax_head_from_keras(layer)(torch.from_numpy(summary)).numpy()
    numpy_out = softmax(logits_numpy(layer, summary))
    return StageCheck(
        stage=STAGE,
        output_shape=tuple(keras_out.shape),
        torch_difference=max_abs_difference(keras_out, torch_out),
        numpy_difference=max_abs_difference(keras_out, numpy_out),
    )
