"""The embedding chapter's self-checks accept the reference answers and name typical mistakes."""

import numpy as np
import pytest

from textgen_course.embedding import embed_one_hot, embed_numpy, embedding_parameter_count, one_hot
from textgen_course.config import ModelConfig
from textgen_course.exercises import WrongAnswer
from textgen_course.exercises.checking import Delegated
from textgen_course.exercises.embedding import (
    check_answer_parameters,
    check_answer_shape,
    check_one_hot_lookup,
    reference_one_hot_lookup,
)


def right_lookup(matrix, ids):
    """The reference answer, written as a learner would."""
    one_hot = np.zeros(ids.shape + (matrix.shape[0],))
    for position, word_id in np.ndenumerate(ids):
        one_hot[position + (word_id,)] = 1.0
    return one_hot @ matrix


def test_reference_answers_pass(capsys):
    assert check_answer_shape((32, 13, 100))
    assert check_answer_parameters(640_000)
    assert check_one_hot_lookup(right_lookup)
    assert capsys.readouterr().out.count("✓") == 3


def test_the_parameter_answer_is_the_library_formula():
    assert embedding_parameter_count(ModelConfig(vocab_size=10_000, embedding_dim=64)) == 640_000


def test_other_right_answers_pass():
    import torch

    def with_torch(matrix, ids):  # its own one-hot vectors, the product in float32
        one_hot = torch.tensor(ids[..., None] == np.arange(matrix.shape[0]), dtype=torch.float32)
        return one_hot @ torch.tensor(matrix, dtype=torch.float32)  # float32: within the tolerance

    def with_einsum(matrix, ids):
        return np.einsum("bsv,vd->bsd", np.eye(len(matrix))[ids], matrix)

    def with_loops(matrix, ids):  # the product written out, one number at a time
        vocab_size, dimensions = matrix.shape
        one_hot = np.eye(vocab_size)[ids]
        out = np.zeros(ids.shape + (dimensions,))
        for b, s, d in np.ndindex(out.shape):
            out[b, s, d] = sum(one_hot[b, s, v] * matrix[v, d] for v in range(vocab_size))
        return out

    assert check_one_hot_lookup(with_torch, quiet=True)
    assert check_one_hot_lookup(with_einsum, quiet=True)
    assert check_one_hot_lookup(with_loops, quiet=True)


