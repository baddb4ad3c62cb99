"""The LSTM-1 chapter's self-checks accept the reference answers and name typical mistakes."""

import numpy as np
import pytest

import types

import textgen_course.lstm_gates
from textgen_course.exercises import WrongAnswer
from textgen_course.exercises.checking import Delegated
from textgen_course.exercises.lstm_context import (
    check_answer_parameters,
    check_answer_shape,
    check_lstm_step,
    reference_lstm_step,
)
from textgen_course.lstm_gates import LstmWeights, run_lstm, sigmoid
from textgen_course.lstm_gates import lstm_step as library_step


def right_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """The reference answer, written as a learner would."""
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i, f, g, o = np.split(z, 4, axis=-1)
    c_t = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


def test_reference_answers_pass(capsys):
    assert check_answer_shape((32, 13, 64))
    assert check_answer_parameters(42_240)
    assert check_lstm_step(right_step)
    assert capsys.readouterr().out.count("✓") == 3


def test_a_right_step_in_another_style_passes():
    def with_torch(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
        import torch

        z = torch.tensor(x_t @ kernel + h_prev @ recurrent_kernel + bias)
        i, f, g, o = z.chunk(4, dim=-1)
        c_t = torch.sigmoid(f) * torch.tensor(c_prev) + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_t), c_t

    assert check_lstm_step(with_torch, quiet=True)


def test_the_reference_itself_matches_the_library_step():
    from textgen_course.exercises.lstm_context import _step_inputs
    from textgen_course.lstm_gates import LstmWeights, lstm_step

    inputs = _step_inputs(0)
    weights = LstmWeights(inputs["kernel"], inputs["recurrent_kernel"], inputs["bias"])
    h_t, c_t, _ = lstm_step(inputs["x_t"], inputs["h_prev"], inputs["c_prev"], weights)
    expected_h, expected_c = reference_lstm_step(**inputs)
    np.testing.assert_allclose(h_t, expected_h, atol=1e-12)
    np.testing.assert_allclose(c_t, expected_c, atol=1e-12)


# The mistakes are made by a copy of the reference's code: the learner's own function, not the
# reference itself, which the check switches off while the learner's step runs.
own_step = types.FunctionType(reference_lstm_step.__code__, reference_lstm_step.__globals__, "own_step",
                              reference_lstm_step.__defaults__)
own_step.__kwdefaults__ = reference_lstm_step.__kwdefaults__


def mistaken(**mistake):
    return lambda *args: own_step(*args, **mistake)


