import numpy as np
import pytest

import textgen_course as tc
from textgen_course.softmax_head import (
    cross_check_softmax_head,
    dense_parameter_count,
    logits_numpy,
    softmax,
    torch_softmax_head_from_keras,
)
from conftest import random_ids


def test_probabilities_are_positive_and_rows_sum_to_one(trained_model):
    probabilities = tc.stage_activations(trained_model, random_ids(tc.ModelConfig(), batch=7))["dense_softmax"]
    assert probabilities.shape == (7, 4818)
    assert probabilities.min() >= 0
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_logits_give_the_probabilities(trained_model):
    activations = tc.stage_activations(trained_model, random_ids(tc.ModelConfig(), batch=7))
    np.testing.assert_allclose(
        activations["logits"], logits_numpy(trained_model.get_layer("dense_softmax"), activations["lstm_2"]), rtol=1e-6
    )
    np.testing.assert_allclose(softmax(activations["logits"]), activations["dense_softmax"], atol=1e-6)


def test_parameter_count(model):
    assert dense_parameter_count(tc.ModelConfig()) == model.get_layer("dense_softmax").count_params() == 486_618
    twin = torch_softmax_head_from_keras(model.get_layer("dense_softmax"))
    assert sum(p.numel() for p in twin.parameters()) == 486_618


def test_softmax_temperature():
    logits = np.array([[2.0, 1.0, 0.0]])
    assert softmax(logits, 0.5)[0, 0] > softmax(logits)[0, 0] > softmax(logits, 2.0)[0, 0]
    np.testing.assert_allclose(softmax(np.array([[1000.0, 0.0]])), [[1.0, 0.0]])
    with pytest.raises(ValueError, match="temperature must be > 0"):
        softmax(logits, 0)


@pytest.mark.parametrize("fixture", ["model", "trained_model"])
def test_keras_torch_and_numpy_agree(request, fixture):
    model = request.getfixturevalue(fixture)
    summary = tc.stage_activations(model, random_ids(tc.ModelConfig()))["lstm_2"]
    check = cross_check_softmax_head(model.get_layer("dense_softmax"), summary, tc.ModelConfig())
    assert check.output_shape == (64, 4818) and check.passed


def test_wrong_shape_names_the_stage(model):
    with pytest.raises(ValueError, match=r"dense_softmax: expected shape \(batch, 100\), got \(4, 150\)"):
        cross_check_softmax_head(model.get_layer("dense_softmax"), np.zeros((4, 150), np.float32), tc.ModelConfig())


def test_cross_entropy_is_minus_log_of_the_target_probability_and_matches_keras():
    import keras

    from textgen_course.softmax_head import cross_entropy, perplexity

    rng = np.random.default_rng(0)
    probabilities = softmax(rng.normal(scale=3.0, size=(6, 11)))
    targets = rng.integers(0, 11, 6)
    losses = cross_entropy(probabilities, targets)
    np.testing.assert_allclose(losses, -np.log(probabilities[np.arange(6), targets]), rtol=1e-12)
    keras_losses = keras.ops.convert_to_numpy(
        keras.losses.sparse_categorical_crossentropy(targets, probabilities.astype(np.float32)))
    np.testing.assert_allclose(losses, keras_losses, rtol=1e-5)
    assert perplexity(losses) == pytest.approx(np.exp(losses.mean()))


def test_a_uniform_guess_has_the_vocabulary_size_as_perplexity():
    from textgen_course.softmax_head import cross_entropy, perplexity

    uniform = np.full((3, 4818), 1 / 4818)
    assert perplexity(cross_entropy(uniform, np.array([5, 70, 4817]))) == pytest.approx(4818)


def test_certainty_of_the_right_word_costs_nothing_and_of_a_wrong_one_a_finite_lot():
    from textgen_course.softmax_head import cross_entropy

    sure = np.array([[0.0, 1.0, 0.0]])
    assert cross_entropy(sure, np.array([1]))[0] == 0.0
    assert np.isfinite(cross_entropy(sure, np.array([0]))[0]) and cross_entropy(sure, np.array([0]))[0] > 60


@pytest.mark.parametrize("probabilities, targets, message", [
    (np.full(5, 0.2), np.array([1]), r"expected probabilities of shape \(batch, vocab_size\)"),
    (np.full((2, 5), 0.2), np.array([1]), "expected one integer target per row"),
    (np.full((2, 5), 0.2), np.array([1.0, 2.0]), "expected one integer target per row"),
    (np.full((2, 5), 0.2), np.array([1, 5]), r"targets must lie in \[0, 5\)"),
])
def test_cross_entropy_rejects_mismatched_inputs(probabilities, targets, message):
    from textgen_course.softmax_head import cross_entropy

    with pytest.raises(ValueError, match=message):
        cross_entropy(probabilities, targets)


def test_softmax_is_unchanged_by_adding_a_constant_to_every_logit():
    logits = np.random.default_rng(1).normal(size=(3, 9))
    np.testing.assert_allclose(softmax(logits + 1000.0), softmax(logits), atol=1e-12)
    np.testing.assert_allclose(softmax(logits, 0.5), softmax(2 * logits), atol=1e-12)
