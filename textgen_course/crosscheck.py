"""The record a cross-check returns: one stage, run three ways, compared.

Every stage module runs its Keras layer, its PyTorch twin and (where the stage has one)
a from-scratch NumPy version on the same input, and reports the largest absolute
difference between them as a ``StageCheck``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOLERANCE = 1e-5  # float32: agreement we require between Keras, PyTorch and NumPy


def max_abs_difference(first: np.ndarray, second: np.ndarray) -> float:
    """Largest |first - second| over all entries (the shapes must match)."""
    first, second = np.asarray(first), np.asarray(second)
    if first.shape != second.shape:
        raise ValueError(f"cannot compare shapes {first.shape} and {second.shape}")
    if first.size == 0:
        return 0.0
    return float(np.max(np.abs(first.astype(np.float64) - second.astype(np.float64))))


@dataclass(frozen=True)
class StageCheck:
    """One stage's output compared across frameworks."""

    stage: str  # "embedding", "lstm_1", "lstm_2", "dense_softmax" or "model"
    output_shape: tuple[int, ...]  # the Keras output's shape, e.g. (64, 13, 150)
    torch_difference: float  # max |keras - torch|
    numpy_difference: float | None = None  # max |keras - numpy|; None where no NumPy version
    tolerance: float = TOLERANCE

    @property
    def passed(self) -> bool:
        """True when every difference is within the tolerance."""
        differences = [self.torch_difference]
        if self.numpy_difference is not None:
            differences.append(self.numpy_difference)
        return all(difference <= self.tolerance for difference in differences)

    def row(self) -> str:
        """One line of the report table."""
        numpy_text = "-" if self.numpy_difference is None else f"{self.numpy_difference:.1e}"
        verdict = "ok" if self.passed else "MISMATCH"
        return (
            f"{self.stage:<14}{str(self.output_shape):<16}"
            f"{self.torch_difference:>10.1e}{numpy_text:>10}  {verdict}"
        )


HEADER = f"{'stage':<14}{'shape':<16}{'vs torch':>10}{'vs numpy':>10}  verdict"
