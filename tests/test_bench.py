"""The benchmark helpers: FLOPs from the config, the results file's schema, alternation and ratios."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import textgen_course as tc
from conftest import SMALL
from textgen_course.flops import forward_flops, forward_flops_by_stage, training_flops

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import book_build  # noqa: E402
import measure  # noqa: E402
import quality  # noqa: E402


def test_forward_flops_of_the_notes_model_stage_by_stage():
    stages = forward_flops_by_stage(tc.ModelConfig())
    assert stages == {
        "embedding": 0,
        "lstm_1": 13 * 2 * (100 + 150) * 4 * 150,  # 3,900,000
        "lstm_2": 13 * 2 * (150 + 100) * 4 * 100,  # 2,600,000
        "dense_softmax": 2 * 100 * 4818,  # 963,600
    }
    assert forward_flops() == 7_463_600
    assert training_flops() == 3 * 7_463_600


def test_forward_flops_equal_the_matrix_products_torch_counts_in_the_keras_model():
    from torch.utils.flop_counter import FlopCounterMode

    model = tc.build_model(SMALL, seed=0)
    ids = np.random.default_rng(0).integers(0, SMALL.vocab_size, (4, SMALL.sequence_length))
    with FlopCounterMode(display=False) as counter:
        model(ids)
    assert counter.get_total_flops() == 4 * forward_flops(SMALL)


def test_training_flops_are_three_forward_passes_less_the_unneeded_initial_state_gradients():
    import keras
    from torch.utils.flop_counter import FlopCounterMode

    model = tc.build_model(SMALL, seed=0)
    ids = np.random.default_rng(0).integers(0, SMALL.vocab_size, (4, SMALL.sequence_length))
    with FlopCounterMode(display=False) as counter:
        probabilities = model(ids, training=True)
        keras.ops.mean(keras.losses.sparse_categorical_crossentropy(np.arange(4), probabilities)).backward()
    # autograd skips the gradient for each LSTM's zero initial state: one recurrent product per layer
    skipped = 2 * SMALL.lstm1_units * 4 * SMALL.lstm1_units + 2 * SMALL.lstm2_units * 4 * SMALL.lstm2_units
    assert counter.get_total_flops() == 4 * (training_flops(SMALL) - skipped)


def test_flop_counts_reject_what_is_not_a_config():
    with pytest.raises(ValueError, match="expected a ModelConfig"):
        forward_flops({"vocab_size": 4818})


def test_an_empty_results_file_has_every_required_key_and_passes_the_schema():
    data = measure.empty_results()
    assert measure.check_results(data) == []
    for key in ("machine", "date", "train_samples_per_s", "train_share_of_peak", "generate_words_per_s",
                "validation_perplexity", "book_clean_build_s", "book_cached_build_s", "chapter_execution_s",
                "test_command_s"):
        assert key in data


def test_the_schema_check_names_what_is_missing_or_wrong():
    data = measure.empty_results()
    del data["validation_perplexity"]
    data["train_samples_per_s"] = {"keras_torch": 1.0, "plain_torch": 2.0}
    data["book_cached_build_s"] = -3
    data["chapter_execution_s"] = {"welcome": "fast"}
    problems = "\n".join(measure.check_results(data))
    assert "missing key 'validation_perplexity' (written by bench/quality.py)" in problems
    assert "train_samples_per_s lacks 'keras_jax'" in problems
    assert "book_cached_build_s must be a positive number" in problems
    assert "chapter_execution_s must map chapter names to seconds" in problems


def test_the_committed_results_file_matches_the_schema():
    data = json.loads((BENCH / "results.json").read_text(encoding="utf-8"))
    assert measure.check_results(data) == []
    assert data["forward_flops_per_sample"] in (None, forward_flops())


def test_update_results_replaces_only_its_own_section(tmp_path):
    path = tmp_path / "results.json"
    measure.update_results("book_build", {"book_clean_build_s": 100.0, "test_command_s": 50.0}, 0.0, 1.0, path)
    measure.update_results("quality", {"validation_windows": 7}, 0.0, 1.0, path)
    measure.update_results("book_build", {"book_cached_build_s": 9.0}, 0.0, 1.0, path)
    data = json.loads(path.read_text())
    assert data["validation_windows"] == 7  # the other section survives
    assert data["book_cached_build_s"] == 9.0
    assert data["book_clean_build_s"] is None  # a rerun of a section replaces all its keys
    assert set(data["runs"]) == {"book_build", "quality"}
    assert data["runs"]["quality"]["load_average"]["start"] == 1.0
    assert data["machine"]["logical_cores"] >= 1


def test_floats_are_stored_with_four_significant_digits():
    assert measure.rounded({"a": [1234.5678, 0.000123456], "b": 7, "c": True}) == {"a": [1235.0, 0.0001235], "b": 7,
                                                                                   "c": True}


def test_update_results_refuses_another_sections_keys(tmp_path):
    with pytest.raises(ValueError, match=r"quality may only write .* not \['book_clean_build_s'\]"):
        measure.update_results("quality", {"book_clean_build_s": 1.0}, 0.0, None, tmp_path / "r.json")
    with pytest.raises(ValueError, match="unknown section 'speed'"):
        measure.update_results("speed", {}, 0.0, None, tmp_path / "r.json")


def test_alternate_rotates_who_goes_first_each_round():
    calls = []
    contenders = {name: (lambda name=name: calls.append(name) or len(calls)) for name in "abc"}
    results = measure.alternate(contenders, repeats=3)
    assert calls == list("abc" "bca" "cab")
    assert results["a"] == [1.0, 6.0, 8.0]
    with pytest.raises(ValueError, match="repeats must be at least 1"):
        measure.alternate(contenders, repeats=0)


def test_against_reference_pairs_each_contender_with_a_reference_taken_next_to_it():
    calls = []

    def timed(name, value):
        return lambda: calls.append(name) or value

    contenders = {"a": (timed("a", 50.0), timed("ref", 100.0)), "b": (timed("b", 30.0), timed("ref", 60.0))}
    results = measure.against_reference(contenders, repeats=2)
    assert calls == ["a", "ref", "b", "ref",  # round 1: contender first
                     "ref", "b", "ref", "a"]  # round 2: order rotated, reference first
    assert results["a"]["to_reference"] == pytest.approx(0.5) and results["b"]["value"] == 30.0
    assert results["b"]["reference_runs"] == [60.0, 60.0]


def test_paired_ratio_is_the_median_of_ratios_within_each_round():
    # round 2 ran under load for both sides: its ratio is still 0.5
    assert measure.paired_ratio([50, 10, 60], [100, 20, 100]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="equally many"):
        measure.paired_ratio([1, 2], [1])


def test_format_table_aligns_columns_and_shows_missing_values_as_a_dash():
    table = measure.format_table(["path", "words/s"], [["torch_twin", 1234.5], ["keras", None]])
    lines = table.splitlines()
    assert lines[0] == "path        words/s"
    assert lines[2] == "torch_twin    1,234"
    assert lines[3] == "keras             -"


def test_thread_count_limits_torch_threads_and_restores_them():
    import torch

    before = torch.get_num_threads()
    with measure.thread_count(1) as info:
        assert torch.get_num_threads() == 1 and info["torch_threads"] == 1
    assert torch.get_num_threads() == before


def test_matmul_rate_is_two_size_cubed_flops_over_the_median_product_time(monkeypatch):
    ticks = iter([0.0, 0.5, 1.0, 1.1, 2.0, 2.3])  # products taking 0.5, 0.1 and 0.3 s: median 0.3
    monkeypatch.setattr(measure.time, "perf_counter", lambda: next(ticks))
    rate = measure.matmul_flops_per_second(size=64, repeats=3)
    assert rate == pytest.approx(2 * 64**3 / 0.3)


def test_read_ablation_reports_a_missing_file(tmp_path):
    result = quality.read_ablation(measure.ROOT / "textgen_course" / "experiments" / "no_such_ablation.json")
    assert result["found"] is False and "missing" in result["note"]


def test_read_ablation_finds_metrics_where_an_artifact_manifest_keeps_them(tmp_path, monkeypatch):
    monkeypatch.setattr(measure, "ROOT", tmp_path)
    path = tmp_path / "one_lstm.json"
    path.write_text(json.dumps({"metrics": {"validation_perplexity": 123.4, "validation_top5_accuracy": 0.3}}))
    result = quality.read_ablation(path)
    assert result["found"] and result["perplexity"] == 123.4 and result["top5_accuracy"] == 0.3
    path.write_text(json.dumps({"something": 1}))
    result = quality.read_ablation(path)
    assert not result["found"] and "top-level keys: ['something']" in result["note"]


def test_chapter_times_are_read_from_the_build_execution_cache(tmp_path):
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    cache = get_cache(tmp_path / "_build" / ".jupyter_cache")
    cache.cache_notebook_bundle(CacheBundleIn(notebook, str(tmp_path / "book" / "embedding.ipynb"),
                                              data={"execution_seconds": 12.34}), check_validity=False)
    assert book_build.chapter_times(tmp_path) == {"embedding": 12.3}
    assert book_build.chapter_times(tmp_path / "nothing_here") == {}


def test_the_build_command_is_the_readme_one_with_warnings_as_errors(tmp_path):
    command = book_build.build_command(None, tmp_path)
    assert command[1:6] == ["build", ".", "-W", "-n", "--keep-going"]
    assert command[-2:] == ["--path-output", str(tmp_path)]
