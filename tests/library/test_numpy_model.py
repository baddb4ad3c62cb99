"""The whole model in NumPy, for both architectures (textgen_course/numpy_model.py)."""

import numpy as np
import pytest

import textgen_course as tc
from conftest import SMALL, random_ids, train_a_few_steps
from textgen_course.architectures import build_one_lstm
from textgen_course.lstm_summary import Summarizer


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


def test_the_numpy_model_reads_its_summary_from_the_summarizer(trained_model):
    engine = tc.NumpyTextGenerator.from_keras(trained_model)
    ids = random_ids(tc.ModelConfig(), batch=4, seed=7)
    summary = Summarizer(engine.embedding, engine.lstm_1, engine.lstm_2)(ids)  # (4, 100)
    np.testing.assert_array_equal(engine.logits(ids), summary @ engine.dense_kernel + engine.dense_bias)
    with pytest.raises(ValueError, match="expected integer word ids"):
        engine.logits(np.zeros((2, 13)))
