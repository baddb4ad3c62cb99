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


def test_cosine_similarity_by_hand():
    from textgen_course.embedding import cosine_similarities

    matrix = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(cosine_similarities(matrix, 0), [1, 0, -1, 2**-0.5, 0], atol=1e-12)
    with pytest.raises(ValueError, match=r"word_id must be an integer in \[0, 5\), got 5"):
        cosine_similarities(matrix, 5)


def test_nearest_neighbours_leave_out_the_word_and_the_excluded_ids():
    from textgen_course.embedding import nearest_neighbours

    matrix = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [1.0, 0.05], [-1.0, 0.0]])
    ids, similarities = nearest_neighbours(matrix, 0, count=2)
    np.testing.assert_array_equal(ids, [3, 1])  # most similar first, the word itself left out
    assert similarities[0] > similarities[1]
    ids, _ = nearest_neighbours(matrix, 0, count=10, exclude=(3,))
    np.testing.assert_array_equal(ids, [1, 2, 4])
    with pytest.raises(ValueError, match="count must be a positive integer"):
        nearest_neighbours(matrix, 0, count=0)


def test_random_vectors_have_less_similar_neighbours_than_clustered_ones():
    from textgen_course.embedding import mean_neighbour_similarity

    rng = np.random.default_rng(0)
    random_rows = rng.normal(size=(200, 20))
    centres = rng.normal(size=(10, 20))
    clustered = centres[np.arange(200) % 10] + 0.3 * rng.normal(size=(200, 20))  # 10 groups of related words
    random_score = mean_neighbour_similarity(random_rows, range(50), count=5)
    clustered_score = mean_neighbour_similarity(clustered, range(50), count=5)
    assert random_score < 0.6 < 0.9 < clustered_score


def test_projection_keeps_the_two_largest_directions():
    from textgen_course.embedding import project_2d

    rng = np.random.default_rng(0)
    coordinates = rng.normal(size=(300, 2)) * [5.0, 2.0]  # most variance along two known axes
    rotation, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    vectors = np.hstack([coordinates, 0.01 * rng.normal(size=(300, 4))]) @ rotation + 3.0
    projected, share = project_2d(vectors)
    assert projected.shape == (300, 2) and share.shape == (2,)
    assert share.sum() > 0.999 and share[0] > share[1]
    np.testing.assert_allclose(np.abs(np.corrcoef(projected[:, 0], coordinates[:, 0])[0, 1]), 1, atol=1e-4)
    np.testing.assert_allclose(projected.mean(axis=0), 0, atol=1e-9)  # centred
    with pytest.raises(ValueError, match="n >= 2 vectors"):
        project_2d(np.zeros((1, 5)))


def test_group_similarity_by_hand():
    from textgen_course.embedding import group_similarity

    matrix = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, 3.0], [1.0, 1.0]])
    within, between = group_similarity(matrix, [[0, 1], [2, 3]])  # two groups, each pointing one way
    assert within == pytest.approx(1.0) and between == pytest.approx(0.0)
    within, between = group_similarity(matrix, [[0, 2], [1, 3]])  # the same words, grouped badly
    assert within == pytest.approx(0.0) and between == pytest.approx(0.5)
    with pytest.raises(ValueError, match="at least two groups of at least two"):
        group_similarity(matrix, [[0, 1]])


def test_mean_neighbour_similarity_agrees_with_nearest_neighbours():
    from textgen_course.embedding import mean_neighbour_similarity, nearest_neighbours

    matrix = np.random.default_rng(1).normal(size=(60, 8))
    by_hand = np.mean([nearest_neighbours(matrix, i, count=4, exclude=(0, 1))[1].mean() for i in range(2, 30)])
    np.testing.assert_allclose(mean_neighbour_similarity(matrix, range(2, 30), count=4, exclude=(0, 1)), by_hand,
                               atol=1e-12)
    with pytest.raises(ValueError, match="word_ids is empty"):
        mean_neighbour_similarity(matrix, [])
