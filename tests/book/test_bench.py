"""The benchmarks: FLOPs from the config, the results file's schema, alternation and ratios, and every
script's --quick mode run end to end (in this process, on tiny inputs, into a scratch file).

No test asserts a timing: they check structure, counts and values that do not depend on the machine."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from textgen_course.flops import forward_flops, training_flops

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import book_build  # noqa: E402
import chapter_training  # noqa: E402
import generation_speed  # noqa: E402
import measure  # noqa: E402
import quality  # noqa: E402
import training_profile  # noqa: E402
import training_throughput  # noqa: E402


class FixedClock(measure.RunClock):
    """A RunClock whose readings are given: (seconds, load at start, share of the CPU others used)."""

    def __init__(self, seconds=1.0, load=0.5, others=0.0):
        self._seconds, self.load_at_start, self._others = seconds, load, others

    def seconds(self):
        return self._seconds

    def others_cpu_share(self):
        return self._others


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
    measure.update_results("book_build", {"book_clean_build_s": 100.0}, FixedClock(), path)
    measure.update_results("quality", {"validation_windows": 7}, FixedClock(load=1.0, others=0.5), path,
                           command=".venv/bin/python bench/quality.py")
    measure.update_results("book_build", {"book_cached_build_s": 9.0}, FixedClock(others=0.3), path)
    data = json.loads(path.read_text())
    assert data["validation_windows"] == 7  # the other section survives
    assert data["book_cached_build_s"] == 9.0
    assert data["book_clean_build_s"] is None  # a rerun of a section replaces all its keys
    assert set(data["runs"]) == {"book_build", "quality"}
    assert data["runs"]["quality"]["load_average"]["start"] == 1.0
    assert data["runs"]["quality"]["command"] == ".venv/bin/python bench/quality.py"
    assert data["machine"]["logical_cores"] >= 1
    assert data["runs"]["quality"]["under_load"] is True  # others used half the machine during that run
    # only timings are provisional under load: quality's scores do not depend on it
    assert data["measured_under_load"] == ["book_build"]


def test_floats_are_stored_with_four_significant_digits():
    assert measure.rounded({"a": [1234.5678, 0.000123456], "b": 7, "c": True}) == {"a": [1235.0, 0.0001235], "b": 7,
                                                                                   "c": True}


def test_update_results_refuses_another_sections_keys(tmp_path):
    with pytest.raises(ValueError, match=r"quality may only write .* not \['book_clean_build_s'\]"):
        measure.update_results("quality", {"book_clean_build_s": 1.0}, FixedClock(), tmp_path / "r.json")
    with pytest.raises(ValueError, match="unknown section 'speed'"):
        measure.update_results("speed", {}, FixedClock(), tmp_path / "r.json")


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


def test_others_cpu_share_is_the_machines_busy_time_minus_our_own_over_all_cores(monkeypatch):
    readings = {"busy": iter([100.0, 103.0]), "own": iter([10.0, 11.0]), "wall": iter([0.0, 2.0, 2.0])}
    monkeypatch.setattr(measure, "_machine_busy_seconds", lambda: next(readings["busy"]))
    monkeypatch.setattr(measure, "_own_cpu_seconds", lambda: next(readings["own"]))
    monkeypatch.setattr(measure.time, "perf_counter", lambda: next(readings["wall"]))
    monkeypatch.setattr(measure.os, "cpu_count", lambda: 2)
    clock = measure.RunClock()
    # 3 busy CPU-seconds in 2 s on 2 cores, 1 of them ours: others used 2 of 4 CPU-seconds
    assert clock.others_cpu_share() == pytest.approx(0.5)


def test_a_run_counts_as_under_load_when_others_used_more_than_a_tenth_of_the_cpu():
    assert FixedClock(others=0.5).conditions()["under_load"] is True
    assert FixedClock(others=0.02, load=3.0).conditions()["under_load"] is False  # the load was ours
    assert FixedClock(others=None, load=1.5).conditions()["under_load"] is True  # no /proc/stat: load decides
    text = measure.conditions_text(FixedClock(others=0.5, load=2.0).conditions())
    assert text == "load average 2.0 at start, other processes used 50% of the CPU: UNDER LOAD: provisional figures"


def test_quick_runs_write_to_a_scratch_file_unless_told_otherwise(tmp_path):
    parser = measure.argparse.ArgumentParser()
    measure.add_common_arguments(parser)
    assert measure.results_path(parser.parse_args([])) == measure.RESULTS
    assert measure.results_path(parser.parse_args(["--quick"])) == measure.quick_results_path() != measure.RESULTS
    assert measure.results_path(parser.parse_args(["--quick", "--results", str(tmp_path / "r.json")])) == \
        tmp_path / "r.json"


def test_the_committed_quality_figures_agree_with_the_library():
    from textgen_course.analysis.why_two_lstms import full_budget_results

    data = json.loads((BENCH / "results.json").read_text(encoding="utf-8"))
    library = full_budget_results()
    for ours, theirs in quality.LIBRARY_KEYS.items():  # stored with four significant digits
        assert data["validation_perplexity"][ours] == pytest.approx(library[theirs].perplexity, rel=1e-3)
        assert data["validation_top5_accuracy"][ours] == pytest.approx(library[theirs].top5_accuracy, rel=1e-3)
    assert data["validation_windows"] == library.windows
    assert data["quality_notes"]["model_beats_count_baselines"] is True
    notes = data["quality_notes"]  # as measured; chapter 7 says how narrow the second race was
    assert notes["model_beats_same_recipe_ablation"] is (library["two_lstms"].perplexity
                                                         < library["one_lstm_matched_gain4"].perplexity)
    assert notes["model_beats_one_lstm_ablations"] is (library["two_lstms"].perplexity < min(
        library[key].perplexity for key in ("one_lstm", "one_lstm_matched", "one_lstm_matched_gain4")))


def _quick(script, tmp_path, *extra) -> dict:
    path = tmp_path / "results.json"
    assert script.main(["--quick", "--results", str(path), *extra]) == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    assert measure.check_results(data) == []
    section = Path(script.__file__).stem
    run = data["runs"][section]
    assert run["quick"] is True and run["command"].endswith(f"bench/{section}.py --quick --results {path}")
    assert set(data["runs"]) == {section}  # a quick run writes only its own section
    return data


@pytest.mark.heavy
def test_training_throughput_quick_measures_both_loops_and_the_share_of_peak(tmp_path):
    data = _quick(training_throughput, tmp_path)
    speeds = data["train_samples_per_s"]
    assert speeds["keras_torch"] > 0 and speeds["plain_torch"] > 0 and speeds["batch_size"] == 32
    assert speeds["keras_jax"] is None and data["jax_backend"] == {"measured": False, "error": "skipped (--no-jax)"}
    assert data["train_flops_per_sample"] == training_flops() and data["forward_flops_per_sample"] == forward_flops()
    row = data["train_by_batch_size"]["32"]
    assert row["steps_per_run"] == 3 and len(row["runs"]["keras_torch"]) == 1
    # share of peak = samples/s x FLOPs per sample / matmul rate (a one-round median: the round itself)
    expected = row["runs"]["keras_torch"][0] * training_flops() / row["runs"]["matmul"][0]
    assert data["train_share_of_peak"]["keras_torch"] == pytest.approx(expected, rel=2e-3)
    assert data["train_recorded_in_artifact"]["batch_size"] == 512


@pytest.mark.heavy
def test_training_profile_quick_splits_a_step_and_measures_every_variant(tmp_path):
    profile = _quick(training_profile, tmp_path)["train_profile"]
    assert profile["batch_size"] == 32
    assert set(profile["variants"]) == {"as shipped", "no training metrics", "unbind patch", "fused kernel patch",
                                        "one thread, as shipped"}
    for part in ("train step", "forward", "backward", "optimizer"):
        assert 0 <= profile["keras_time_split"][part] <= 1.05
    assert profile["keras_operations"]["operation_calls"] > profile["torch_operations"]["operation_calls"]
    assert profile["keras_says"]["jit_compile=True"] == "not tried (--no-jit)"


def test_the_profile_patches_leave_keras_as_it_was():
    import keras.src.backend as backend

    rnn = training_profile._torch_rnn_module()
    before = backend.lstm, rnn._fallback_lstm
    for name in ("unbind", "fused"):
        with training_profile.keras_patch(name):
            assert (backend.lstm, rnn._fallback_lstm) != before
        assert (backend.lstm, rnn._fallback_lstm) == before


@pytest.mark.heavy
def test_generation_speed_quick_times_every_path_and_they_write_the_same_words(tmp_path):
    data = _quick(generation_speed, tmp_path)
    assert data["generate_same_greedy_text"] is True
    assert set(data["generate_words_per_s"]) == {"keras", "keras_model_call", "torch_twin", "model_predict_loop"}
    assert data["generate_words_per_s"]["model_predict_loop"]["sampled"] is None  # greedy only: it is slow
    assert data["generate_by_threads"]["one_thread"]["threads"]["torch_threads"] == 1
    assert data["generate_paths"]["words"] == 10


@pytest.mark.heavy
def test_quality_quick_scores_the_first_windows_and_reads_the_ablations_from_the_library(tmp_path):
    from textgen_course.analysis.why_two_lstms import full_budget_results

    data = _quick(quality, tmp_path)
    assert data["validation_windows"] == 2000
    assert data["validation_perplexity"]["one_lstm"] == pytest.approx(full_budget_results()["one_lstm"].perplexity,
                                                                      rel=1e-3)
    notes = data["quality_notes"]
    assert notes["model_beats_count_baselines"] is True
    assert notes["model_beats_one_lstm_ablations"] is None  # 2,000 windows against all of them: not compared
    keras_vs_twin = notes["keras_vs_twin_on_subset"]
    assert keras_vs_twin["keras_perplexity"] == pytest.approx(keras_vs_twin["twin_perplexity"], rel=1e-4)


@pytest.mark.notebook
def test_book_build_quick_builds_a_one_page_book_twice(tmp_path):
    data = _quick(book_build, tmp_path)
    details = data["book_build_details"]
    assert data["book_clean_build_s"] > 0 and data["book_cached_build_s"] > 0
    assert details["clean_exit_code"] == 0 and details["cached_exit_code"] == 0
    assert data["chapter_execution_s"] == {}  # the one page is Markdown: nothing executed


def test_test_run_quick_times_both_commands_with_the_load_and_the_steps(tmp_path):
    import test_run

    data = _quick(test_run, tmp_path)
    assert data["test_fast_s"] > 0 and data["test_command_s"] > 0
    commands = data["test_run_details"]["commands"]
    assert commands["test_command_s"]["exit_code"] == 0 and "others_cpu_share" in commands["test_command_s"]
    assert commands["test_command_s"]["steps_s"] == {"front: quick step": 1}  # read from the run's step table


def test_chapter_training_before_cell_restores_kerass_loop_and_loss(monkeypatch):
    """bench/chapter_training.py's "before" runs a chapter with Keras's own LSTM loop and loss:
    its first cell must switch off the fused kernel and make compile_for_training use Keras's loss."""
    import textgen_course as tc
    from textgen_course import fused_lstm, training

    monkeypatch.setattr(training, "next_word_loss", training.next_word_loss)  # restored after the test
    monkeypatch.setenv(fused_lstm.ENVIRONMENT_SWITCH, "1")  # undone after the test, whatever BEFORE sets
    with fused_lstm.enabled(True) as used:
        assert used  # after: the fused kernel
    exec(chapter_training.BEFORE, {})
    with fused_lstm.enabled(True) as used:
        assert not used and not fused_lstm.is_enabled()
    model = tc.build_model(tc.ModelConfig(vocab_size=30, sequence_length=6, embedding_dim=8, lstm_1_units=12,
                                          lstm_2_units=8))
    training.compile_for_training(model, training.TrainingConfig(), steps_per_epoch=1)
    assert model.loss == "sparse_categorical_crossentropy"


def test_a_living_child_process_counts_as_the_benchmarks_own_cpu():
    """browser_speed's Chromium works for the benchmark: RunClock.note_descendants must count a
    living child's CPU as the benchmark's own, not as other processes' load."""
    import subprocess
    import time

    burn = ("import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass\n"
            "print(1, flush=True)\ntime.sleep(30)")
    child = subprocess.Popen([sys.executable, "-c", burn], stdout=subprocess.PIPE, text=True)
    try:
        child.stdout.readline()  # it has burnt its half second of CPU and now sleeps
        seconds = measure._descendants_cpu_seconds()
        clock = measure.RunClock()
        clock.note_descendants()
        time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
    assert 0.4 <= seconds < 5
    assert clock.descendants >= 0.4
