import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

import textgen_course as tc
from textgen_course import artifacts
from textgen_course.training import TrainingConfig, train

from conftest import QUICK, TINY


def test_training_learns_and_saves_one_folder(trained_run):
    result, _ = trained_run
    history = result.manifest["history"]
    assert [record["epoch"] for record in history] == [1, 2, 3]
    assert history[-1]["val_loss"] < history[0]["val_loss"] < np.log(30)  # better than guessing
    for record in history:
        assert record["val_perplexity"] == pytest.approx(np.exp(record["val_loss"]))
        assert 0 <= record["val_top5_accuracy"] <= 1
    names = sorted(path.name for path in result.folder.iterdir())
    assert names == ["artifact.json", "vocabulary.json", "weights-epoch-03.weights.h5"]  # resume state removed
    assert result.manifest["metrics"]["best_epoch"] == 3


def test_same_command_same_numbers(trained_run, tmp_path):
    first, corpus = trained_run
    again = train(tmp_path / "again", corpus, TINY, QUICK, verbose=0)
    assert [r["val_loss"] for r in again.manifest["history"]] == [r["val_loss"] for r in first.manifest["history"]]


def test_a_killed_run_resumes_exactly(trained_run, tmp_path, monkeypatch):
    first, corpus = trained_run
    folder = tmp_path / "interrupted"
    calls = {"n": 0}
    real_commit = artifacts.commit_manifest

    def crash_during_second_save(out, manifest):
        calls["n"] += 1
        if calls["n"] == 2:  # new weights written, manifest not yet replaced: the kill
            raise KeyboardInterrupt
        real_commit(out, manifest)

    monkeypatch.setattr(artifacts, "commit_manifest", crash_during_second_save)
    with pytest.raises(KeyboardInterrupt):
        train(folder, corpus, TINY, QUICK, verbose=0)
    monkeypatch.setattr(artifacts, "commit_manifest", real_commit)
    model, _, manifest = artifacts.load_artifact(folder)  # the epoch-1 artifact is intact
    assert manifest["epoch"] == 1
    resumed = train(folder, corpus, TINY, QUICK, resume=True, verbose=0)
    assert [r["val_loss"] for r in resumed.manifest["history"]] == pytest.approx(
        [r["val_loss"] for r in first.manifest["history"]], rel=1e-5)
    for a, b in zip(resumed.model.get_weights(), first.model.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_refuses_to_overwrite_or_to_resume_a_finished_run(trained_run):
    result, corpus = trained_run
    with pytest.raises(FileExistsError, match="already holds a trained model"):
        train(result.folder, corpus, TINY, QUICK, verbose=0)
    with pytest.raises(ValueError, match="nothing to resume"):
        train(result.folder, corpus, TINY, QUICK, resume=True, verbose=0)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"learning_rate": 1e-3, "final_learning_rate": 1e-2}, "final_learning_rate <= learning_rate"),
    ({"validation_fraction": 1.0}, "validation_fraction must be in"),
    ({"jit_compile": "yes"}, "jit_compile must be True or False"),
    ({"summary_input_gain": 0}, "summary_input_gain must be a positive number"),
    ({"summary_input_gain": "4"}, "summary_input_gain must be a positive number"),
])
def test_bad_training_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**kwargs)


