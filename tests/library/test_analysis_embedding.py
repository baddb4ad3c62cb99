import numpy as np
import pytest

from textgen_course.analysis.embedding import embedding_change_after_training_step
from conftest import SMALL, random_ids


def test_a_training_step_moves_exactly_the_rows_of_words_in_the_batch(trained_model):
    ids = np.array([[0, 0, 0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]])
    before = trained_model.get_weights()
    change = embedding_change_after_training_step(trained_model, ids, np.array([20]), learning_rate=1.0)
    assert change.shape == (4818,)
    moved = set(np.flatnonzero(change > 0))
    assert moved == {0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
    for kept, now in zip(before, trained_model.get_weights()):  # the model itself is unchanged
        np.testing.assert_array_equal(kept, now)


def test_step_rejects_mismatched_targets(small_model):
    with pytest.raises(ValueError, match=r"next_ids must have shape \(2,\)"):
        embedding_change_after_training_step(small_model, random_ids(SMALL, batch=2), np.array([1, 2, 3]))


def test_cosine_similarity_by_hand():
    from textgen_course.analysis.embedding import cosine_similarities

    matrix = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(cosine_similarities(matrix, 0), [1, 0, -1, 2**-0.5, 0], atol=1e-12)
    with pytest.raises(ValueError, match=r"word_id must be an integer in \[0, 5\), got 5"):
        cosine_similarities(matrix, 5)


def test_nearest_neighbours_leave_out_the_word_and_the_excluded_ids():
    from textgen_course.analysis.embedding import nearest_neighbours

    matrix = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [1.0, 0.05], [-1.0, 0.0]])
    ids, similarities = nearest_neighbours(matrix, 0, count=2)
    np.testing.assert_array_equal(ids, [3, 1])  # most similar first, the word itself left out
    assert similarities[0] > similarities[1]
    ids, _ = nearest_neighbours(matrix, 0, count=10, exclude=(3,))
    np.testing.assert_array_equal(ids, [1, 2, 4])
    with pytest.raises(ValueError, match="count must be a positive integer"):
        nearest_neighbours(matrix, 0, count=0)


def test_random_vectors_have_less_similar_neighbours_than_clustered_ones():
    from textgen_course.analysis.embedding import mean_neighbour_similarity

    rng = np.random.default_rng(0)
    random_rows = rng.normal(size=(200, 20))
    centres = rng.normal(size=(10, 20))
    clustered = centres[np.arange(200) % 10] + 0.3 * rng.normal(size=(200, 20))  # 10 groups of related words
    random_score = mean_neighbour_similarity(random_rows, range(50), count=5)
    clustered_score = mean_neighbour_similarity(clustered, range(50), count=5)
    assert random_score < 0.6 < 0.9 < clustered_score


def test_projection_keeps_the_two_largest_directions():
    from textgen_course.analysis.embedding import project_2d

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
    from textgen_course.analysis.embedding import group_similarity

    matrix = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, 3.0], [1.0, 1.0]])
    within, between = group_similarity(matrix, [[0, 1], [2, 3]])  # two groups, each pointing one way
    assert within == pytest.approx(1.0) and between == pytest.approx(0.0)
    within, between = group_similarity(matrix, [[0, 2], [1, 3]])  # the same words, grouped badly
    assert within == pytest.approx(0.0) and between == pytest.approx(0.5)
    with pytest.raises(ValueError, match="at least two groups of at least two"):
        group_similarity(matrix, [[0, 1]])


def test_mean_neighbour_similarity_agrees_with_nearest_neighbours():
    from textgen_course.analysis.embedding import mean_neighbour_similarity, nearest_neighbours

    matrix = np.random.default_rng(1).normal(size=(60, 8))
    by_hand = np.mean([nearest_neighbours(matrix, i, count=4, exclude=(0, 1))[1].mean() for i in range(2, 30)])
    np.testing.assert_allclose(mean_neighbour_similarity(matrix, range(2, 30), count=4, exclude=(0, 1)), by_hand,
                               atol=1e-12)
    with pytest.raises(ValueError, match="word_ids is empty"):
        mean_neighbour_similarity(matrix, [])


def test_labels_never_overlap_and_crowded_ones_are_left_out():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from textgen_course.analysis.embedding import label_points

    figure, axes = plt.subplots(figsize=(4, 3), layout="constrained")
    points = np.array([[0.0, 0.0]] * 12 + [[5.0, 5.0], [-8.0, -8.0]])  # twelve words on one spot, two alone
    axes.scatter(*points.T)  # the limits come from the data, settled only when the figure is drawn
    left_out = label_points(axes, points, [f"word{i}" for i in range(14)], ["black"] * 14)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in axes.texts]
    assert len(boxes) == 14 - len(left_out) and 12 not in left_out and 13 not in left_out  # lone words keep theirs
    assert 8 <= len(left_out) < 12  # at most four places around the crowded spot, at least one used
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    plt.close(figure)
