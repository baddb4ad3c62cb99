"""The data-flow chapter's self-checks accept the reference answers and name typical mistakes."""

import numpy as np
import pytest

import textgen_course as tc
from textgen_course.embedding import embed_numpy
from textgen_course.exercises import WrongAnswer
from textgen_course.exercises.checking import Delegated
from textgen_course.exercises.data_flow import (
    CHECK_CONFIG,
    _random_weights,
    check_answer_total_parameters,
    check_forward_pass,
    reference_forward_pass,
    total_parameters,
)
from textgen_course.lstm_gates import run_lstm
from textgen_course.softmax_head import softmax


def right_forward_pass(ids, weights):
    """The answer as a learner would write it, from the stage functions."""
    meaning = embed_numpy(weights.embedding, ids)
    context = run_lstm(meaning, weights.lstm_1).hidden
    summary = run_lstm(context, weights.lstm_2).hidden[:, -1]
    return softmax(summary @ weights.dense_kernel + weights.dense_bias)


def test_reference_answers_pass(capsys):
    assert check_answer_total_parameters(1_329_618, 1_219_418)
    assert check_forward_pass(right_forward_pass)
    assert capsys.readouterr().out.count("✓") == 2


@pytest.mark.parametrize(
    "answer, called",
    [
        (lambda ids, w: w.probabilities(ids), "textgen_course.numpy_model.NumpyTextGenerator.probabilities"),
        (lambda ids, w: softmax(w.logits(ids)), "textgen_course.numpy_model.NumpyTextGenerator.logits"),
        (lambda ids, w: reference_forward_pass(ids, w), "textgen_course.exercises.data_flow.reference_forward_pass"),
    ],
)
def test_answers_that_call_the_whole_model_are_rejected(answer, called):
    with pytest.raises(Delegated, match=f"forward_pass calls {called}, which already computes the answer"):
        check_forward_pass(answer)
    weights = _random_weights()
    assert weights.probabilities(np.zeros((1, 5), dtype=int)).shape == (1, CHECK_CONFIG.vocab_size)  # back on


def test_total_parameters_agrees_with_keras_for_a_changed_config():
    config = tc.ModelConfig(vocab_size=300, sequence_length=4, embedding_dim=10, lstm_1_units=14, lstm_2_units=6)
    assert total_parameters(config) == tc.build_model(config).count_params()
    assert total_parameters(tc.ModelConfig()) == 1_219_418


def test_the_reference_forward_pass_is_the_library_numpy_model_and_keras():
    model = tc.build_model(tc.ModelConfig(vocab_size=60, sequence_length=5, embedding_dim=6, lstm_1_units=9,
                                          lstm_2_units=7), seed=4)
    ids = np.random.default_rng(0).integers(0, 60, (4, 5))
    weights = tc.NumpyTextGenerator.from_keras(model)
    np.testing.assert_allclose(reference_forward_pass(ids, weights), tc.next_word_probabilities(model, ids),
                               atol=1e-6, rtol=0)


def test_a_right_answer_with_the_fast_engine_and_float32_passes():
    from textgen_course.numpy_model import lstm_hidden_states

    def fast(ids, weights):
        summary = lstm_hidden_states(lstm_hidden_states(weights.embedding[ids], weights.lstm_1), weights.lstm_2)[:, -1]
        logits = summary @ weights.dense_kernel + weights.dense_bias
        exps = np.exp(logits - logits.max(axis=1, keepdims=True))
        return (exps / exps.sum(axis=1, keepdims=True)).astype(np.float32)

    assert check_forward_pass(fast, quiet=True)


def wrong(summary_from_trace=lambda trace: trace.hidden[:, -1], head=None, skip_lstm1=False):
    """A learner's forward pass with one mistake in how the summary is taken or scored."""
    def forward(ids, weights):
        meaning = weights.embedding[ids]
        context = meaning if skip_lstm1 else run_lstm(meaning, weights.lstm_1).hidden
        summary = summary_from_trace(run_lstm(context, weights.lstm_2))
        if head is not None:
            return head(summary, weights)
        return softmax(summary @ weights.dense_kernel + weights.dense_bias)
    return forward


