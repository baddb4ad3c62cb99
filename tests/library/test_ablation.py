
import pytest

from textgen_course.training import one_torch_thread

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
    validation_curves,
    with_lstm2_units,
)
from conftest import SMALL, train_a_few_steps


@pytest.fixture(scope="module")
def small_one_lstm():
    return train_a_few_steps(build_one_lstm(SMALL, seed=2))


@pytest.mark.parametrize("config", [tc.ModelConfig(), SMALL], ids=["notes", "small"])
def test_matched_width_is_the_closest_whole_number(config):
    match = matched_units(config)
    count = {units: parameter_count("one_lstm", with_lstm2_units(config, units)) for units in range(1, 600)}
    best = min(count, key=lambda units: abs(count[units] - match.target))
    assert match.units == best
    assert match.parameters == count[best]
    assert match.a * match.exact_units ** 2 + match.b * match.exact_units + match.c == pytest.approx(match.target)


def test_matched_width_of_the_notes_model():
    match = matched_units()
    assert match.units == 128 and match.parameters == 1_220_570 and match.difference == 1_152
    assert match.exact_units == pytest.approx(127.8, abs=0.05)
    assert "128 units" in str(match) and "1,219,418" in str(match)


def test_unknown_experiment_lists_the_shipped_ones():
    with pytest.raises(ValueError, match="no experiment 'two_lstm'; the shipped ones are"):
        load_experiment("two_lstm")


def test_full_budget_table_has_every_model_in_order():
    table = ablation_results()
    assert [row.key for row in table.rows] == list(MODEL_NAMES)
    assert table["two_lstms"].parameters == 1_219_418 and table["unigram"].parameters is None
    assert table["two_lstms"].summary_input_gain == 4 and table["one_lstm_matched_gain4"].summary_input_gain == 4
    assert table["two_lstms_first_recipe"].summary_input_gain == 1 and table["unigram"].summary_input_gain is None
    shipped = tc.artifacts.pretrained_manifest()["metrics"]
    assert table["two_lstms"].perplexity == shipped["validation_perplexity"]  # the exact scorer, every window
    assert "one LSTM, parameter-matched" in str(table) and f"{table.windows:,} windows" in str(table)
    race = ablation_results(SECOND_RACE)
    assert [row.key for row in race.rows] == list(SECOND_RACE) and race["unigram"] == table["unigram"]
    curves = validation_curves()
    assert set(curves) == set(TRAINED)
    assert len(curves["two_lstms"]) == table["two_lstms"].epochs_run
    assert min(curves["one_lstm"]) == pytest.approx(table["one_lstm"].perplexity, rel=1e-2)  # Keras clips, we do not
    with pytest.raises(KeyError, match="no model 'three_lstms'"):
        table["three_lstms"]
    with pytest.raises(KeyError, match="no model 'three_lstms'"):
        ablation_results(("two_lstms", "three_lstms"))


def test_the_gap_split_by_kind_of_word_adds_up_to_the_whole_gap():
    from textgen_course.ablation import gap_by_token_type

    def model(losses):
        return {"by_token_type": {kind: {"loss": loss} for kind, loss in losses.items()}}

    breakdown = {"token_types": {"order": ["punctuation", "other words"], "shares": {"punctuation": 0.25,
                                                                                      "other words": 0.75}},
                 "models": {"two_lstms_first_recipe": model({"punctuation": 1.0, "other words": 5.0}),
                            "one_lstm_matched": model({"punctuation": 1.4, "other words": 5.2})}}
    split = gap_by_token_type(breakdown)
    assert split["punctuation"][0] == pytest.approx(0.4) and split["other words"][0] == pytest.approx(0.2)
    # overall gap 0.25 * 0.4 + 0.75 * 0.2 = 0.25: punctuation explains 0.1 / 0.25 of it
    assert split["punctuation"][1] == pytest.approx(0.4) and split["other words"][1] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="no gap to split"):
        gap_by_token_type(breakdown, model="one_lstm_matched", rival="one_lstm_matched")


def test_one_torch_thread_runs_torch_on_one_thread_and_restores_the_count_even_after_an_error():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with one_torch_thread():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError, match="inside"):
            with one_torch_thread():
                raise RuntimeError("inside")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
