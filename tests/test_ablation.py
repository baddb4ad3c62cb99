import math

import numpy as np
import pytest

import textgen_course as tc
from textgen_course.ablation import (
    ARCHITECTURES,
    architecture_of,
    build_architecture,
    build_one_lstm,
    load_experiment,
    matched_units,
    parameter_count,
    with_units,
)
from textgen_course.evaluation import evaluate
from conftest import SMALL, random_ids, train_a_few_steps


@pytest.fixture(scope="module")
def small_one_lstm():
    return train_a_few_steps(build_one_lstm(SMALL, seed=2))


def test_one_lstm_model_drops_lstm1_and_keeps_the_other_stages(small_one_lstm):
    names = [layer.name for layer in small_one_lstm.layers]
    assert names == ["word_ids", "embedding", "lstm_2", "dense_softmax"]
    assert small_one_lstm.get_layer("lstm_2").units == SMALL.lstm2_units
    assert small_one_lstm.get_layer("lstm_2").return_sequences is False  # final state only
    probabilities = tc.next_word_probabilities(small_one_lstm, random_ids(SMALL, batch=5))
    assert probabilities.shape == (5, SMALL.vocab_size)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("config", [SMALL, tc.ModelConfig()], ids=["small", "notes"])
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_parameter_formula_equals_what_keras_counts(architecture, config):
    model = build_architecture(architecture, config, seed=0)
    assert parameter_count(architecture, config) == model.count_params()


def test_parameter_counts_of_the_notes_sizes():
    assert parameter_count("two_lstms") == 1_219_418
    assert parameter_count("one_lstm") == 481_800 + 80_400 + 486_618  # embedding + LSTM(100) + dense


@pytest.mark.parametrize("config", [tc.ModelConfig(), SMALL], ids=["notes", "small"])
def test_matched_width_is_the_closest_whole_number(config):
    match = matched_units(config)
    count = {units: parameter_count("one_lstm", with_units(config, units)) for units in range(1, 600)}
    best = min(count, key=lambda units: abs(count[units] - match.target))
    assert match.units == best
    assert match.parameters == count[best]
    assert match.a * match.exact_units ** 2 + match.b * match.exact_units + match.c == pytest.approx(match.target)


def test_matched_width_of_the_notes_model():
    match = matched_units()
    assert match.units == 128 and match.parameters == 1_220_570 and match.difference == 1_152
    assert match.exact_units == pytest.approx(127.8, abs=0.05)
    assert "128 units" in str(match) and "1,219,418" in str(match)


def test_one_lstm_starts_from_the_same_embedding_as_the_two_lstm_model():
    one, two = build_one_lstm(SMALL, seed=5), tc.build_model(SMALL, seed=5)
    np.testing.assert_array_equal(one.get_layer("embedding").get_weights()[0],
                                  two.get_layer("embedding").get_weights()[0])
    again = build_one_lstm(SMALL, seed=5)
    for a, b in zip(one.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)  # seeded: the same initial weights every time


def test_architecture_is_read_from_the_layers(small_one_lstm, small_model):
    assert architecture_of(small_one_lstm) == "one_lstm"
    assert architecture_of(small_model) == "two_lstms"
    assert architecture_of(tc.torch_model_from_keras(small_model)) == "two_lstms"


def test_unknown_architecture_is_rejected_with_the_allowed_names():
    with pytest.raises(ValueError, match=r"architecture must be one of \('two_lstms', 'one_lstm'\), got 'three_lstms'"):
        build_architecture("three_lstms", SMALL)
    with pytest.raises(ValueError, match="architecture must be one of"):
        parameter_count("one-lstm", SMALL)


def test_evaluate_and_keras_generation_accept_the_one_lstm_model(small_one_lstm):
    windows = random_ids(SMALL, batch=50, seed=3)
    targets = np.random.default_rng(4).integers(2, SMALL.vocab_size, 50)
    result = evaluate(small_one_lstm, windows, targets)
    assert result.windows == 50 and math.isfinite(result.perplexity) and result.perplexity > 1
    words = [f"w{i}" for i in range(SMALL.vocab_size - 2)]
    vocabulary = tc.Vocabulary(("<pad>", "<unk>", *words))
    first = tc.generate(small_one_lstm, vocabulary, "w3 w4 w5", num_words=6, strategy="top_k", top_k=5,
                        seed=1, engine="keras")
    again = tc.generate(small_one_lstm, vocabulary, "w3 w4 w5", num_words=6, strategy="top_k", top_k=5,
                        seed=1, engine="keras")
    assert len(first.new_ids) == 6 and first == again


def test_unknown_experiment_lists_the_shipped_ones():
    with pytest.raises(ValueError, match="no experiment 'two_lstm'; the shipped ones are"):
        load_experiment("two_lstm")
