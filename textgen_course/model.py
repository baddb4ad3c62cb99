"""Stage 5, the whole data flow (chapter: book/data_flow.ipynb).

    Word IDs (13) -> Embedding (13x100) -> LSTM-1 (13x150) -> LSTM-2 (100) -> Dense softmax (4818)

The model is assembled from the four stage builders; nothing is rebuilt by hand. Here:
build_model, the full PyTorch twin and every stage's activation for a batch (named by
stage); what the chapter measures with them (the diagram with real shapes, the parameter
ledger) is in analysis/data_flow.py. crosscheck.py compares every stage three ways, and
architectures.py builds the one-LSTM ablation from the same stages.
"""

from __future__ import annotations

import contextlib

import keras
import numpy as np
import torch

from .config import ModelConfig
from .embedding import build_embedding, torch_embedding_from_keras
from .input_checks import check_word_ids, to_numpy
from .lstm_context import build_lstm_context
from .lstm_gates import torch_lstm_from_keras
from .lstm_summary import build_lstm_summary
from .numpy_model import NumpyTextGenerator
from .softmax_head import TorchSoftmaxHead, build_softmax_head, logits_numpy, torch_softmax_head_from_keras

STAGE_NAMES = ("embedding", "lstm_1", "lstm_2", "dense_softmax")


class TextGenerator(keras.Model):
    """The course's Keras model: a functional model that knows its config and checks its input.

    Calling it with ids of the wrong dtype, shape or range raises a ValueError that says
    what was expected, instead of an error from deep inside the framework.
    """

    def __init__(self, config: ModelConfig, inputs, outputs, **kwargs) -> None:
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.config = config

    def __call__(self, inputs, *args, **kwargs):
        # Checked here, before Keras's own input checks, so every call, predict and fit
        # step gets the same clear message. Symbolic tensors (while tracing) are skipped.
        try:
            concrete = to_numpy(inputs)
        except Exception:
            concrete = None
        if concrete is not None and concrete.dtype != object:
            check_word_ids(concrete, self.config.vocab_size, self.config.sequence_length, "model")
        return super().__call__(inputs, *args, **kwargs)


def stage_seed(seed: int | None, stage: int) -> int | None:
    """The seed of stage 0..3 (embedding, LSTM-1, LSTM-2, dense) in a model built with `seed`
    (None: unseeded). Every architecture the course builds gives its stages these seeds, so the
    stages they share start from the same weights."""
    return None if seed is None else seed + stage


def build_model(config: ModelConfig | None = None, seed: int | None = 0) -> TextGenerator:
    """Assemble the four stages into one Keras model; seed fixes the initial weights."""
    config = config or ModelConfig()
    word_ids = keras.Input(shape=(config.sequence_length,), dtype="int32", name="word_ids")
    meaning = build_embedding(config, stage_seed(seed, 0))(word_ids)  # (batch, 13, 100): a vector per word
    context = build_lstm_context(config, stage_seed(seed, 1))(meaning)  # (batch, 13, 150): context per word
    summary = build_lstm_summary(config, stage_seed(seed, 2))(context)  # (batch, 100): the whole window
    probabilities = build_softmax_head(config, stage_seed(seed, 3))(summary)  # (batch, 4818): next word
    return TextGenerator(config, word_ids, probabilities, name="text_generator")


def config_of(model) -> ModelConfig:
    """The ModelConfig of a model built by build_model (read from its layers)."""
    if isinstance(model, (TextGenerator, TorchTextGenerator, NumpyTextGenerator)):
        return model.config
    try:
        embedding = model.get_layer("embedding")
        return ModelConfig(
            vocab_size=embedding.input_dim,
            sequence_length=model.input_shape[1],
            embedding_dim=embedding.output_dim,
            lstm_1_units=model.get_layer("lstm_1").units,
            lstm_2_units=model.get_layer("lstm_2").units,
        )
    except (AttributeError, ValueError) as error:
        raise ValueError(
            "expected a model built by textgen_course.build_model (layers named "
            f"{', '.join(STAGE_NAMES)}), got {type(model).__name__}: {error}"
        ) from None


