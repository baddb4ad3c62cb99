"""Clear errors for wrong inputs, shared by every stage (textgen_course/input_checks.py)."""

import numpy as np
import pytest
import torch

from textgen_course.input_checks import check_vectors, check_word_ids, to_numpy


def test_word_ids_come_back_as_int64_and_tensors_are_read():
    ids = check_word_ids(torch.tensor([[1, 2, 3]], dtype=torch.int32), vocab_size=5, sequence_length=3, stage="x")
    assert ids.dtype == np.int64 and ids.tolist() == [[1, 2, 3]]
    assert to_numpy([[1.0]]).shape == (1, 1)


@pytest.mark.parametrize("ids, message", [
    (np.zeros((1, 3)), "word ids must be integers, got dtype float64"),
    (np.zeros(3, dtype=int), r"For one window, use ids\[None, :\]"),
    (np.zeros((1, 4), dtype=int), "expected 3 word ids per window, got 4"),
    (np.array([[0, 1, 5]]), r"word ids must lie in \[0, 5\), got 5"),
])
def test_wrong_word_ids_get_a_message_that_names_the_stage_and_the_fix(ids, message):
    with pytest.raises(ValueError, match=message) as error:
        check_word_ids(ids, vocab_size=5, sequence_length=3, stage="lstm_1")
    assert str(error.value).startswith("lstm_1: ")


def test_vectors_must_end_with_the_stage_shape():
    assert check_vectors(np.zeros((2, 3, 4)), (3, 4), "lstm_2").dtype == np.float32
    with pytest.raises(ValueError, match="lstm_2"):
        check_vectors(np.zeros((2, 3, 5)), (3, 4), "lstm_2")
