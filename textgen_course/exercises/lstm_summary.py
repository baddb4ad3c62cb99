"""Self-checks for the exercises of book/lstm_summary.ipynb (LSTM-2, one summary per window).

    check_answer_shape(answer_shape)            predict: LSTM-2's output shape if LSTM-1 had 50 units
    check_answer_parameters(answer_parameters)  predict: LSTM-2's parameter count in that case
    check_lstm_summary(lstm_summary)            implement: run an LSTM over a sequence, keep the final state

check_lstm_summary runs the learner's function and the reference on the same seeded
sequences. When they differ it recomputes the summary with each typical mistake (every step
returned, the cell state returned, the state reset at each step, the last word skipped,
the sequence read backwards...) and names the one that reproduces the learner's numbers.
"""

from __future__ import annotations

import numpy as np

from ..lstm_gates import LstmWeights, lstm_parameter_count, lstm_step, run_lstm
from .checking import (Passed, WrongAnswer, as_array, call_learner, check_number, check_shape, compare,
                       library_switched_off, passed)

BATCH, STEPS, INPUT_DIM, UNITS = 3, 6, 5, 4  # all different, so a swapped axis shows up as a wrong shape
SUMMARY_ANSWERS = (  # the library's whole-sequence LSTMs: switched off while lstm_summary runs (lstm_step stays on)
    "textgen_course.lstm_gates.run_lstm",
    "textgen_course.numpy_model.lstm_hidden_states",
    "textgen_course.exercises.lstm_summary.reference_lstm_summary",
    "textgen_course.lstm_gates.run_torch_lstm",
    "textgen_course.lstm_summary.summary_after_each_step",
    "textgen_course.lstm_summary.Summarizer.__call__",
    "textgen_course.lstm_summary.Summarizer.every_step",
    # the frameworks' own whole-sequence LSTMs (a step at a time, like lstm_step, stays allowed)
    "torch.nn.LSTM.forward",
    "keras.layers.LSTM.call",
    "keras.layers.RNN.call",
)


def check_answer_shape(answer_shape, quiet: bool = False) -> Passed:
    """LSTM-2 (100 units, return_sequences=False) reading a 50-unit LSTM-1, batch of 32."""
    check_shape(
        answer_shape,
        (32, 100),
        "answer_shape",
        hints={
            (32, 13, 100): "that is what return_sequences=True gives. LSTM-2 returns only its final "
            "hidden state, one vector per window.",
            (32, 50): "50 is the width of LSTM-2's input. Its output has one number per unit of "
            "LSTM-2, and LSTM-2 still has 100 units.",
            (32, 13, 50): "that is LSTM-1's output (every step, 50 numbers each), LSTM-2's input.",
            (100,): "the batch dimension stays: one summary for each of the 32 windows.",
            (32, 150): "150 was LSTM-1's width in the course's model; it does not set LSTM-2's output.",
        },
    )
    return passed("(32, 100): one 100-number summary per window, whatever the width of LSTM-1.", quiet)


def check_answer_parameters(answer_parameters, quiet: bool = False) -> Passed:
    """LSTM-2's parameters when it reads 50-number vectors: 4 * 100 * (50 + 100 + 1)."""
    units, input_dim = 100, 50
    check_number(
        answer_parameters,
        lstm_parameter_count(input_dim, units),  # the one formula (lstm_gates.py)
        "answer_parameters",
        hints={
            4 * units * (150 + units + 1): "that is LSTM-2 in the course's model, reading 150-number "
            "vectors. Here its input has 50 numbers per step.",
            4 * units * (input_dim + units): "you forgot the bias: one per gate per unit (the + 1).",
            units * (input_dim + units + 1): "that is one gate; each unit has four.",
            4 * input_dim * (100 + input_dim + 1): "that is a 50-unit LSTM-1 reading the 100-number "
            "embedding. The question asks about LSTM-2.",
            4 * units * (input_dim + units + 2): "that is PyTorch's count, with its second bias. Keras "
            "keeps one.",
            4 * units * (input_dim + 1): "you forgot the recurrent weights: each gate also reads LSTM-2's "
            "own previous hidden state (100 numbers).",
        },
    )
    return passed(f"{4 * units * (input_dim + units + 1):,} = 4 x 100 x (50 + 100 + 1): a narrower LSTM-1 "
                  "shrinks LSTM-2's input weights.", quiet)


def reference_lstm_summary(inputs: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
                           bias: np.ndarray) -> np.ndarray:
    """The right answer: the hidden state after the last step, (batch, units)."""
    return run_lstm(inputs, LstmWeights(kernel, recurrent_kernel, bias)).hidden[:, -1]


