"""The generation explorer: one generation as plain data, the HTML, and the widget."""

import pytest

from textgen_course.explorers.data_flow import (
    generation_explorer,
    generation_html,
    generation_report,
    strategy_settings,
)
from textgen_course.generation import generate
from textgen_course.vocabulary import Vocabulary
from conftest import SMALL

VOCABULARY = Vocabulary(words=("<pad>", "<unk>", "the", "king", ",", ".",
                               *(f"w{i}" for i in range(SMALL.vocab_size - 6))))


def test_the_report_is_exactly_what_generate_writes(small_model):
    report = generation_report(small_model, VOCABULARY, "the king", 12, "top_p", top_p=0.8, seed=3)
    assert report.generation == generate(small_model, VOCABULARY, "the king", 12, strategy="top_p", top_p=0.8, seed=3)
    assert report.first_window == ("<pad>",) * 6 + ("the", "king")
    assert report.seed_part + report.new_part == report.generation.text
    assert report.seed_part == "The king"
    assert report.settings == "strategy='top_p', temperature=1, top_p=0.8, seed=3"


def test_greedy_ignores_the_sampler_seed(small_model):
    first = generation_report(small_model, VOCABULARY, "the king", 8, "greedy", seed=1)
    second = generation_report(small_model, VOCABULARY, "the king", 8, "greedy", seed=2)
    assert first.generation == second.generation and first.settings == "strategy='greedy'"


def test_strategy_settings_pass_only_what_the_strategy_uses():
    assert strategy_settings("greedy", 0.5, 10, 0.3) == {"strategy": "greedy"}
    assert strategy_settings("top_k", 0.5, 10, 0.3) == {"strategy": "top_k", "temperature": 0.5, "top_k": 10}
    with pytest.raises(ValueError, match="strategy must be one of"):
        strategy_settings("beam")


def test_the_html_shows_the_window_the_seed_and_unknown_words(small_model):
    report = generation_report(small_model, VOCABULARY, "the zebra king", 5, "greedy")
    page = generation_html(report)
    assert page.count("&lt;pad&gt;") == 5 and "&lt;unk&gt;" in page and "zebra" in page
    assert "<b>The zebra king</b>" in page


def test_the_widget_generates_at_once_and_reports_bad_input(small_model):
    explorer = generation_explorer(small_model, VOCABULARY, seed_text="the king", num_words=6, strategy="greedy")
    box, strategy, length, temperature, top_k, top_p, sampler_seed, view = explorer.children
    expected = generate(small_model, VOCABULARY, "the king", 6)
    assert expected.text[len("The king"):] in view.value and temperature.disabled
    strategy.value = "top_k"
    assert not top_k.disabled and top_p.disabled and "top_k=40" in view.value
    box.value = ""
    assert "seed_text is empty" in view.value
