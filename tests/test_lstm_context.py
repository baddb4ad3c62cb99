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


def test_word_identity_share_is_one_for_the_embedding_and_zero_for_noise():
    from textgen_course.lstm_context import word_identity_share

    rng = np.random.default_rng(0)
    word_ids = rng.integers(0, 20, 500)
    table = rng.normal(size=(20, 6))
    assert word_identity_share(table[word_ids], word_ids) == pytest.approx(1.0)
    noise = rng.normal(size=(500, 6))
    assert abs(word_identity_share(noise, word_ids)) < 0.03  # adjusted: no credit for chance
    mixed = table[word_ids] + noise
    assert 0.3 < word_identity_share(mixed, word_ids) < 0.7  # half word, half something else


def test_word_identity_share_gives_rare_words_no_credit():
    from textgen_course.lstm_context import word_identity_share

    rng = np.random.default_rng(1)
    word_ids = np.concatenate([rng.integers(0, 5, 300), np.arange(100, 400)])  # 300 words seen once
    assert abs(word_identity_share(rng.normal(size=(600, 4)), word_ids)) < 0.05


def test_word_identity_share_rejects_bad_shapes_and_constant_vectors():
    from textgen_course.lstm_context import word_identity_share

    with pytest.raises(ValueError, match=r"expected vectors \(n, width\) and word_ids \(n,\)"):
        word_identity_share(np.zeros((5, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="all vectors are identical"):
        word_identity_share(np.ones((5, 3)), np.arange(5))
    with pytest.raises(ValueError, match="every word occurs once"):
        word_identity_share(np.eye(5), np.arange(5))


def test_probe_recall_finds_a_linear_signal_and_not_noise():
    from textgen_course.lstm_context import probe_recall

    rng = np.random.default_rng(0)
    features = rng.normal(size=(600, 10))
    targets = features @ rng.normal(size=(10, 3))
    assert probe_recall(features, targets) > 0.99
    assert probe_recall(features, rng.normal(size=(600, 3))) < 0.05
    with pytest.raises(ValueError, match="same n"):
        probe_recall(features, targets[:10])


def test_fresh_weights_have_the_layer_shapes():
    from textgen_course.lstm_context import fresh_lstm_weights

    weights = fresh_lstm_weights(100, 50)
    assert weights.kernel.shape == (100, 200) and weights.recurrent_kernel.shape == (50, 200)
    assert weights.bias.shape == (200,)
    np.testing.assert_array_equal(weights.bias[50:100], 1.0)  # Keras starts the forget gate open


def test_a_wider_fresh_lstm_keeps_more_of_the_last_words():
    from textgen_course.lstm_context import recall_by_width

    meaning = np.random.default_rng(0).normal(scale=0.05, size=(900, 6, 16)).astype(np.float32)
    table = recall_by_width(meaning, widths=(4, 48), steps_back=(0, 1))
    assert set(table) == {4, 48} and len(table[4]) == 2
    assert table[48][0] > table[4][0] + 0.2  # the last word itself
    assert table[48][1] > table[4][1]  # the word before it
    with pytest.raises(ValueError, match=r"steps_back must lie in 0..5"):
        recall_by_width(meaning, widths=(4,), steps_back=(6,))


def test_keeping_main_directions_keeps_what_varies_most():
    from textgen_course.lstm_context import keep_main_directions

    rng = np.random.default_rng(0)
    strong = rng.normal(size=(200, 5, 1)) * np.array([3.0, 0, 0, 0])  # all variance along axis 0
    weak = rng.normal(scale=0.1, size=(200, 5, 4))
    context = (strong + weak + 7.0).astype(np.float32)
    np.testing.assert_allclose(keep_main_directions(context, 4), context, atol=1e-4)
    one = keep_main_directions(context, 1)
    assert one.shape == context.shape and one.dtype == np.float32
    np.testing.assert_allclose(one[..., 0], context[..., 0], atol=0.2)  # the strong axis survives
    assert np.abs(one[..., 1:] - context[..., 1:].mean(axis=(0, 1))).max() < 0.05  # the rest collapses to its mean
    with pytest.raises(ValueError, match=r"keep must be a whole number in 1..4"):
        keep_main_directions(context, 0)


def test_position_correlation_finds_counting_units():
    from textgen_course.lstm_context import position_correlation

    rng = np.random.default_rng(0)
    steps = np.arange(13)[None, :]
    counter_up = steps + rng.normal(scale=0.1, size=(50, 13))  # +1 per word, whatever the word
    counter_down = -2.0 * steps + 3.0
    noise = rng.normal(size=(50, 13))
    constant = np.ones((50, 13))
    cell = np.stack([counter_up, np.broadcast_to(counter_down, (50, 13)), noise, constant], axis=-1)
    correlation = position_correlation(cell)
    assert correlation.shape == (4,)
    assert correlation[0] > 0.99 and correlation[1] == pytest.approx(-1.0)
    assert abs(correlation[2]) < 0.1 and correlation[3] == 0.0
    with pytest.raises(ValueError, match=r"expected cell states \(n, steps >= 2, units\)"):
        position_correlation(np.zeros((5, 1, 3)))