def _summary_inputs(seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded sequences and weights large enough that every step leaves a visible trace."""
    rng = np.random.default_rng(seed)
    return {
        "inputs": rng.normal(size=(BATCH, STEPS, INPUT_DIM)),
        "kernel": rng.normal(scale=0.6, size=(INPUT_DIM, 4 * UNITS)),
        "recurrent_kernel": rng.normal(scale=0.6, size=(UNITS, 4 * UNITS)),
        "bias": rng.normal(scale=0.5, size=4 * UNITS),
    }


def _run_with_resets(inputs, weights: LstmWeights, reset_hidden: bool, reset_cell: bool) -> np.ndarray:
    """Final hidden state of a loop that (wrongly) forgets part of its state between steps."""
    batch, steps, _ = inputs.shape
    h = np.zeros((batch, weights.units))
    c = np.zeros((batch, weights.units))
    for t in range(steps):
        if reset_hidden:
            h = np.zeros_like(h)
        if reset_cell:
            c = np.zeros_like(c)
        h, c, _ = lstm_step(inputs[:, t], h, c, weights)
    return h


def _summary_mistakes(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """{message: what that mistake returns}, most specific first."""
    inputs = values["inputs"]
    weights = LstmWeights(values["kernel"], values["recurrent_kernel"], values["bias"])
    trace = run_lstm(inputs, weights)
    return {
        "you returned the hidden state of every step, (batch, steps, units): that is return_sequences=True. "
        "LSTM-2 keeps only the last one, hidden[:, -1].": trace.hidden,
        "you returned the final cell state c_T. The summary LSTM-2 passes on is the final hidden state "
        "h_T = output_gate * tanh(c_T).": trace.cell[:, -1],
        "you returned the hidden state after the first step, not the last.": trace.hidden[:, 0],
        "your loop stops one step early: the summary must include the last input (range(steps), not "
        "range(steps - 1)).": trace.hidden[:, -2],
        "you read the sequence backwards (last step first). An LSTM reads in order, so the last word "
        "it sees is the last word of the window.": run_lstm(inputs[:, ::-1], weights).hidden[:, -1],
        "you averaged the hidden states over the steps. The summary is the last hidden state only: the "
        "recurrence has already folded the earlier steps into it.": trace.hidden.mean(axis=1),
        "the state is not carried from step to step (h and c restart at zero every step), so your "
        "summary only saw the last input.": _run_with_resets(inputs, weights, True, True),
        "the hidden state is not carried from step to step: pass the h returned by one step into the "
        "next.": _run_with_resets(inputs, weights, True, False),
        "the cell state is not carried from step to step: pass the c returned by one step into the "
        "next.": _run_with_resets(inputs, weights, False, True),
    }


def check_lstm_summary(lstm_summary, quiet: bool = False) -> Passed:
    """Check lstm_summary(inputs, kernel, recurrent_kernel, bias) -> (batch, units)."""
    __tracebackhide__ = True
    name = "lstm_summary"
    for seed in (0, 1):
        values = _summary_inputs(seed)
        expected = reference_lstm_summary(**values)
        with library_switched_off(name, SUMMARY_ANSWERS, lstm_summary,
                                  advice="Loop over the steps yourself, calling lstm_step (the library's or yours) "
                                  "and carrying h and c from step to step."):
            try:
                result = lstm_summary(*values.values()) if callable(lstm_summary) else None  # by position: any names
            except WrongAnswer:
                raise
            except Exception as error:
                _raise_if_transposed_layout(lstm_summary, values, expected, name)
                raise WrongAnswer(f"{name} raised {type(error).__name__}: {error}\nIt was called with inputs "
                                  f"{values['inputs'].shape} (batch, steps, input_dim), kernel "
                                  f"{values['kernel'].shape}, recurrent_kernel {values['recurrent_kernel'].shape}, "
                                  f"bias {values['bias'].shape}.") from None
            if result is None or result is ...:
                call_learner(lstm_summary, name, *values.values())  # raises the "placeholder / not callable" message
        if isinstance(result, (tuple, list)) and len(result) == 2 and np.ndim(result[0]) == 2:
            raise WrongAnswer(f"{name} returned two arrays (maybe (h, c)). Return only the final hidden "
                              "state, one (batch, units) array: that is all LSTM-2 passes on.")
        got = as_array(result, name)
        if got.shape == (UNITS, BATCH):
            raise WrongAnswer(f"{name} returned shape {got.shape}, which is (units, batch): off by a transpose. "
                              "Keep the batch first: inputs[:, t] @ kernel gives (batch, 4*units).")
        compare(got, expected, name, _summary_mistakes(values), atol=1e-6)
    return passed("lstm_summary returns the final hidden state: the whole sequence folded into one "
                  "vector per example.", quiet)


def _raise_if_transposed_layout(lstm_summary, values: dict[str, np.ndarray], expected: np.ndarray, name: str) -> None:
    """Raise the transpose message when the function is right for PyTorch's weight layout."""
    transposed = {**values, "kernel": values["kernel"].T, "recurrent_kernel": values["recurrent_kernel"].T}
    try:
        got = as_array(lstm_summary(*transposed.values()), name)
    except Exception:
        return
    if got.shape == expected.shape and np.allclose(got, expected, atol=1e-6, rtol=0):
        raise WrongAnswer(
            f"{name} is off by a transpose: it expects PyTorch's layout, kernel of shape (4*units, input_dim). "
            f"Keras's kernel is (input_dim, 4*units) = {values['kernel'].shape}: use inputs[:, t] @ kernel and "
            "h @ recurrent_kernel, with no .T."
        )
