import numpy as np
import pytest

import textgen_course as tc
from textgen_course.lstm_summary import (
    cross_check_lstm_summary,
    final_state_equals_last_step,
    summary_after_each_step,
)
from conftest import random_ids


def test_returns_only_the_final_state(trained_model):
    activations = tc.stage_activations(trained_model, random_ids(tc.ModelConfig(), batch=5))
    assert activations["lstm_2"].shape == (5, 100)
    layer = trained_model.get_layer("lstm_2")
    assert not layer.return_sequences and layer.count_params() == 100_400


def test_summary_is_the_last_step_of_the_full_sequence(trained_model):
    context = tc.stage_activations(trained_model, random_ids(tc.ModelConfig(), batch=8))["lstm_1"]
    layer = trained_model.get_layer("lstm_2")
    every_step = summary_after_each_step(layer, context)
    assert every_step.shape == (8, 13, 100)
    assert final_state_equals_last_step(layer, context) <= 1e-6
    assert np.abs(every_step[:, -2] - every_step[:, -1]).max() > 1e-3  # earlier steps differ


@pytest.mark.parametrize("fixture", ["model", "trained_model"])
def test_keras_torch_and_numpy_agree(request, fixture):
    model = request.getfixturevalue(fixture)
    context = tc.stage_activations(model, random_ids(tc.ModelConfig()))["lstm_1"]
    check = cross_check_lstm_summary(model.get_layer("lstm_2"), context, tc.ModelConfig())
    assert check.output_shape == (64, 100)
    assert check.torch_difference <= 1e-5 and check.numpy_difference <= 1e-5


def test_wrong_width_names_the_stage(model):
    with pytest.raises(ValueError, match=r"lstm_2: expected shape \(batch, 13, 150\), got \(1, 13, 100\)"):
        cross_check_lstm_summary(model.get_layer("lstm_2"), np.zeros((1, 13, 100), np.float32), tc.ModelConfig())


def test_numpy_summarizer_matches_the_keras_model(trained_model):
    from textgen_course.lstm_summary import Summarizer

    ids = random_ids(tc.ModelConfig(), batch=6)
    activations = tc.stage_activations(trained_model, ids)
    summarizer = Summarizer.from_keras(trained_model)
    np.testing.assert_allclose(summarizer(ids), activations["lstm_2"], atol=1e-5, rtol=0)
    every_step = summarizer.every_step(ids)
    assert every_step.shape == (6, 13, 100)
    np.testing.assert_allclose(every_step[:, -1], summarizer(ids), atol=0)
    with pytest.raises(ValueError, match=r"lstm_2: expected integer word ids"):
        summarizer(np.zeros((2, 13), np.float32))
