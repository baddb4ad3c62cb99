"""What book/embedding.ipynb measures on the embedding stage (the stage itself: embedding.py).

Cosine similarity and nearest neighbours between rows, how close words of one kind are
(group_similarity), a 2-d map of rows by principal component analysis (project_2d), and
how far one training step moves each row (embedding_change_after_training_step).
"""

from __future__ import annotations

import keras
import numpy as np

from ..embedding import STAGE, embedding_matrix
from ..input_checks import check_word_ids


def cosine_similarities(matrix: np.ndarray, word_id: int) -> np.ndarray:
    """(vocab_size,): the cosine of the angle between row word_id and every row of matrix.

    1 means the same direction, 0 unrelated (at right angles), -1 opposite. An all-zero
    row has similarity 0 to everything.
    """
    if isinstance(word_id, bool) or not isinstance(word_id, (int, np.integer)) or not 0 <= word_id < len(matrix):
        raise ValueError(f"cosine_similarities: word_id must be an integer in [0, {len(matrix)}), got {word_id!r}.")
    lengths = np.linalg.norm(matrix, axis=1)  # (vocab_size,)
    unit = matrix / np.where(lengths == 0, 1, lengths)[:, None]  # every row scaled to length 1
    return unit @ unit[word_id]


def nearest_neighbours(
    matrix: np.ndarray, word_id: int, count: int = 10, exclude=()
) -> tuple[np.ndarray, np.ndarray]:
    """The count rows most similar (by cosine) to row word_id, most similar first.

    The word itself and the ids in exclude (for example padding and unknown) are left out.
    Returns (ids (count,), similarities (count,)); ties go to the lower id.
    """
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"nearest_neighbours: count must be a positive integer, got {count!r}.")
    similarities = cosine_similarities(matrix, word_id)
    candidates = np.setdiff1d(np.arange(len(matrix)), [word_id, *exclude])
    order = np.argsort(-similarities[candidates], kind="stable")[:count]
    return candidates[order], similarities[candidates[order]]


def mean_neighbour_similarity(matrix: np.ndarray, word_ids, count: int = 10, exclude=()) -> float:
    """Average cosine similarity of each word in word_ids to its count nearest neighbours.

    Random vectors have distant neighbours (a low value); an embedding in which words
    share directions with related words scores higher. Same neighbours as nearest_neighbours.
    """
    word_ids = np.array([int(i) for i in word_ids], dtype=np.int64)
    if word_ids.size == 0:
        raise ValueError("mean_neighbour_similarity: word_ids is empty; give at least one id.")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"mean_neighbour_similarity: count must be a positive integer, got {count!r}.")
    lengths = np.linalg.norm(matrix, axis=1)
    unit = matrix / np.where(lengths == 0, 1, lengths)[:, None]  # every row scaled to length 1
    similarities = unit[word_ids] @ unit.T  # (words, vocab_size): every word against every row
    similarities[np.arange(len(word_ids)), word_ids] = -np.inf  # a word is not its own neighbour
    similarities[:, list(exclude)] = -np.inf
    nearest = -np.partition(-similarities, count - 1, axis=1)[:, :count]  # (words, count): the count largest
    return float(nearest.mean())


def group_similarity(matrix: np.ndarray, groups) -> tuple[float, float]:
    """Mean cosine similarity of words in the same group, and of words in different groups.

    groups: lists of word ids, for example [[ids of pronouns], [ids of numbers], ...].
    Returns (within, between): the mean over all pairs inside a group, averaged over the
    groups, and the mean over all pairs whose words are in two different groups.
    """
    groups = [[int(i) for i in group] for group in groups]
    if len(groups) < 2 or any(len(group) < 2 for group in groups):
        raise ValueError("group_similarity: give at least two groups of at least two word ids each.")
    lengths = np.linalg.norm(matrix, axis=1)
    unit = matrix / np.where(lengths == 0, 1, lengths)[:, None]  # every row scaled to length 1
    within = []
    for group in groups:
        similarities = unit[group] @ unit[group].T  # (n, n); the diagonal is each word with itself
        within.append(similarities[np.triu_indices(len(group), k=1)].mean())
    between = [
        (unit[first] @ unit[second].T).mean()
        for index, first in enumerate(groups)
        for second in groups[index + 1:]
    ]
    return float(np.mean(within)), float(np.mean(between))


