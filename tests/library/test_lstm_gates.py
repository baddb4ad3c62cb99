import numpy as np
import pytest

import textgen_course as tc
from textgen_course.lstm_gates import GATE_NAMES, LstmWeights, lstm_step, run_lstm, sigmoid
from conftest import random_ids


def test_sigmoid_is_stable_and_correct():
    x = np.array([-1000.0, -2.0, 0.0, 3.0, 1000.0])
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-np.clip(x, -700, 700))), rtol=1e-12, atol=1e-300)


def test_numpy_gates_match_the_keras_layer_on_trained_weights(trained_model):
    activations = tc.stage_activations(trained_model, random_ids(tc.ModelConfig()))
    trace = run_lstm(activations["embedding"], LstmWeights.from_keras(trained_model.get_layer("lstm_1")))
    np.testing.assert_allclose(trace.hidden, activations["lstm_1"], atol=1e-5, rtol=0)


def test_trace_has_every_gate_per_timestep_within_its_range(trained_model):
    activations = tc.stage_activations(trained_model, random_ids(tc.ModelConfig(), batch=4))
    trace = run_lstm(activations["embedding"], LstmWeights.from_keras(trained_model.get_layer("lstm_1")))
    for name in GATE_NAMES:
        assert getattr(trace, name).shape == (4, 13, 150)
    for name in ("input_gate", "forget_gate", "output_gate"):
        gate = getattr(trace, name)
        assert gate.min() >= 0 and gate.max() <= 1
    assert trace.candidate.min() >= -1 and trace.candidate.max() <= 1


def test_one_step_follows_the_equations():
    rng = np.random.default_rng(0)
    weights = LstmWeights(rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), rng.normal(size=8))
    x, h, c = rng.normal(size=(1, 3)), rng.normal(size=(1, 2)), rng.normal(size=(1, 2))
    z = x @ weights.kernel + h @ weights.recurrent_kernel + weights.bias
    i, f, g, o = (z[:, 0:2], z[:, 2:4], z[:, 4:6], z[:, 6:8])
    c_expected = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h_new, c_new, gates = lstm_step(x, h, c, weights)
    np.testing.assert_allclose(c_new, c_expected)
    np.testing.assert_allclose(h_new, sigmoid(o) * np.tanh(c_expected))
    np.testing.assert_allclose(gates["forget_gate"], sigmoid(f))


def test_wrong_input_width_is_rejected():
    weights = LstmWeights(np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8))
    with pytest.raises(ValueError, match=r"expected inputs of shape \(batch, steps, 3\)"):
        run_lstm(np.zeros((1, 5, 4)), weights)


def test_gate_columns_are_four_consecutive_blocks_in_keras_order():
    from textgen_course.lstm_gates import gate_columns

    assert gate_columns(150, "input_gate") == slice(0, 150)
    assert gate_columns(150, "forget_gate") == slice(150, 300)
    assert gate_columns(150, "candidate") == slice(300, 450)
    assert gate_columns(150, "output_gate") == slice(450, 600)
    with pytest.raises(ValueError, match="gate must be one of"):
        gate_columns(150, "update_gate")


def test_unit_columns_pick_one_cells_weights_and_reproduce_its_gates():
    from textgen_course.lstm_gates import unit_columns

    assert unit_columns(150, 7) == [7, 157, 307, 457]
    rng = np.random.default_rng(1)
    weights = LstmWeights(rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), rng.normal(size=8))
    x, h, c = rng.normal(size=(1, 3)), rng.normal(size=(1, 2)), rng.normal(size=(1, 2))
    _, _, gates = lstm_step(x, h, c, weights)
    columns = unit_columns(2, 1)
    z = x @ weights.kernel[:, columns] + h @ weights.recurrent_kernel[:, columns] + weights.bias[columns]
    np.testing.assert_allclose(sigmoid(z[0, 1]), gates["forget_gate"][0, 1], rtol=1e-12)
    np.testing.assert_allclose(np.tanh(z[0, 2]), gates["candidate"][0, 1], rtol=1e-12)
    with pytest.raises(ValueError, match=r"unit must be an integer in 0..149"):
        unit_columns(150, 150)
