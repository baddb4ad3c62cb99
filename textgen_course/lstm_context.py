"""Stage 2, LSTM-1 with 150 units (chapter: book/lstm_context.ipynb).

Meaning vectors (batch, 13, 100) -> context vectors (batch, 13, 150).

LSTM-1 reads the 13 words in order and, at every step, outputs a 150-number context
vector: "this word's meaning plus what came before it" (return_sequences=True).
Here: the Keras builder and the cross-check against the PyTorch twin (torch.nn.LSTM) and
the NumPy gates; what both LSTM stages share (the gates, the twin's weight copy, the
parameter count) lives in lstm_gates.py, and what the chapter measures on the layer in
analysis/lstm_context.py.
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
    """Keras layer: (batch, steps, embedding_dim) -> (batch, steps, lstm_1_units), one vector per word."""
    return keras.layers.LSTM(
        config.lstm_1_units,
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