def project_2d(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Principal component analysis by SVD: (n, dim) -> (n, 2) coordinates, and the variance share kept.

    The two axes are the directions along which the centred vectors vary most; the
    second result says what share of the total variance each axis shows.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[0] < 2 or vectors.shape[1] < 2:
        raise ValueError(f"project_2d: expected (n, dim) with n >= 2 vectors of dim >= 2, got shape {vectors.shape}.")
    centred = vectors - vectors.mean(axis=0)  # (n, dim)
    _, singular_values, directions = np.linalg.svd(centred, full_matrices=False)  # directions: (k, dim)
    variance = singular_values**2
    signs = np.sign(directions[:2].sum(axis=1, keepdims=True))  # fix SVD's arbitrary sign per axis
    signs[signs == 0] = 1
    axes = directions[:2] * signs  # (2, dim)
    return centred @ axes.T, variance[:2] / variance.sum()


def embedding_change_after_training_step(
    model: keras.Model, ids: np.ndarray, next_ids: np.ndarray, learning_rate: float = 1.0
) -> np.ndarray:
    """How far each word's vector moves in one SGD step; the model is left unchanged.

    ids: (batch, sequence_length) windows; next_ids: (batch,) the words that follow.
    Returns (vocab_size,): the length of each row's change. Only words that appear in
    the batch get a gradient, so only their rows move.
    """
    layer = model.get_layer(STAGE)
    ids = check_word_ids(ids, layer.input_dim, model.input_shape[1], STAGE)
    next_ids = np.asarray(next_ids)
    if next_ids.shape != (ids.shape[0],):
        raise ValueError(
            f"{STAGE}: next_ids must have shape ({ids.shape[0]},), one per window; "
            f"got {next_ids.shape}."
        )
    if learning_rate <= 0:
        raise ValueError(f"{STAGE}: learning_rate must be > 0, got {learning_rate}.")
    saved = model.get_weights()
    before = embedding_matrix(layer).copy()
    # A second Model over the same layers: training it moves the shared weights without
    # touching `model`'s own compile state; the weights are restored afterwards.
    trainer = keras.Model(model.input, model.output)
    trainer.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="sparse_categorical_crossentropy")
    trainer.train_on_batch(ids, next_ids)
    after = embedding_matrix(layer)
    model.set_weights(saved)
    return np.linalg.norm(after - before, axis=1)


def label_points(axes, points: np.ndarray, labels, colours, fontsize: float = 9) -> list[int]:
    """Write each label beside its point where it overlaps no label already written.

    points: (n, 2) data coordinates, in order of importance (earlier points are labelled first);
    labels, colours: one per point. Each label tries four places around its point (right, left,
    above, below) and is left out when all four overlap a label already written or leave the axes.
    Returns the indices of the points left without a label. Call it last, once the axes' limits,
    legend and layout are set: it draws the figure first, so that positions are final.
    """
    figure = axes.figure
    figure.canvas.draw()  # settle the limits and the layout before measuring anything
    renderer = figure.canvas.get_renderer()
    frame = axes.get_window_extent(renderer)
    placed, left_out = [], []
    offsets = [((4, 0), "left", "center"), ((-4, 0), "right", "center"),
               ((0, 4), "center", "bottom"), ((0, -4), "center", "top")]  # in points, from the dot
    for index, ((x, y), label, colour) in enumerate(zip(np.asarray(points), labels, colours)):
        for offset, horizontal, vertical in offsets:
            text = axes.annotate(label, (x, y), xytext=offset, textcoords="offset points", fontsize=fontsize,
                                 color=colour, ha=horizontal, va=vertical)
            text.set_in_layout(False)  # the labels must not move the axes they were measured in
            box = text.get_window_extent(renderer).expanded(1.05, 1.1)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            text.remove()
        else:
            left_out.append(index)
    return left_out
