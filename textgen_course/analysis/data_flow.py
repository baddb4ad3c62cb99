"""What book/data_flow.ipynb measures on the whole model: the notes' diagram with the shapes of a
real forward pass, and the parameter ledger (every stage counted by formula, by Keras and by the
PyTorch twin). The model itself is model.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..flops import parameters_by_stage
from ..model import STAGE_NAMES, config_of, torch_model_from_keras


def data_flow_diagram(activations: dict[str, np.ndarray], vocabulary=None, windows_shown: int = 5) -> str:
    """The notes' diagram, with the shapes of a real forward pass (batch size first).

    The last line names the predicted next word of the first windows_shown windows: as
    ids, or, given the model's vocabulary, as words with their probabilities.
    """
    lstm_1_units = activations["lstm_1"].shape[-1]
    lstm_2_units = activations["lstm_2"].shape[-1]
    rows = [
        ("Word IDs", "word_ids"),
        ("Embedding", "embedding"),
        (f"LSTM-1 ({lstm_1_units} units)", "lstm_1"),
        (f"LSTM-2 ({lstm_2_units} units)", "lstm_2"),
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
        "lstm_1": f"4 x {c.lstm_1_units} x ({c.embedding_dim}+{c.lstm_1_units}+1)",
        "lstm_2": f"4 x {c.lstm_2_units} x ({c.lstm_1_units}+{c.lstm_2_units}+1)",
        "dense_softmax": f"({c.lstm_2_units}+1) x {c.vocab_size}",
    }
    expected_counts = parameters_by_stage("two_lstms", c)  # the one definition of the counts (flops.py)
    rows = []
    for name in STAGE_NAMES:
        formula, expected = formulas[name], expected_counts[name]
        torch_count = sum(p.numel() for p in getattr(twin, name).parameters())
        rows.append(LedgerRow(name, formula, expected, model.get_layer(name).count_params(), torch_count))
    return ParameterLedger(tuple(rows))
