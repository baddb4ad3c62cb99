"""The experiments' command (textgen_course/tools/train_ablations.py); the files it wrote are
checked in tests/test_experiments.py. Training and scoring take minutes to hours: only the
recipes and the command line are tested here."""

import dataclasses
import sys

import pytest

from textgen_course.ablation import VARIANTS, matched_units, variant_recipe
from textgen_course.config import MINIATURE_CONFIG
from textgen_course.tools import train_ablations
from textgen_course.training import MINIATURE_TRAINING, TrainingConfig


def test_every_variant_has_its_recipe_from_the_one_registry():
    for variant, (architecture, width, recipe) in VARIANTS.items():
        built_architecture, config, training = variant_recipe(variant)
        assert built_architecture == architecture
        assert config.lstm2_units == (matched_units().units if width == "matched" else 100)
        assert (training.summary_input_gain == 4.0) == (recipe == "shipped")
    with pytest.raises(ValueError, match="variant must be one of"):
        variant_recipe("three_lstms")


def test_the_seeds_command_records_the_miniature_recipe_as_before():
    recorded = {key: getattr(MINIATURE_TRAINING, key) for key in train_ablations.MINIATURE_TRAINING_KEYS}
    assert recorded == {"epochs": 2, "batch_size": 256, "learning_rate": 1e-2, "final_learning_rate": 1e-3}
    assert dataclasses.replace(TrainingConfig(), **recorded) == MINIATURE_TRAINING
    assert MINIATURE_CONFIG.vocab_size == 1000


def test_the_command_line_offers_exactly_the_registered_variants(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["train_ablations.py", "train", "three_lstms"])
    with pytest.raises(SystemExit):
        train_ablations.main()
    message = capsys.readouterr()
    assert "invalid choice: 'three_lstms'" in message.err
    assert all(variant in message.err for variant in VARIANTS)
