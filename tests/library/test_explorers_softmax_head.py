"""The softmax explorer: the distribution under each strategy as plain data, the HTML, and the widget."""

import numpy as np
import pytest

from textgen_course.explorers.softmax_head import distribution_html, distribution_view, softmax_explorer
from textgen_course.generation import next_word_distribution
from textgen_course.vocabulary import Vocabulary
from conftest import SMALL

VOCABULARY = Vocabulary(words=("<pad>", "<unk>", *(f"w{i}" for i in range(SMALL.vocab_size - 2))))


def made_up_distribution():
    """A distribution over the small vocabulary with a clear order: w0 > w1 > ... (and mass on <unk>)."""
    probabilities = np.zeros(SMALL.vocab_size)
    probabilities[1] = 0.2  # <unk>: the view must remove it
    probabilities[2:12] = np.linspace(0.2, 0.02, 10)
    probabilities[12:] = 0.001
    return probabilities / probabilities.sum()


def test_the_model_column_is_the_distribution_without_padding_and_unknown():
    view = distribution_view(made_up_distribution(), VOCABULARY, "temperature", top=5)
    assert view.words == ("w0", "w1", "w2", "w3", "w4")
    expected = made_up_distribution()
    expected[1] = 0
    expected /= expected.sum()
    np.testing.assert_allclose(view.model_probabilities, expected[2:7])
    np.testing.assert_allclose(view.sampling_probabilities, view.model_probabilities)  # temperature 1 changes nothing
    assert view.kept_words == SMALL.vocab_size - 2


def test_low_temperature_sharpens_and_high_temperature_flattens():
    cold = distribution_view(made_up_distribution(), VOCABULARY, "temperature", temperature=0.3)
    hot = distribution_view(made_up_distribution(), VOCABULARY, "temperature", temperature=3.0)
    assert cold.sampling_probabilities[0] > cold.model_probabilities[0] > hot.sampling_probabilities[0]
    assert cold.effective_words < cold.model_effective_words < hot.effective_words


def test_top_k_and_top_p_keep_only_the_likeliest_words():
    top_k = distribution_view(made_up_distribution(), VOCABULARY, "top_k", top_k=3)
    assert top_k.kept_words == 3 and sum(top_k.sampling_probabilities[:3]) == pytest.approx(1.0)
    assert top_k.sampling_probabilities[3:] == (0.0,) * (len(top_k.words) - 3)
    top_p = distribution_view(made_up_distribution(), VOCABULARY, "top_p", top_p=0.5)
    model = np.array(top_p.model_probabilities)
    assert top_p.kept_words == int(np.searchsorted(np.cumsum(model), 0.5) + 1)
    greedy = distribution_view(made_up_distribution(), VOCABULARY, "greedy")
    assert greedy.kept_words == 1 and greedy.sampling_probabilities[0] == 1.0 and greedy.effective_words == 1.0


def test_bad_settings_and_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="temperature must be > 0"):
        distribution_view(made_up_distribution(), VOCABULARY, "temperature", temperature=0)
    with pytest.raises(ValueError, match=r"expected one distribution of shape \(500,\)"):
        distribution_view(np.ones(7) / 7, VOCABULARY)
    with pytest.raises(ValueError, match="top must be a whole number"):
        distribution_view(made_up_distribution(), VOCABULARY, top=0)


def test_the_view_says_that_the_model_column_is_rescaled_without_unk():
    probabilities = made_up_distribution()
    view = distribution_view(probabilities, VOCABULARY, "temperature", top=3)
    removed = probabilities[0] + probabilities[1]  # padding and <unk>
    assert view.removed_probability == pytest.approx(removed)
    np.testing.assert_allclose(view.model_probabilities, probabilities[2:5] / (1 - removed))
    assert f"without padding and <unk> (which had {removed:.3f}), rescaled" in str(view)
    assert "rescaled to sum to 1" in distribution_html(view)


def test_the_text_and_html_show_every_word():
    view = distribution_view(made_up_distribution(), VOCABULARY, "top_k", top_k=2, top=4)
    assert len(str(view).splitlines()) == 1 + 4 + 2 and "words that can be drawn: 2" in str(view)
    page = distribution_html(view, "to be <or> not")
    assert all(f">{word}<" in page for word in view.words) and "to be &lt;or&gt; not" in page


def test_the_widget_shows_the_models_distribution_at_once_and_follows_the_controls(small_model):
    explorer = softmax_explorer(small_model, VOCABULARY, context="w3 w4 w5", top=6)
    box, strategy, temperature, top_k, top_p, view = explorer.children
    probabilities = next_word_distribution(small_model, VOCABULARY, "w3 w4 w5")
    first = distribution_view(probabilities, VOCABULARY, top=6)
    assert all(f">{word}<" in view.value for word in first.words)
    assert f"<b>{first.kept_words:,}</b>" in view.value
    strategy.value = "top_k"
    top_k.value = 2
    assert "<b>2</b>" in view.value and not top_k.disabled and top_p.disabled
    box.value = "   "
    assert "seed_text is empty" in view.value
