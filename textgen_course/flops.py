"""How much arithmetic the model does, counted from its config (appendix: book/performance.ipynb).

A matrix product (m, k) @ (k, n) costs 2 * m * k * n floating-point operations (FLOPs):
one multiply and one add per term. For one 13-word window, forward:

    embedding       a table lookup: no arithmetic
    lstm_1          13 steps x 2 x (100 + 150) x 600   the input and recurrent products, 4 gates x 150
    lstm_2          13 steps x 2 x (150 + 100) x 400   all 13 steps run, only the last is kept
    dense_softmax   2 x 100 x 4818                     a score for every word

Only the matrix products are counted. The element-wise work (biases, gate activations,
the cell update, the softmax) is about 13 operations per LSTM unit per step and a few per
word: under 1% of the total, so leaving it out keeps the count simple and honest.

A training step costs about three forward passes: backpropagation needs two matrix
products for every forward one (the gradient for the product's input and for its weights).
"""

from __future__ import annotations

from .config import ModelConfig

TRAINING_TO_FORWARD = 3  # forward + two backward products per forward product


def _check_config(config) -> ModelConfig:
    if not isinstance(config, ModelConfig):
        raise ValueError(f"expected a ModelConfig (e.g. tc.ModelConfig()), got {type(config).__name__}.")
    return config


def lstm_forward_flops(steps: int, input_dim: int, units: int) -> int:
    """One LSTM layer over one window: each step multiplies [x_t, h_prev] by the four gates' weights."""
    return steps * 2 * (input_dim + units) * 4 * units


def forward_flops_by_stage(config: ModelConfig | None = None) -> dict[str, int]:
    """FLOPs of the matrix products in one forward pass of one window, stage by stage."""
    c = _check_config(config or ModelConfig())
    return {
        "embedding": 0,  # a lookup: row i of the table for word id i
        "lstm_1": lstm_forward_flops(c.sequence_length, c.embedding_dim, c.lstm1_units),
        "lstm_2": lstm_forward_flops(c.sequence_length, c.lstm1_units, c.lstm2_units),
        "dense_softmax": 2 * c.lstm2_units * c.vocab_size,
    }


def forward_flops(config: ModelConfig | None = None) -> int:
    """FLOPs of one forward pass for one window (the default model: about 7.5 million)."""
    return sum(forward_flops_by_stage(config).values())


def training_flops(config: ModelConfig | None = None) -> int:
    """FLOPs of training on one window (forward and backward): about three forward passes."""
    return TRAINING_TO_FORWARD * forward_flops(config)
