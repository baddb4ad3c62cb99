import numpy as np
import pytest

import textgen_course as tc
from textgen_course.embedding import (
    cross_check_embedding,
    embed_numpy,
    embedding_change_after_training_step,
    embedding_matrix,
    embedding_parameter_count,
)
from conftest import SMALL, random_ids


def test_ids_become_one_vector_per_word(model):
    ids = random_ids(tc.ModelConfig(), batch=3)
    vectors = tc.stage_activations(model, ids)["embedding"]
    assert vectors.shape == (3, 13, 100)


def test_parameter_count_is_vocab_times_dim(model):
    assert embedding_parameter_count(tc.ModelConfig()) == 481_800
    assert model.get_layer("embedding").count_params() == 481_800


def test_lookup_is_row_selection_and_one_hot_product(trained_model):
    matrix = embedding_matrix(trained_model.get_layer("embedding"))
    ids = np.array([[0, 5, 4817]])
    one_hot = np.eye(matrix.shape[0], dtype=np.float32)[ids]  # (1, 3, 4818)
    np.testing.assert_allclose(embed_numpy(matrix, ids), one_hot @ matrix, atol=1e-6)


def test_keras_torch_and_numpy_agree(trained_model):
    check = cross_check_embedding(trained_model.get_layer("embedding"), random_ids(tc.ModelConfig()), tc.ModelConfig())
    assert check.output_shape == (64, 13, 100)
    assert check.torch_difference == 0.0 and check.numpy_difference == 0.0


def test_a_training_step_moves_exactly_the_rows_of_words_in_the_batch(trained_model):
    ids = np.array([[0, 0, 0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]])
    before = trained_model.get_weights()
    change = embedding_change_after_training_step(trained_model, ids, np.array([20]), learning_rate=1.0)
    assert change.shape == (4818,)
    moved = set(np.flatnonzero(change > 0))
    assert moved == {0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
    for kept, now in zip(before, trained_model.get_weights()):  # the model itself is unchanged
        np.testing.assert_array_equal(kept, now)


@pytest.mark.parametrize(
    "ids, message",
    [
        (np.zeros((2, 13), dtype=np.float32), "must be integers, got dtype float32"),
        (np.zeros(13, dtype=int), r"shape \(batch, 13\), got shape \(13,\).*ids\[None, :\]"),
        (np.zeros((2, 12), dtype=int), "expected 13 word ids per window, got 12"),
        (np.full((2, 13), 4818), r"must lie in \[0, 4818\), got 4818"),
        (np.full((2, 13), -1), r"must lie in \[0, 4818\), got -1"),
    ],
)
def test_bad_ids_get_a_clear_error_naming_the_stage(model, ids, message):
    with pytest.raises(ValueError, match="embedding: .*" + message):
        cross_check_embedding(model.get_layer("embedding"), ids, tc.ModelConfig())


def test_step_rejects_mismatched_targets(small_model):
    with pytest.raises(ValueError, match=r"next_ids must have shape \(2,\)"):
        embedding_change_after_training_step(small_model, random_ids(SMALL, batch=2), np.array([1, 2, 3]))