@pytest.mark.parametrize(
    "answer, message",
    [
        (mistaken(order="figo"), "input gate and the forget gate are swapped"),
        (mistaken(order="ifog"),
         "wrong order: you read the four blocks as input gate, forget gate, output gate, candidate"),
        (mistaken(use_bias=False), "forgot the bias"),
        (mistaken(use_recurrent=False), "left out the previous hidden state"),
        (mistaken(candidate_activation=sigmoid), "candidate must use tanh"),
        (mistaken(gate_activation=np.tanh), "must use sigmoid"),
        (mistaken(gate_activation=np.tanh, candidate_activation=sigmoid), "tanh and sigmoid are swapped"),
        (mistaken(carry_cell=False), "cell state is not carried"),
        (mistaken(use_input_gate=False), "forgot the input gate"),
        (mistaken(tanh_on_cell=False), "forgot the tanh on the cell"),
        (mistaken(hidden_from_old_cell=True), "from the new cell state c_t, not from c_prev"),
        (mistaken(interleaved=True), "split the wrong way"),
        (lambda *args: own_step(*args)[::-1], r"returned \(c_t, h_t\)"),
    ],
)
def test_typical_mistakes_are_named(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_lstm_step(answer)


def wraps_the_library_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    h_t, c_t, _ = textgen_course.lstm_gates.lstm_step(x_t, h_prev, c_prev, LstmWeights(kernel, recurrent_kernel, bias))
    return h_t, c_t


def wraps_it_under_another_name(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    return library_step(x_t, h_prev, c_prev, LstmWeights(kernel, recurrent_kernel, bias))[:2]


def runs_the_library_lstm_for_one_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    trace = run_lstm(x_t[:, None], LstmWeights(kernel, recurrent_kernel, bias))  # (only from zero state)
    return trace.hidden[:, -1], trace.cell[:, -1]


def wraps_and_hides_the_error(*args):
    try:
        return wraps_the_library_step(*args)
    except Exception:
        return right_step(*args)


@pytest.mark.parametrize(
    "answer, called",
    [
        (wraps_the_library_step, "textgen_course.lstm_gates.lstm_step"),
        (wraps_it_under_another_name, "textgen_course.lstm_gates.lstm_step"),
        (runs_the_library_lstm_for_one_step, "textgen_course.lstm_gates.run_lstm"),
        (lambda *args: reference_lstm_step(*args), "textgen_course.exercises.lstm_context.reference_lstm_step"),
        (wraps_and_hides_the_error, "textgen_course.lstm_gates.lstm_step"),
    ],
)
def test_a_step_that_calls_the_library_step_is_rejected(answer, called):
    with pytest.raises(Delegated, match=f"lstm_step calls {called}, which already computes the answer"):
        check_lstm_step(answer)
    test_the_reference_itself_matches_the_library_step()  # both switched back on afterwards


def test_pytorch_layout_is_reported_as_off_by_a_transpose():
    def torch_layout(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
        return right_step(x_t, h_prev, c_prev, kernel.T, recurrent_kernel.T, bias)

    with pytest.raises(WrongAnswer, match="off by a transpose: it expects PyTorch's layout"):
        check_lstm_step(torch_layout)


def test_transposed_output_is_reported():
    def transposed(*args):
        h_t, c_t = right_step(*args)
        return h_t.T, c_t.T

    with pytest.raises(WrongAnswer, match=r"\(units, batch\): off by a transpose"):
        check_lstm_step(transposed)


def test_wrong_hidden_state_alone_is_pinpointed():
    def wrong_output_gate(*args):
        h_t, c_t = right_step(*args)
        return 0.5 * np.tanh(c_t), c_t

    with pytest.raises(WrongAnswer, match="c_t is right but h_t is not"):
        check_lstm_step(wrong_output_gate)


@pytest.mark.parametrize(
    "answer, message",
    [
        (..., "must be a function"),
        (lambda *args: None, "still the placeholder"),
        (lambda *args: right_step(*args)[0], "should return two arrays"),
        (lambda *args: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_unanswered_or_broken_steps_get_a_clear_message(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_lstm_step(answer)


@pytest.mark.parametrize(
    "answer, message",
    [
        (..., "not answered yet"),
        ((32, 64), "return_sequences=False"),
        ((32, 13, 100), "width of the input"),
        ((32, 13, 256), "gates are internal"),
        ((32, 13), "not right"),
    ],
)
def test_wrong_shapes_are_explained(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_shape(answer)


@pytest.mark.parametrize(
    "answer, message",
    [
        (..., "not answered yet"),
        (41_984, "forgot the bias"),
        (10_560, "that is one gate"),
        (25_856, "forgot the recurrent weights"),
        (42_496, "PyTorch's count"),
        (42_240 * 13, "do not depend on the sequence length|does not depend on the sequence length"),
        ("42240", "should be a number"),
        (1, "not right"),
    ],
)
def test_wrong_parameter_counts_are_explained(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_parameters(answer)


@pytest.mark.parametrize("seed", [0, 1])
def test_every_known_mistake_differs_visibly_from_the_right_step(seed):
    from textgen_course.exercises.lstm_context import _step_inputs, _step_mistakes

    inputs = _step_inputs(seed)
    right = np.stack(reference_lstm_step(**inputs))
    mistakes = _step_mistakes(inputs)
    assert len(mistakes) >= 30  # 12 named mistakes and 22 other gate orders
    for message, wrong in mistakes.items():
        assert np.abs(wrong - right).max() > 1e-3, message


# The frameworks' own LSTM cells compute the same step from the same weights: delegating to them
# shows no more of the learner's work than the library's step does.


def torch_cell_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    import torch

    cell = torch.nn.LSTMCell(kernel.shape[0], recurrent_kernel.shape[0]).double()
    with torch.no_grad():  # Keras's layout transposed into PyTorch's, the second bias zero
        cell.weight_ih.copy_(torch.tensor(kernel.T))
        cell.weight_hh.copy_(torch.tensor(recurrent_kernel.T))
        cell.bias_ih.copy_(torch.tensor(bias))
        cell.bias_hh.zero_()
        h_t, c_t = cell(torch.tensor(x_t), (torch.tensor(h_prev), torch.tensor(c_prev)))
    return h_t.numpy(), c_t.numpy()


def torch_lstm_cell_function(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    import torch

    h_t, c_t = torch.lstm_cell(torch.tensor(x_t), (torch.tensor(h_prev), torch.tensor(c_prev)),
                               torch.tensor(kernel.T), torch.tensor(recurrent_kernel.T), torch.tensor(bias),
                               torch.zeros(len(bias), dtype=torch.float64))
    return h_t.numpy(), c_t.numpy()


def torch_lstm_one_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    import torch

    lstm = torch.nn.LSTM(kernel.shape[0], recurrent_kernel.shape[0], batch_first=True).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor(kernel.T))
        lstm.weight_hh_l0.copy_(torch.tensor(recurrent_kernel.T))
        lstm.bias_ih_l0.copy_(torch.tensor(bias))
        lstm.bias_hh_l0.zero_()
        _, (h_t, c_t) = lstm(torch.tensor(x_t)[:, None], (torch.tensor(h_prev)[None], torch.tensor(c_prev)[None]))
    return h_t[0].numpy(), c_t[0].numpy()


def keras_cell_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    import keras

    cell = keras.layers.LSTMCell(recurrent_kernel.shape[0])
    cell.build((None, kernel.shape[0]))
    cell.set_weights([kernel, recurrent_kernel, bias])
    _, (h_t, c_t) = cell(x_t.astype("float32"), [h_prev.astype("float32"), c_prev.astype("float32")])
    return keras.ops.convert_to_numpy(h_t), keras.ops.convert_to_numpy(c_t)


@pytest.mark.parametrize(
    "answer, called",
    [
        (torch_cell_step, "torch.nn.LSTMCell.forward"),
        (torch_lstm_cell_function, "torch.lstm_cell"),
        (torch_lstm_one_step, "torch.nn.LSTM.forward"),
        (keras_cell_step, "keras.layers.LSTMCell.call"),
    ],
)
def test_a_step_taken_from_a_framework_lstm_is_rejected(answer, called):
    with pytest.raises(Delegated, match=f"lstm_step calls {called}, which already computes the answer"):
        check_lstm_step(answer)


def test_the_framework_cells_work_again_after_the_check():
    from textgen_course.exercises.lstm_context import _step_inputs

    with pytest.raises(Delegated):
        check_lstm_step(torch_cell_step)
    with pytest.raises(Delegated):
        check_lstm_step(keras_cell_step)
    inputs = _step_inputs(0)
    expected = reference_lstm_step(**inputs)
    for answer in (torch_cell_step, torch_lstm_cell_function, torch_lstm_one_step, keras_cell_step):
        for got, wanted in zip(answer(*inputs.values()), expected):  # the delegations are right, only not allowed
            np.testing.assert_allclose(got, wanted, atol=1e-5)
