import keras
import numpy as np
import pytest
import torch

import textgen_course as tc
from textgen_course.plain_rnn import (
    build_plain_rnn,
    cross_check_plain_rnn,
    plain_rnn_step,
    run_plain_rnn,
    torch_rnn_from_keras,
)
from conftest import SMALL, random_ids

TOLERANCE = 1e-5  # float32, as every cross-check of the course




def test_same_widths_and_the_lstm_models_embedding_and_head():
    plain, lstm = build_plain_rnn(SMALL, seed=0), tc.build_model(SMALL, seed=0)
    assert plain.get_layer("rnn_1").units == SMALL.lstm_1_units and plain.get_layer("rnn_1").return_sequences
    assert plain.get_layer("rnn_2").units == SMALL.lstm_2_units and not plain.get_layer("rnn_2").return_sequences
    # a plain RNN has one weight matrix pair per layer where the LSTM has four
    units = SMALL.lstm_1_units
    assert plain.get_layer("rnn_1").count_params() == units * (SMALL.embedding_dim + units + 1)
    assert plain.get_layer("rnn_1").count_params() * 4 == lstm.get_layer("lstm_1").count_params()
    for name in ("embedding", "dense_softmax"):
        for mine, theirs in zip(plain.get_layer(name).get_weights(), lstm.get_layer(name).get_weights()):
            np.testing.assert_array_equal(mine, theirs)
    assert plain.predict(random_ids(SMALL, 4), verbose=0).shape == (4, SMALL.vocab_size)


def test_the_numpy_step_is_the_keras_layer(plain):
    layer = plain.get_layer("rnn_1")
    meaning = keras.ops.convert_to_numpy(plain.get_layer("embedding")(random_ids(SMALL))) * 20  # (64, 8, 16): large

    every_step = run_plain_rnn(meaning, layer)  # (64, 8, 24)
    np.testing.assert_allclose(every_step, keras.ops.convert_to_numpy(layer(meaning)), atol=TOLERANCE)
    kernel, recurrent_kernel, bias = layer.get_weights()
    start = np.zeros((64, SMALL.lstm_1_units), np.float32)
    first = plain_rnn_step(meaning[:, 0], start, kernel, recurrent_kernel, bias)
    np.testing.assert_allclose(first, every_step[:, 0], atol=TOLERANCE)


def test_twin_copies_the_weights_with_transposes_and_a_zero_second_bias(plain):
    layer = plain.get_layer("rnn_2")
    twin = torch_rnn_from_keras(layer)
    kernel, recurrent_kernel, bias = layer.get_weights()
    np.testing.assert_array_equal(twin.weight_ih_l0.detach().numpy(), kernel.T)
    np.testing.assert_array_equal(twin.weight_hh_l0.detach().numpy(), recurrent_kernel.T)
    assert twin.nonlinearity == "tanh" and float(twin.bias_hh_l0.detach().abs().max()) == 0.0


@pytest.mark.parametrize("padding", [0, 5])
def test_keras_torch_and_numpy_agree_to_the_tolerance(plain, padding):
    ids = random_ids(SMALL)
    ids[:, :padding] = 0  # left-padded short windows too
    checks = cross_check_plain_rnn(plain, ids)
    assert [check.stage for check in checks] == ["rnn_1", "rnn_2", "model"]
    assert [check.output_shape for check in checks] == [(64, 8, 24), (64, 12), (64, 500)]
    assert all(check.passed and check.tolerance == TOLERANCE for check in checks)


def test_cross_check_catches_a_twin_without_the_transpose(plain, monkeypatch):
    from textgen_course import plain_rnn

    def untransposed(layer):
        twin = torch_rnn_from_keras(layer)
        with torch.no_grad():
            twin.weight_hh_l0.copy_(twin.weight_hh_l0.T.clone())  # the recurrent matrix the wrong way round
        return twin

    monkeypatch.setattr(plain_rnn, "torch_rnn_from_keras", untransposed)
    checks = cross_check_plain_rnn(plain, random_ids(SMALL))
    assert not checks[0].passed and checks[0].torch_difference > 1e-2
