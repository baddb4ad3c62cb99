import numpy as np
import pytest

import textgen_course as tc
from textgen_course.lstm_context import cross_check_lstm_context, lstm_parameter_count, torch_lstm_from_keras
from conftest import random_ids


def test_shape_and_parameter_count(model):
    layer = model.get_layer("lstm_1")
    assert layer.return_sequences
    assert lstm_parameter_count(100, 150) == layer.count_params() == 150_600


def test_twin_has_the_second_bias_torch_keeps(model):
    twin = torch_lstm_from_keras(model.get_layer("lstm_1"))
    assert sum(p.numel() for p in twin.parameters()) == 150_600 + 4 * 150
    assert float(twin.bias_hh_l0.detach().abs().max()) == 0.0


@pytest.mark.parametrize("fixture", ["model", "trained_model"])
def test_keras_torch_and_numpy_agree(request, fixture):
    model = request.getfixturevalue(fixture)
    meaning = tc.stage_activations(model, random_ids(tc.ModelConfig()))["embedding"]
    check = cross_check_lstm_context(model.get_layer("lstm_1"), meaning, tc.ModelConfig())
    assert check.output_shape == (64, 13, 150)
    assert check.torch_difference <= 1e-5 and check.numpy_difference <= 1e-5


def test_agreement_holds_for_left_padded_short_windows(trained_model):
    ids = random_ids(tc.ModelConfig(), batch=16)
    ids[:, :9] = 0  # four real words, nine padding ids in front
    meaning = tc.stage_activations(trained_model, ids)["embedding"]
    check = cross_check_lstm_context(trained_model.get_layer("lstm_1"), meaning, tc.ModelConfig())
    assert check.passed


@pytest.mark.parametrize(
    "values, message",
    [
        (np.zeros((2, 13, 99), np.float32), r"expected shape \(batch, 13, 100\), got \(2, 13, 99\)"),
        (np.zeros((13, 100), np.float32), r"expected shape \(batch, 13, 100\), got \(13, 100\)"),
        (np.zeros((2, 13, 100), np.int64), "expected floating-point vectors"),
        (np.full((2, 13, 100), np.nan, np.float32), "NaN"),
    ],
)
def test_bad_input_names_the_stage(model, values, message):
    with pytest.raises(ValueError, match="lstm_1: .*" + message):
        cross_check_lstm_context(model.get_layer("lstm_1"), values, tc.ModelConfig())
