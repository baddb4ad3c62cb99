import dataclasses

import pytest

import textgen_course as tc


def test_defaults_are_the_model_in_the_notes():
    config = tc.ModelConfig()
    assert (config.vocab_size, config.sequence_length, config.embedding_dim) == (4818, 13, 100)
    assert (config.lstm_1_units, config.lstm_2_units) == (150, 100)


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        tc.ModelConfig().vocab_size = 10


@pytest.mark.parametrize("field", ["vocab_size", "sequence_length", "embedding_dim", "lstm_1_units", "lstm_2_units"])
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


def test_records_written_before_the_rename_load_with_their_earlier_field_names():
    # experiments/*.json and pretrained/artifact.json were written with the earlier names
    from textgen_course.config import EARLIER_NAMES

    config = tc.ModelConfig(vocab_size=500, sequence_length=8, lstm_1_units=24, lstm_2_units=12)
    renamed = {"lstm_1_units": "lstm1_units", "lstm_2_units": "lstm2_units"}
    earlier = {renamed.get(key, key): value for key, value in config.to_dict().items()}
    assert set(EARLIER_NAMES) == set(earlier) - set(config.to_dict())
    assert tc.ModelConfig.from_dict(earlier) == config
    assert tc.ModelConfig.from_dict(tc.artifacts.pretrained_manifest()["model_config"]) == tc.ModelConfig()
    assert not set(EARLIER_NAMES) & set(config.to_dict())  # what is written now has today's names
    assert list(config.to_dict()) == ["vocab_size", "sequence_length", "embedding_dim", "lstm_1_units",
                                      "lstm_2_units"]


def test_a_field_given_by_both_its_names_is_rejected():
    with pytest.raises(ValueError, match="'lstm2_units' is the earlier name of 'lstm_2_units'; give each field once"):
        tc.ModelConfig.from_dict({"lstm2_units": 100, "lstm_2_units": 100})
    with pytest.raises(ValueError, match="unknown field.*'lstm3_units'"):
        tc.ModelConfig.from_dict({"lstm3_units": 100})


def test_importing_the_config_loads_neither_keras_nor_torch():
    """`import textgen_course.config` stays light: the package's __init__ loads the stack lazily."""
    import subprocess
    import sys

    probe = "import sys, textgen_course.config; print(sorted({'keras', 'torch'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"import textgen_course.config loaded {loaded.strip()}"


def test_the_package_names_still_work_lazily():
    import textgen_course as tc

    assert tc.build_model.__module__ == "textgen_course.model"
    assert tc.ModelConfig is __import__("textgen_course.config").config.ModelConfig
    with pytest.raises(AttributeError, match="no attribute 'buid_model'"):
        tc.buid_model


def test_pip_install_ships_no_course_tooling():
    """pyproject packages only textgen_course; the authoring tools stay in the repository."""
    import tomllib
    from pathlib import Path

    from setuptools import find_packages

    root = Path(__file__).resolve().parents[2]
    settings = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = find_packages(str(root), include=settings["include"])
    assert packages and all(name.split(".")[0] == "textgen_course" for name in packages), packages
    assert not any("tools" in name.split(".") for name in packages)
    library = "\n".join(path.read_text() for path in (root / "textgen_course").rglob("*.py"))
    assert "import authoring" not in library and "from authoring" not in library
