"""Fine-tuning the dense layer on a reader's text (textgen_course/fine_tuning.py): NumPy against Keras's fit."""

from __future__ import annotations

import numpy as np
import pytest

import textgen_course as tc
from textgen_course import fine_tuning as ft
from textgen_course.lstm_summary import Summarizer

TOLERANCE = 1e-4  # issue 24: after 20 steps, losses and weights within 1e-4


@pytest.fixture(scope="module")
def shipped():
    model, vocabulary = tc.load_pretrained()
    return tc.NumpyTextGenerator.from_keras(model), vocabulary


@pytest.fixture(scope="module")
def twenty_steps(shipped):
    """300 windows of the plays (5 steps a pass, the last one 44 windows) x 4 passes = 20 steps."""
    engine, vocabulary = shipped
    ids = vocabulary.encode(tc.text.tokenize(ft.EXAMPLE_TEXTS["a speech from the plays (As You Like It)"] * 3))
    x, y = tc.make_windows(np.array(ids[:313]), 13)
    summaries = Summarizer(engine.embedding, engine.lstm_1, engine.lstm_2)(x)
    held = (summaries[-40:], y[-40:])
    return engine, summaries, y, held


def test_numpy_and_keras_fit_agree_within_1e_4_after_20_steps(shipped):
    engine, vocabulary = shipped
    numpy_run, keras_run = ft.numpy_and_keras(engine, vocabulary)  # what the learning chapter prints
    assert len(numpy_run.step_losses) == len(keras_run.step_losses) == 20
    assert np.abs(numpy_run.step_losses - keras_run.step_losses).max() < TOLERANCE
    assert np.abs(numpy_run.pass_losses - keras_run.pass_losses).max() < TOLERANCE
    assert np.abs(numpy_run.held_out_losses - keras_run.held_out_losses).max() < TOLERANCE
    assert np.abs(numpy_run.kernel - keras_run.kernel).max() < TOLERANCE
    assert np.abs(numpy_run.bias - keras_run.bias).max() < TOLERANCE
    assert np.abs(numpy_run.kernel - engine.dense_kernel).max() > 100 * TOLERANCE  # it did move
    assert numpy_run.step_losses[-1] < numpy_run.step_losses[0]


def test_the_first_step_is_adams_first_step_by_hand(twenty_steps):
    engine, summaries, y, _ = twenty_steps
    run = ft.train_head(engine.dense_kernel, engine.dense_bias, summaries[:64], y[:64], 0.01, 1)
    # Adam's first step moves every weight with a clear gradient by the learning rate, against its sign
    _, gradients = ft.head_step(engine.dense_kernel.astype(np.float64), engine.dense_bias, summaries[:64], y[:64])
    clear = np.abs(gradients["bias"]) > 1e-4
    moved = (run.bias - engine.dense_bias)[clear]
    assert np.allclose(moved, -0.01 * np.sign(gradients["bias"][clear]), rtol=0.04)  # eps/sqrt(1 - 0.999): 3%


def test_fine_tuning_a_text_lowers_its_loss_and_changes_the_continuation(shipped):
    engine, vocabulary = shipped
    text = ft.EXAMPLE_TEXTS["modern English (a weather report)"]
    result = ft.fine_tune_head(engine, vocabulary, text, seed_text="the wind", seed=3)  # 0.003, 5 passes
    assert result.windows + result.held_out_windows == len(result.text.ids) - 13
    assert result.held_out_windows == (len(result.text.ids) - 13) // 10
    assert result.run.pass_losses[-1] < result.loss_before - 0.5
    assert result.run.held_out_losses[-1] < result.held_out_before
    assert result.continuation_before != result.continuation_after
    assert result.continuation_before.startswith("The wind")
    words = [word for word, _, _ in result.rising]
    assert len(words) == 10 and "<unk>" not in words and {"wind", "will"} & set(words)
    assert all(after > before for _, before, after in result.rising)


@pytest.mark.parametrize("text, message", [
    ("to be or not to be", "needs at least 14"),
    ("", "0 token"),
    ("xyzzy plugh frobozz quux " * 5, "100% unknown"),
    ("日本語 " * 50, "0 token"),
])
def test_a_text_that_cannot_train_gets_a_clear_value_error(shipped, text, message):
    _, vocabulary = shipped
    with pytest.raises(ValueError, match=message):
        ft.read_training_text(vocabulary, text)


def test_unknown_words_are_counted_and_said(shipped):
    _, vocabulary = shipped
    reading = ft.read_training_text(vocabulary, "the king xyzzy loves the qwerty crown, and the queen is glad.")
    assert reading.unknown_words == ("xyzzy", "qwerty")
    assert reading.unknown_share == pytest.approx(2 / 12)
    assert "17% of the words are not in the vocabulary and are read as <unk> (xyzzy, qwerty)." in reading.notes


def test_a_5_mb_paste_is_cut_and_the_cut_is_said(shipped):
    _, vocabulary = shipped
    reading = ft.read_training_text(vocabulary, "to be or not to be, " * 250_000)  # 5 MB
    assert len(reading.ids) == ft.MAX_TOKENS
    assert any("first 100,000" in note for note in reading.notes)
    assert any("first 10,000" in note for note in reading.notes)


@pytest.mark.parametrize("learning_rate, passes, message", [
    (0, 3, "learning rate"), (-0.1, 3, "learning rate"), (1.5, 3, "learning rate"), (float("nan"), 3, "learning rate"),
    ("0.1", 3, "learning rate"), (0.01, 0, "passes"), (0.01, 1000, "passes"), (0.01, 2.5, "passes"),
])
def test_bad_settings_get_a_clear_value_error(learning_rate, passes, message):
    with pytest.raises(ValueError, match=message):
        ft.check_settings(learning_rate, passes)


def test_windows_are_split_with_the_last_tenth_held_out():
    (x, y), (held_x, held_y) = ft.split_windows(list(range(2, 2 + 13 + 25)))
    assert len(x) == 23 and len(held_x) == 2 and held_y.tolist() == [38, 39]
    (x, y), (held_x, _) = ft.split_windows(list(range(2, 2 + 14)))
    assert len(x) == 1 and len(held_x) == 0  # too short to hold any out
