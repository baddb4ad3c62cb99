"""Stage 2, LSTM-1 with 150 units (chapter: book/lstm_context.ipynb).

Meaning vectors (batch, 13, 100) -> context vectors (batch, 13, 150).

LSTM-1 reads the 13 words in order and, at every step, outputs a 150-number context
vector: "this word's meaning plus what came before it" (return_sequences=True).
Here: the Keras builder, the PyTorch twin (torch.nn.LSTM) with the weight copy, and the
cross-check against the twin and against the NumPy gates in lstm_gates.py.
"""

from __future__ import annotations

import keras
import numpy as np
import torch

from .config import ModelConfig
from .crosscheck import StageCheck, max_abs_difference
from .input_checks import check_vectors
from .lstm_gates import LstmWeights, run_lstm

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


def lstm_parameter_count(input_dim: int, units: int) -> int:
    """Four gates, each with weights for the input, the previous hidden state and a bias."""
    return 4 * units * (input_dim + units + 1)


def torch_lstm_from_keras(layer: keras.layers.LSTM) -> torch.nn.LSTM:
    """The PyTorch twin of a Keras LSTM layer, with the same weights.

    Both frameworks order the gates input, forget, candidate, output, so the copy is
    transposes only. PyTorch keeps two biases (bias_ih and bias_hh) where Keras keeps
    one: Keras's bias goes into bias_ih and bias_hh is zero, which is why the twin has
    4 * units more parameters than the Keras layer.
    """
    weights = LstmWeights.from_keras(layer)
    input_dim, units = weights.kernel.shape[0], weights.units
    twin = torch.nn.LSTM(input_dim, units, batch_first=True)
    with torch.no_grad():
        twin.weight_ih_l0.copy_(torch.from_numpy(weights.kernel.T))  # (4*units, input_dim)
        twin.weight_hh_l0.copy_(torch.from_numpy(weights.recurrent_kernel.T))  # (4*units, units)
        twin.bias_ih_l0.copy_(torch.from_numpy(weights.bias))
        twin.bias_hh_l0.zero_()
    return twin


def run_torch_lstm(twin: torch.nn.LSTM, inputs: np.ndarray) -> np.ndarray:
    """Every step's hidden state from the twin: (batch, steps, input_dim) -> (batch, steps, units)."""
    with torch.no_grad():
        outputs, _ = twin(torch.from_numpy(np.ascontiguousarray(inputs, dtype=np.float32)))
    return outputs.numpy()


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
