import numpy as np
import pytest

import textgen_course as tc
from textgen_course.baselines import KneserNeyTrigram, fit_baselines
from textgen_course.explorers.why_two_lstms import comparison_html, compare_next_words, next_word_explorer
from conftest import SMALL


def word(i: int) -> str:
    """Letters only (the tokenizer splits digits off): w(0) = "aa", w(1) = "ab", ..."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i // 26] + letters[i % 26]


WORDS = [word(i) for i in range(SMALL.vocab_size - 4)]  # ids 4, 5, ...


@pytest.fixture(scope="module")
def vocabulary():
    return tc.Vocabulary(("<pad>", "<unk>", ",", ".", *WORDS))


@pytest.fixture(scope="module")
def trigram():
    ids = np.random.default_rng(0).integers(2, SMALL.vocab_size, 5000)
    ids[::7] = 10  # every seventh word is id 10, the likeliest next word after anything
    return KneserNeyTrigram([ids], SMALL.vocab_size)


def test_each_model_lists_its_most_likely_words_in_order(small_model, vocabulary, trigram):
    comparison = compare_next_words({"LSTM": small_model, "trigram": trigram}, vocabulary, "ab ac ad ae", count=5)
    assert list(comparison.guesses) == ["LSTM", "trigram"]
    window = tc.pad_left(vocabulary.encode("ab ac ad ae"), SMALL.sequence_length)[None, :]
    expected = tc.next_word_probabilities(small_model, window)[0]
    words = [word for word, _ in comparison.guesses["LSTM"]]
    assert words == vocabulary.tokens(np.argsort(-expected, kind="stable")[:5])
    probabilities = [p for _, p in comparison.guesses["LSTM"]]
    assert probabilities == sorted(probabilities, reverse=True)
    np.testing.assert_allclose(probabilities[0], expected.max(), atol=1e-6)
    assert comparison.guesses["trigram"][0][0] == WORDS[6]
    assert comparison.words_read == ("ab", "ac", "ad", "ae")


def test_the_slider_limits_what_the_models_read(small_model, vocabulary, trigram):
    models = {"LSTM": small_model, "trigram": trigram}
    full = compare_next_words(models, vocabulary, "ab ac ad ae af ag", words_of_context=8)
    two = compare_next_words(models, vocabulary, "ab ac ad ae af ag", words_of_context=2)
    assert two.words_read == ("af", "ag") and len(full.words_read) == 6
    assert full.guesses["trigram"] == two.guesses["trigram"]  # a trigram only ever reads two words
    assert full.guesses["LSTM"] != two.guesses["LSTM"]
    with pytest.raises(ValueError, match="words_of_context must be a whole number in 1..8"):
        compare_next_words(models, vocabulary, "ab", words_of_context=9)


def test_unknown_words_are_reported_and_padding_is_never_guessed(small_model, vocabulary):
    comparison = compare_next_words({"LSTM": small_model}, vocabulary, "ab zebra ac", count=SMALL.vocab_size)
    assert comparison.unknown_words == ("zebra",)
    assert comparison.words_read == ("ab", "<unk>", "ac")
    assert comparison.guesses["LSTM"][-1] == ("<pad>", 0.0)  # ranked last, with no probability
    page = comparison_html(comparison)
    assert "zebra" in page and "&lt;unk&gt;" in page and page.count("<tr>") == SMALL.vocab_size + 1


def test_the_widget_shows_the_initial_view_and_follows_the_slider(small_model, vocabulary, trigram):
    explorer = next_word_explorer({"LSTM": small_model, "trigram": trigram}, vocabulary, context="ab ac ad",
                                  words_of_context=3)
    (box, slider), view = explorer.children[0].children, explorer.children[1]
    assert "ab ac ad" in view.value and slider.max == SMALL.sequence_length
    slider.value = 1
    assert "<b>1</b> word(s)" in view.value
    box.value = "..."
    assert "Type a few words" in view.value


def test_fit_baselines_counts_only_the_training_part():
    ids = np.arange(1000) % 50 + 2
    unigram, trigram = fit_baselines(ids, vocab_size=60)
    train_pieces, _ = tc.windows.split_ids(ids)
    counted = np.concatenate(train_pieces)
    np.testing.assert_allclose(unigram.probabilities, tc.baselines.UnigramModel(counted, 60).probabilities)
    assert len(counted) == 900 and trigram.vocab_size == 60