class TorchTextGenerator(torch.nn.Module):
    """The PyTorch twin of the whole model: same stages, same weights, same outputs."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = torch.nn.Embedding(config.vocab_size, config.embedding_dim)
        self.lstm_1 = torch.nn.LSTM(config.embedding_dim, config.lstm_1_units, batch_first=True)
        self.lstm_2 = torch.nn.LSTM(config.lstm_1_units, config.lstm_2_units, batch_first=True)
        self.dense_softmax = TorchSoftmaxHead(config.lstm_2_units, config.vocab_size)

    def summary(self, ids: torch.Tensor) -> torch.Tensor:
        """Word ids (batch, 13) -> LSTM-2's final hidden state (batch, 100)."""
        ids = torch.as_tensor(check_word_ids(ids, self.config.vocab_size, self.config.sequence_length, "torch twin"))
        meaning = self.embedding(ids)  # (batch, 13, 100)
        context, _ = self.lstm_1(meaning)  # (batch, 13, 150)
        every_step, _ = self.lstm_2(context)  # (batch, 13, 100)
        return every_step[:, -1]  # (batch, 100): keep only the last step, as Keras does

    def logits(self, ids: torch.Tensor) -> torch.Tensor:
        """Word ids (batch, 13) -> next-word scores (batch, 4818)."""
        return self.dense_softmax.logits(self.summary(ids))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Word ids (batch, 13) -> next-word probabilities (batch, 4818)."""
        return torch.softmax(self.logits(ids), dim=-1)


def torch_model_from_keras(model) -> TorchTextGenerator:
    """Build the PyTorch twin from the stage twins, each holding a copy of the Keras weights."""
    twin = TorchTextGenerator(config_of(model))
    twin.embedding = torch_embedding_from_keras(model.get_layer("embedding"))
    twin.lstm_1 = torch_lstm_from_keras(model.get_layer("lstm_1"))
    twin.lstm_2 = torch_lstm_from_keras(model.get_layer("lstm_2"))
    twin.dense_softmax = torch_softmax_head_from_keras(model.get_layer("dense_softmax"))
    return twin.eval()


def no_gradients():
    """A context in which Keras on the torch backend records no gradients (faster inference)."""
    if keras.backend.backend() == "torch":
        return torch.no_grad()
    return contextlib.nullcontext()


def next_word_probabilities(model, ids) -> np.ndarray:
    """Probabilities (batch, vocab_size) from a Keras model, its twin or a NumpyTextGenerator."""
    config = config_of(model)
    ids = check_word_ids(ids, config.vocab_size, config.sequence_length, "model")
    if isinstance(model, NumpyTextGenerator):
        return model.probabilities(ids)
    if isinstance(model, torch.nn.Module):
        with torch.no_grad():
            return model(torch.from_numpy(ids)).numpy()
    with no_gradients():
        return keras.ops.convert_to_numpy(model(ids, training=False))


def stage_activations(model, ids) -> dict[str, np.ndarray]:
    """Every stage's output for a batch of windows, named by stage, as NumPy arrays.

    Keys, in data-flow order: word_ids (batch, 13), embedding (batch, 13, 100),
    lstm_1 (batch, 13, 150), lstm_2 (batch, 100), logits (batch, 4818) and
    dense_softmax (batch, 4818), the next-word probabilities.
    """
    config = config_of(model)
    ids = check_word_ids(ids, config.vocab_size, config.sequence_length, "stage_activations")
    outputs = [model.get_layer(name).output for name in STAGE_NAMES]
    extractor = keras.Model(model.input, outputs)
    with no_gradients():
        values = [keras.ops.convert_to_numpy(value) for value in extractor(ids)]
    activations = {"word_ids": ids, **dict(zip(STAGE_NAMES, values))}
    logits = logits_numpy(model.get_layer("dense_softmax"), activations["lstm_2"])
    return {**{k: activations[k] for k in ("word_ids", "embedding", "lstm_1", "lstm_2")},
            "logits": logits.astype(np.float32), "dense_softmax": activations["dense_softmax"]}
