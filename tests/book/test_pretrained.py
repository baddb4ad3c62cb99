"""The trained model that ships with the course: it loads, it scores what it claims, the README is true."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import textgen_course as tc
from textgen_course import artifacts
from textgen_course.training import shipped_windows

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped():
    model, vocabulary = tc.load_pretrained()
    return model, vocabulary, artifacts.pretrained_manifest()


def test_the_shipped_model_is_the_model_in_the_notes(shipped):
    model, vocabulary, manifest = shipped
    assert tc.model.config_of(model) == tc.ModelConfig()
    assert len(vocabulary) == 4818 and model.count_params() == 1_219_418
    assert tc.ModelConfig.from_dict(manifest["model_config"]) == tc.ModelConfig()
    weights = ROOT / "textgen_course" / "pretrained" / manifest["files"]["weights"]["name"]
    assert weights.stat().st_size < 6_000_000  # weights only, no optimizer state


def test_the_recorded_validation_figures_follow_from_the_weights(shipped):
    """The manifest's perplexity and accuracy, from the weights, without rescoring all 100,420 windows.

    The seed study keeps the shipped model's loss and rank on every validation window
    (experiments/two_lstms_seed0.losses.npz). Two checks chain the weights to the recorded figures:
    the weights give those stored losses and ranks on an evenly spread sample of 2,000 windows
    (float16: within 0.01 nats), and the stored scores of every window give the recorded figures.
    """
    from textgen_course.analysis.why_two_lstms import window_scores
    from textgen_course.evaluation import score_targets

    model, vocabulary, manifest = shipped
    data = shipped_windows(tc.load_corpus(), vocabulary)
    assert len(data.validation_y) == manifest["corpus"]["validation_windows"]
    stored = window_scores("two_lstms_seed0")
    assert len(stored.rank) == len(data.validation_y)
    sample = np.arange(0, len(data.validation_y), len(data.validation_y) // 2000)[:2000]
    engine = tc.NumpyTextGenerator.from_keras(model)  # held equal to Keras to 1e-5 by test_model.py
    fresh = score_targets(engine, data.validation_x[sample], data.validation_y[sample])
    assert np.abs(fresh.log_probability - stored.log_probability[sample]).max() < 0.01
    assert ((fresh.rank == 0) == (stored.rank[sample] == 0)).mean() > 0.995  # a near-tie may flip in float16
    recorded, result = manifest["metrics"], stored.evaluation()
    assert result.perplexity == pytest.approx(recorded["validation_perplexity"], rel=2e-4)  # float16 losses
    assert result.top5_accuracy == pytest.approx(recorded["validation_top5_accuracy"], abs=2e-3)


def test_the_shipped_model_agrees_with_its_twins(shipped):
    model, _, _ = shipped
    report = tc.cross_check(model)
    assert report.passed, str(report)


def test_greedy_text_is_the_same_through_keras_and_the_pytorch_twin(shipped):
    model, vocabulary, _ = shipped
    keras_text = tc.generate(model, vocabulary, "to be or not to be", num_words=15, engine="keras")
    twin_text = tc.generate(tc.torch_model_from_keras(model), vocabulary, "to be or not to be", num_words=15)
    assert keras_text.text == twin_text.text
    assert len(keras_text.new_ids) == 15


def _readme_section(title: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme, flags=re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no section '## {title}'"
    return match.group(1)


def test_the_readme_records_the_shipped_models_metrics(shipped):
    _, _, manifest = shipped
    section = _readme_section("The shipped model")
    metrics = manifest["metrics"]
    assert f"{metrics['validation_perplexity']:.1f}" in section
    assert f"{metrics['validation_top5_accuracy']:.1%}" in section
    from textgen_course.analysis.why_two_lstms import full_budget_results

    results = full_budget_results()  # the README also states both races' results
    for key in ("one_lstm_matched_gain4", "two_lstms_first_recipe", "one_lstm", "one_lstm_matched",
                "kneser_ney_trigram", "unigram"):
        assert f"{results[key].perplexity:.1f}" in section, key


@pytest.mark.heavy
def test_the_readme_sample_is_what_its_command_prints():
    section = _readme_section("The shipped model")
    command = re.search(r"^(python -m textgen_course generate .+)$", section, flags=re.MULTILINE)
    assert command, "the README shows no generate command next to its sample"
    arguments = re.findall(r'"[^"]*"|\S+', command.group(1))[3:]
    result = subprocess.run([sys.executable, "-m", "textgen_course", *[a.strip('"') for a in arguments]],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert " ".join(result.stdout.split()) in " ".join(section.split()), result.stdout
