"""The slow tests of tests/library/test_ablation.py (training, full-data scoring, notebooks, subprocesses): the full run only."""

import pytest
import textgen_course as tc
from textgen_course.ablation import (
    MODEL_NAMES,
    SECOND_RACE,
    TRAINED,
    build_one_lstm,
    full_budget_results as ablation_results,
    load_experiment,
    matched_units,
    parameter_count,
    single_thread,
    validation_curves,
    with_lstm2_units,
)
from conftest import SMALL, train_a_few_steps


@pytest.mark.heavy
def test_spread_at_start_shows_why_the_deeper_model_starts_slowly():
    from textgen_course.ablation import spread_at_start

    two, one = spread_at_start("two_lstms"), spread_at_start("one_lstm")
    assert list(two) == ["embedding", "lstm_1", "lstm_2"] and list(one) == ["embedding", "lstm_2"]
    assert two["embedding"] == one["embedding"]  # the same seeds: the same starting vectors
    assert two["lstm_1"] < two["embedding"] / 3  # LSTM-1's outputs barely differ from window to window
    assert two["lstm_2"] < one["lstm_2"] / 2  # so the summary the head reads differs less than the rival's
    boosted = spread_at_start("two_lstms", summary_input_gain=4.0)
    assert boosted["lstm_1"] == two["lstm_1"] and boosted["lstm_2"] > one["lstm_2"]
    small = spread_at_start("two_lstms", SMALL, windows=16)
    assert set(small) == {"embedding", "lstm_1", "lstm_2"}
