"""Parameter and FLOP counts from the config (textgen_course/flops.py), for both architectures."""

import numpy as np
import pytest

import textgen_course as tc
from conftest import SMALL
from textgen_course.flops import (
    forward_flops,
    forward_flops_by_stage,
    multiply_adds,
    parameters_by_stage,
    training_flops,
)


def test_multiply_adds_count_the_matrix_products_of_one_window():
    assert multiply_adds("two_lstms") == 13 * 4 * 150 * 250 + 13 * 4 * 100 * 250 + 100 * 4818
    assert multiply_adds("one_lstm") == 13 * 4 * 100 * 200 + 100 * 4818
    with pytest.raises(ValueError, match="architecture must be one of"):
        multiply_adds("deep")


def test_forward_flops_of_the_notes_model_stage_by_stage():
    stages = forward_flops_by_stage(tc.ModelConfig())
    assert stages == {
        "embedding": 0,
        "lstm_1": 13 * 2 * (100 + 150) * 4 * 150,  # 3,900,000
        "lstm_2": 13 * 2 * (150 + 100) * 4 * 100,  # 2,600,000
        "dense_softmax": 2 * 100 * 4818,  # 963,600
    }
    assert forward_flops() == 7_463_600
    assert training_flops() == 3 * 7_463_600


def test_forward_flops_equal_the_matrix_products_torch_counts_in_the_keras_model():
    from torch.utils.flop_counter import FlopCounterMode

    model = tc.build_model(SMALL, seed=0)
    ids = np.random.default_rng(0).integers(0, SMALL.vocab_size, (4, SMALL.sequence_length))
    with FlopCounterMode(display=False) as counter:
        model(ids)
    assert counter.get_total_flops() == 4 * forward_flops(SMALL)


def test_training_flops_are_three_forward_passes_less_the_unneeded_initial_state_gradients():
    import keras
    from torch.utils.flop_counter import FlopCounterMode

    model = tc.build_model(SMALL, seed=0)
    ids = np.random.default_rng(0).integers(0, SMALL.vocab_size, (4, SMALL.sequence_length))
    with FlopCounterMode(display=False) as counter:
        probabilities = model(ids, training=True)
        keras.ops.mean(keras.losses.sparse_categorical_crossentropy(np.arange(4), probabilities)).backward()
    # autograd skips the gradient for each LSTM's zero initial state: one recurrent product per layer
    skipped = 2 * SMALL.lstm_1_units * 4 * SMALL.lstm_1_units + 2 * SMALL.lstm_2_units * 4 * SMALL.lstm_2_units
    assert counter.get_total_flops() == 4 * (training_flops(SMALL) - skipped)


def test_flop_counts_reject_what_is_not_a_config():
    with pytest.raises(ValueError, match="expected a ModelConfig"):
        forward_flops({"vocab_size": 4818})


def test_the_one_lstm_model_is_counted_too():
    stages = forward_flops_by_stage(tc.ModelConfig(), "one_lstm")
    assert stages == {"embedding": 0, "lstm_2": 13 * 2 * (100 + 100) * 4 * 100, "dense_softmax": 2 * 100 * 4818}
    assert multiply_adds("one_lstm") * 2 == forward_flops(architecture="one_lstm")
    assert training_flops(SMALL, "one_lstm") == 3 * forward_flops(SMALL, "one_lstm")


def test_parameters_by_stage_use_the_stage_formulas():
    counts = parameters_by_stage("two_lstms")
    assert counts == {"embedding": 4818 * 100, "lstm_1": 4 * 150 * (100 + 150 + 1),
                      "lstm_2": 4 * 100 * (150 + 100 + 1), "dense_softmax": (100 + 1) * 4818}
    assert sum(counts.values()) == 1_219_418
    assert parameters_by_stage("one_lstm")["lstm_2"] == 4 * 100 * (100 + 100 + 1)
    assert list(parameters_by_stage("one_lstm")) == ["embedding", "lstm_2", "dense_softmax"]
    with pytest.raises(ValueError, match="architecture must be one of"):
        parameters_by_stage("deep")
