"""The dense softmax chapter's self-checks accept the reference answers and name typical mistakes."""

import numpy as np
import pytest
import torch

import keras

from textgen_course.exercises import WrongAnswer
from textgen_course.exercises.checking import Delegated
from textgen_course.generation import apply_temperature
from textgen_course.softmax_head import softmax
from textgen_course.exercises.softmax_head import (
    check_answer_cold_temperature,
    check_answer_dense_parameters,
    check_softmax_with_temperature,
    reference_softmax_with_temperature,
)


def right_softmax(logits, temperature=1.0):
    """The answer as a learner would write it."""
    scaled = logits / temperature
    exps = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


def test_reference_answers_pass(capsys):
    assert check_answer_dense_parameters(1_010_000)
    assert check_answer_cold_temperature("b")
    assert check_softmax_with_temperature(right_softmax)
    assert capsys.readouterr().out.count("✓") == 3


def test_other_right_answers_pass():
    def with_torch(logits, temperature):  # torch's exp and sums, but not its softmax
        scaled = torch.as_tensor(logits) / temperature
        exps = torch.exp(scaled - scaled.max(dim=-1, keepdim=True).values)
        return exps / exps.sum(dim=-1, keepdim=True)

    def with_logsumexp(logits, temperature):
        scaled = logits / temperature
        top = scaled.max(axis=1, keepdims=True)
        return np.exp(scaled - top - np.log(np.exp(scaled - top).sum(axis=1, keepdims=True)))

    assert check_softmax_with_temperature(with_torch, quiet=True)
    assert check_softmax_with_temperature(with_logsumexp, quiet=True)
    assert check_answer_cold_temperature("(B)", quiet=True)


def from_scipy(logits, temperature):
    import scipy.special

    return scipy.special.softmax(logits / temperature, axis=-1)


def from_scipy_by_name(logits, temperature):
    from scipy.special import softmax

    return softmax(logits / temperature, axis=-1)


@pytest.mark.parametrize(
    "answer, called",
    [
        (lambda z, t: softmax(z, t), "textgen_course.softmax_head.softmax"),
        (lambda z, t: softmax(z / t), "textgen_course.softmax_head.softmax"),
        (lambda z, t: apply_temperature(softmax(z), t), "textgen_course.softmax_head.softmax"),
        (lambda z, t: reference_softmax_with_temperature(z, t),
         "textgen_course.exercises.softmax_head.reference_softmax_with_temperature"),
        (from_scipy, "scipy.special.softmax"),
        (from_scipy_by_name, "scipy.special.softmax"),
        (lambda z, t: keras.ops.softmax(z / t), "keras.ops.softmax"),
        (lambda z, t: torch.softmax(torch.as_tensor(z) / t, dim=-1), "torch.softmax"),
        (lambda z, t: torch.nn.functional.softmax(torch.as_tensor(z) / t, dim=-1), "torch.nn.functional.softmax"),
        (lambda z, t: (torch.as_tensor(z) / t).softmax(-1), "torch.Tensor.softmax"),
        (lambda z, t: torch.exp(torch.log_softmax(torch.as_tensor(z) / t, dim=-1)), "torch.log_softmax"),
        (lambda z, t: torch.nn.functional.log_softmax(torch.as_tensor(z) / t, dim=-1).exp(),
         "torch.nn.functional.log_softmax"),
        (lambda z, t: torch.special.log_softmax(torch.as_tensor(z) / t, dim=-1).exp(), "torch.special.log_softmax"),
        (lambda z, t: (torch.as_tensor(z) / t).log_softmax(-1).exp(), "torch.Tensor.log_softmax"),
        (lambda z, t: torch.nn.Softmax(dim=-1)(torch.as_tensor(z) / t), "torch.nn.functional.softmax"),
        (lambda z, t: keras.layers.Softmax()(z / t), "keras.activations.softmax"),
    ],
)
def test_a_softmax_taken_from_a_library_is_rejected(answer, called):
    with pytest.raises(Delegated, match=f"softmax_with_temperature calls {called}, which already computes"):
        check_softmax_with_temperature(answer)
    np.testing.assert_allclose(softmax(np.zeros((1, 2))), [[0.5, 0.5]])  # switched back on afterwards
    assert float(torch.softmax(torch.zeros(2), dim=-1)[0]) == 0.5


def test_a_library_softmax_imported_under_another_name_is_caught():
    from torch import softmax as torch_softmax

    def renamed(z, t):
        return torch_softmax(torch.as_tensor(z) / t, dim=-1)

    with pytest.raises(Delegated, match="calls torch.softmax"):
        check_softmax_with_temperature(renamed)
    assert renamed(np.zeros((1, 2)), 1.0)[0, 0] == 0.5  # and put back in the learner's namespace


def naive(logits, temperature=1.0):
    exps = np.exp(logits / temperature)
    return exps / exps.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize(
    "answer, message",
    [
        (naive, "NaN or inf for large logits"),
        (lambda z, t: naive(z - z.max(), t), "NaN or inf for large logits"),  # the global max, not each row's
        (lambda z, t: right_softmax(z * t), "multiplied by the temperature"),
        (lambda z, t: right_softmax(z), "the temperature has no effect"),
        (lambda z, t: np.exp(z / t) / np.exp(z / t).sum(axis=0), "normalised down the batch"),
        (lambda z, t: np.exp(z / t) / np.exp(z / t).sum(), "sum over the whole array"),
        (lambda z, t: (z / t) / (z / t).sum(axis=-1, keepdims=True), "forgot the exp"),
        (lambda z, t: np.exp(z / t - (z / t).max(axis=-1, keepdims=True)), "forgot to normalise"),
        (lambda z, t: np.log(right_softmax(z, t)), "log-probabilities"),
        (lambda z, t: np.exp(z / t) / np.exp(z / t).sum(axis=-1), "keepdims=True"),
        (lambda z, t: right_softmax(z, t)[0], r"returned shape \(7,\), expected \(4, 7\)"),
        (lambda z, t: ..., "placeholder"),
        (lambda z, t: None, "forgets to `return`"),
        (lambda z, t: right_softmax(z, t) + 0.01, "different values"),
        ("not a function", "must be a function"),
    ],
)
def test_typical_wrong_softmaxes_are_named(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_softmax_with_temperature(answer, quiet=True)


@pytest.mark.parametrize(
    "answer, message",
    [
        (1_000_000, "forgot the bias"),
        (1_000_100, "one entry per output word"),
        (486_618, "the course's layer"),
        (1_510_000, "not LSTM-1's 150"),
        (12, "is not right"),
        ("1010000", "should be a number"),
        (..., "not answered yet"),
    ],
)
def test_wrong_parameter_counts_are_explained(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_dense_parameters(answer, quiet=True)


@pytest.mark.parametrize(
    "answer, message",
    [
        ("a", "T -> infinity"),
        ("c", "stretches the gaps"),
        ("d", "always sums to 1"),
        ("e", "one of the letters a, b, c, d"),
        (..., "not answered yet"),
    ],
)
def test_wrong_temperature_answers_are_explained(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_cold_temperature(answer, quiet=True)
