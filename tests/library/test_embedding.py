import numpy as np
import pytest

import textgen_course as tc
from textgen_course.embedding import (
    cross_check_embedding,
    embed_numpy,
    embedding_matrix,
    embedding_parameter_count,
)
from conftest import random_ids


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


def test_one_hot_has_a_single_one_at_the_id():
    from textgen_course.embedding import one_hot

    vectors = one_hot(np.array([[0, 3], [2, 4]]), 5)
    assert vectors.shape == (2, 2, 5) and vectors.dtype == np.float32
    np.testing.assert_array_equal(vectors.sum(axis=-1), 1)
    np.testing.assert_array_equal(vectors.argmax(axis=-1), [[0, 3], [2, 4]])
    with pytest.raises(ValueError, match=r"ids must be integers in \[0, 5\)"):
        one_hot(np.array([5]), 5)


def test_one_hot_product_equals_row_selection_on_the_trained_weights(trained_model):
    from textgen_course.embedding import embed_one_hot

    matrix = embedding_matrix(trained_model.get_layer("embedding"))
    ids = random_ids(tc.ModelConfig(), batch=4)
    np.testing.assert_allclose(embed_one_hot(matrix, ids), embed_numpy(matrix, ids), rtol=0, atol=1e-6)
