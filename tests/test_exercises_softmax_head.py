"""The dense softmax chapter's self-checks accept the reference answers and name typical mistakes."""

import numpy as np
import pytest
import torch

from textgen_course.exercises import WrongAnswer
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
    assert check_softmax_with_temperature(reference_softmax_with_temperature, quiet=True)
    assert capsys.readouterr().out.count("✓") == 3


def test_other_right_answers_pass():
    def with_torch(logits, temperature):
        return torch.softmax(torch.as_tensor(logits) / temperature, dim=-1)

    def with_logsumexp(logits, temperature):
        scaled = logits / temperature
        top = scaled.max(axis=1, keepdims=True)
        return np.exp(scaled - top - np.log(np.exp(scaled - top).sum(axis=1, keepdims=True)))

    assert check_softmax_with_temperature(with_torch, quiet=True)
    assert check_softmax_with_temperature(with_logsumexp, quiet=True)
    assert check_answer_cold_temperature("(B)", quiet=True)


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
