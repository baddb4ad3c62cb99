"""Executing chapters in place (textgen_course/tools/execute_notebooks.py, scripts/execute_notebooks.py)."""

import sys
from pathlib import Path

import nbformat
import pytest

from textgen_course.tools.execute_notebooks import execute, main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.notebook
def test_a_notebook_is_run_and_saved_with_outputs_and_without_timestamps(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    path = tmp_path / "tiny.ipynb"
    nbformat.write(notebook, path)
    seconds = execute(path)
    saved = nbformat.read(path, as_version=4)
    assert seconds > 0 and saved.cells[0].outputs[0]["text"] == "42\n"
    assert "execution" not in saved.cells[0].metadata


def test_the_script_is_a_thin_entry_point_that_needs_no_path_tricks():
    source = (ROOT / "scripts" / "execute_notebooks.py").read_text(encoding="utf-8")
    assert "sys.path" not in source and "textgen_course.tools.execute_notebooks" in source
    for script in (ROOT / "scripts").glob("*.py"):
        assert "sys.path" not in script.read_text(encoding="utf-8"), script.name



def test_without_notebooks_it_says_what_to_pass(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["execute_notebooks.py"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2 and "name notebooks to execute, or pass --all" in capsys.readouterr().err
