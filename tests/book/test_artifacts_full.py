"""The slow tests of the module tests/library/test_artifacts.py mirrors (training, notebooks, subprocesses): the full run."""

import json
import pytest
from textgen_course import artifacts
from conftest import copy_folder


def test_truncated_weights_are_detected(trained_run, tmp_path):
    folder = copy_folder(trained_run[0].folder, tmp_path)
    weights = next(folder.glob("weights-*.h5"))
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ValueError, match="truncated or altered"):
        artifacts.load_artifact(folder)


def test_corrupt_weights_and_manifest_are_detected(trained_run, tmp_path):
    folder = copy_folder(trained_run[0].folder, tmp_path)
    weights = next(folder.glob("weights-*.h5"))
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt \\(checksum mismatch\\)"):
        artifacts.load_artifact(folder)
    (folder / "artifact.json").write_text("{ half a manifest", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        artifacts.load_artifact(folder)


def test_mismatched_vocabulary_and_weights_are_detected(trained_run, tmp_path):
    folder = copy_folder(trained_run[0].folder, tmp_path)
    manifest = json.loads((folder / "artifact.json").read_text())
    manifest["model_config"]["vocab_size"] = 31
    (folder / "artifact.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="vocabulary has 30 words but the model config says vocab_size=31"):
        artifacts.load_artifact(folder)
    manifest["model_config"]["vocab_size"] = 30
    manifest["model_config"]["lstm_2_units"] = 9
    (folder / "artifact.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="does not fit this model"):
        artifacts.load_artifact(folder)


def test_new_manifests_record_the_architecture_and_old_ones_load_as_two_lstms(trained_run, tmp_path):
    from textgen_course.ablation import architecture_of

    folder = copy_folder(trained_run[0].folder, tmp_path)
    manifest = json.loads((folder / "artifact.json").read_text())
    assert manifest["architecture"] == "two_lstms"
    del manifest["architecture"]  # as written before the ablation existed (the shipped model's format)
    (folder / "artifact.json").write_text(json.dumps(manifest))
    model, _, _ = artifacts.load_artifact(folder)
    assert architecture_of(model) == "two_lstms"


def test_wrong_or_unknown_architecture_in_a_manifest_is_a_clear_error(trained_run, tmp_path):
    folder = copy_folder(trained_run[0].folder, tmp_path)
    manifest = json.loads((folder / "artifact.json").read_text())
    manifest["architecture"] = "three_lstms"
    (folder / "artifact.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="architecture must be one of \\('two_lstms', 'one_lstm'\\)"):
        artifacts.load_artifact(folder)
    manifest["architecture"] = "one_lstm"  # but the weights are the two-LSTM model's
    (folder / "artifact.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="does not fit this model.*another architecture"):
        artifacts.load_artifact(folder)
