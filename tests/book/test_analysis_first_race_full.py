"""The slow tests of analysis/first_race.py (its fast ones: tests/library/test_analysis_first_race.py): the full run."""

import pytest
from conftest import SMALL


@pytest.mark.heavy
def test_spread_at_start_shows_why_the_deeper_model_starts_slowly():
    from textgen_course.analysis.first_race import spread_at_start

    two, one = spread_at_start("two_lstms"), spread_at_start("one_lstm")
    assert list(two) == ["embedding", "lstm_1", "lstm_2"] and list(one) == ["embedding", "lstm_2"]
    assert two["embedding"] == one["embedding"]  # the same seeds: the same starting vectors
    assert two["lstm_1"] < two["embedding"] / 3  # LSTM-1's outputs barely differ from window to window
    assert two["lstm_2"] < one["lstm_2"] / 2  # so the summary the head reads differs less than the rival's
    boosted = spread_at_start("two_lstms", summary_input_gain=4.0)
    assert boosted["lstm_1"] == two["lstm_1"] and boosted["lstm_2"] > one["lstm_2"]
    small = spread_at_start("two_lstms", SMALL, windows=16)
    assert set(small) == {"embedding", "lstm_1", "lstm_2"}
