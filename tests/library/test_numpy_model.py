"""The whole model in NumPy, for both architectures (textgen_course/numpy_model.py)."""

import numpy as np
import pytest

import textgen_course as tc
from conftest import SMALL, random_ids, train_a_few_steps
from textgen_course.architectures import build_one_lstm


def test_full_model_twin_and_numpy_agree_on_64_windows_after_training(trained_model):
    ids = random_ids(tc.ModelConfig(), batch=64, seed=5)
    keras_p = tc.next_word_probabilities(trained_model, ids)
    torch_p = tc.next_word_probabilities(tc.torch_model_from_keras(trained_model), ids)
    numpy_p = tc.next_word_probabilities(tc.NumpyTextGenerator.from_keras(trained_model), ids)
    np.testing.assert_allclose(torch_p, keras_p, atol=1e-5, rtol=0)
    np.testing.assert_allclose(numpy_p, keras_p, atol=1e-5, rtol=0)
    np.testing.assert_array_equal(torch_p.argmax(1), keras_p.argmax(1))
    assert keras_p.max() > 0.05  # the trained model is confident somewhere: not a trivial comparison


def test_the_one_lstm_model_runs_in_numpy_too():
    model = train_a_few_steps(build_one_lstm(SMALL, seed=4))
    engine = tc.NumpyTextGenerator.from_keras(model)
    assert engine.lstm_1 is None and engine.architecture == "one_lstm" and engine.config == SMALL
    ids = random_ids(SMALL, batch=32, seed=6)
    np.testing.assert_allclose(engine.probabilities(ids), tc.next_word_probabilities(model, ids), atol=1e-5, rtol=0)


def test_the_numpy_logits_are_the_scores_whose_softmax_keras_outputs(trained_model):
    """Behaviour, not the formula: log(Keras's probabilities) - logits is one constant per row
    (softmax ignores a shift), and the logits rank the words as Keras does."""
    engine = tc.NumpyTextGenerator.from_keras(trained_model)
    ids = random_ids(tc.ModelConfig(), batch=4, seed=7)
    logits = engine.logits(ids)
    assert logits.shape == (4, tc.ModelConfig().vocab_size)
    keras_probabilities = tc.next_word_probabilities(trained_model, ids).astype(np.float64)
    shift = np.log(keras_probabilities) - logits  # (4, 4818): the same number along each row
    assert np.abs(shift - shift.mean(axis=1, keepdims=True)).max() < 1e-3
    top = np.argsort(-keras_probabilities, axis=1)[:, :5]
    assert (np.take_along_axis(logits, top, axis=1) >= np.sort(logits, axis=1)[:, -5:-4] - 1e-4).all()
    with pytest.raises(ValueError, match="expected integer word ids"):
        engine.logits(np.zeros((2, 13)))
