"""The "train it yourself" explorer (explorers/learning.py): its view, its bad-input messages, its page view."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

import textgen_course as tc
from textgen_course.explorers.learning import fine_tune_explorer, fine_tuning_html, loss_plot_svg
from textgen_course.fine_tuning import EXAMPLE_TEXTS, fine_tune_head


@pytest.fixture(scope="module")
def shipped():
    model, vocabulary = tc.load_pretrained()
    return tc.NumpyTextGenerator.from_keras(model), vocabulary


def test_the_view_shows_the_losses_the_rising_words_and_both_continuations(shipped):
    engine, vocabulary = shipped
    result = fine_tune_head(engine, vocabulary, EXAMPLE_TEXTS["modern English (a weather report)"], 0.003, 5)
    view = fine_tuning_html(result, 0.003, 5)
    assert "Trained the dense layer on 86 windows of the text, 9 held out: 5 pass(es) of 2 step(s)" in view
    assert f"<b>Before:</b> {html.escape(result.continuation_before)}" in view
    assert f"<b>After:</b> {html.escape(result.continuation_after)}" in view
    assert view.count("<tr>") == 11  # a header and the ten rising words
    label = re.search(r"aria-label='([^']*)'", view).group(1)
    assert label.startswith("Loss over 10 steps: on the text from ") and "held-out part" in label


def test_the_plot_puts_each_pass_at_its_last_step_and_scales_to_the_losses():
    svg = loss_plot_svg(np.array([3.0, 2.0, 1.5, 1.0]), np.array([2.5, 1.25]), np.array([2.8, 2.6]), 2, 3.0, 3.0)
    assert svg.count("<circle") == 6  # before + 2 passes, twice
    assert "step (0 to 4)" in svg and ">1.00<" in svg and ">3.00<" in svg


def test_the_explorer_carries_its_page_view_and_shows_bad_input_as_a_message(shipped):
    engine, vocabulary = shipped
    explorer = fine_tune_explorer(engine, vocabulary)
    page = explorer._repr_mimebundle_()["text/html"]
    assert "data-textgen-explorer='fine_tune_explorer'" in page and "Trained the dense layer" in page
    box, rate, train, view = explorer.children[1], explorer.children[2], explorer.children[6], explorer.children[7]
    rate.value = 0.0
    train.click()
    assert "learning rate must be a number above 0" in view.value
    rate.value, box.value = 0.003, "to be or not"
    train.click()
    assert "needs at least 14" in view.value
