"""Stage 3, LSTM-2 with 100 units (chapter: book/lstm_summary.ipynb).

Context vectors (batch, 13, 150) -> one summary vector (batch, 100).

LSTM-2 reads all 13 context vectors but returns only its final hidden state
(return_sequences=False): the recurrence folds the whole window into 100 numbers.
Here: the Keras builder, the PyTorch twin, the cross-check, and the two functions the
chapter uses to show that the summary is simply the last step's hidden state. What the
chapter measures with the layer (memory_curve) is in analysis/lstm_summary.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .config import ModelConfig
from .stage_check import StageCheck, max_abs_difference
from .input_checks import check_vectors
from .lstm_gates import LstmWeights, lstm_hidden_states, run_lstm, run_torch_lstm, torch_lstm_from_keras

STAGE = "lstm_2"


def build_lstm_summary(config: ModelConfig, seed: int | None = None) -> keras.layers.LSTM:
    """Keras layer: (batch, steps, lstm_1_units) -> (batch, lstm_2_units), the final state only."""
    return keras.layers.LSTM(
        config.lstm_2_units,
        return_sequences=False,  # only the hidden state after the last word
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        recurrent_initializer=keras.initializers.Orthogonal(seed=seed),
        name=STAGE,
    )


def summary_after_each_step(layer: keras.layers.LSTM, context: np.ndarray) -> np.ndarray:
    """The same layer run with return_sequences=True: (batch, steps, units).

    Row t is the summary of the first t+1 words; the last row is what LSTM-2 returns.
    """
    every_step = keras.layers.LSTM(layer.units, return_sequences=True)
    every_step.build(tuple(np.shape(context)))
    every_step.set_weights(layer.get_weights())
    return keras.ops.convert_to_numpy(every_step(context))


def final_state_equals_last_step(layer: keras.layers.LSTM, context: np.ndarray) -> float:
    """Max |LSTM-2 output - last step of the same layer with return_sequences=True|.

    Zero (up to float rounding) shows that return_sequences=False simply drops steps 1..12.
    """
    summary = keras.ops.convert_to_numpy(layer(context))  # (batch, 100)
    return max_abs_difference(summary, summary_after_each_step(layer, context)[:, -1])


def cross_check_lstm_summary(
    layer: keras.layers.LSTM, context: np.ndarray, config: ModelConfig
) -> StageCheck:
    """Run Keras, PyTorch (last step of torch.nn.LSTM) and the NumPy gates; compare summaries."""
    context = check_vectors(context, (config.sequence_length, config.lstm_1_units), STAGE)
    keras_out = keras.ops.convert_to_numpy(layer(context))  # (batch, 100)
    torch_out = run_torch_lstm(torch_lstm_from_keras(layer), context)[:, -1]
    numpy_out = run_lstm(context, LstmWeights.from_keras(layer)).hidden[:, -1]
    return StageCheck(
        stage=STAGE,
        output_shape=tuple(keras_out.shape),
        torch_difference=max_abs_difference(keras_out, torch_out),
        numpy_difference=max_abs_difference(keras_out, numpy_out),
    )


@dataclass(frozen=True)
class Summarizer:
    """The model up to LSTM-2, in NumPy: word ids (batch, 13) -> summaries (batch, 100).

    Built from a trained model's weights; tests hold it equal to the Keras layers. Used to
    measure how the summary responds to the words of the window, many windows at a time,
    and by the whole NumPy model (numpy_model.NumpyTextGenerator), which adds the head.
    lstm_1 is None for the one-LSTM ablation, whose only LSTM reads the meaning vectors.
    """

    embedding: np.ndarray  # (vocab_size, 100): one meaning vector per word
    lstm_1: LstmWeights | None  # 100 -> 150, every step kept (None: the one-LSTM model)
    lstm_2: LstmWeights  # 150 -> 100, last step kept

    @classmethod
    def from_keras(cls, model) -> "Summarizer":
        """Read the weights of the layers named embedding, lstm_1 (if the model has it) and lstm_2."""
        (embedding,) = model.get_layer("embedding").get_weights()
        names = {layer.name for layer in model.layers}
        lstm_1 = LstmWeights.from_keras(model.get_layer("lstm_1")) if "lstm_1" in names else None
        return cls(embedding, lstm_1, LstmWeights.from_keras(model.get_layer("lstm_2")))

    def every_step(self, ids: np.ndarray) -> np.ndarray:
        """LSTM-2's hidden state after every word: (batch, 13, 100); the last row is the summary."""
        ids = np.asarray(ids)
        if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"{STAGE}: expected integer word ids of shape (batch, steps), "
                             f"got {ids.dtype} {ids.shape}.")
        meaning = self.embedding[ids]  # (batch, 13, 100)
        context = meaning if self.lstm_1 is None else lstm_hidden_states(meaning, self.lstm_1)  # (batch, 13, 150)
        return lstm_hidden_states(context, self.lstm_2)  # (batch, 13, 100)

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        """The summary: (batch, 13) ids -> (batch, 100), the hidden state after the last word."""
        return self.every_step(ids)[:, -1]
