"""The LSTM-1 gate explorer: one sentence's gates as plain data, the HTML, and the widget's wiring."""

import numpy as np
import pytest

import textgen_course as tc
from textgen_course.explorers.lstm_context import gate_explorer, gate_step, step_html, trace_sentence
from textgen_course.lstm_gates import GATE_NAMES
from textgen_course.vocabulary import Vocabulary
from conftest import SMALL

REAL_WORDS = ("the", "king", "is", "dead", "long", "live", "queen", ",", ".")
VOCABULARY = Vocabulary(words=("<pad>", "<unk>", *REAL_WORDS,
                               *(f"word{i}" for i in range(SMALL.vocab_size - 2 - len(REAL_WORDS)))))


def test_the_trace_matches_lstm_1_of_the_model(small_model):
    sentence = trace_sentence(small_model, VOCABULARY, "The king is dead, long live the queen")
    assert len(sentence.tokens) == SMALL.sequence_length == 8
    assert sentence.tokens[-3:] == ("live", "the", "queen")
    ids = tc.pad_left(VOCABULARY.encode("the king is dead, long live the queen"), 8)[None, :]
    expected = tc.stage_activations(small_model, ids)["lstm_1"][0]  # (8, 24)
    np.testing.assert_allclose(sentence.gate("hidden"), expected, atol=1e-5, rtol=0)


def test_a_short_sentence_is_padded_and_unknown_words_are_marked(small_model):
    sentence = trace_sentence(small_model, VOCABULARY, "long live zanzibar")
    assert sentence.tokens == ("<pad>",) * 5 + ("long", "live", "zanzibar (<unk>)")
    assert sentence.unknown_words == ("zanzibar",)
    assert "zanzibar" in step_html(sentence, gate_step(sentence, 8))


def test_a_step_view_reports_gates_and_the_units_that_changed_most(small_model):
    sentence = trace_sentence(small_model, VOCABULARY, "the king is dead, long live the queen")
    assert sentence.tokens[0] == "king"  # nine tokens: the first falls out of the 8-word window
    view = gate_step(sentence, 4, top=4)
    assert view.word == "," and view.step == 4
    assert set(view.gate_means) == set(GATE_NAMES)
    assert view.gate_means["forget_gate"] == pytest.approx(sentence.gate("forget_gate")[3].mean())
    change = np.abs(sentence.gate("hidden")[3] - sentence.gate("hidden")[2])
    assert [row.unit for row in view.top_units] == list(np.argsort(-change, kind="stable")[:4])
    np.testing.assert_allclose(view.cell_change, sentence.gate("cell")[3] - sentence.gate("cell")[2])
    row = view.top_units[0]
    assert row.cell_after == pytest.approx(row.forget_gate * row.cell_before + row.input_gate * row.candidate, abs=1e-5)
    assert row.hidden == pytest.approx(row.output_gate * np.tanh(row.cell_after), abs=1e-5)
    assert abs(row.hidden - row.hidden_before) == pytest.approx(change.max(), abs=1e-6)
    assert "unit" in str(view) and len(str(view).splitlines()) == 2 + 4


def test_the_first_step_starts_from_an_empty_memory(small_model):
    sentence = trace_sentence(small_model, VOCABULARY, "the king")
    view = gate_step(sentence, 1)
    assert all(row.cell_before == 0.0 and row.hidden_before == 0.0 for row in view.top_units)


@pytest.mark.parametrize("step", [0, 9, 2.5, True])
def test_steps_outside_the_window_are_rejected(small_model, step):
    sentence = trace_sentence(small_model, VOCABULARY, "the king")
    with pytest.raises(ValueError, match=r"step must be a whole number in 1..8"):
        gate_step(sentence, step)


def test_the_widget_starts_with_a_view_and_follows_text_and_slider(small_model):
    widget = gate_explorer(small_model, VOCABULARY, text="the king is dead")
    box, slider, view = widget.children
    assert slider.value == 8 and slider.max == 8
    assert "<b>dead</b>" in view.value
    slider.value = 6
    assert "<b>king</b>" in view.value
    box.value = "long live the queen"
    assert "<b>live</b>" in view.value  # step 6 of the new window
