"""Reading a chapter's exercises: stubs, directives, the exercise plan (authoring/chapter_exercises.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import numpy as np  # noqa: F401  (the stub tests' sources use it)
import pytest

from authoring.chapter_exercises import PLACEHOLDER, find_directives, plan_chapter, stub_solution

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "exercise_chapter.ipynb"


def fixture_notebook():
    return nbformat.read(FIXTURE, as_version=4)


def code_cells(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def test_stub_keeps_decorators_signature_and_docstring_and_replaces_the_body():
    source = '''import numpy as np


@np.vectorize
def lstm_step(x_t: np.ndarray,
              h_prev, c_prev):  # shapes in the docstring
    """One LSTM step.

    Returns (h, c).
    """
    z = x_t @ W + b  # the four gates at once
    return z, z'''
    stub = stub_solution(source)
    assert stub == '''import numpy as np


@np.vectorize
def lstm_step(x_t: np.ndarray,
              h_prev, c_prev):  # shapes in the docstring
    """One LSTM step.

    Returns (h, c).
    """
    ...'''


def test_stub_turns_assignments_into_ellipsis_one_name_per_line_when_unpacking():
    source = "answer_shape = (32, 13, 150)\nh, (c, n) = step(1)\na = b = 3\ncount: int = 4 * 150"
    assert stub_solution(source) == "answer_shape = ...\nh = ...\nc = ...\nn = ...\na = b = ...\ncount: int = ..."


def test_stub_turns_any_other_statement_into_one_placeholder_line():
    source = "model.units = 3\nfor t in (0.5, 1.0):\n    print(t)\nprint('done')\nanswer = 7"
    assert stub_solution(source) == f"{PLACEHOLDER}\nanswer = ..."


def test_stub_of_a_one_line_def_and_of_a_class_keeps_their_signatures():
    assert stub_solution("def double(x): return 2 * x") == "def double(x):\n    ..."
    source = 'class Step:\n    """A step."""\n    size = 3\n\n    def __call__(self, x):\n        return x'
    assert stub_solution(source) == ('class Step:\n    """A step."""\n    size = ...\n\n'
                                     '    def __call__(self, x):\n        ...')


def test_stub_of_code_that_is_not_python_is_the_placeholder():
    assert stub_solution("%timeit softmax(x)") == PLACEHOLDER
    assert stub_solution("from math import pi") == f"from math import pi\n{PLACEHOLDER}"


def test_every_stub_of_the_fixture_compiles_and_defines_what_the_solution_defined():
    plan = plan_chapter(fixture_notebook(), "fixture")
    for exercise in plan.exercises:
        for index in exercise.solution_cells:
            source = fixture_notebook().cells[index].source
            stub = stub_solution(source)
            compile(stub, "<stub>", "exec")
            defined = {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
            assert defined == {node.name for node in ast.parse(stub).body if isinstance(node, ast.FunctionDef)}


def test_find_directives_skips_code_fences_and_directives_nested_in_others():
    text = ("```python\n```{exercise} not a directive\n```\n\n"
            "````{exercise} Outer\n:label: outer\n\n```{hint}\ninner\n```\n````\n"
            ":::{solution-start} outer\n:class: dropdown\n:::")
    found = find_directives(text)
    assert [(d.name, d.argument, d.options) for d in found] == [
        ("exercise", "Outer", {"label": "outer"}), ("solution-start", "outer", {"class": "dropdown"})]


def test_plan_finds_the_fixture_exercises_and_which_have_checks():
    plan = plan_chapter(fixture_notebook(), "fixture")
    assert [(e.label, e.autograded) for e in plan.exercises] == [
        ("fixture-predict", True), ("fixture-softmax", True), ("fixture-experiment", False)]
    solution_text = [p.source for p in plan.pieces if p.role == "solution" and p.cell_type == "markdown"]
    assert any("One row per context" in text for text in solution_text)
    assert not any("That is all" in text for text in solution_text)  # shares a cell with a solution-end


@pytest.mark.parametrize("cells, message", [
    ([("markdown", "```{exercise} No label\nText.\n```")], "has no :label:"),
    ([("markdown", "```{solution-start} nowhere\n```")], "names no exercise above it"),
    ([("markdown", "```{exercise} A\n:label: a\n```\n```{solution-start} a\n```")], "has no solution-end"),
    ([("code", "check_a(a)", ["check"])], "a cell tagged 'check' before any exercise"),
    ([("markdown", "```{exercise} A\n:label: a\n```"), ("code", "check_a(a)", ["check"])],
     "has a check but no solution cell"),
    ([("markdown", "```{exercise} A\n:label: a\n```\n```{exercise} B\n:label: a\n```")], "two exercises are labelled"),
])
def test_plan_rejects_a_broken_exercise_structure_naming_the_cell(cells, message):
    notebook = nbformat.v4.new_notebook()
    for cell_type, source, *tags in cells:
        cell = (nbformat.v4.new_markdown_cell if cell_type == "markdown" else nbformat.v4.new_code_cell)(source)
        if tags:
            cell.metadata["tags"] = tags[0]
        notebook.cells.append(cell)
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        plan_chapter(notebook, "broken")
    assert "broken, cell" in str(error.value)
