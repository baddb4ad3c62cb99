"""Why the LSTMs have gates: the same model with plain RNNs, and how far back each remembers
(chapter: book/lstm_context.ipynb, "Why gates").

    plain RNN:  Word IDs (13) -> Embedding (13x100) -> SimpleRNN (13x150) -> SimpleRNN (100) -> Dense softmax

A plain recurrent layer (keras.layers.SimpleRNN) carries one vector and updates it in one line,
h_t = tanh(x_t W + h_{t-1} U + b): whatever it keeps of an early word passes through U and tanh
once per later word. An LSTM keeps its memory in the cell state, updated by addition through the
forget gate. Here: the plain-RNN model (same widths, same embedding and softmax stages, same
seeds), its NumPy step and PyTorch twin with their cross-check. What the chapter measures with it
(memory_by_distance, influence_by_distance, the delayed-recall task) is in analysis/lstm_context.py.
"""

from __future__ import annotations

import keras
import numpy as np
import torch

from .config import ModelConfig
from .embedding import build_embedding, torch_embedding_from_keras
from .input_checks import check_word_ids
from .model import TextGenerator, TorchTextGenerator, config_of, next_word_probabilities, stage_seed
from .softmax_head import TorchSoftmaxHead, build_softmax_head, torch_softmax_head_from_keras
from .stage_check import StageCheck, max_abs_difference

RNN_LAYERS = ("rnn_1", "rnn_2")  # the plain RNNs, where the LSTM model has lstm_1 and lstm_2


def build_plain_rnn(config: ModelConfig | None = None, seed: int | None = 0) -> TextGenerator:
    """The course's model with a SimpleRNN in place of each LSTM, of the same width.

    The stages get the seeds build_model gives them, so the embedding and the softmax layer
    start from exactly the LSTM model's weights; the recurrent layers use the LSTMs'
    initialisers (Glorot for the input weights, orthogonal for the recurrent ones).
    """
    config = config or ModelConfig()

    def plain_rnn(units: int, offset: int, return_sequences: bool) -> keras.layers.SimpleRNN:
        return keras.layers.SimpleRNN(
            units,
            return_sequences=return_sequences,
            kernel_initializer=keras.initializers.GlorotUniform(seed=stage_seed(seed, offset)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=stage_seed(seed, offset)),
            name=RNN_LAYERS[offset - 1],
        )

    word_ids = keras.Input(shape=(config.sequence_length,), dtype="int32", name="word_ids")
    meaning = build_embedding(config, stage_seed(seed, 0))(word_ids)  # (batch, 13, 100): a vector per word
    context = plain_rnn(config.lstm_1_units, 1, True)(meaning)  # (batch, 13, 150): one vector per word
    summary = plain_rnn(config.lstm_2_units, 2, False)(context)  # (batch, 100): the last step's
    probabilities = build_softmax_head(config, stage_seed(seed, 3))(summary)  # (batch, 4818): next word
    return TextGenerator(config, word_ids, probabilities, name="plain_rnn_generator")


def plain_rnn_step(x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray,
                   recurrent_kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """One plain-RNN step for a batch: x_t (batch, input_dim), h_prev (batch, units).

    Returns h_t (batch, units). All the old memory goes through U (recurrent_kernel) and tanh.
    """
    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)  # (batch, units)


def run_plain_rnn(inputs: np.ndarray, layer: keras.layers.SimpleRNN) -> np.ndarray:
    """plain_rnn_step over every step from a zero state: (batch, steps, input_dim) -> (batch, steps, units)."""
    kernel, recurrent_kernel, bias = layer.get_weights()
    inputs = np.asarray(inputs)
    if inputs.ndim != 3 or inputs.shape[2] != kernel.shape[0]:
        raise ValueError(f"run_plain_rnn: expected inputs of shape (batch, steps, {kernel.shape[0]}), "
                         f"got {inputs.shape}.")
    h = np.zeros((len(inputs), kernel.shape[1]), np.result_type(inputs.dtype, kernel.dtype))
    hidden = []
    for t in range(inputs.shape[1]):
        h = plain_rnn_step(inputs[:, t], h, kernel, recurrent_kernel, bias)
        hidden.append(h)
    return np.stack(hidden, axis=1)


def torch_rnn_from_keras(layer: keras.layers.SimpleRNN) -> torch.nn.RNN:
    """The PyTorch twin of a SimpleRNN: transposed weights, Keras's bias in bias_ih, zeros in bias_hh."""
    kernel, recurrent_kernel, bias = layer.get_weights()
    twin = torch.nn.RNN(kernel.shape[0], kernel.shape[1], nonlinearity="tanh", batch_first=True)
    with torch.no_grad():
        twin.weight_ih_l0.copy_(torch.from_numpy(kernel.T))  # (units, input_dim)
        twin.weight_hh_l0.copy_(torch.from_numpy(recurrent_kernel.T))  # (units, units)
        twin.bias_ih_l0.copy_(torch.from_numpy(bias))
        twin.bias_hh_l0.zero_()
    return twin


