"""Keras vs PyTorch vs NumPy, stage by stage and for the whole model (chapter: book/data_flow.ipynb).

cross_check runs every stage of a model three ways on the same windows and reports the
largest difference per stage as a StageCheck (stage_check.py); each stage module
(embedding.py, lstm_context.py, lstm_summary.py, softmax_head.py) holds its own
cross_check_<stage>, and this module runs them all, plus the whole model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .embedding import cross_check_embedding
from .input_checks import check_word_ids
from .lstm_context import cross_check_lstm_context
from .lstm_summary import cross_check_lstm_summary
from .model import config_of, next_word_probabilities, stage_activations, torch_model_from_keras
from .numpy_model import NumpyTextGenerator
from .softmax_head import cross_check_softmax_head
from .stage_check import HEADER, TOLERANCE, StageCheck, max_abs_difference, tolerance_text  # noqa: F401


@dataclass(frozen=True)
class CrossCheckReport:
    """Keras vs PyTorch vs NumPy, stage by stage and for the whole model."""

    stages: tuple[StageCheck, ...]
    greedy_ids_match: bool  # the most likely next word is the same in Keras and PyTorch, every window
    batch_size: int

    @property
    def passed(self) -> bool:
        return self.greedy_ids_match and all(check.passed for check in self.stages)

    def __getitem__(self, stage: str) -> StageCheck:
        for check in self.stages:
            if check.stage == stage:
                return check
        raise KeyError(f"no stage {stage!r}; stages are {[c.stage for c in self.stages]}")

    def __str__(self) -> str:
        lines = [f"Cross-check on {self.batch_size} windows (float32, tolerance {tolerance_text(TOLERANCE)})", HEADER]
        lines += [check.row() for check in self.stages]
        lines.append(f"greedy next-word ids identical: {'yes' if self.greedy_ids_match else 'NO'}")
        lines.append(f"PASSED: Keras, PyTorch and NumPy agree to within {tolerance_text(TOLERANCE)} ✓"
                     if self.passed else "FAILED")
        return "\n".join(lines)

    __repr__ = __str__


def cross_check(model, ids=None, batch_size: int = 64, seed: int = 0) -> CrossCheckReport:
    """Run every stage in Keras, PyTorch and NumPy on the same windows and compare.

    ids: (batch, 13) windows to use; by default batch_size random windows drawn with seed.
    Each stage is fed the Keras output of the stage before it, so a mismatch points at
    the stage that causes it.
    """
    config = config_of(model)
    if ids is None:
        ids = np.random.default_rng(seed).integers(
            0, config.vocab_size, (batch_size, config.sequence_length)
        )
    ids = check_word_ids(ids, config.vocab_size, config.sequence_length, "cross_check")
    activations = stage_activations(model, ids)
    checks = [
        cross_check_embedding(model.get_layer("embedding"), ids, config),
        cross_check_lstm_context(model.get_layer("lstm_1"), activations["embedding"], config),
        cross_check_lstm_summary(model.get_layer("lstm_2"), activations["lstm_1"], config),
        cross_check_softmax_head(model.get_layer("dense_softmax"), activations["lstm_2"], config),
    ]
    keras_probabilities = activations["dense_softmax"]
    torch_probabilities = next_word_probabilities(torch_model_from_keras(model), ids)
    numpy_probabilities = NumpyTextGenerator.from_keras(model).probabilities(ids)
    checks.append(
        StageCheck(
            stage="model",
            output_shape=tuple(keras_probabilities.shape),
            torch_difference=max_abs_difference(keras_probabilities, torch_probabilities),
            numpy_difference=max_abs_difference(keras_probabilities, numpy_probabilities),
        )
    )
    greedy = bool(np.array_equal(keras_probabilities.argmax(-1), torch_probabilities.argmax(-1)))
    return CrossCheckReport(tuple(checks), greedy, len(ids))
