
import pytest

from textgen_course.training import one_torch_thread

import textgen_course as tc
from textgen_course.ablation import (
    build_one_lstm,
    load_experiment,
    matched_units,
    parameter_count,
    trained_runs,
    with_lstm_2_units,
)
from conftest import SMALL, train_a_few_steps


@pytest.fixture(scope="module")
def small_one_lstm():
    return train_a_few_steps(build_one_lstm(SMALL, seed=2))


@pytest.mark.parametrize("config", [tc.ModelConfig(), SMALL], ids=["notes", "small"])
def test_matched_width_is_the_closest_whole_number(config):
    match = matched_units(config)
    count = {units: parameter_count("one_lstm", with_lstm_2_units(config, units)) for units in range(1, 600)}
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


def test_trained_runs_are_the_shipped_manifest_and_the_rivals_records():
    runs = trained_runs(("two_lstms", "one_lstm"))
    assert runs["two_lstms"] == tc.artifacts.pretrained_manifest() and runs["one_lstm"] == load_experiment("one_lstm")
    with pytest.raises(KeyError, match="no trained model 'unigram'"):
        trained_runs(("unigram",))


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
