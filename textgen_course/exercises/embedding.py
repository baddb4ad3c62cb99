"""Self-checks for the exercises of book/embedding.ipynb (the embedding layer).

    check_answer_shape(answer_shape)            predict: the embedding's output for 32 windows
    check_answer_parameters(answer_parameters)  predict: its parameter count for 10,000 words x 64
    check_one_hot_lookup(one_hot_lookup)        implement: the lookup as a one-hot matrix product

check_one_hot_lookup runs the learner's function and the reference on the same seeded
matrix and ids. The first probe uses a square matrix (as many words as dimensions), so
that a transposed matrix or an unmultiplied one-hot array still has the right shape and
can be recognised by its values; the second uses a realistic, non-square one. The third
proves that the answer multiplies: a NaN sits in a row no id selects. A product with the
one-hot vectors multiplies it by 0, and 0 x NaN is NaN, so one_hot @ matrix (np.matmul,
np.dot, np.einsum, torch, loops) gives NaN in that column; rows picked out by any route
(matrix[ids], np.asarray(matrix)[ids], np.take, a loop over rows) never touch it.
"""

from __future__ import annotations

import numpy as np

from .checking import (Passed, WrongAnswer, as_array, call_learner, check_number, check_shape, compare,
                       library_switched_off, passed, rows_by_product_only)

BATCH, STEPS = 2, 3  # different, so swapped axes show up
LOOKUP_ANSWERS = (  # ready-made lookups and one-hot encoders: switched off while one_hot_lookup runs
    "textgen_course.embedding.embed_numpy",
    "textgen_course.embedding.one_hot",
    "textgen_course.embedding.embed_one_hot",
    "textgen_course.exercises.embedding.reference_one_hot_lookup",
    "keras.ops.one_hot",
    "keras.ops.take",
    "torch.nn.functional.one_hot",
    "torch.nn.functional.embedding",
)
PRODUCT_REQUIRED = ("A matrix product is required: build the one-hot array, shape (batch, steps, vocab_size), and "
                    "multiply it by the matrix, one_hot @ matrix.")
ROW_PICKING = ("one_hot_lookup picks the rows out of the matrix with the ids (matrix[ids], np.take or the like). "
               "That is the shortcut this exercise rules out. " + PRODUCT_REQUIRED)
NOT_A_PRODUCT = ("one_hot_lookup does not compute a matrix product: it picks the rows out of the matrix (by indexing, "
                 "np.take, a loop over the rows or the like). The check hid a NaN in a row that none of the ids "
                 "selects. A product with the one-hot vectors multiplies that NaN by 0, and 0 x NaN is NaN, so "
                 "one_hot @ matrix has NaN in that column; rows picked out never touch it. " + PRODUCT_REQUIRED)


def check_answer_shape(answer_shape, quiet: bool = False) -> Passed:
    """The embedding's output for a batch of 32 windows of 13 ids: (32, 13, 100)."""
    check_shape(
        answer_shape,
        (32, 13, 100),
        "answer_shape",
        hints={
            (13, 100): "that is one window. The batch dimension comes first and stays: 32 windows in, 32 out.",
            (32, 100): "the embedding does not summarise a window: every one of the 13 ids gets its own vector.",
            (32, 13, 4818): "4818 is the length of a one-hot vector (one entry per vocabulary word). The output has "
            "embedding_dim = 100 numbers per word.",
            (32, 13): "that is the shape of the input, the ids. Each id becomes a vector of 100 numbers.",
            (32, 1300): "Keras keeps the 13 vectors apart, one per position: it does not flatten them.",
            (4818, 100): "that is the shape of the weight matrix, not of the output.",
        },
    )
    return passed("(32, 13, 100): a 100-number vector for each of the 13 ids of each of the 32 windows.", quiet)


def check_answer_parameters(answer_parameters, quiet: bool = False) -> Passed:
    """An Embedding(10_000, 64) layer: one 64-number row per word, nothing else."""
    words, dimensions = 10_000, 64
    check_number(
        answer_parameters,
        words * dimensions,
        "answer_parameters",
        hints={
            words * dimensions + dimensions: "an embedding has no bias: it only selects rows, it adds nothing.",
            words + dimensions: "every word has a whole row of 64 numbers: multiply, do not add.",
            (words - 2) * dimensions: "the padding and unknown-word ids have rows too; they are two of the 10,000 "
            "entries.",
            words * dimensions * 13: "the same matrix serves all 13 positions: the count does not depend on the "
            "window length.",
            13 * dimensions: "the weights are not per position but per vocabulary word: one row for each of the "
            "10,000 words.",
            4818 * dimensions: "this layer has 10,000 words, not the course's 4818.",
        },
    )
    return passed(f"{words * dimensions:,} = 10,000 x 64: one trainable 64-number row per word, no bias.", quiet)


