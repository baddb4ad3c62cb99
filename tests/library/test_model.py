
import numpy as np
import pytest
import torch

import textgen_course as tc
from conftest import SMALL, random_ids


def test_layers_are_named_for_the_stages_and_counted(model):
    assert [layer.name for layer in model.layers] == ["word_ids", "embedding", "lstm_1", "lstm_2", "dense_softmax"]
    counts = [model.get_layer(name).count_params() for name in tc.model.STAGE_NAMES]
    assert counts == [481_800, 150_600, 100_400, 486_618]
    assert model.count_params() == 1_219_418


def test_summary_shows_the_total(model, capsys):
    model.summary(line_length=72)
    assert "1,219,418" in capsys.readouterr().out


def test_twin_differs_only_by_torchs_second_lstm_bias(model):
    twin = tc.torch_model_from_keras(model)
    assert sum(p.numel() for p in twin.parameters()) == 1_219_418 + 4 * 150 + 4 * 100 == 1_220_418
    ledger = tc.parameter_ledger(model)
    assert ledger.keras_total == 1_219_418 and ledger.torch_total == 1_220_418
    assert all(row.expected == row.keras for row in ledger.rows)


def test_model_is_assembled_from_the_stage_builders(model):
    assert model.get_layer("lstm_1").return_sequences and not model.get_layer("lstm_2").return_sequences
    assert model.get_layer("dense_softmax").activation.__name__ == "softmax"


def test_same_seed_same_weights_other_seed_other_weights():
    first, second, third = tc.build_model(SMALL, seed=3), tc.build_model(SMALL, seed=3), tc.build_model(SMALL, seed=4)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.get_weights()[0], third.get_weights()[0])


def test_trained_weights_really_moved(trained_model):
    fresh = tc.build_model(seed=1)
    assert np.abs(trained_model.get_weights()[1] - fresh.get_weights()[1]).max() > 0.05


def test_every_stage_is_named_with_its_shape(small_model):
    activations = tc.stage_activations(small_model, random_ids(SMALL, batch=3))
    assert {k: v.shape for k, v in activations.items()} == {
        "word_ids": (3, 8), "embedding": (3, 8, 16), "lstm_1": (3, 8, 24), "lstm_2": (3, 12),
        "logits": (3, 500), "dense_softmax": (3, 500),
    }
    diagram = tc.data_flow_diagram(activations)
    assert "LSTM-1 (24 units)     (3, 8, 24)" in diagram and "Dense softmax         (3, 500)" in diagram


def test_a_small_config_works_everywhere(small_model):
    ledger = tc.parameter_ledger(small_model)
    assert ledger.keras_total == small_model.count_params() == 500 * 16 + 4 * 24 * 41 + 4 * 12 * 37 + 13 * 500
    assert tc.cross_check(small_model, batch_size=16).passed


@pytest.mark.parametrize(
    "ids, message",
    [
        (np.zeros((2, 13), np.float64), "model: word ids must be integers"),
        (np.zeros((2, 13, 1), int), r"model: expected word ids of shape \(batch, 13\), got shape \(2, 13, 1\)"),
        (np.zeros((2, 5), int), "model: expected 13 word ids per window, got 5"),
        (np.full((1, 13), 5000), r"model: word ids must lie in \[0, 4818\), got 5000"),
    ],
)
def test_calling_the_keras_model_with_bad_ids_is_a_clear_error(model, ids, message):
    with pytest.raises(ValueError, match=message):
        model(ids)
    with pytest.raises(ValueError, match=message):
        tc.next_word_probabilities(model, ids)


def test_predict_with_out_of_range_ids_is_a_clear_error(model):
    with pytest.raises(ValueError, match=r"must lie in \[0, 4818\)"):
        model.predict(np.full((4, 13), 9999), verbose=0)


def test_the_twin_checks_its_input_too(model):
    twin = tc.torch_model_from_keras(model)
    with pytest.raises(ValueError, match="torch twin: expected 13 word ids per window, got 12"):
        twin(torch.zeros((1, 12), dtype=torch.long))


def test_stage_activations_and_cross_check_name_themselves(model):
    with pytest.raises(ValueError, match="stage_activations: "):
        tc.stage_activations(model, np.zeros((1, 3), int))
    with pytest.raises(ValueError, match="cross_check: "):
        tc.cross_check(model, ids=np.full((1, 13), -1))


def test_not_a_course_model_is_a_clear_error():
    import keras

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="expected a model built by textgen_course.build_model"):
        tc.cross_check(other)
