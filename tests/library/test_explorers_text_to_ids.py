"""The text-to-ids explorer: the plain function it shows, the HTML, and the widget's wiring."""

import pytest

from textgen_course.explorers.text_to_ids import describe_text, report_html, text_explorer
from textgen_course.vocabulary import Vocabulary

VOCABULARY = Vocabulary.from_text("the king the king the queen loves the sea . , the sea loves", size=9)


def test_a_short_text_is_tokenized_looked_up_and_left_padded():
    report = describe_text(VOCABULARY, "The King loves the zebra.", sequence_length=8)
    assert report.tokens == ("the", "king", "loves", "the", "zebra", ".")
    assert report.ids == tuple(VOCABULARY.encode(report.tokens)) and report.ids[4] == 1
    assert report.unknown_words == ("zebra",)
    assert report.window == (0, 0, *report.ids)  # two padding ids on the left
    assert report.window_tokens == ("<pad>", "<pad>", "the", "king", "loves", "the", "<unk>", ".")
    assert report.dropped == 0


def test_a_long_text_keeps_its_last_words():
    report = describe_text(VOCABULARY, "the king " * 10 + "the sea", sequence_length=5)
    assert len(report.tokens) == 22 and report.dropped == 17
    assert report.window_tokens == ("king", "the", "king", "the", "sea")
    assert "17 earlier token(s) do not fit" in str(report)


def test_the_html_marks_unknown_words_and_padding():
    page = report_html(describe_text(VOCABULARY, "the zebra", sequence_length=4))
    assert "zebra" in page and "&lt;pad&gt;" in page and "<pad>" not in page  # entries are escaped
    assert page.count("#fde2e2") == 2  # the unknown word, in the tokens and in the window
    assert "Unknown words</b> (id 1): zebra" in page


def test_the_widget_starts_with_a_view_and_follows_the_text_box():
    explorer = text_explorer(VOCABULARY, text="the king", sequence_length=4)
    box, view = explorer.children
    assert "king" in view.value and "zebra" not in view.value
    box.value = "the zebra"
    assert "zebra" in view.value


def test_bad_window_length_is_refused():
    with pytest.raises(ValueError, match="sequence_length must be a positive integer, got 0"):
        describe_text(VOCABULARY, "the king", sequence_length=0)