@pytest.mark.parametrize(
    "answer, message",
    [
        (lambda matrix, ids: matrix[ids], r"picks the rows out of the matrix with the ids \(matrix\[ids\]"),
        (lambda matrix, ids: matrix.T[:, ids].transpose(1, 2, 0), "picks the rows out of the matrix"),
        (lambda matrix, ids: np.take(matrix, ids, axis=0), "picks the rows out of the matrix"),
        (lambda matrix, ids: matrix.take(ids, axis=0), "picks the rows out of the matrix"),
        (lambda matrix, ids: np.stack([matrix[list(row)] for row in ids]), "picks the rows out of the matrix"),
    ],
)
def test_picking_rows_instead_of_multiplying_is_rejected(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_one_hot_lookup(answer)


@pytest.mark.parametrize(
    "answer",
    [
        lambda matrix, ids: np.asarray(matrix)[ids],
        lambda matrix, ids: np.array(matrix)[ids],
        lambda matrix, ids: np.copy(matrix)[ids],
        lambda matrix, ids: matrix.view(np.ndarray)[ids],
        lambda matrix, ids: np.asarray(matrix).take(ids, axis=0),
        lambda matrix, ids: np.take(np.asarray(matrix), ids, axis=0),
        lambda matrix, ids: np.array([[matrix[word_id] for word_id in row] for row in ids]),
        lambda matrix, ids: np.array([[matrix.tolist()[word_id] for word_id in row] for row in ids]),
        lambda matrix, ids: np.stack([np.stack([np.asarray(matrix)[i] for i in row]) for row in ids]),
        lambda matrix, ids: __import__("torch").tensor(np.asarray(matrix))[__import__("torch").tensor(ids)],
    ],
    ids=["asarray", "array", "copy", "view", "asarray-take", "np-take-of-asarray", "rows-by-int",
         "list-comprehension", "stack-rows", "torch-index"],
)
def test_every_way_of_picking_rows_is_rejected_as_not_a_product(answer):
    with pytest.raises(WrongAnswer, match="(does not compute a matrix product|picks the rows out of the matrix)"
                       ".*A matrix product is required"):
        check_one_hot_lookup(answer)


def test_rows_picked_from_a_plain_copy_are_named_with_the_nan_probe():
    with pytest.raises(WrongAnswer) as caught:
        check_one_hot_lookup(lambda matrix, ids: np.asarray(matrix)[ids])
    message = str(caught.value)
    assert message.startswith("one_hot_lookup does not compute a matrix product: it picks the rows out")
    assert "hid a NaN in a row that none of the ids selects" in message
    assert message.endswith("multiply it by the matrix, one_hot @ matrix.")


@pytest.mark.parametrize(
    "answer",
    [
        lambda matrix, ids: np.eye(matrix.shape[0])[ids] @ matrix,
        lambda matrix, ids: np.matmul(np.eye(matrix.shape[0])[ids], matrix),
        lambda matrix, ids: np.dot(np.eye(matrix.shape[0])[ids], matrix),
        lambda matrix, ids: np.einsum("bsv,vd->bsd", np.eye(matrix.shape[0])[ids], matrix),
        lambda matrix, ids: np.tensordot(np.eye(matrix.shape[0])[ids], matrix, axes=1),
        lambda matrix, ids: (ids[..., None] == np.arange(len(matrix))).astype(float) @ matrix,
        lambda matrix, ids: (np.eye(matrix.shape[0])[ids].astype(np.float32) @ matrix.astype(np.float32)),
    ],
    ids=["at", "matmul", "dot", "einsum", "tensordot", "comparison-one-hot", "float32"],
)
def test_honest_products_pass_the_nan_probe(answer):
    assert check_one_hot_lookup(answer, quiet=True)


@pytest.mark.parametrize(
    "answer, called",
    [
        (lambda matrix, ids: embed_one_hot(matrix, ids), "textgen_course.embedding.embed_one_hot"),
        (lambda matrix, ids: embed_numpy(matrix, ids), "textgen_course.embedding.embed_numpy"),
        (lambda matrix, ids: one_hot(ids, len(matrix)) @ matrix, "textgen_course.embedding.one_hot"),
        (lambda matrix, ids: reference_one_hot_lookup(matrix, ids),
         "textgen_course.exercises.embedding.reference_one_hot_lookup"),
    ],
)
def test_answers_that_call_the_library_are_rejected(answer, called):
    with pytest.raises(Delegated, match=f"one_hot_lookup calls {called}, which already computes the answer"):
        check_one_hot_lookup(answer)
    np.testing.assert_array_equal(embed_numpy(np.eye(3), np.array([[2]])), [[[0, 0, 1]]])  # switched back on


def test_a_torch_one_hot_is_rejected_too():
    import torch

    def with_torch_one_hot(matrix, ids):
        return torch.nn.functional.one_hot(torch.tensor(ids), len(matrix)).double() @ torch.tensor(matrix)

    with pytest.raises(Delegated, match="calls torch.nn.functional.one_hot"):
        check_one_hot_lookup(with_torch_one_hot)


@pytest.mark.parametrize(
    "answer, message",
    [
        (..., "not answered yet"),
        ((13, 100), "batch dimension comes first"),
        ((32, 100), "every one of the 13 ids gets its own vector"),
        ((32, 13, 4818), "length of a one-hot vector"),
        ((32, 13), "shape of the input"),
        ((4818, 100), "weight matrix"),
        ((32, 13, 150), "not right"),
    ],
)
def test_wrong_shapes_are_explained(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_shape(answer)


@pytest.mark.parametrize(
    "answer, message",
    [
        (..., "not answered yet"),
        (640_064, "no bias"),
        (10_064, "multiply, do not add"),
        (639_872, "padding and unknown-word ids have rows too"),
        (640_000 * 13, "does not depend on the window length"),
        (832, "one row for each of the 10,000 words"),
        (4818 * 64, "not the course's 4818"),
        (1_000_000, "not right"),
    ],
)
def test_wrong_parameter_counts_are_explained(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_parameters(answer)


def one_hot_of(matrix, ids):
    return np.eye(matrix.shape[0])[ids]


@pytest.mark.parametrize(
    "answer, message",
    [
        (lambda matrix, ids: one_hot_of(matrix, ids) @ matrix.T, "off by a transpose"),
        (lambda matrix, ids: np.eye(matrix.shape[0])[ids - 1] @ matrix, "Ids start at 0"),
        (lambda matrix, ids: np.eye(matrix.shape[0])[ids + 1] @ matrix, "not row i \\+ 1"),
        (lambda matrix, ids: one_hot_of(matrix, ids), "returned the one-hot vectors themselves"),
        (lambda matrix, ids: np.swapaxes(one_hot_of(matrix, ids) @ matrix, 0, 1), "axes swapped"),
        (lambda matrix, ids: np.eye(ids.max() + 1)[ids] @ matrix, "not ids.max\\(\\) \\+ 1"),
        (lambda matrix, ids: (one_hot_of(matrix, ids) @ matrix).sum(axis=1), "returned shape \\(2, 6\\)"),
        (lambda matrix, ids: one_hot_of(matrix, ids) @ matrix + 1.0, "different values"),
        (lambda matrix, ids: None, "still the placeholder"),
    ],
)
def test_typical_lookup_mistakes_are_named(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_one_hot_lookup(answer)


def test_a_one_hot_sized_by_the_wrong_axis_is_explained():
    # Right on the square probe (6 words, 6 numbers); on the realistic (7, 4) matrix it fails.
    def sized_by_embedding_dim(matrix, ids):
        return np.eye(matrix.shape[1])[ids] @ matrix

    with pytest.raises(WrongAnswer, match="(?s)raised IndexError.*vocab_size = matrix.shape\\[0\\] = 7"):
        check_one_hot_lookup(sized_by_embedding_dim)
