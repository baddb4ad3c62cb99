"""The record a cross-check returns: one stage, run three ways, compared.

Every stage module runs its Keras layer, its PyTorch twin and (where the stage has one)
a from-scratch NumPy version on the same input, and reports the largest absolute
difference between them as a ``StageCheck``.

A difference within the tolerance prints as the bound it is below ("< 1e-5"), never as its
digits: float32 round-off such as 2.1e-06 prints as 2.0e-06 on a CPU with other vector units,
and the chapters' stored outputs must read the same on every machine.
"""

from __future__ import annotations

import re
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


def tolerance_text(tolerance: float) -> str:
    """A tolerance or bound as people write it: 1e-05 -> "1e-5", 5e-04 -> "5e-4"."""
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", f"{tolerance:.0e}")  # drop the "+" and the padding zeros


def agreement(difference: float, tolerance: float = TOLERANCE) -> str:
    """How a max |difference| prints in a chapter: "< 1e-5 ✓" within the tolerance, its digits only when not.

    Within the tolerance, the digits are round-off that varies from CPU to CPU; the bound does not.
    """
    if difference < tolerance:
        return f"< {tolerance_text(tolerance)} ✓"
    return f"{difference:.1e} ✗ (tolerance {tolerance_text(tolerance)})"


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
        """One line of the report table: each difference as the bound it is below, or its value if not."""
        torch_text, numpy_text = (
            "-" if difference is None
            else f"< {tolerance_text(self.tolerance)}" if difference < self.tolerance
            else f"{difference:.1e}"
            for difference in (self.torch_difference, self.numpy_difference)
        )
        verdict = "ok" if self.passed else "MISMATCH"
        return f"{self.stage:<14}{str(self.output_shape):<16}{torch_text:>10}{numpy_text:>10}  {verdict}"


HEADER = f"{'stage':<14}{'shape':<16}{'vs torch':>10}{'vs numpy':>10}  verdict"
