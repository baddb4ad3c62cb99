"""Both architectures the course builds (textgen_course/architectures.py)."""

import math

import numpy as np
import pytest

import textgen_course as tc
from textgen_course.architectures import (
    ARCHITECTURES,
    architecture_of,
    build_architecture,
    build_one_lstm,
    parameter_count,
    parameters_by_stage,
    scale_summary_input,
)
from textgen_course.evaluation import evaluate
from conftest import SMALL, random_ids, train_a_few_steps


@pytest.fixture(scope="module")
def small_one_lstm():
    return train_a_few_steps(build_one_lstm(SMALL, seed=2))


def test_one_lstm_model_drops_lstm1_and_keeps_the_other_stages(small_one_lstm):
    names = [layer.name for layer in small_one_lstm.layers]
    assert names == ["word_ids", "embedding", "lstm_2", "dense_softmax"]
    assert small_one_lstm.get_layer("lstm_2").units == SMALL.lstm_2_units
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


@pytest.mark.parametrize("architecture", ["two_lstms", "one_lstm"])
def test_summary_input_gain_scales_only_lstm2s_input_weights(architecture):
    plain, scaled = (build_architecture(architecture, SMALL, seed=3) for _ in range(2))
    scale_summary_input(scaled, 4.0)
    for before, after in zip(plain.weights, scaled.weights):
        factor = 4.0 if before.path == "lstm_2/lstm_cell/kernel" else 1.0
        np.testing.assert_allclose(np.asarray(after), factor * np.asarray(before), rtol=1e-6)
    assert any(w.path == "lstm_2/lstm_cell/kernel" for w in plain.weights)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_the_start_up_gain_is_a_build_argument(architecture):
    plain = build_architecture(architecture, SMALL, seed=3)
    scaled = build_architecture(architecture, SMALL, seed=3, summary_input_gain=4.0)
    by_hand = build_architecture(architecture, SMALL, seed=3)
    scale_summary_input(by_hand, 4.0)
    for built, expected in zip(scaled.weights, by_hand.weights):
        np.testing.assert_array_equal(np.asarray(built), np.asarray(expected))
    def kernel(model):
        return np.asarray(model.get_layer("lstm_2").cell.kernel)

    np.testing.assert_allclose(kernel(scaled), 4.0 * kernel(plain), rtol=1e-6)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_parameters_by_stage_name_the_stages_the_model_has(architecture):
    model = build_architecture(architecture, SMALL, seed=0)
    counts = parameters_by_stage(architecture, SMALL)
    assert list(counts) == [layer.name for layer in model.layers[1:]]
    assert counts == {name: model.get_layer(name).count_params() for name in counts}


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("engine", ["numpy", "keras"])
@pytest.mark.parametrize("strategy, options", [("greedy", {}), ("top_k", {"top_k": 5, "seed": 1})])
def test_generate_runs_every_architecture_with_every_engine(architecture, engine, strategy, options,
                                                            small_model, small_one_lstm):
    model = {"two_lstms": small_model, "one_lstm": small_one_lstm}[architecture]
    assert architecture_of(model) == architecture
    words = [f"w{i}" for i in range(SMALL.vocab_size - 2)]
    vocabulary = tc.Vocabulary(("<pad>", "<unk>", *words))
    result = tc.generate(model, vocabulary, "w3 w4 w5", num_words=6, strategy=strategy, engine=engine, **options)
    assert len(result.new_ids) == 6
    other = tc.generate(model, vocabulary, "w3 w4 w5", num_words=6, strategy=strategy,
                        engine="keras" if engine == "numpy" else "numpy", **options)
    assert result.new_ids == other.new_ids  # both engines compute the same model


def test_generate_refuses_an_engine_that_cannot_run_the_model(small_one_lstm):
    words = [f"w{i}" for i in range(SMALL.vocab_size - 2)]
    vocabulary = tc.Vocabulary(("<pad>", "<unk>", *words))
    engine = tc.NumpyTextGenerator.from_keras(small_one_lstm)
    assert engine.architecture == "one_lstm" and architecture_of(engine) == "one_lstm"
    assert tc.generate(engine, vocabulary, "w3", num_words=3).new_ids == \
        tc.generate(small_one_lstm, vocabulary, "w3", num_words=3).new_ids
    with pytest.raises(ValueError, match="engine='keras' needs a Keras model, got NumpyTextGenerator"):
        tc.generate(engine, vocabulary, "w3", num_words=3, engine="keras")
    with pytest.raises(ValueError, match="engine must be one of"):
        tc.generate(small_one_lstm, vocabulary, "w3", num_words=3, engine="torch")