def reference_one_hot_lookup(matrix: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """one_hot(ids) @ matrix: (batch, steps, vocab_size) @ (vocab_size, dim) -> (batch, steps, dim)."""
    one_hot = np.eye(matrix.shape[0])[ids]  # (batch, steps, vocab_size): a single 1 per row
    return one_hot @ matrix


def _probes() -> list[tuple[np.ndarray, np.ndarray]]:
    """(matrix, ids): a square matrix with ids away from the edges, then a realistic one with the edge ids."""
    rng = np.random.default_rng(0)
    square = rng.normal(size=(6, 6))  # vocab_size == embedding_dim: wrong layouts keep the right shape
    square_ids = np.array([[1, 4, 2], [3, 3, 1]])  # (BATCH, STEPS), never 0 or 5: ids +-1 stay valid
    wide = rng.normal(size=(7, 4))  # (vocab_size, embedding_dim) as in the real layer: more words than numbers
    edge_ids = np.array([[0, 6, 2], [5, 0, 6]])  # padding (0) and the last word
    return [(square, square_ids), (wide, edge_ids)]


def _poisoned_probe() -> tuple[np.ndarray, np.ndarray, int]:
    """(matrix, ids, column): a NaN at (row 3, column) of the matrix, and ids that never select row 3."""
    matrix = np.random.default_rng(1).normal(size=(7, 4))
    column = 1
    matrix[3, column] = np.nan
    return matrix, np.array([[0, 6, 2], [5, 1, 4]]), column


def _mistakes(matrix: np.ndarray, ids: np.ndarray) -> dict[str, np.ndarray]:
    """{message: what that mistake returns}; only those that are computable for this probe."""
    vocab_size, dimensions = matrix.shape
    one_hot = np.eye(vocab_size)[ids]
    right = one_hot @ matrix
    mistakes = {
        "you returned the one-hot vectors themselves: multiply them by the matrix (one_hot @ matrix) to pick "
        "the rows.": one_hot,
        "the result has the batch and position axes swapped: keep the ids' shape (batch, steps) and add the "
        "vector axis last.": np.swapaxes(right, 0, 1),
    }
    if vocab_size == dimensions:
        mistakes["off by a transpose: the matrix has one row per word, shape (vocab_size, embedding_dim). "
                 "Multiply one_hot @ matrix, without .T."] = one_hot @ matrix.T
    if ids.min() > 0:
        mistakes["off by one: id i selects row i. Ids start at 0 (the padding row); do not subtract 1."] = (
            np.eye(vocab_size)[ids - 1] @ matrix)
    if ids.max() < vocab_size - 1:
        mistakes["off by one: id i selects row i, not row i + 1."] = np.eye(vocab_size)[ids + 1] @ matrix
    return mistakes


def _run_lookup(one_hot_lookup, matrix: np.ndarray, ids: np.ndarray):
    """The learner's answer on one probe: the library's lookups switched off, the matrix's rows guarded."""
    __tracebackhide__ = True
    name = "one_hot_lookup"
    try:
        with library_switched_off(name, LOOKUP_ANSWERS, one_hot_lookup,
                                  advice="Build the one-hot vectors with NumPy (np.eye helps), then multiply."):
            return call_learner(one_hot_lookup, name, rows_by_product_only(matrix, ROW_PICKING), ids.copy())
    except WrongAnswer as error:
        shape_trouble = ("matmul", "shape", "align", "IndexError", "out of bounds")
        if "raised" in str(error) and any(sign in str(error) for sign in shape_trouble):
            raise WrongAnswer(
                f"{error}\nCheck the shapes: the one-hot array must be (batch, steps, vocab_size) with "
                f"vocab_size = matrix.shape[0] = {matrix.shape[0]} (not ids.max() + 1), and the matrix "
                f"stays (vocab_size, embedding_dim) = {matrix.shape}, untransposed."
            ) from None
        raise


def check_one_hot_lookup(one_hot_lookup, quiet: bool = False) -> Passed:
    """Check one_hot_lookup(matrix, ids) -> (batch, steps, embedding_dim), computed as one_hot @ matrix."""
    __tracebackhide__ = True
    name = "one_hot_lookup"
    for matrix, ids in _probes():
        result = _run_lookup(one_hot_lookup, matrix, ids)
        compare(result, reference_one_hot_lookup(matrix, ids), name, mistakes=_mistakes(matrix, ids),
                atol=1e-5)  # float32 answers pass too
    matrix, ids, column = _poisoned_probe()
    result = as_array(_run_lookup(one_hot_lookup, matrix, ids), name)
    if result.shape != ids.shape + matrix.shape[1:] or not np.isnan(result[..., column]).all():
        raise WrongAnswer(NOT_A_PRODUCT)
    return passed("one_hot_lookup picks row i of the matrix for id i: the product with a one-hot vector is a "
                  "row selection.", quiet)
