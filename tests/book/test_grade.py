"""Grading submitted notebooks with otter run (authoring/grade.py), end to end on the fixture.

A correct, a partly wrong, a broken and an unreadable submission are graded, several at a time,
against the assignment that conftest's `assignment` fixture builds once per run.
"""

from __future__ import annotations

import copy
import csv

import nbformat
import pytest

from conftest import CORRECT_SOFTMAX
from authoring import grade as grading

# otter-grader 7.0.0 imports traitlets code that warns on import; not ours to fix
pytestmark = [pytest.mark.notebook,  # otter runs every submitted notebook in a kernel
              pytest.mark.filterwarnings("ignore:Traits should be given as instances:DeprecationWarning")]


def answered(student, answer_shape: str, softmax: str, delete_check: str | None = None):
    """A submission: the assignment's student notebook with these answers.

    delete_check: delete the check cell that calls this check (a learner "tidying up").
    """
    notebook = copy.deepcopy(student)
    cells = []
    for cell in notebook.cells:
        if cell.source.startswith("answer_shape"):
            cell.source = answer_shape
        elif cell.source.startswith("def softmax"):
            cell.source = softmax
        elif delete_check and cell.source.startswith(delete_check):
            continue
        cells.append(cell)
    notebook.cells = cells
    return notebook


def test_grade_scores_correct_partly_wrong_and_broken_submissions_and_never_crashes(assignment, tmp_path):
    student = nbformat.read(assignment.student_notebook, as_version=4)
    submissions = tmp_path / "submissions"
    (submissions / "cy").mkdir(parents=True)  # a folder per learner, as learning platforms export them
    nbformat.write(answered(student, "answer_shape = (4, 10)", CORRECT_SOFTMAX), submissions / "ada.ipynb")
    nbformat.write(answered(student, "answer_shape = (10, 4)", CORRECT_SOFTMAX), submissions / "bo.ipynb")
    broken = answered(student, "answer_shape = (4, 10)", CORRECT_SOFTMAX.replace("return exps", "return exps +"),
                      delete_check="check_answer_shape")  # a syntax error in softmax; a deleted check cell
    nbformat.write(broken, submissions / "cy" / "exercise_chapter.ipynb")
    (submissions / "dee.ipynb").write_text('{"cells": [')  # not a notebook at all
    output = tmp_path / "grades.csv"
    grading.grade("exercise_chapter", submissions, output, timeout=300,
                      assignments=assignment.folder.parent, jobs=3)
    with output.open() as file:
        assert next(csv.reader(file)) == ["submission", "fixture-predict", "fixture-softmax", "total", "possible",
                                          "error"]  # the questions in the chapter's order
    rows = {row["submission"]: row for row in csv.DictReader(output.open())}
    scores = {name: (row["fixture-predict"], row["fixture-softmax"], row["total"], row["possible"])
              for name, row in rows.items()}
    feedback_files = {name: tmp_path / "grades_feedback" / (name.removesuffix(".ipynb").replace("/", "__") + ".md")
                      for name in rows}
    details = {name: (rows[name]["error"], path.read_text() if path.exists() else "")
               for name, path in feedback_files.items()}
    assert scores == {
        "ada.ipynb": ("1", "1", "2", "2"),
        "bo.ipynb": ("0", "1", "1", "2"),
        # the syntax error costs softmax only; the deleted check's question is tested at the end
        "cy/exercise_chapter.ipynb": ("1", "0", "1", "2"),
        "dee.ipynb": ("0", "0", "0", "2"),
    }, f"errors and feedback per submission: {details}"
    assert {name: bool(row["error"]) for name, row in rows.items()} == {
        "ada.ipynb": False, "bo.ipynb": False, "cy/exercise_chapter.ipynb": False, "dee.ipynb": True}
    assert rows["dee.ipynb"]["error"].startswith("not a readable notebook")
    feedback = (tmp_path / "grades_feedback" / "bo.md").read_text()
    assert "# bo.ipynb: 1 / 2" in feedback
    assert "answer_shape = (10, 4) is not right: one row per context, one column per word." in feedback
    assert "SyntaxError" not in feedback
    assert "softmax must be a function" in (tmp_path / "grades_feedback" / "cy__exercise_chapter.md").read_text()


def test_grade_stops_a_submission_that_runs_forever(assignment, tmp_path):
    student = nbformat.read(assignment.student_notebook, as_version=4)
    endless = answered(student, "answer_shape = (4, 10)\nwhile True:\n    pass", CORRECT_SOFTMAX)
    path = tmp_path / "endless.ipynb"
    nbformat.write(endless, path)
    questions = grading.question_points(assignment.autograder_zip)
    result = grading.grade_submission(path, assignment.autograder_zip, questions, timeout=8)
    assert result.error == "did not finish in 8 s (an endless loop?)"
    assert result.scores == {"fixture-predict": 0.0, "fixture-softmax": 0.0}


def test_grade_explains_a_missing_assignment(tmp_path):
    (tmp_path / "subs").mkdir()
    with pytest.raises(ValueError, match="run `python3 tasks.py assign lstm_context` first"):
        grading.grade("lstm_context", tmp_path / "subs", tmp_path / "grades.csv", assignments=tmp_path)
