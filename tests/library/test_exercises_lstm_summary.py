"""The LSTM-2 chapter's self-checks accept the reference answers and name typical mistakes."""

import numpy as np
import pytest

from textgen_course.exercises import WrongAnswer
from textgen_course.exercises.checking import Delegated
from textgen_course.exercises.lstm_summary import (
    _run_with_resets,
    _summary_inputs,
    _summary_mistakes,
    check_answer_parameters,
    check_answer_shape,
    check_lstm_summary,
    reference_lstm_summary,
)
from textgen_course.lstm_gates import LstmWeights, lstm_step, run_lstm
from textgen_course.numpy_model import lstm_hidden_states


def right_summary(inputs, kernel, recurrent_kernel, bias):
    """The reference answer, written as a learner would, with the library's step."""
    weights = LstmWeights(kernel, recurrent_kernel, bias)
    h = np.zeros((inputs.shape[0], weights.units))
    c = np.zeros_like(h)
    for t in range(inputs.shape[1]):
        h, c, _ = lstm_step(inputs[:, t], h, c, weights)
    return h


def test_reference_answers_pass(capsys):
    assert check_answer_shape((32, 100))
    assert check_answer_parameters(60_400)
    assert check_lstm_summary(right_summary)
    assert capsys.readouterr().out.count("✓") == 3


def test_a_right_answer_with_its_own_step_and_other_names_passes():
    def summary(x, w, u, b):
        h = np.zeros((x.shape[0], u.shape[0]))
        c = np.zeros_like(h)
        for t in range(x.shape[1]):
            z = x[:, t] @ w + h @ u + b
            i, f, g, o = np.split(z, 4, axis=1)
            c = c / (1 + np.exp(-f)) + np.tanh(g) / (1 + np.exp(-i))
            h = np.tanh(c) / (1 + np.exp(-o))
        return h

    assert check_lstm_summary(summary, quiet=True)


class OwnTrace:
    """The learner's own loop over the steps (with the library's step), keeping every state."""

    def __init__(self, inputs, weights):
        h = np.zeros((inputs.shape[0], weights.units))
        c = np.zeros_like(h)
        hidden, cell = [], []
        for t in range(inputs.shape[1]):
            h, c, _ = lstm_step(inputs[:, t], h, c, weights)
            hidden.append(h)
            cell.append(c)
        self.hidden, self.cell = np.stack(hidden, axis=1), np.stack(cell, axis=1)  # (batch, steps, units)


def own_run(inputs, weights):
    return OwnTrace(inputs, weights)


def mistake(transform):
    return lambda inputs, kernel, recurrent_kernel, bias: transform(
        inputs, LstmWeights(kernel, recurrent_kernel, bias))


@pytest.mark.parametrize(
    "answer, called",
    [
        (mistake(lambda x, w: run_lstm(x, w).hidden[:, -1]), "textgen_course.lstm_gates.run_lstm"),
        (mistake(lambda x, w: lstm_hidden_states(x, w)[:, -1]), "textgen_course.numpy_model.lstm_hidden_states"),
        (lambda *args: reference_lstm_summary(*args), "textgen_course.exercises.lstm_summary.reference_lstm_summary"),
    ],
)
def test_answers_that_run_the_library_lstm_are_rejected(answer, called):
    with pytest.raises(Delegated, match=f"lstm_summary calls {called}, which already computes the answer"):
        check_lstm_summary(answer)
    values = _summary_inputs(0)
    np.testing.assert_allclose(reference_lstm_summary(**values), right_summary(*values.values()))  # back on


