"""Assignments and grading with otter-grader (scripts/assignments.py), end to end on the fixture.

The fixture chapter (tests/fixtures/exercise_chapter.ipynb) has two autograded exercises and an
experiment. `otter assign` builds the assignment once for this file; then a correct, a partly
wrong, a broken and an unreadable submission are graded with `otter run`, several at a time.
"""

from __future__ import annotations

import copy
import csv
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE = FIXTURES / "exercise_chapter.ipynb"
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(FIXTURES))

import assignments  # noqa: E402
import editions  # noqa: E402
import fixture_checks  # noqa: E402

# otter-grader 7.0.0 imports traitlets code that warns on import; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:Traits should be given as instances:DeprecationWarning")

CORRECT_SOFTMAX = """def softmax(logits, temperature=1.0):
    scaled = logits / temperature
    exps = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)"""


def raw_blocks(notebook) -> list[str]:
    return [cell.source.split("\n")[0] for cell in notebook.cells if cell.cell_type == "raw"]


# ---- the master notebook ---------------------------------------------------------------------

def test_hidden_test_imports_the_checks_afresh_and_takes_the_answer_from_the_notebook():
    imports = {"check_softmax": "from fixture_checks import check_softmax", "np": "import numpy as np"}
    source = assignments.hidden_test_source("check_softmax(softmax)", "test_softmax_1", imports, "Doc.")
    assert source.startswith("def test_softmax_1(softmax):")
    assert "importlib.reload(fixture_checks)" in source
    assert "assert check_softmax(softmax), 'check_softmax did not return True'" in source
    namespace = {}
    exec(source, namespace)
    right = {}
    exec("import numpy as np\n" + CORRECT_SOFTMAX, right)
    namespace["test_softmax_1"](right["softmax"])  # passes
    with pytest.raises(AssertionError, match="ignores the temperature"):
        namespace["test_softmax_1"](lambda logits, temperature=1.0: right["softmax"](logits))
    with pytest.raises(AssertionError, match="must be a function"):
        namespace["test_softmax_1"](None)  # otter passes None for a name the notebook lacks


def test_hidden_test_reloads_a_checks_module_that_the_check_cell_imports_itself():
    check_cell = "from textgen_course.exercises.lstm_context import check_lstm_step\ncheck_lstm_step(lstm_step)"
    source = assignments.hidden_test_source(check_cell, "test_step_1", {}, "Doc.")
    assert source.split("\n")[2:] == [
        "    import importlib",
        "    import textgen_course.exercises.lstm_context",
        "    importlib.reload(textgen_course.exercises.lstm_context)",
        "    from textgen_course.exercises.lstm_context import check_lstm_step",
        "    assert check_lstm_step(lstm_step), 'check_lstm_step did not return True'",
    ]


def test_master_notebook_is_in_otter_v1_format_with_one_question_per_exercise():
    master = assignments.master_notebook(nbformat.read(FIXTURE, as_version=4), "exercise_chapter",
                                         points={"fixture-softmax": 3})
    blocks = raw_blocks(master)
    assert blocks[0] == "# ASSIGNMENT CONFIG"
    assert blocks.count("# BEGIN QUESTION") == blocks.count("# END QUESTION") == 3
    assert blocks.count("# BEGIN SOLUTION") == blocks.count("# END SOLUTION") == 3
    assert blocks.count("# BEGIN TESTS") == 2  # the experiment has no check, so no test
    questions = [cell.source for cell in master.cells if cell.source.startswith("# BEGIN QUESTION")]
    assert "name: fixture-softmax\npoints: 3" in questions[1]
    assert "manual: true" in questions[2] and "manual" not in questions[0]
    tests = [cell.source for cell in master.cells if cell.source.startswith("# HIDDEN")]
    assert len(tests) == 2 and all("def test_fixture_" in test for test in tests)
    solutions = [cell.source for cell in master.cells if "# BEGIN SOLUTION NO PROMPT" in cell.source]
    assert solutions[0].startswith('r""" # BEGIN PROMPT\nanswer_shape = ...\n"""; # END PROMPT')


def test_master_notebook_rejects_points_for_an_exercise_it_does_not_have():
    with pytest.raises(ValueError, match="--points names no exercise of exercise_chapter: fixture-typo"):
        assignments.master_notebook(nbformat.read(FIXTURE, as_version=4), "exercise_chapter",
                                    points={"fixture-typo": 2})


# ---- assign and grade, end to end ------------------------------------------------------------

@pytest.fixture(scope="module")
def assignment(tmp_path_factory):
    output = tmp_path_factory.mktemp("assignments")
    return assignments.assign(FIXTURE, output, files=[FIXTURES / "fixture_checks.py"])


def test_assign_writes_the_student_notebook_the_autograder_zip_and_a_readme(assignment):
    assert assignment.student_notebook.exists() and assignment.autograder_zip.suffix == ".zip"
    assert assignment.questions == {"fixture-predict": 1, "fixture-softmax": 1}
    assert assignment.manual_questions == {"fixture-experiment": 1}
    assert assignments.question_points(assignment.autograder_zip) == {"fixture-predict": 1, "fixture-softmax": 1}
    assert "| `fixture-experiment` | 1 | read and graded by hand |" in (assignment.folder / "README.md").read_text()


def test_assignment_student_notebook_has_the_same_stubs_as_the_student_notebooks(assignment):
    from_otter = nbformat.read(assignment.student_notebook, as_version=4)
    ours = editions.student_notebook(nbformat.read(FIXTURE, as_version=4), "exercise_chapter")

    def answers(notebook):
        return [cell.source for cell in notebook.cells if "answer" in cell.metadata.get("tags", [])]

    assert answers(from_otter) == answers(ours)
    assert not any("solution" in cell.metadata.get("tags", []) for cell in from_otter.cells)
    assert "np.exp(scaled" not in "\n".join(cell.source for cell in from_otter.cells)


def test_assignment_student_notebook_fails_only_at_the_unanswered_checks(assignment):
    assert editions.verify_student_notebook(assignment.student_notebook, cwd=assignment.student_notebook.parent) == []


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
    assignments.grade("exercise_chapter", submissions, output, timeout=300,
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
    questions = assignments.question_points(assignment.autograder_zip)
    result = assignments.grade_submission(path, assignment.autograder_zip, questions, timeout=8)
    assert result.error == "did not finish in 8 s (an endless loop?)"
    assert result.scores == {"fixture-predict": 0.0, "fixture-softmax": 0.0}


def test_grade_explains_a_missing_assignment(tmp_path):
    (tmp_path / "subs").mkdir()
    with pytest.raises(ValueError, match="run `python3 tasks.py assign lstm_context` first"):
        assignments.grade("lstm_context", tmp_path / "subs", tmp_path / "grades.csv", assignments=tmp_path)


def test_fixture_checks_follow_the_course_contract():
    """The fixture stands in for a chapter's checks: True when right, WrongAnswer naming the mistake."""
    assert fixture_checks.check_answer_shape((4, 10), quiet=True) is True
    with pytest.raises(fixture_checks.WrongAnswer, match="not answered yet"):
        fixture_checks.check_answer_shape(...)
    with pytest.raises(fixture_checks.WrongAnswer, match="placeholder"):
        fixture_checks.check_softmax(lambda logits, temperature=1.0: None)
