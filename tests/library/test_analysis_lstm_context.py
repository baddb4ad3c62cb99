"""The LSTM-1 chapter's measurements: why gates (delayed recall, gradients by distance), units, probes."""

import numpy as np
import pytest
import torch

import textgen_course as tc
from textgen_course.analysis.lstm_context import (
    RecallConfig,
    build_recall_model,
    feature_correlation,
    influence_by_distance,
    memory_by_distance,
    recall_task,
    train_recall,
)
from textgen_course.model import torch_model_from_keras
from textgen_course.plain_rnn import torch_plain_rnn_from_keras
from conftest import SMALL, random_ids, without_recurrence




@pytest.mark.parametrize("measure", ["memory", "output"])
def test_curves_have_one_entry_per_distance_and_start_at_one(plain, measure):
    ids = random_ids(SMALL, 32)
    twin = torch_plain_rnn_from_keras(plain)
    curve = memory_by_distance(twin, ids) if measure == "memory" else influence_by_distance(twin, ids, ids[:, 0])
    assert curve.shape == (SMALL.sequence_length,) and curve[0] == 1.0
    assert np.all(np.isfinite(curve)) and np.all(curve > 0)


def test_a_model_that_ignores_the_earlier_words_measures_zero_beyond_the_last(plain):
    ids = random_ids(SMALL, 32)
    forgetful = torch_plain_rnn_from_keras(without_recurrence(plain, ["rnn_1", "rnn_2"]))
    memory = memory_by_distance(forgetful, ids)
    output = influence_by_distance(forgetful, ids, ids[:, 3])
    assert memory[0] == output[0] == 1.0
    np.testing.assert_array_equal(memory[1:], 0.0)
    np.testing.assert_array_equal(output[1:], 0.0)
    # the memory is the first layer's alone: rnn_2 keeping its past does not bring the early words back into it
    assert np.all(memory_by_distance(torch_plain_rnn_from_keras(without_recurrence(plain, ["rnn_1"])), ids)[1:] == 0)
    assert np.all(influence_by_distance(torch_plain_rnn_from_keras(without_recurrence(plain, ["rnn_1"])),
                                        ids, ids[:, 3])[1:] > 0)


def test_an_lstm_with_shut_forget_gates_and_no_recurrence_keeps_nothing_in_its_cell_state():
    model = tc.build_model(SMALL, seed=0)
    layer = model.get_layer("lstm_1")
    kernel, recurrent_kernel, bias = layer.get_weights()
    units = SMALL.lstm_1_units
    bias[units : 2 * units] = -40.0  # forget gate sigmoid(-40): the old cell state is dropped at every step
    layer.set_weights([kernel, np.zeros_like(recurrent_kernel), bias])
    memory = memory_by_distance(torch_model_from_keras(model), random_ids(SMALL, 32))
    assert memory[0] == 1.0 and np.all(memory[1:] < 1e-12)


def test_the_lstms_memory_is_its_cell_state_and_matches_a_full_jacobian():
    model = tc.build_model(SMALL, seed=3)
    twin = torch_model_from_keras(model)
    ids = random_ids(SMALL, 3)
    curve = memory_by_distance(twin, ids)
    # reference: the whole Jacobian of c_8 (3 windows x 24 units) with respect to every meaning vector
    meaning = twin.embedding(torch.as_tensor(ids)).detach()

    def cell_state(vectors):
        return twin.lstm_1(vectors)[1][1][0]  # (3, 24): c after the last word

    jacobian = torch.autograd.functional.jacobian(cell_state, meaning)  # (3, 24, 3, 8, 16)
    own = torch.stack([jacobian[w, :, w] for w in range(3)])  # (3, 24, 8, 16): each window's own words
    norms = own.pow(2).sum(dim=(1, 3)).sqrt().mean(dim=0).numpy()[::-1]  # (8,), k = 0 first
    np.testing.assert_allclose(curve, norms / norms[0], rtol=1e-5)
    # at the start the forget gates sit near sigmoid(1) = 0.73 (Keras's unit_forget_bias), and so does the fading
    assert 0.65 < curve[1] < 0.8