@pytest.mark.parametrize(
    "answer, message",
    [
        (mistake(lambda x, w: own_run(x, w).hidden), "return_sequences=True"),
        (mistake(lambda x, w: own_run(x, w).cell[:, -1]), "final cell state"),
        (mistake(lambda x, w: own_run(x, w).hidden[:, 0]), "after the first step"),
        (mistake(lambda x, w: own_run(x[:, :-1], w).hidden[:, -1]), "stops one step early"),
        (mistake(lambda x, w: own_run(x[:, ::-1], w).hidden[:, -1]), "backwards"),
        (mistake(lambda x, w: own_run(x, w).hidden.mean(axis=1)), "averaged the hidden states"),
        (mistake(lambda x, w: _run_with_resets(x, w, True, True)), "state is not carried"),
        (mistake(lambda x, w: _run_with_resets(x, w, True, False)), "hidden state is not carried"),
        (mistake(lambda x, w: _run_with_resets(x, w, False, True)), "cell state is not carried"),
        (mistake(lambda x, w: (own_run(x, w).hidden[:, -1], own_run(x, w).cell[:, -1])), "returned two arrays"),
        (mistake(lambda x, w: own_run(x, w).hidden[:, -1].T), r"\(units, batch\): off by a transpose"),
    ],
)
def test_typical_mistakes_are_named(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_lstm_summary(answer)


def test_pytorch_layout_is_reported_as_off_by_a_transpose():
    def torch_layout(inputs, kernel, recurrent_kernel, bias):
        return right_summary(inputs, kernel.T, recurrent_kernel.T, bias)

    with pytest.raises(WrongAnswer, match="off by a transpose: it expects PyTorch's layout"):
        check_lstm_summary(torch_layout)


def test_an_unknown_mistake_gets_the_generic_difference_message():
    with pytest.raises(WrongAnswer, match="right shape .* but different values"):
        check_lstm_summary(lambda *args: 0.9 * right_summary(*args))


@pytest.mark.parametrize(
    "answer, message",
    [
        (..., "must be a function"),
        (lambda *args: None, "still the placeholder"),
        (lambda *args: [][1], "raised IndexError"),
    ],
)
def test_unanswered_or_broken_answers_get_a_clear_message(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_lstm_summary(answer)


@pytest.mark.parametrize("seed", [0, 1])
def test_every_known_mistake_differs_visibly_from_the_right_answer(seed):
    values = _summary_inputs(seed)
    right = reference_lstm_summary(**values)
    for message, wrong in _summary_mistakes(values).items():
        if wrong.shape == right.shape:
            assert np.abs(wrong - right).max() > 1e-3, message


@pytest.mark.parametrize(
    "answer, message",
    [
        (..., "not answered yet"),
        ((32, 13, 100), "return_sequences=True"),
        ((32, 50), "width of LSTM-2's input"),
        ((100,), "batch dimension stays"),
    ],
)
def test_wrong_shapes_are_explained(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_shape(answer)


@pytest.mark.parametrize(
    "answer, message",
    [
        (..., "not answered yet"),
        (100_400, "reading 150-number vectors"),
        (60_000, "forgot the bias"),
        (15_100, "that is one gate"),
        (30_200, "50-unit LSTM-1"),
        (60_800, "PyTorch's count"),
        (1, "not right"),
    ],
)
def test_wrong_parameter_counts_are_explained(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_parameters(answer)


# The frameworks' own whole-sequence LSTMs (and the course's twin of them) compute the summary in
# one call. Looping over the steps with a ready-made step, the library's lstm_step, stays allowed.


def torch_lstm(inputs, kernel, recurrent_kernel, bias):
    import torch

    lstm = torch.nn.LSTM(kernel.shape[0], recurrent_kernel.shape[0], batch_first=True).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor(kernel.T))
        lstm.weight_hh_l0.copy_(torch.tensor(recurrent_kernel.T))
        lstm.bias_ih_l0.copy_(torch.tensor(bias))
        lstm.bias_hh_l0.zero_()
        _, (h_n, _) = lstm(torch.tensor(inputs))
    return h_n[0].numpy()


def keras_layer(inputs, kernel, recurrent_kernel, bias, layer=None):
    import keras

    layer = layer or keras.layers.LSTM(recurrent_kernel.shape[0])
    layer.build(inputs.shape)
    layer.set_weights([kernel, recurrent_kernel, bias])
    return layer


def keras_lstm(inputs, kernel, recurrent_kernel, bias):
    import keras

    return keras.ops.convert_to_numpy(keras_layer(inputs, kernel, recurrent_kernel, bias)(inputs.astype("float32")))


def keras_rnn_of_cells(inputs, kernel, recurrent_kernel, bias):
    import keras

    layer = keras.layers.RNN(keras.layers.LSTMCell(recurrent_kernel.shape[0]))
    layer = keras_layer(inputs, kernel, recurrent_kernel, bias, layer)
    return keras.ops.convert_to_numpy(layer(inputs.astype("float32")))


def course_torch_twin(inputs, kernel, recurrent_kernel, bias):
    from textgen_course.lstm_gates import run_torch_lstm, torch_lstm_from_keras

    return run_torch_lstm(torch_lstm_from_keras(keras_layer(inputs, kernel, recurrent_kernel, bias)), inputs)[:, -1]


def course_every_step(inputs, kernel, recurrent_kernel, bias):
    from textgen_course.lstm_summary import summary_after_each_step

    return summary_after_each_step(keras_layer(inputs, kernel, recurrent_kernel, bias), inputs)[:, -1]


@pytest.mark.parametrize(
    "answer, called",
    [
        (torch_lstm, "torch.nn.LSTM.forward"),
        (keras_lstm, "keras.layers.LSTM.call"),
        (keras_rnn_of_cells, "keras.layers.RNN.call"),
        (course_torch_twin, "textgen_course.lstm_gates.run_torch_lstm"),
        (course_every_step, "textgen_course.lstm_summary.summary_after_each_step"),
    ],
)
def test_answers_that_run_a_framework_lstm_are_rejected(answer, called):
    with pytest.raises(Delegated, match=f"lstm_summary calls {called}, which already computes the answer"):
        check_lstm_summary(answer)
    values = _summary_inputs(0)
    np.testing.assert_allclose(answer(*values.values()), reference_lstm_summary(**values), atol=1e-5)  # back on


def test_a_loop_over_a_framework_cell_is_a_loop_over_steps_and_passes():
    import torch

    def torch_cells(inputs, kernel, recurrent_kernel, bias):
        cell = torch.nn.LSTMCell(kernel.shape[0], recurrent_kernel.shape[0]).double()
        with torch.no_grad():
            cell.weight_ih.copy_(torch.tensor(kernel.T))
            cell.weight_hh.copy_(torch.tensor(recurrent_kernel.T))
            cell.bias_ih.copy_(torch.tensor(bias))
            cell.bias_hh.zero_()
            h = c = torch.zeros(inputs.shape[0], recurrent_kernel.shape[0], dtype=torch.float64)
            for t in range(inputs.shape[1]):
                h, c = cell(torch.tensor(inputs[:, t]), (h, c))
        return h.numpy()

    assert check_lstm_summary(torch_cells, quiet=True)
