"""One stage compared across frameworks (textgen_course/stage_check.py), and how it prints:
bounds within the tolerance, digits only for a mismatch."""

from __future__ import annotations

import pytest

from textgen_course.stage_check import HEADER, TOLERANCE, StageCheck, agreement, max_abs_difference, tolerance_text


@pytest.mark.parametrize(
    ("tolerance", "text"), [(1e-5, "1e-5"), (1e-7, "1e-7"), (5e-4, "5e-4"), (1e-10, "1e-10"), (1e3, "1e3")]
)
def test_tolerance_text_writes_a_tolerance_as_people_do(tolerance, text):
    assert tolerance_text(tolerance) == text


def test_a_difference_within_the_tolerance_prints_as_its_bound():
    assert agreement(2.1e-6) == agreement(2.0e-6) == agreement(0.0) == "< 1e-5 ✓"
    assert agreement(4.3e-9, tolerance=1e-7) == "< 1e-7 ✓"


def test_a_difference_beyond_the_tolerance_prints_its_digits():
    assert agreement(3.2e-4) == "3.2e-04 ✗ (tolerance 1e-5)"
    assert agreement(TOLERANCE) == "1.0e-05 ✗ (tolerance 1e-5)"  # "<" would be false


def test_a_row_shows_bounds_not_roundoff():
    row = StageCheck("lstm_1", (64, 13, 150), torch_difference=2.1e-6, numpy_difference=7.5e-7).row()
    assert row.split() == ["lstm_1", "(64,", "13,", "150)", "<", "1e-5", "<", "1e-5", "ok"]
    assert row.index("ok") == HEADER.index("verdict")  # the columns line up under the header


def test_a_row_shows_the_digits_of_a_mismatch_and_a_dash_without_numpy():
    row = StageCheck("dense_softmax", (64, 4818), torch_difference=3.2e-4).row()
    assert row.split()[-3:] == ["3.2e-04", "-", "MISMATCH"]


def test_max_abs_difference_is_the_largest_entry_and_checks_shapes():
    assert max_abs_difference([1.0, 2.0], [1.5, 1.0]) == 1.0
    with pytest.raises(ValueError, match="cannot compare shapes"):
        max_abs_difference([1.0], [1.0, 2.0])