@pytest.mark.parametrize(
    "ids, targets, message",
    [
        (np.zeros((2, 7), np.int64), None, r"memory_by_distance: expected 8 word ids per window"),
        (np.zeros((2, 8), np.float32), None, r"memory_by_distance: word ids must be integers"),
        (np.full((2, 8), 500), None, r"memory_by_distance: word ids must lie in \[0, 500\)"),
        (np.zeros((0, 8), np.int64), None, r"memory_by_distance: need at least one window"),
        (np.ones((2, 8), np.int64), np.ones(3, np.int64), r"influence_by_distance: expected one integer target"),
        (np.ones((2, 8), np.int64), np.ones(2, np.float32), r"influence_by_distance: expected one integer target"),
        (np.ones((2, 8), np.int64), np.array([1, 500]), r"influence_by_distance: targets must lie in \[0, 500\)"),
    ],
)
def test_bad_input_raises_a_clear_value_error(plain, ids, targets, message):
    twin = torch_plain_rnn_from_keras(plain)
    with pytest.raises(ValueError, match=message):
        if targets is None:
            memory_by_distance(twin, ids)
        else:
            influence_by_distance(twin, ids, targets)


def test_only_the_two_twins_are_measured(plain):
    with pytest.raises(ValueError, match="expected a PyTorch twin .* got TextGenerator"):
        memory_by_distance(plain, random_ids(SMALL, 2))  # the Keras model, not its twin


def test_word_identity_share_is_one_for_the_embedding_and_zero_for_noise():
    from textgen_course.analysis.lstm_context import word_identity_share

    rng = np.random.default_rng(0)
    word_ids = rng.integers(0, 20, 500)
    table = rng.normal(size=(20, 6))
    assert word_identity_share(table[word_ids], word_ids) == pytest.approx(1.0)
    noise = rng.normal(size=(500, 6))
    assert abs(word_identity_share(noise, word_ids)) < 0.03  # adjusted: no credit for chance
    mixed = table[word_ids] + noise
    assert 0.3 < word_identity_share(mixed, word_ids) < 0.7  # half word, half something else


def test_word_identity_share_gives_rare_words_no_credit():
    from textgen_course.analysis.lstm_context import word_identity_share

    rng = np.random.default_rng(1)
    word_ids = np.concatenate([rng.integers(0, 5, 300), np.arange(100, 400)])  # 300 words seen once
    assert abs(word_identity_share(rng.normal(size=(600, 4)), word_ids)) < 0.05


