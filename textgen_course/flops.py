"""How much the model holds and computes, counted from its config (appendix: book/performance.ipynb).

The one place where the course counts parameters and arithmetic, for both architectures
(config.ARCHITECTURES); the parameter ledger, the ablation and the exercises call it.

Parameters come from the stages' own formulas (embedding_parameter_count,
lstm_parameter_count, dense_parameter_count). A matrix product (m, k) @ (k, n) costs
2 * m * k * n floating-point operations (FLOPs): one multiply and one add per term, so
FLOPs = 2 x multiply-adds. For one 13-word window, forward:

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

from .config import ModelConfig, check_architecture
from .embedding import embedding_parameter_count
from .lstm_gates import lstm_parameter_count
from .softmax_head import dense_parameter_count

TRAINING_TO_FORWARD = 3  # forward + two backward products per forward product


def _check_config(config) -> ModelConfig:
    if not isinstance(config, ModelConfig):
        raise ValueError(f"expected a ModelConfig (e.g. tc.ModelConfig()), got {type(config).__name__}.")
    return config


def parameters_by_stage(architecture: str = "two_lstms", config: ModelConfig | None = None) -> dict[str, int]:
    """Trainable parameters of each stage, from the stages' formulas (no model is built)."""
    c = _check_config(config or ModelConfig())
    counts = {"embedding": embedding_parameter_count(c)}
    if check_architecture(architecture) == "two_lstms":
        counts["lstm_1"] = lstm_parameter_count(c.embedding_dim, c.lstm_1_units)
        counts["lstm_2"] = lstm_parameter_count(c.lstm_1_units, c.lstm_2_units)
    else:  # one_lstm: its only LSTM (lstm_2_units units) reads the meaning vectors
        counts["lstm_2"] = lstm_parameter_count(c.embedding_dim, c.lstm_2_units)
    counts["dense_softmax"] = dense_parameter_count(c)
    return counts


def lstm_forward_flops(steps: int, input_dim: int, units: int) -> int:
    """One LSTM layer over one window: each step multiplies [x_t, h_prev] by the four gates' weights."""
    return steps * 2 * (input_dim + units) * 4 * units


def forward_flops_by_stage(config: ModelConfig | None = None, architecture: str = "two_lstms") -> dict[str, int]:
    """FLOPs of the matrix products in one forward pass of one window, stage by stage."""
    c = _check_config(config or ModelConfig())
    flops = {"embedding": 0}  # a lookup: row i of the table for word id i
    if check_architecture(architecture) == "two_lstms":
        flops["lstm_1"] = lstm_forward_flops(c.sequence_length, c.embedding_dim, c.lstm_1_units)
        flops["lstm_2"] = lstm_forward_flops(c.sequence_length, c.lstm_1_units, c.lstm_2_units)
    else:
        flops["lstm_2"] = lstm_forward_flops(c.sequence_length, c.embedding_dim, c.lstm_2_units)
    flops["dense_softmax"] = 2 * c.lstm_2_units * c.vocab_size
    return flops


def forward_flops(config: ModelConfig | None = None, architecture: str = "two_lstms") -> int:
    """FLOPs of one forward pass for one window (the default model: about 7.5 million)."""
    return sum(forward_flops_by_stage(config, architecture).values())


def multiply_adds(architecture: str = "two_lstms", config: ModelConfig | None = None) -> int:
    """Multiply-adds of one forward pass for one window: half its FLOPs (one multiply, one add each)."""
    return forward_flops(config, architecture) // 2


def training_flops(config: ModelConfig | None = None, architecture: str = "two_lstms") -> int:
    """FLOPs of training on one window (forward and backward): about three forward passes."""
    return TRAINING_TO_FORWARD * forward_flops(config, architecture)
