"""Self-checks for the exercises of book/lstm_context.ipynb (LSTM-1, one context vector per word).

    check_answer_shape(answer_shape)            predict: the output shape of a 64-unit LSTM-1
    check_answer_parameters(answer_parameters)  predict: its parameter count
    check_lstm_step(lstm_step)                  implement: one LSTM step from Keras's weights

check_lstm_step runs the learner's step and the reference on the same seeded inputs. When
they differ it recomputes the step with each typical mistake (gates in the wrong order, no
bias, tanh and sigmoid mixed up, the cell state not carried, PyTorch's transposed layout...)
and names the mistake that reproduces the learner's numbers.
"""

from __future__ import annotations

from itertools import permutations
from typing import Callable

import numpy as np

from ..lstm_gates import lstm_parameter_count, sigmoid
from .checking import (Passed, WrongAnswer, as_array, call_learner, check_number, check_shape, compare,
                       library_switched_off, passed)

BATCH, INPUT_DIM, UNITS = 3, 5, 4  # all different, so a swapped axis shows up as a wrong shape
GATE_LETTERS = ("i", "f", "g", "o")  # Keras's order: input, forget, candidate (g), output
GATE_WORDS = {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"}
STEP_ANSWERS = (  # the library's LSTM steps: switched off while the learner's lstm_step runs (sigmoid stays on)
    "textgen_course.lstm_gates.lstm_step",
    "textgen_course.lstm_gates.run_lstm",
    "textgen_course.numpy_model.lstm_hidden_states",
    "textgen_course.exercises.lstm_context.reference_lstm_step",
    "textgen_course.lstm_gates.run_torch_lstm",
    # the frameworks' own LSTMs compute the same step from the same weights
    "torch.nn.LSTMCell.forward",
    "torch.nn.LSTM.forward",
    "torch.lstm_cell",
    "keras.layers.LSTMCell.call",
    "keras.layers.LSTM.call",
    "keras.layers.RNN.call",
)


def check_answer_shape(answer_shape, quiet: bool = False) -> Passed:
    """LSTM(64, return_sequences=True) on a batch of 32 windows of 13 embedded words."""
    check_shape(
        answer_shape,
        (32, 13, 64),
        "answer_shape",
        hints={
            (32, 64): "that is what return_sequences=False gives. With return_sequences=True the "
            "layer keeps one vector for every one of the 13 words.",
            (32, 13, 100): "100 is the width of the input (the embedding). The output has one "
            "number per unit.",
            (32, 13, 150): "150 is the width of the course's LSTM-1; this layer has 64 units.",
            (13, 64): "the batch dimension comes first and stays: 32 windows in, 32 out.",
            (32, 13, 256): "the four gates are internal. The output is the hidden state: one "
            "number per unit, not four.",
        },
    )
    return passed("(32, 13, 64): one 64-number context vector for each of the 13 words of each window.", quiet)


def check_answer_parameters(answer_parameters, quiet: bool = False) -> Passed:
    """Parameters of LSTM(64) reading 100-number vectors: 4 * 64 * (100 + 64 + 1)."""
    units, input_dim = 64, 100
    check_number(
        answer_parameters,
        lstm_parameter_count(input_dim, units),  # the one formula (lstm_gates.py)
        "answer_parameters",
        hints={
            4 * units * (input_dim + units): "you forgot the bias: each gate of each unit has one "
            "(the + 1 in 4 * units * (input + units + 1)).",
            units * (input_dim + units + 1): "that is one gate. Every unit has four: input gate, "
            "forget gate, candidate and output gate.",
            4 * units * (input_dim + 1): "you forgot the recurrent weights: every gate also reads "
            "the previous hidden state, which has 64 numbers.",
            4 * units * (150 + units + 1): "the input is the embedding's 100 numbers per word; 150 "
            "is the course's LSTM-1 width.",
            4 * units * (input_dim + units + 2): "that is PyTorch's count, which keeps a second bias "
            "per gate. Keras keeps one.",
            4 * units * (input_dim + units + 1) * 13: "the same weights are used at all 13 steps: the "
            "count does not depend on the sequence length.",
        },
    )
    return passed(f"{4 * units * (input_dim + units + 1):,} = 4 x 64 x (100 + 64 + 1) parameters.", quiet)


def reference_lstm_step(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
    order: str = "ifgo",
    use_bias: bool = True,
    use_recurrent: bool = True,
    gate_activation: Callable[[np.ndarray], np.ndarray] = sigmoid,
    candidate_activation: Callable[[np.ndarray], np.ndarray] = np.tanh,
    carry_cell: bool = True,
    use_input_gate: bool = True,
    tanh_on_cell: bool = True,
    hidden_from_old_cell: bool = False,
    interleaved: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The right step (with the defaults), or the step with one typical mistake switched on.

    order: the gate order in which the learner reads the blocks of z, e.g. "fig o" as "figo"
    means the first block is taken as the forget gate.
    """
    z = x_t @ kernel  # (batch, 4*units)
    if use_recurrent:
        z = z + h_prev @ recurrent_kernel
    if use_bias:
        z = z + bias
    units = recurrent_kernel.shape[0]
    if interleaved:  # columns read as (unit, gate) pairs instead of four blocks
        blocks = [z.reshape(len(z), units, 4)[:, :, k] for k in range(4)]
    else:
        blocks = np.split(z, 4, axis=-1)
    named = dict(zip(order, blocks))
    input_gate = gate_activation(named["i"])
    forget_gate = gate_activation(named["f"])
    candidate = candidate_activation(named["g"])
    output_gate = gate_activation(named["o"])
    written = input_gate * candidate if use_input_gate else candidate
    c_t = (forget_gate * c_prev if carry_cell else 0.0) + written
    cell_for_output = c_prev if hidden_from_old_cell else c_t
    h_t = output_gate * (np.tanh(cell_for_output) if tanh_on_cell else cell_for_output)
    return h_t, c_t


def _step_inputs(seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded inputs large enough to put the gates in their curved (non-linear) range."""
    rng = np.random.default_rng(seed)
    return {
        "x_t": rng.normal(size=(BATCH, INPUT_DIM)),
        "h_prev": rng.uniform(-0.9, 0.9, size=(BATCH, UNITS)),
        "c_prev": rng.normal(scale=1.5, size=(BATCH, UNITS)),
        "kernel": rng.normal(scale=0.7, size=(INPUT_DIM, 4 * UNITS)),
        "recurrent_kernel": rng.normal(scale=0.7, size=(UNITS, 4 * UNITS)),
        "bias": rng.normal(scale=1.0, size=4 * UNITS),
    }


def _stacked(result, name: str) -> np.ndarray:
    """The learner's (h_t, c_t) as one (2, batch, units) array."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        kind = f"a {type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        raise WrongAnswer(f"{name} should return two arrays, (h_t, c_t): the new hidden state and the new cell "
                          f"state. It returned {kind}.")
    h_t, c_t = (as_array(part, name) for part in result)
    if h_t.shape != c_t.shape:
        raise WrongAnswer(f"{name} returned h_t of shape {h_t.shape} and c_t of shape {c_t.shape}; "
                          f"both should be (batch, units) = ({BATCH}, {UNITS}).")
    return np.stack([h_t, c_t])


def _step_mistakes(inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """{message: the (h_t, c_t) that mistake produces}, most specific first."""

    def wrong(**mistake) -> np.ndarray:
        return np.stack(reference_lstm_step(**inputs, **mistake))

    right = wrong()
    mistakes: dict[str, np.ndarray] = {
        "the input gate and the forget gate are swapped. Keras (like PyTorch) stores the gates in the "
        "order input, forget, candidate, output: the first block of units columns is the input gate, "
        "the second the forget gate.": wrong(order="figo"),
        "you forgot the bias: every gate is sigmoid or tanh of x_t @ kernel + h_prev @ recurrent_kernel "
        "+ bias.": wrong(use_bias=False),
        "you left out the previous hidden state: every gate also reads h_prev @ recurrent_kernel; that "
        "is how the layer remembers what came before.": wrong(use_recurrent=False),
        "the candidate must use tanh (values in -1..1, so it can add or subtract), not sigmoid.": wrong(
            candidate_activation=sigmoid),
        "the input, forget and output gates must use sigmoid (values in 0..1, a share to let through), "
        "not tanh.": wrong(gate_activation=np.tanh),
        "tanh and sigmoid are swapped: the three gates use sigmoid, the candidate uses tanh.": wrong(
            gate_activation=np.tanh, candidate_activation=sigmoid),
        "the cell state is not carried: c_t = forget_gate * c_prev + input_gate * candidate, and your "
        "c_t ignores c_prev.": wrong(carry_cell=False),
        "you forgot the input gate: what is written into the cell is input_gate * candidate, not the "
        "candidate alone.": wrong(use_input_gate=False),
        "you forgot the tanh on the cell: h_t = output_gate * tanh(c_t).": wrong(tanh_on_cell=False),
        "h_t must be computed from the new cell state c_t, not from c_prev.": wrong(hidden_from_old_cell=True),
        "the gates are split the wrong way. The columns are four blocks of units columns, one block per "
        "gate (np.split(z, 4, axis=-1)), not interleaved unit by unit.": wrong(interleaved=True),
        "you returned (c_t, h_t). Return the hidden state first: (h_t, c_t).": right[::-1],
    }
    for order in ("".join(letters) for letters in permutations(GATE_LETTERS)):
        if order not in ("ifgo", "figo"):
            named = ", ".join(GATE_WORDS[letter] for letter in order)
            mistakes[f"the gates are in the wrong order: you read the four blocks as {named}. Keras stores "
                     "them as input gate, forget gate, candidate, output gate."] = wrong(order=order)
    return mistakes


def check_lstm_step(lstm_step, quiet: bool = False) -> Passed:
    """Check lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h_t, c_t)."""
    __tracebackhide__ = True
    name = "lstm_step"
    for seed in (0, 1):
        inputs = _step_inputs(seed)
        expected = np.stack(reference_lstm_step(**inputs))
        with library_switched_off(name, STEP_ANSWERS, lstm_step,
                                  advice="Write the step with NumPy from the equations at the top of the chapter."):
            try:
                result = lstm_step(*inputs.values()) if callable(lstm_step) else None  # by position: any names work
            except WrongAnswer:
                raise
            except Exception as error:  # maybe it expects PyTorch's (4*units, input) layout
                _raise_if_transposed_layout(lstm_step, inputs, expected, name)
                raise WrongAnswer(f"{name} raised {type(error).__name__}: {error}\nIt was called with x_t "
                                  f"{inputs['x_t'].shape}, h_prev and c_prev {inputs['h_prev'].shape}, kernel "
                                  f"{inputs['kernel'].shape}, recurrent_kernel {inputs['recurrent_kernel'].shape}, "
                                  f"bias {inputs['bias'].shape}.") from None
            if result is None or result is ...:
                call_learner(lstm_step, name, *inputs.values())  # raises the "placeholder / not callable" message
        got = _stacked(result, name)
        if got.shape == (2, UNITS, BATCH):
            raise WrongAnswer(f"{name} returned arrays of shape {got.shape[1:]}, which is (units, batch): "
                              f"off by a transpose. Keep the batch first: x_t @ kernel gives (batch, 4*units).")
        mistakes = _step_mistakes(inputs)
        if not _close(got, expected):
            for message, wrong in mistakes.items():
                if _close(got, wrong):
                    raise WrongAnswer(f"{name}: {message}")
            if _close(got[1], expected[1]):
                raise WrongAnswer(f"{name}: c_t is right but h_t is not. The hidden state is "
                                  "h_t = output_gate * tanh(c_t), with the output gate from the fourth block.")
            if _close(got[0], expected[0]):
                raise WrongAnswer(f"{name}: h_t is right but the c_t you return is not: return the new cell "
                                  "state c_t = forget_gate * c_prev + input_gate * candidate.")
        compare(got, expected, f"{name} (h_t and c_t)", atol=1e-6)
    return passed("lstm_step matches Keras's LSTM equations: gates in the order i, f, g, o, the bias "
                  "added, the cell state carried.", quiet)


def _close(got: np.ndarray, wanted: np.ndarray) -> bool:
    return got.shape == wanted.shape and bool(np.allclose(got, wanted, atol=1e-6, rtol=0))


def _raise_if_transposed_layout(lstm_step, inputs: dict[str, np.ndarray], expected: np.ndarray, name: str) -> None:
    """Raise the transpose message when the step is right for PyTorch's weight layout."""
    transposed = {**inputs, "kernel": inputs["kernel"].T, "recurrent_kernel": inputs["recurrent_kernel"].T}
    try:
        got = _stacked(lstm_step(*transposed.values()), name)
    except Exception:
        return
    if _close(got, expected):
        raise WrongAnswer(
            f"{name} is off by a transpose: it expects PyTorch's layout, kernel of shape (4*units, input_dim). "
            f"Keras's kernel is (input_dim, 4*units) = {inputs['kernel'].shape}, so compute x_t @ kernel and "
            "h_prev @ recurrent_kernel, with no .T."
        )
