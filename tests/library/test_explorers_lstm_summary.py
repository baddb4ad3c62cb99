"""The LSTM-2 summary explorer: summaries after each word as plain data, the HTML, and the widget."""

import numpy as np
import pytest

import textgen_course as tc
from textgen_course.explorers.lstm_summary import growth_html, summaries_as_words_are_added, summary_explorer
from textgen_course.vocabulary import Vocabulary
from conftest import SMALL

REAL_WORDS = ("the", "king", "is", "dead", "long", "live", "queen", ",", ".")
VOCABULARY = Vocabulary(words=("<pad>", "<unk>", *REAL_WORDS,
                               *(f"word{i}" for i in range(SMALL.vocab_size - 2 - len(REAL_WORDS)))))


def test_each_row_is_the_model_on_the_left_padded_prefix(small_model):
    text = "the king is dead, long live the queen"
    growth = summaries_as_words_are_added(small_model, VOCABULARY, text, top=3)
    words = tc.tokenize(text)
    assert growth.words == tuple(words) and growth.summaries.shape == (len(words) + 1, SMALL.lstm_2_units)
    ids = VOCABULARY.encode(words)
    windows = np.stack([tc.pad_left(ids[:k], 8) for k in range(len(words) + 1)])
    activations = tc.stage_activations(small_model, windows)
    np.testing.assert_allclose(growth.summaries, activations["lstm_2"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(growth.change, np.linalg.norm(np.diff(activations["lstm_2"], axis=0), axis=1), atol=1e-4)
    probabilities = activations["dense_softmax"][4]
    probabilities[:2] = 0
    assert growth.next_words[4][0][0] == VOCABULARY.words[int(probabilities.argmax())]
    assert all(len(row) == 3 for row in growth.next_words)
    assert all(word not in ("<pad>", "<unk>") for row in growth.next_words for word, _ in row)


def test_the_text_report_has_a_line_per_word(small_model):
    growth = summaries_as_words_are_added(small_model, VOCABULARY, "long live the queen")
    lines = str(growth).splitlines()
    assert len(lines) == 1 + 4 and lines[-1].startswith("queen")


def test_unknown_words_are_marked_and_an_empty_text_gets_a_message(small_model):
    growth = summaries_as_words_are_added(small_model, VOCABULARY, "long live zanzibar")
    assert growth.unknown_words == ("zanzibar",)
    assert "zanzibar (&lt;unk&gt;)" in growth_html(growth, 3)
    empty = summaries_as_words_are_added(small_model, VOCABULARY, "")
    assert empty.summaries.shape == (1, SMALL.lstm_2_units) and "Type a sentence" in growth_html(empty, 1)


def test_top_must_be_a_positive_whole_number(small_model):
    with pytest.raises(ValueError, match="top must be a whole number >= 1"):
        summaries_as_words_are_added(small_model, VOCABULARY, "the king", top=0)


def test_the_widget_starts_with_a_view_and_follows_text_and_slider(small_model):
    widget = summary_explorer(small_model, VOCABULARY, text="the king is dead")
    box, slider, view = widget.children
    assert slider.value == slider.max == 4
    assert "After <b>The king is dead</b>" in view.value
    slider.value = 2
    assert "After <b>The king</b>" in view.value
    box.value = "the king is dead, long live the queen."
    assert slider.max == 10 and slider.value == 10
    assert "After <b>Is dead, long live the queen.</b>" in view.value  # the last 8 words: what the model reads
