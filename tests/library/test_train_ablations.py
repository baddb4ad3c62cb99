"""The experiments' command (authoring/train_ablations.py); the files it wrote are
checked in tests/library/test_experiments.py. Training and scoring take minutes to hours: only the
recipes and the command line are tested here."""

import dataclasses
import sys

import pytest

from textgen_course.ablation import VARIANTS, matched_units, variant_recipe
from textgen_course.config import MINIATURE_CONFIG
from authoring import train_ablations
from textgen_course.training import MINIATURE_TRAINING, TrainingConfig


def test_every_variant_has_its_recipe_from_the_one_registry():
    for variant, (architecture, width, recipe, seed) in VARIANTS.items():
        built_architecture, config, training = variant_recipe(variant)
        assert built_architecture == architecture
        assert config.lstm_2_units == (matched_units().units if width == "matched" else 100)
        assert (training.summary_input_gain == 4.0) == (recipe == "shipped")
        assert training.seed == seed and (seed == 0 or variant.endswith(f"_seed{seed}"))
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


class _CountingModel:
    """A stand-in model: the probability of the right word grows with the words it may read."""

    def __init__(self, vocab_size: int = 10, far_help: float = 0.0):
        self.vocab_size, self.far_help = vocab_size, far_help

    def window_probabilities(self, windows):
        import numpy as np

        read = (np.asarray(windows) != 0).sum(axis=1)  # (n,) words not padded away
        right = 0.2 + 0.02 * np.minimum(read, 4) + self.far_help * np.maximum(read - 4, 0)  # (n,)
        probabilities = np.tile(((1 - right) / (self.vocab_size - 1))[:, None], (1, self.vocab_size))
        probabilities[:, 2] = right  # the target below is always word 2
        return probabilities


def test_mean_with_error_is_the_mean_and_its_standard_error():
    import numpy as np

    values = np.array([1.0, 2.0, 3.0, 6.0])
    result = train_ablations.mean_with_error(values)
    assert result["mean"] == pytest.approx(3.0) and result["windows"] == 4
    assert result["standard_error"] == pytest.approx(np.std(values, ddof=1) / 2)
    with pytest.raises(ValueError, match="at least 2 values"):
        train_ablations.mean_with_error([1.0])


def test_context_scores_pairs_the_models_on_the_same_windows_and_finds_who_uses_the_far_words():
    import numpy as np

    windows = np.random.default_rng(0).integers(2, 10, (50, 13))
    targets = np.full(50, 2)
    result = train_ablations.context_scores(
        {"far": _CountingModel(far_help=0.01), "near": _CountingModel()}, windows, targets, lengths=(1, 4, 13))
    assert result["lengths"] == [1, 4, 13] and result["far_words"] == {"from": 4, "to": 13}
    near_curve = result["models"]["near"]["by_context_length"]
    assert near_curve["4"]["perplexity"] == pytest.approx(near_curve["13"]["perplexity"])  # 5-13 never help it
    assert near_curve["4"]["perplexity"] == pytest.approx(1 / 0.28) and near_curve["4"]["windows"] == 50
    assert result["models"]["near"]["far_word_gain"]["mean"] == pytest.approx(0.0, abs=1e-12)
    gain = np.log(0.28 + 0.09) - np.log(0.28)  # nats the far words save the "far" model, every window
    assert result["models"]["far"]["far_word_gain"]["mean"] == pytest.approx(gain)
    paired = result["paired"]["far_vs_near"]
    assert paired["far_word_gain_difference"]["mean"] == pytest.approx(gain)
    assert paired["by_context_length"]["4"]["loss_difference"] == pytest.approx(0.0, abs=1e-12)
    assert paired["by_context_length"]["13"]["loss_difference"] == pytest.approx(gain)
    with pytest.raises(ValueError, match="must be among the lengths"):
        train_ablations.context_scores({"near": _CountingModel()}, windows, targets, lengths=(1, 2))


def test_the_context_command_samples_every_13th_window_and_compares_the_last_4_words_with_all_13(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["train_ablations.py", "second-race-context", "--help"])
    with pytest.raises(SystemExit):
        train_ablations.main()
    assert "13 or more: no two share a word" in " ".join(capsys.readouterr().out.split())
    assert train_ablations.FAR_WORDS == (4, 13)
    assert set(train_ablations.FAR_WORDS) <= set(train_ablations.CONTEXT_LENGTHS)


def test_a_retrained_rival_is_scored_against_the_recorded_one_with_the_shipped_models_paired_gap():
    import types

    import numpy as np

    windows = np.random.default_rng(1).integers(2, 10, (4000, 13))
    data = types.SimpleNamespace(validation_x=windows, validation_y=np.full(4000, 2))
    manifest = {"history": [{"epoch": 1, "val_perplexity": 150.0, "seconds": 300.0, "loss": 5.0}],
                "metrics": {"best_epoch": 1}}
    result = train_ablations.rerun_overall(_CountingModel(far_help=0.01), _CountingModel(), manifest, data)
    race = train_ablations.load_experiment("second_race")
    assert result["second_race"] == race["models"]["one_lstm_matched_gain4"]["overall"]
    assert result["recorded_paired_difference"] == race["paired_difference"]
    assert result["this_run"]["perplexity"] == pytest.approx(1 / 0.28)  # the stand-in reads all 13 words
    assert result["history"] == [{"epoch": 1, "val_perplexity": 150.0, "seconds": 300.0}]
    gain = np.log(0.28 + 0.09) - np.log(0.28)  # the "shipped" stand-in uses the far words, every window
    assert result["paired_difference"]["loss_difference"] == pytest.approx(gain)
    assert result["paired_difference"]["blocks"] == 4