@pytest.mark.heavy
def test_command_line_trains_and_generates(tmp_path, small_text_file):
    out = tmp_path / "cli"
    command = [sys.executable, "-m", "textgen_course"]
    trained = subprocess.run(
        command + ["train", "--out", str(out), "--corpus", str(small_text_file), "--epochs", "1",
                   "--batch-size", "64", "--vocab-size", "30", "--sequence-length", "6", "--embedding-dim", "8",
                   "--lstm-1-units", "12", "--lstm-2-units", "8", "--quiet"],
        capture_output=True, text=True, timeout=300)
    assert trained.returncode == 0, trained.stderr
    assert "epoch 1/1: loss" in trained.stdout and "saved" in trained.stdout
    generated = subprocess.run(
        command + ["generate", "the king loves the zebra", "--words", "5", "--model", str(out),
                   "--strategy", "top_k", "--top-k", "3", "--seed", "1"], capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stderr
    assert generated.stdout.startswith("The king loves the zebra")
    assert "zebra" in generated.stderr  # reported as unknown
    bad = subprocess.run(command + ["generate", "", "--model", str(out)], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and bad.stderr.startswith("error: seed_text is empty")


@pytest.fixture(scope="module")
def one_lstm_run(tmp_path_factory, small_text):
    folder = tmp_path_factory.mktemp("one") / "artifact"
    corpus = folder.parent / "small.txt"
    corpus.write_text(small_text, encoding="utf-8")
    quick = TrainingConfig(epochs=2, batch_size=64, learning_rate=1e-2, final_learning_rate=1e-3)
    return train(folder, corpus, TINY, quick, verbose=0, architecture="one_lstm"), corpus, quick


def test_one_lstm_ablation_trains_and_loads_as_one_lstm(one_lstm_run):
    from textgen_course.ablation import architecture_of, parameter_count

    result, _, _ = one_lstm_run
    assert result.manifest["architecture"] == "one_lstm"
    assert result.manifest["history"][-1]["val_loss"] < np.log(30)  # it learned something
    model, vocabulary, manifest = artifacts.load_artifact(result.folder)
    assert architecture_of(model) == "one_lstm"
    assert model.count_params() == parameter_count("one_lstm", TINY)
    ids = np.random.default_rng(0).integers(0, 30, (4, TINY.sequence_length))
    np.testing.assert_allclose(tc.next_word_probabilities(model, ids),
                               tc.next_word_probabilities(result.model, ids), atol=1e-6)
    import h5py

    with h5py.File(next(result.folder.glob("weights-*.h5")), "r") as file:  # the weights alone, no optimizer state
        stored = []
        file.visititems(lambda name, item: stored.append(name) if isinstance(item, h5py.Dataset) else None)
    assert len(stored) == len(model.weights) and not any(name.startswith("optimizer") for name in stored)


def test_a_run_resumes_only_as_the_architecture_it_started_with(one_lstm_run, tmp_path, monkeypatch):
    _, corpus, quick = one_lstm_run
    folder = tmp_path / "interrupted"
    real_commit = artifacts.commit_manifest
    calls = {"n": 0}

    def crash_during_second_save(out, manifest):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        real_commit(out, manifest)

    monkeypatch.setattr(artifacts, "commit_manifest", crash_during_second_save)
    with pytest.raises(KeyboardInterrupt):
        train(folder, corpus, TINY, quick, verbose=0, architecture="one_lstm")
    monkeypatch.setattr(artifacts, "commit_manifest", real_commit)
    with pytest.raises(ValueError, match="cannot resume a one_lstm run as two_lstms"):
        train(folder, corpus, TINY, quick, resume=True, verbose=0)
    with pytest.raises(ValueError, match="architecture must be one of"):
        train(tmp_path / "other", corpus, TINY, quick, verbose=0, architecture="one-lstm")


@pytest.mark.heavy
def test_command_line_trains_the_ablation_and_generates_with_keras(tmp_path, small_text_file):
    out = tmp_path / "cli_one"
    command = [sys.executable, "-m", "textgen_course"]
    trained = subprocess.run(
        command + ["train", "--out", str(out), "--corpus", str(small_text_file), "--epochs", "1",
                   "--batch-size", "64", "--vocab-size", "30", "--sequence-length", "6", "--embedding-dim", "8",
                   "--lstm-2-units", "10", "--architecture", "one_lstm", "--quiet"],
        capture_output=True, text=True, timeout=300)
    assert trained.returncode == 0, trained.stderr
    assert json.loads((out / "artifact.json").read_text())["architecture"] == "one_lstm"
    generated = subprocess.run(command + ["generate", "the king loves", "--words", "4", "--model", str(out)],
                               capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stderr
    assert generated.stdout.startswith("The king loves")
    keras_engine = subprocess.run(command + ["generate", "the king loves", "--words", "4", "--model", str(out),
                                             "--engine", "keras"], capture_output=True, text=True, timeout=300)
    assert keras_engine.returncode == 0, keras_engine.stderr
    assert keras_engine.stdout == generated.stdout  # the default NumPy engine runs the one-LSTM model too


@pytest.mark.parametrize("jit_compile", [False, True])
def test_the_training_step_is_compiled_only_when_asked(jit_compile):
    from conftest import SMALL
    from textgen_course.training import compile_for_training

    model = tc.build_model(SMALL, seed=0)
    compile_for_training(model, TrainingConfig(jit_compile=jit_compile), steps_per_epoch=10)
    assert model.jit_compile is jit_compile


def test_a_manifest_written_before_a_setting_existed_resumes_with_its_default():
    from textgen_course.training import _same_settings

    shipped = tc.artifacts.pretrained_manifest()
    sha = shipped["corpus"]["sha256"]
    old_settings = {k: v for k, v in dataclasses.asdict(TrainingConfig()).items()
                    if k not in ("jit_compile", "summary_input_gain")}  # as the first shipped model wrote them
    # the shipped manifest also names two sizes as before their rename (config.EARLIER_NAMES)
    old = {"model_config": shipped["model_config"], "training": old_settings, "corpus": {"sha256": sha}}
    config, training = tc.ModelConfig(), TrainingConfig()
    assert _same_settings(old, config, training, sha)
    assert not _same_settings(old, config, TrainingConfig(jit_compile=True), sha)
    assert not _same_settings(old, config, TrainingConfig(summary_input_gain=4.0), sha)
    assert not _same_settings(old, config, TrainingConfig(epochs=9), sha)
    assert not _same_settings(old, config, training, "another corpus")
    assert _same_settings(shipped, config, TrainingConfig(**shipped["training"]), sha)




def test_shipped_windows_are_the_split_the_shipped_model_was_trained_with(small_text):
    from textgen_course.artifacts import pretrained_manifest
    from textgen_course.training import corpus_windows, shipped_windows

    _, vocabulary = tc.load_pretrained()
    manifest = pretrained_manifest()
    ours = shipped_windows(small_text, vocabulary)
    by_hand = corpus_windows(small_text, vocabulary, tc.ModelConfig(), TrainingConfig(**manifest["training"]))
    np.testing.assert_array_equal(ours.validation_x, by_hand.validation_x)
    np.testing.assert_array_equal(ours.train_x, by_hand.train_x)


def test_the_miniature_recipe_is_small_and_quick():
    from textgen_course.config import MINIATURE_CHARACTERS, MINIATURE_CONFIG
    from textgen_course.training import MINIATURE_TRAINING

    assert (MINIATURE_CONFIG.vocab_size, MINIATURE_CONFIG.embedding_dim, MINIATURE_CONFIG.lstm_1_units,
            MINIATURE_CONFIG.lstm_2_units) == (1000, 32, 48, 32)
    assert MINIATURE_CHARACTERS == 100_000 and MINIATURE_TRAINING.epochs == 2
    from textgen_course.ablation import load_experiment

    # what the seeds run used
    assert tc.ModelConfig.from_dict(load_experiment("seed_variation")["model_config"]) == MINIATURE_CONFIG


def test_next_word_loss_is_kerass_cross_entropy_values_and_gradients():
    """The training loss picks the target's probability before the log; Keras logs every column.
    Same values and the same gradient with respect to the logits (what training follows back
    into the model), to 1e-6, including a target probability below the 1e-7 clip and targets
    given as (batch, 1). (With respect to the probabilities themselves they differ by a constant
    per row, Keras's division by the row sum, which the softmax's gradient removes.)"""
    import keras
    import torch

    from textgen_course.training import next_word_loss

    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, (64, 300)).astype(np.float32)
    logits[0, 5] = -40.0  # a target probability under the clip
    targets = rng.integers(0, 300, 64)
    targets[0] = 5

    def value_and_gradient(loss, shaped_targets):
        scores = torch.tensor(logits, requires_grad=True)
        value = keras.ops.mean(loss(torch.tensor(shaped_targets), torch.softmax(scores, dim=-1)))
        value.backward()
        return float(value.detach()), scores.grad.numpy()

    ours, our_gradient = value_and_gradient(next_word_loss, targets)
    kerass, keras_gradient = value_and_gradient(keras.losses.sparse_categorical_crossentropy, targets)
    assert abs(ours - kerass) < 1e-6
    assert np.abs(our_gradient - keras_gradient).max() < 1e-6
    column, _ = value_and_gradient(next_word_loss, targets[:, None])
    assert column == ours
