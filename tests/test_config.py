import dataclasses

import pytest

import textgen_course as tc


def test_defaults_are_the_model_in_the_notes():
    config = tc.ModelConfig()
    assert (config.vocab_size, config.sequence_length, config.embedding_dim) == (4818, 13, 100)
    assert (config.lstm1_units, config.lstm2_units) == (150, 100)


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        tc.ModelConfig().vocab_size = 10


@pytest.mark.parametrize("field", ["vocab_size", "sequence_length", "embedding_dim", "lstm1_units", "lstm2_units"])
@pytest.mark.parametrize("value", [0, -3, 2.5, True, "100"])
def test_non_positive_or_non_integer_sizes_are_rejected(field, value):
    with pytest.raises(ValueError, match=f"ModelConfig: {field} must be a positive integer"):
        tc.ModelConfig(**{field: value})


def test_vocabulary_needs_room_for_padding_unknown_and_a_word():
    with pytest.raises(ValueError, match="at least 3"):
        tc.ModelConfig(vocab_size=2)


def test_round_trip_through_a_dict():
    config = tc.ModelConfig(vocab_size=500, sequence_length=8)
    assert tc.ModelConfig.from_dict(config.to_dict()) == config


def test_unknown_fields_are_named():
    with pytest.raises(ValueError, match="unknown field"):
        tc.ModelConfig.from_dict({"vocab_size": 10, "layers": 3})
