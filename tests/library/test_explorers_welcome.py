"""The welcome page's "try the model" panel (explorers/welcome.py)."""

from __future__ import annotations

import numpy as np
import pytest

import textgen_course as tc
from textgen_course.explorers.welcome import candidates_html, continuation_with_candidates, try_the_model


@pytest.fixture(scope="module")
def vocabulary(small_text):
    filler = " ".join("q" + chr(97 + i // 26) + chr(97 + i % 26) for i in range(500))  # enough distinct words
    return tc.Vocabulary.from_text(small_text * 3 + " " + filler, size=500)  # the small model's 500 words


def test_candidates_are_what_the_model_predicted_before_each_new_word(small_model, vocabulary):
    engine = tc.NumpyTextGenerator.from_keras(small_model)
    result = continuation_with_candidates(engine, vocabulary, "the king", 4, "greedy")
    assert result.text == tc.generate(engine, vocabulary, "the king", 4).text
    assert len(result.candidates) == 4 and all(len(top) == 5 for top in result.candidates)
    for word, top in zip(result.words, result.candidates):
        assert top[0][0] == word  # greedy writes the likeliest word
        assert all(p >= q for (_, p), (_, q) in zip(top, top[1:]))
    first = tc.generation.next_word_distribution(engine, vocabulary, "the king").astype(np.float64)
    first[:2] = 0
    assert result.candidates[0][0][1] == pytest.approx(first.max() / first.sum())
    assert "<table>" in candidates_html(result)


def test_the_panel_shows_a_message_for_a_bad_seed(small_model, vocabulary):
    panel = try_the_model(small_model, vocabulary, seed_text="the king", num_words=3)
    box, view = panel.children[0], panel.children[-1]
    box.value = " ... "
    assert "seed_text is empty" in view.value
