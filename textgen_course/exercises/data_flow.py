"""Self-checks for the exercises of book/data_flow.ipynb (the whole model).

    check_answer_total_parameters(answer_wider_lstm1, answer_longer_window)   predict: two changed configs
    check_forward_pass(forward_pass)   implement: the whole forward pass in NumPy from the stage functions

check_forward_pass runs the learner's function on a small model with seeded random weights
(every size different, so a stage fed the wrong input fails loudly) and compares it with the
reference. When they differ it recomputes the output with each typical mistake (no softmax,
every step of LSTM-2 kept, its first step or its cell state used, the dense bias forgotten...)
and names the one that reproduces the learner's numbers.
"""

from __future__ import annotations

import numpy as np

from ..config import ModelConfig
from ..flops import parameters_by_stage
from ..lstm_gates import LstmWeights, lstm_parameter_count, run_lstm
from ..numpy_model import NumpyTextGenerator
from ..softmax_head import softmax
from .checking import Passed, WrongAnswer, call_learner, check_number, compare, library_switched_off, passed

CHECK_CONFIG = ModelConfig(vocab_size=40, sequence_length=5, embedding_dim=6, lstm_1_units=9, lstm_2_units=7)
CHECK_BATCH = 3
FORWARD_ANSWERS = (  # the whole forward pass in one call: switched off while forward_pass runs (the stages stay on)
    "textgen_course.numpy_model.NumpyTextGenerator.probabilities",
    "textgen_course.numpy_model.NumpyTextGenerator.logits",
    "textgen_course.exercises.data_flow.reference_forward_pass",
    # the same model run by Keras or by its PyTorch twin
    "textgen_course.model.next_word_probabilities",
    "textgen_course.model.TextGenerator.__call__",
    "textgen_course.model.TorchTextGenerator.forward",
    "keras.Model.predict",
    "keras.layers.LSTM.call",
    "torch.nn.LSTM.forward",
)


def total_parameters(config: ModelConfig) -> int:
    """The Keras model's parameter count for a config, stage by stage (as parameter_ledger counts it)."""
    return sum(parameters_by_stage("two_lstms", config).values())  # the library's one count (flops.py)


def check_answer_total_parameters(answer_wider_lstm1, answer_longer_window, quiet: bool = False) -> Passed:
    """(a) LSTM-1 with 200 units instead of 150; (b) 26-word windows instead of 13; all else as in the course."""
    course = ModelConfig()
    wider = ModelConfig(lstm_1_units=200)
    expected_wider = total_parameters(wider)
    lstm1 = lstm_parameter_count(wider.embedding_dim, wider.lstm_1_units)
    lstm2_unchanged = lstm_parameter_count(course.lstm_1_units, course.lstm_2_units)
    lstm2 = lstm_parameter_count(wider.lstm_1_units, wider.lstm_2_units)
    check_number(
        answer_wider_lstm1,
        expected_wider,
        "answer_wider_lstm1",
        hints={
            total_parameters(course): "that is the course's model. With 200 units, LSTM-1 has more weights, "
            "and so does LSTM-2, which reads LSTM-1's output.",
            expected_wider - lstm2 + lstm2_unchanged: "LSTM-2 reads LSTM-1's output, so its input weights "
            "grow too: 4 x 100 x (200 + 100 + 1).",
            expected_wider + 4 * wider.lstm_1_units + 4 * wider.lstm_2_units: "that is PyTorch's count, with its "
            "second LSTM bias. Keras keeps one bias per gate and unit.",
            expected_wider - 4 * wider.lstm_1_units - 4 * wider.lstm_2_units - wider.vocab_size: "you left out the "
            "biases (LSTM-1, LSTM-2 and the dense layer each have one per output).",
            expected_wider - lstm1 + 4 * wider.lstm_1_units * (wider.embedding_dim + 1) - lstm2
            + 4 * wider.lstm_2_units * (wider.lstm_1_units + 1): "you left out the recurrent weights: every gate "
            "also reads the layer's own previous hidden state.",
        },
    )
    expected_longer = total_parameters(course)  # no size in the model depends on the window length
    try:
        check_number(answer_longer_window, expected_longer, "answer_longer_window")
    except WrongAnswer as error:
        if "is not right" not in str(error):  # not answered, or not a number: that message says it
            raise
        raise WrongAnswer(
            f"answer_longer_window = {answer_longer_window!r} is not right: the window length appears in no "
            "parameter formula. The embedding looks every word up in the same table, and an LSTM applies the "
            "same weights at every step, however many steps there are."
        ) from None
    return passed(f"{expected_wider:,} with a 200-unit LSTM-1 (LSTM-2's input weights grow too), and "
                  f"{expected_longer:,} for 26-word windows: the weights are shared across time steps.", quiet)


