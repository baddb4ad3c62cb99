import math

import numpy as np
import pytest

from textgen_course.evaluation import (TargetScores, estimate_perplexity, perplexity_from_probabilities,
                                       score_probabilities)
from textgen_course.exercises import WrongAnswer
from textgen_course.exercises.checking import Delegated
from textgen_course.softmax_head import perplexity as softmax_head_perplexity
from textgen_course.exercises.why_two_lstms import check_one_lstm_parameters, check_perplexity


def test_the_right_parameter_count_passes(capsys):
    assert check_one_lstm_parameters(1_048_818)
    assert "✓ 1,048,818 parameters" in capsys.readouterr().out
    assert check_one_lstm_parameters(1_048_818, quiet=True)


@pytest.mark.parametrize("wrong, message", [
    (1_219_418, "the two-LSTM model's count"),
    (1_068_818, "not LSTM-1's 150"),
    (1_048_418, "also has a bias per unit"),
    (1_008_818, "recurrent weights"),
    (1_043_999 + 1, "one bias per word"),
    (567_018, "the embedding's 4818 x 100 weights are trained too"),
    (1_049_218, "PyTorch's count"),
    (80_400, "the LSTM alone"),
    (1_000_000, "Work it out from the layer sizes"),
])
def test_typical_wrong_parameter_counts_are_named(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_one_lstm_parameters(wrong)


def test_an_unanswered_or_non_numeric_parameter_count_is_reported():
    with pytest.raises(WrongAnswer, match="not answered yet"):
        check_one_lstm_parameters(...)
    with pytest.raises(WrongAnswer, match="should be a number"):
        check_one_lstm_parameters("1,048,818")


def reference(target_probabilities):
    return np.exp(-np.mean(np.log(target_probabilities)))


def test_the_reference_perplexity_and_an_equivalent_base_2_version_pass(capsys):
    assert check_perplexity(reference)
    assert "✓ perplexity is exp(-mean(ln p))" in capsys.readouterr().out
    assert check_perplexity(lambda p: 2 ** (-np.mean(np.log2(p))), quiet=True)  # the same number
    assert check_perplexity(lambda p: float(np.prod(p) ** (-1 / len(p))), quiet=True)  # geometric mean
    assert check_perplexity(lambda p: [math.exp(-sum(math.log(x) for x in p) / len(p))], quiet=True)


@pytest.mark.parametrize("wrong, message", [
    (lambda p: -np.mean(np.log(p)), "the loss in nats; perplexity is exp of it"),
    (lambda p: -np.mean(np.log2(p)), "cross-entropy in bits"),
    (lambda p: np.exp(-np.mean(np.log2(p))), "mixes bases: log base 2 inside, exp outside"),
    (lambda p: 2 ** (-np.mean(np.log(p))), "mixes bases: natural log inside, 2 \\*\\* outside"),
    (lambda p: np.exp(-np.mean(np.log10(p))), "log base 10"),
    (lambda p: 1 / np.mean(p), "averages the probabilities"),
    (lambda p: np.mean(1 / p), "averages 1 / p"),
    (lambda p: np.exp(-np.sum(np.log(p))), "sums the log-probabilities instead of averaging"),
    (lambda p: np.exp(np.mean(np.log(p))), "the minus sign is missing"),
    (lambda p: np.exp(-np.log(p)), "returned 12 numbers \\(shape \\(12,\\)\\).*take the mean over the targets"),
    (lambda p: np.exp(-np.median(np.log(p))), "Perplexity is exp\\(-mean\\(ln p\\)\\)"),
])
def test_typical_wrong_perplexities_are_named(wrong, message):
    with pytest.raises(WrongAnswer, match=message):
        check_perplexity(wrong)


def test_a_stub_or_a_crashing_perplexity_is_reported():
    def stub(target_probabilities):
        ...

    with pytest.raises(WrongAnswer, match="placeholder, or it forgets to `return`"):
        check_perplexity(stub)
    with pytest.raises(WrongAnswer, match="raised ZeroDivisionError"):
        check_perplexity(lambda p: 1 / 0)
    with pytest.raises(WrongAnswer, match="must be a function"):
        check_perplexity(3.0)


def test_a_passing_check_shows_only_its_tick_line_in_a_notebook():
    from IPython.core.formatters import DisplayFormatter

    result = check_one_lstm_parameters(1_048_818, quiet=True)
    assert bool(result) and "1,048,818" in result.message
    format_dict, _ = DisplayFormatter().format(result)
    assert format_dict == {}  # _ipython_display_ handles it: no stray "True" under a check cell


@pytest.mark.parametrize(
    "answer, called",
    [
        (lambda p: perplexity_from_probabilities(p), "textgen_course.evaluation.perplexity_from_probabilities"),
        (lambda p: softmax_head_perplexity(-np.log(p)), "textgen_course.softmax_head.perplexity"),
        (lambda p: estimate_perplexity(TargetScores(np.log(p), np.zeros(len(p), dtype=int))).perplexity,
         "textgen_course.evaluation.estimate_perplexity"),
        (lambda p: score_probabilities([np.stack([p, 1 - p], axis=1)], np.zeros(len(p), dtype=int)).perplexity,
         "textgen_course.softmax_head.perplexity"),
    ],
)
def test_a_perplexity_taken_from_the_library_is_rejected(answer, called):
    with pytest.raises(Delegated, match=f"perplexity calls {called}, which already computes the answer"):
        check_perplexity(answer)
    assert math.isclose(perplexity_from_probabilities(np.full(4, 0.25)), 4.0)  # switched back on afterwards
