"""Keras vs PyTorch vs NumPy for every stage and the whole model (textgen_course/crosscheck.py)."""

import re

import pytest
import torch

import textgen_course as tc
from textgen_course.crosscheck import CrossCheckReport
from textgen_course.stage_check import StageCheck

ROUNDOFF_DIGITS = re.compile(r"\d\.\de[-+]\d\d")  # 2.1e-06: what a CPU with other vector units prints otherwise


@pytest.mark.parametrize("fixture", ["model", "trained_model", "small_model"])
def test_cross_check_passes_at_1e_5(request, fixture):
    report = tc.cross_check(request.getfixturevalue(fixture))
    assert report.passed, str(report)
    assert [check.stage for check in report.stages] == ["embedding", "lstm_1", "lstm_2", "dense_softmax", "model"]
    assert all(check.torch_difference <= 1e-5 and check.numpy_difference <= 1e-5 for check in report.stages)
    assert report.greedy_ids_match and report.batch_size == 64
    assert not ROUNDOFF_DIGITS.search(str(report))  # bounds, not digits that vary with the CPU


def test_cross_check_detects_a_broken_twin(trained_model, monkeypatch):
    import textgen_course.model as model_module

    correct_copy = tc.lstm_context.torch_lstm_from_keras

    def swapped_gates(layer):  # a classic mistake: forget and input gates swapped
        twin = correct_copy(layer)
        with torch.no_grad():
            w = twin.weight_ih_l0.clone()
            units = w.shape[0] // 4
            twin.weight_ih_l0[:units], twin.weight_ih_l0[units:2 * units] = w[units:2 * units], w[:units]
        return twin

    monkeypatch.setattr(model_module, "torch_lstm_from_keras", swapped_gates)
    monkeypatch.setattr(tc.lstm_context, "torch_lstm_from_keras", swapped_gates)
    report = tc.cross_check(trained_model)
    assert not report.passed and report["lstm_1"].torch_difference > 1e-3
    assert report["lstm_1"].numpy_difference <= 1e-5  # NumPy still agrees with Keras: the twin is to blame
    assert "FAILED" in str(report)
    assert f"{report['lstm_1'].torch_difference:.1e}" in str(report)  # a mismatch shows its digits


def test_the_report_prints_the_verdict_and_no_roundoff_digits():
    checks = (StageCheck("embedding", (64, 13, 100), 0.0, 0.0), StageCheck("model", (64, 4818), 3.3e-7, 5.1e-7))
    passed = str(CrossCheckReport(checks, greedy_ids_match=True, batch_size=64))
    assert "tolerance 1e-5" in passed and passed.endswith("PASSED: Keras, PyTorch and NumPy agree to within 1e-5 ✓")
    assert not ROUNDOFF_DIGITS.search(passed)
    failed = str(CrossCheckReport(checks[:1] + (StageCheck("model", (64, 4818), 2e-3),), True, 64))
    assert "2.0e-03" in failed and failed.endswith("FAILED")