def reference_forward_pass(ids: np.ndarray, weights: NumpyTextGenerator) -> np.ndarray:
    """The right answer: ids (batch, steps) -> probabilities (batch, vocab_size), stage by stage."""
    meaning = weights.embedding[ids]  # (batch, steps, embedding_dim)
    context = run_lstm(meaning, weights.lstm_1).hidden  # (batch, steps, lstm_1_units)
    summary = run_lstm(context, weights.lstm_2).hidden[:, -1]  # (batch, lstm_2_units)
    return softmax(summary @ weights.dense_kernel + weights.dense_bias)  # (batch, vocab_size)


def _random_weights(config: ModelConfig = CHECK_CONFIG, seed: int = 0) -> NumpyTextGenerator:
    """A small model with seeded random weights, large enough that every stage leaves a trace."""
    rng = np.random.default_rng(seed)

    def lstm(input_dim: int, units: int) -> LstmWeights:
        return LstmWeights(rng.normal(scale=0.5, size=(input_dim, 4 * units)),
                           rng.normal(scale=0.5, size=(units, 4 * units)), rng.normal(scale=0.5, size=4 * units))

    return NumpyTextGenerator(
        config=config,
        embedding=rng.normal(size=(config.vocab_size, config.embedding_dim)),
        lstm_1=lstm(config.embedding_dim, config.lstm_1_units),
        lstm_2=lstm(config.lstm_1_units, config.lstm_2_units),
        dense_kernel=rng.normal(size=(config.lstm_2_units, config.vocab_size)),
        dense_bias=rng.normal(size=config.vocab_size),
    )


def _forward_inputs(seed: int = 1) -> np.ndarray:
    """(CHECK_BATCH, steps) seeded word ids, some of them padding."""
    ids = np.random.default_rng(seed).integers(0, CHECK_CONFIG.vocab_size, (CHECK_BATCH, CHECK_CONFIG.sequence_length))
    ids[0, :2] = 0  # a short seed, left-padded
    return ids


def _forward_mistakes(ids: np.ndarray, weights: NumpyTextGenerator) -> dict[str, np.ndarray]:
    """What each typical mistake returns."""
    meaning = weights.embedding[ids]
    context = run_lstm(meaning, weights.lstm_1).hidden
    trace = run_lstm(context, weights.lstm_2)

    def head(summary: np.ndarray) -> np.ndarray:
        return softmax(summary @ weights.dense_kernel + weights.dense_bias)

    logits = trace.hidden[:, -1] @ weights.dense_kernel + weights.dense_bias
    return {
        "these are the logits (scores), not probabilities: finish with softmax.": logits,
        "you kept every step of LSTM-2 (what return_sequences=True gives). The model keeps only its final "
        "hidden state: .hidden[:, -1].": head(trace.hidden),
        "you used LSTM-2's hidden state after the first word (.hidden[:, 0]); the summary is the state "
        "after the last word, .hidden[:, -1].": head(trace.hidden[:, 0]),
        "you averaged LSTM-2's hidden states over the steps; the model uses only the final one, .hidden[:, -1].":
            head(trace.hidden.mean(axis=1)),
        "you used LSTM-2's cell state (.cell); the layer's output is its hidden state (.hidden[:, -1]).":
            head(trace.cell[:, -1]),
        "you forgot the dense layer's bias (weights.dense_bias).": softmax(trace.hidden[:, -1] @ weights.dense_kernel),
        "the softmax normalised down the batch (axis 0); each window's probabilities must sum to 1 "
        "over the vocabulary (the last axis).": softmax(logits.T).T,
    }


def check_forward_pass(forward_pass, quiet: bool = False) -> Passed:
    """The learner's forward_pass(ids, weights) against the reference, on a small random model."""
    __tracebackhide__ = True
    weights = _random_weights()
    ids = _forward_inputs()
    try:
        with library_switched_off("forward_pass", FORWARD_ANSWERS, forward_pass,
                                  advice="Chain the stages yourself: embed_numpy, run_lstm twice (keep LSTM-2's "
                                  "last step), the dense layer's product and bias, then softmax."):
            got = call_learner(forward_pass, "forward_pass", ids.copy(), weights)
    except WrongAnswer as error:
        if "run_lstm: expected inputs" in str(error):
            raise WrongAnswer(f"{error}\nEach stage reads the one before: embedding -> LSTM-1 (every step) -> "
                              "LSTM-2 (keep the last step) -> dense -> softmax. Was a stage skipped or fed "
                              "the wrong input?") from None
        raise
    mistakes = _forward_mistakes(ids, weights)
    compare(got, reference_forward_pass(ids, weights), "forward_pass", mistakes, atol=1e-6)
    return passed("forward_pass: word ids -> embedding -> LSTM-1 -> LSTM-2's last step -> dense -> softmax, "
                  "equal to the reference.", quiet)
