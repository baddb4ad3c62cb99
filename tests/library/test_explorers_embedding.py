"""The embedding explorer: nearest neighbours as plain data, the HTML, and the widget's wiring."""

import numpy as np
import pytest

import textgen_course as tc
from textgen_course.explorers.embedding import neighbour_explorer, neighbours_html, word_neighbours
from textgen_course.vocabulary import Vocabulary
from conftest import SMALL

WORDS = ("<pad>", "<unk>", "king", "queen", "sea", "river", "loves")
VOCABULARY = Vocabulary(words=WORDS)
MATRIX = np.array(
    [  # kings and queens point one way, waters another
        [0.0, 0.0, 1.0],
        [0.0, 0.1, 0.9],
        [1.0, 0.1, 0.0],
        [0.9, 0.2, 0.0],
        [0.0, 1.0, 0.1],
        [0.1, 0.9, 0.0],
        [0.5, 0.5, 0.5],
    ]
)


def test_neighbours_are_the_most_similar_words_without_the_specials():
    report = word_neighbours(MATRIX, VOCABULARY, " King ", count=3)
    assert report.word == "king" and report.word_id == 2 and report.known
    assert [word for word, _ in report.neighbours] == ["queen", "loves", "river"]
    similarities = [similarity for _, similarity in report.neighbours]
    assert similarities == sorted(similarities, reverse=True)
    np.testing.assert_allclose(
        similarities[0], MATRIX[2] @ MATRIX[3] / np.linalg.norm(MATRIX[2]) / np.linalg.norm(MATRIX[3]), atol=1e-4
    )


def test_an_unknown_word_shows_the_unknown_entry_and_says_so():
    report = word_neighbours(MATRIX, VOCABULARY, "zebra", count=2)
    assert not report.known and report.word_id == 1
    assert "not in the vocabulary" in str(report) and "<unk>" in str(report)
    assert "&lt;unk&gt;" in neighbours_html(report)


def test_matrix_and_vocabulary_must_belong_together():
    with pytest.raises(ValueError, match="matrix has 3 rows but the vocabulary 7 words"):
        word_neighbours(MATRIX[:3], VOCABULARY, "king")


def test_the_widget_starts_with_a_view_and_follows_word_and_slider():
    model = tc.build_model(SMALL, seed=0)
    vocabulary = Vocabulary(words=("<pad>", "<unk>", *(f"w{i}" for i in range(SMALL.vocab_size - 2))))
    explorer = neighbour_explorer(model, vocabulary, word="w3", count=4, choices=50)
    (box, slider), view = explorer.children[0].children, explorer.children[1]
    assert "w3" in view.value and view.value.count("<tr>") == 1 + 4
    assert len(box.options) == 50 and box.options[0] == "w0"
    slider.value = 6
    assert view.value.count("<tr>") == 1 + 6
    box.value = "w10"
    assert "<b>w10</b>" in view.value