class TorchPlainRnn(torch.nn.Module):
    """The PyTorch twin of build_plain_rnn's model: the same stages, the same weights."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = torch.nn.Embedding(config.vocab_size, config.embedding_dim)
        self.rnn_1 = torch.nn.RNN(config.embedding_dim, config.lstm_1_units, batch_first=True)
        self.rnn_2 = torch.nn.RNN(config.lstm_1_units, config.lstm_2_units, batch_first=True)
        self.dense_softmax = TorchSoftmaxHead(config.lstm_2_units, config.vocab_size)

    def logits(self, ids: torch.Tensor) -> torch.Tensor:
        """Word ids (batch, 13) -> next-word scores (batch, 4818)."""
        ids = torch.as_tensor(check_word_ids(ids, self.config.vocab_size, self.config.sequence_length, "plain RNN"))
        return logits_from_meaning(self, self.embedding(ids))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Word ids (batch, 13) -> next-word probabilities (batch, 4818)."""
        return torch.softmax(self.logits(ids), dim=-1)


def torch_plain_rnn_from_keras(model: TextGenerator) -> TorchPlainRnn:
    """Build the PyTorch twin of a plain-RNN model, each stage holding a copy of the Keras weights."""
    twin = TorchPlainRnn(model.config)
    twin.embedding = torch_embedding_from_keras(model.get_layer("embedding"))
    twin.rnn_1 = torch_rnn_from_keras(model.get_layer("rnn_1"))
    twin.rnn_2 = torch_rnn_from_keras(model.get_layer("rnn_2"))
    twin.dense_softmax = torch_softmax_head_from_keras(model.get_layer("dense_softmax"))
    return twin.eval()


def cross_check_plain_rnn(model: TextGenerator, ids: np.ndarray) -> tuple[StageCheck, ...]:
    """Each SimpleRNN in Keras, PyTorch and NumPy on the same windows, then the whole model in Keras and PyTorch.

    Each layer is fed the Keras output of the stage before it, as in crosscheck.cross_check.
    """
    config = config_of(model)
    ids = check_word_ids(ids, config.vocab_size, config.sequence_length, "cross_check_plain_rnn")
    inputs = keras.ops.convert_to_numpy(model.get_layer("embedding")(ids))  # (batch, 13, 100)
    checks = []
    for name in RNN_LAYERS:
        layer = model.get_layer(name)
        keras_out = keras.ops.convert_to_numpy(layer(inputs))  # (batch, 13, 150) or (batch, 100)
        with torch.no_grad():
            torch_out = torch_rnn_from_keras(layer)(torch.from_numpy(inputs))[0].numpy()  # (batch, 13, units)
        numpy_out = run_plain_rnn(inputs, layer)  # (batch, 13, units)
        if not layer.return_sequences:
            torch_out, numpy_out = torch_out[:, -1], numpy_out[:, -1]  # the last step only, as Keras returns
        checks.append(StageCheck(name, tuple(keras_out.shape), max_abs_difference(keras_out, torch_out),
                                 max_abs_difference(keras_out, numpy_out)))
        inputs = keras_out
    keras_probabilities = next_word_probabilities(model, ids)  # (batch, vocab_size)
    with torch.no_grad():
        torch_probabilities = torch_plain_rnn_from_keras(model)(torch.from_numpy(ids)).numpy()  # (batch, vocab_size)
    checks.append(StageCheck("model", tuple(keras_probabilities.shape),
                             max_abs_difference(keras_probabilities, torch_probabilities)))
    return tuple(checks)


def recurrent_pair(twin) -> tuple[torch.nn.Module, torch.nn.Module]:
    """The two recurrent layers of a twin: (lstm_1, lstm_2) or (rnn_1, rnn_2)."""
    if isinstance(twin, TorchTextGenerator):
        return twin.lstm_1, twin.lstm_2
    if isinstance(twin, TorchPlainRnn):
        return twin.rnn_1, twin.rnn_2
    raise ValueError("expected a PyTorch twin from torch_model_from_keras (LSTMs) or torch_plain_rnn_from_keras "
                     f"(plain RNNs), got {type(twin).__name__}.")


def logits_from_meaning(twin, meaning: torch.Tensor) -> torch.Tensor:
    """Meaning vectors (batch, 13, 100) -> next-word scores (batch, 4818), through both recurrent layers."""
    first, second = recurrent_pair(twin)
    context, _ = first(meaning)  # (batch, 13, 150)
    every_step, _ = second(context)  # (batch, 13, 100)
    return twin.dense_softmax.logits(every_step[:, -1])
