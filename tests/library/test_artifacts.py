"""Artifact folders: saved atomically, loaded safely, with clear errors (textgen_course/artifacts.py)."""


import pytest

from textgen_course import artifacts








def test_missing_artifact_gets_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="No artifact folder"):
        artifacts.load_artifact(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="has no artifact.json"):
        artifacts.load_artifact(tmp_path)