@pytest.mark.parametrize(
    "answer, message",
    [
        (wrong(head=lambda s, w: s @ w.dense_kernel + w.dense_bias), "these are the logits"),
        (wrong(lambda trace: trace.hidden), "kept every step of LSTM-2"),
        (wrong(lambda trace: trace.hidden[:, 0]), "after the first word"),
        (wrong(lambda trace: trace.hidden.mean(axis=1)), "averaged LSTM-2's hidden states"),
        (wrong(lambda trace: trace.cell[:, -1]), "cell state"),
        (wrong(head=lambda s, w: softmax(s @ w.dense_kernel)), "forgot the dense layer's bias"),
        (wrong(head=lambda s, w: softmax((s @ w.dense_kernel + w.dense_bias).T).T), "normalised down the batch"),
        (wrong(skip_lstm1=True), "Was a stage skipped"),
        (wrong(head=lambda s, w: softmax(s @ w.dense_kernel.T)), "raised ValueError"),
        (wrong(head=lambda s, w: softmax(s @ w.dense_kernel + w.dense_bias) * 0.5), "different values"),
        (lambda ids, weights: ..., "placeholder"),
    ],
)
def test_typical_wrong_forward_passes_are_named(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_forward_pass(answer, quiet=True)


def test_the_check_model_has_all_sizes_different_so_a_skipped_stage_cannot_pass():
    sizes = [CHECK_CONFIG.vocab_size, CHECK_CONFIG.sequence_length, CHECK_CONFIG.embedding_dim,
             CHECK_CONFIG.lstm_1_units, CHECK_CONFIG.lstm_2_units, 3]
    assert len(set(sizes)) == len(sizes)
    weights = _random_weights()
    assert weights.embedding.shape == (40, 6) and weights.dense_kernel.shape == (7, 40)


@pytest.mark.parametrize(
    "wider, longer, message",
    [
        (1_219_418, 1_219_418, "that is the course's model"),
        (1_309_618, 1_219_418, "LSTM-2 reads LSTM-1's output"),
        (1_330_818, 1_219_418, "PyTorch's count"),
        (1_329_618 - 800 - 400 - 4818, 1_219_418, "left out the biases"),
        (1_329_618, 2 * 1_219_418, "appears in no parameter formula"),
        (1_329_618, 1_219_418 + 13 * 100, "appears in no parameter formula"),
        (1_329_618, ..., "not answered yet"),
        (..., 1_219_418, "not answered yet"),
        (1_329_618, "many", "should be a number"),
    ],
)
def test_wrong_parameter_predictions_are_explained(wider, longer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_total_parameters(wider, longer, quiet=True)


def keras_model_with(weights):
    """The course's Keras model with the check's weights: what a learner could build instead of chaining stages."""
    import textgen_course as tc

    model = tc.build_model(weights.config)
    model.set_weights([weights.embedding, weights.lstm_1.kernel, weights.lstm_1.recurrent_kernel, weights.lstm_1.bias,
                       weights.lstm_2.kernel, weights.lstm_2.recurrent_kernel, weights.lstm_2.bias,
                       weights.dense_kernel, weights.dense_bias])
    return model


def plain_keras_model(ids, weights):
    import keras

    model = keras_model_with(weights)
    return keras.ops.convert_to_numpy(keras.Model(model.input, model.output)(ids))


def torch_twin(ids, weights):
    import torch

    from textgen_course.model import torch_model_from_keras

    return torch_model_from_keras(keras_model_with(weights))(torch.as_tensor(ids)).detach().numpy()


@pytest.mark.parametrize(
    "answer, called",
    [
        (lambda ids, w: type(w).probabilities(w, ids), "textgen_course.numpy_model.NumpyTextGenerator.probabilities"),
        (lambda ids, w: __import__("textgen_course").model.next_word_probabilities(keras_model_with(w), ids),
         "textgen_course.model.next_word_probabilities"),
        (lambda ids, w: __import__("keras").ops.convert_to_numpy(keras_model_with(w)(ids)),
         "textgen_course.model.TextGenerator.__call__"),
        (lambda ids, w: keras_model_with(w).predict(ids, verbose=0), "keras.Model.predict"),
        (plain_keras_model, "keras.layers.LSTM.call"),
        (torch_twin, "textgen_course.model.TorchTextGenerator.forward"),
    ],
    ids=["class-method", "next_word_probabilities", "keras-call", "keras-predict", "plain-keras-model", "torch-twin"],
)
def test_answers_that_run_the_keras_model_or_its_twin_are_rejected(answer, called):
    with pytest.raises(Delegated, match=f"forward_pass calls {called}, which already computes the answer"):
        check_forward_pass(answer)
    weights, ids = _random_weights(), np.zeros((2, CHECK_CONFIG.sequence_length), dtype=int)
    np.testing.assert_allclose(answer(ids, weights), reference_forward_pass(ids, weights), atol=1e-5)  # back on
