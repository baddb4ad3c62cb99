"""Stage 5, the whole data flow (chapter: book/data_flow.ipynb).

    Word IDs (13) -> Embedding (13x100) -> LSTM-1 (13x150) -> LSTM-2 (100) -> Dense softmax (4818)

The model is assembled from the four stage builders; nothing is rebuilt by hand. Here:
build_model, the full PyTorch twin, every stage's activation for a batch (named by
stage) and the parameter ledger. crosscheck.py compares every stage three ways, and
architectures.py builds the one-LSTM ablation from the same stages.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import keras
import numpy as np
import torch

from .config import ModelConfig
from .embedding import build_embedding, torch_embedding_from_keras
from .flops import parameters_by_stage
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


def build_model(config: ModelConfig | None = None, seed: int | None = 0) -> TextGenerator:
    """Assemble the four stages into one Keras model; seed fixes the initial weights."""
    config = config or ModelConfig()

    def stage_seed(offset: int) -> int | None:
        return None if seed is None else seed + offset

    word_ids = keras.Input(shape=(config.sequence_length,), dtype="int32", name="word_ids")
    meaning = build_embedding(config, stage_seed(0))(word_ids)  # (batch, 13, 100): a vector per word
    context = build_lstm_context(config, stage_seed(1))(meaning)  # (batch, 13, 150): context per word
    summary = build_lstm_summary(config, stage_seed(2))(context)  # (batch, 100): the whole window
    probabilities = build_softmax_head(config, stage_seed(3))(summary)  # (batch, 4818): next word
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
            lstm1_units=model.get_layer("lstm_1").units,
            lstm2_units=model.get_layer("lstm_2").units,
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
        self.lstm_1 = torch.nn.LSTM(config.embedding_dim, config.lstm1_units, batch_first=True)
        self.lstm_2 = torch.nn.LSTM(config.lstm1_units, config.lstm2_units, batch_first=True)
        self.dense_softmax = TorchSoftmaxHead(config.lstm2_units, config.vocab_size)

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


def data_flow_diagram(activations: dict[str, np.ndarray], vocabulary=None, windows_shown: int = 5) -> str:
    """The notes' diagram, with the shapes of a real forward pass (batch size first).

    The last line names the predicted next word of the first windows_shown windows: as
    ids, or, given the model's vocabulary, as words with their probabilities.
    """
    lstm1_units = activations["lstm_1"].shape[-1]
    lstm2_units = activations["lstm_2"].shape[-1]
    rows = [
        ("Word IDs", "word_ids"),
        ("Embedding", "embedding"),
        (f"LSTM-1 ({lstm1_units} units)", "lstm_1"),
        (f"LSTM-2 ({lstm2_units} units)", "lstm_2"),
        ("Dense softmax", "dense_softmax"),
    ]
    lines = []
    for label, key in rows:
        lines += [f"{label:<22}{tuple(activations[key].shape)}", "   ↓"]
    probabilities = activations["dense_softmax"]  # (batch, vocab_size)
    next_ids = probabilities.argmax(axis=-1)  # (batch,): the most likely next word of each window
    shown = next_ids[:windows_shown]
    if vocabulary is None:
        prediction = f"ids {shown.tolist()}"
    else:
        if len(vocabulary) != probabilities.shape[-1]:
            raise ValueError(
                f"data_flow_diagram: the vocabulary has {len(vocabulary)} words but the model "
                f"predicts {probabilities.shape[-1]}: pass the model's own vocabulary."
            )
        prediction = ", ".join(
            f"{vocabulary.words[i]!r} (p = {probabilities[row, i]:.3f})" for row, i in enumerate(shown)
        )
    lines.append(f"Next-word prediction  {tuple(next_ids.shape)}: {prediction}")
    return "\n".join(lines)


@dataclass(frozen=True)
class LedgerRow:
    """One stage's parameters: the formula, its value, and what Keras and PyTorch count."""

    stage: str
    formula: str
    expected: int
    keras: int
    torch: int


@dataclass(frozen=True)
class ParameterLedger:
    """Every stage's parameter count, computed from the config and counted in both frameworks."""

    rows: tuple[LedgerRow, ...]

    @property
    def keras_total(self) -> int:
        return sum(row.keras for row in self.rows)

    @property
    def torch_total(self) -> int:
        return sum(row.torch for row in self.rows)

    def __str__(self) -> str:
        lines = [f"{'stage':<14}{'formula':<26}{'expected':>10}{'Keras':>10}{'PyTorch':>10}"]
        for row in self.rows:
            lines.append(
                f"{row.stage:<14}{row.formula:<26}{row.expected:>10,}{row.keras:>10,}{row.torch:>10,}"
            )
        expected_total = sum(row.expected for row in self.rows)
        lines.append(f"{'total':<40}{expected_total:>10,}{self.keras_total:>10,}{self.torch_total:>10,}")
        return "\n".join(lines)

    __repr__ = __str__


def parameter_ledger(model) -> ParameterLedger:
    """Count parameters stage by stage: by formula, in the Keras model and in its twin."""
    config = config_of(model)
    twin = torch_model_from_keras(model)
    c = config
    formulas = {
        "embedding": f"{c.vocab_size} x {c.embedding_dim}",
        "lstm_1": f"4 x {c.lstm1_units} x ({c.embedding_dim}+{c.lstm1_units}+1)",
        "lstm_2": f"4 x {c.lstm2_units} x ({c.lstm1_units}+{c.lstm2_units}+1)",
        "dense_softmax": f"({c.lstm2_units}+1) x {c.vocab_size}",
    }
    expected_counts = parameters_by_stage("two_lstms", c)  # the one definition of the counts (flops.py)
    rows = []
    for name in STAGE_NAMES:
        formula, expected = formulas[name], expected_counts[name]
        torch_count = sum(p.numel() for p in getattr(twin, name).parameters())
        rows.append(LedgerRow(name, formula, expected, model.get_layer(name).count_params(), torch_count))
    return ParameterLedger(tuple(rows))