def test_word_identity_share_rejects_bad_shapes_and_constant_vectors():
    from textgen_course.analysis.lstm_context import word_identity_share

    with pytest.raises(ValueError, match=r"expected vectors \(n, width\) and word_ids \(n,\)"):
        word_identity_share(np.zeros((5, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="all vectors are identical"):
        word_identity_share(np.ones((5, 3)), np.arange(5))
    with pytest.raises(ValueError, match="every word occurs once"):
        word_identity_share(np.eye(5), np.arange(5))


def test_probe_recall_finds_a_linear_signal_and_not_noise():
    from textgen_course.analysis.lstm_context import probe_recall

    rng = np.random.default_rng(0)
    features = rng.normal(size=(600, 10))
    targets = features @ rng.normal(size=(10, 3))
    assert probe_recall(features, targets) > 0.99
    assert probe_recall(features, rng.normal(size=(600, 3))) < 0.05
    with pytest.raises(ValueError, match="same n"):
        probe_recall(features, targets[:10])


def test_fresh_weights_have_the_layer_shapes():
    from textgen_course.analysis.lstm_context import fresh_lstm_weights

    weights = fresh_lstm_weights(100, 50)
    assert weights.kernel.shape == (100, 200) and weights.recurrent_kernel.shape == (50, 200)
    assert weights.bias.shape == (200,)
    np.testing.assert_array_equal(weights.bias[50:100], 1.0)  # Keras starts the forget gate open


def test_a_wider_fresh_lstm_keeps_more_of_the_last_words():
    from textgen_course.analysis.lstm_context import recall_by_width

    meaning = np.random.default_rng(0).normal(scale=0.05, size=(900, 6, 16)).astype(np.float32)
    table = recall_by_width(meaning, widths=(4, 48), steps_back=(0, 1))
    assert set(table) == {4, 48} and len(table[4]) == 2
    assert table[48][0] > table[4][0] + 0.2  # the last word itself
    assert table[48][1] > table[4][1]  # the word before it
    with pytest.raises(ValueError, match=r"steps_back must lie in 0..5"):
        recall_by_width(meaning, widths=(4,), steps_back=(6,))


def test_keeping_main_directions_keeps_what_varies_most():
    from textgen_course.analysis.lstm_context import keep_main_directions

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
    from textgen_course.analysis.lstm_context import position_correlation

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


def test_the_recall_task_asks_for_the_marked_word_k_back():
    config = RecallConfig()
    ids, answers = recall_task(50, config, np.random.default_rng(0), steps_back=3)
    assert ids.shape == (50, 13) and ids.min() >= 0 and ids.max() < 2 * config.words
    marked = ids >= config.words
    assert np.all(marked.sum(axis=1) == 1) and np.all(marked[:, 9])  # one marked word, 3 before the last
    np.testing.assert_array_equal(answers, ids[:, 9] - config.words)
    ids, answers = recall_task(400, config, np.random.default_rng(1))  # k drawn per sequence
    back = 12 - (ids >= config.words).argmax(axis=1)
    assert set(back) == set(range(1, 13))
    np.testing.assert_array_equal(answers, ids.max(axis=1) - config.words)
    with pytest.raises(ValueError, match=r"steps_back must lie in 1..12"):
        recall_task(5, config, np.random.default_rng(0), steps_back=0)


def test_both_recall_models_have_the_same_width_and_the_lstm_four_times_the_weights():
    config = RecallConfig(units=8)
    plain, lstm = (build_recall_model(kind, config) for kind in ("plain RNN", "LSTM"))
    assert plain.get_layer("recurrent").units == lstm.get_layer("recurrent").units == 8
    assert 4 * plain.get_layer("recurrent").count_params() == lstm.get_layer("recurrent").count_params()
    assert plain.output_shape == (None, config.words)
    vectors = plain.get_layer("embedding").get_weights()[0]  # (20, 16)
    assert 0.8 < np.abs(vectors).max() <= config.input_scale
    with pytest.raises(ValueError, match="kind must be one of"):
        build_recall_model("GRU", config)


def test_the_twin_computes_the_keras_model():
    from textgen_course.analysis.lstm_context import TorchRecallModel

    config = RecallConfig(units=8)
    ids, _ = recall_task(16, config, np.random.default_rng(0))
    for kind in ("plain RNN", "LSTM"):
        model = build_recall_model(kind, config, seed=3)
        with torch.no_grad():
            twin = torch.softmax(TorchRecallModel(model).logits(torch.from_numpy(ids)), dim=-1).numpy()
        np.testing.assert_allclose(twin, model.predict(ids, verbose=0), atol=1e-5)


def test_training_learns_the_recent_words_and_is_repeatable():
    config = RecallConfig(length=4, units=16, steps=150, test_sequences=200)
    accuracy = train_recall("LSTM", config, seed=0)
    assert accuracy.shape == (3,) and accuracy[0] > 0.9  # k = 1, 2, 3
    np.testing.assert_array_equal(train_recall("LSTM", config, seed=0), accuracy)
    untrained = train_recall("plain RNN", RecallConfig(length=4, steps=0, test_sequences=400))
    assert np.all(np.abs(untrained - config.chance) < 0.08)


def test_feature_correlation_finds_the_unit_that_follows_a_feature():
    rng = np.random.default_rng(0)
    feature = (rng.random((40, 13)) < 0.2).astype(float)  # say, "a sentence has just ended"
    values = rng.normal(size=(40, 13, 3))
    values[..., 1] += 5 * feature  # unit 1 follows it
    values[..., 2] = 5.0  # unit 2 never changes
    correlation = feature_correlation(values, feature)
    assert correlation[1] > 0.8 and abs(correlation[0]) < 0.1 and correlation[2] == 0.0
    with pytest.raises(ValueError, match=r"expected values \(n, steps, units\) and a feature \(n, steps\)"):
        feature_correlation(values, feature[:, :5])
    feature[:, :4] = np.nan  # words the feature does not apply to are left out
    values[:, :4, 0] = 100.0 * rng.normal(size=(40, 4))  # wild there, and it does not count
    assert abs(feature_correlation(values, feature)[0]) < 0.1


def test_words_since_counts_from_the_last_mark():
    from textgen_course.analysis.lstm_context import words_since

    since = words_since(np.array([[5, 1, 7, 7, 1, 7], [7, 7, 7, 7, 7, 7]]), mark_ids=[1])
    np.testing.assert_array_equal(since[0], [np.nan, 0, 1, 2, 0, 1])
    assert np.isnan(since[1]).all()
