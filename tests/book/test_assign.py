"""Assignments with otter-grader (authoring/assign.py), end to end on the fixture.

The fixture chapter (tests/fixtures/exercise_chapter.ipynb) has two autograded exercises and an
experiment. `otter assign` builds the assignment once for this file; then a correct, a partly
wrong, a broken and an unreadable submission are graded with `otter run`, several at a time.
"""

from __future__ import annotations

import importlib.util

import nbformat
import pytest

from conftest import CORRECT_SOFTMAX, FIXTURE_CHAPTER as FIXTURE, FIXTURES
from authoring import assign as assignments
from authoring import editions
from authoring.grade import question_points

# the fixture chapter's checks module, read from its file (the assignment ships it beside the notebook)
_spec = importlib.util.spec_from_file_location("fixture_checks", FIXTURES / "fixture_checks.py")
fixture_checks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture_checks)

# otter-grader 7.0.0 imports traitlets code that warns on import; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:Traits should be given as instances:DeprecationWarning")

def raw_blocks(notebook) -> list[str]:
    return [cell.source.split("\n")[0] for cell in notebook.cells if cell.cell_type == "raw"]


# ---- the master notebook ---------------------------------------------------------------------

def test_hidden_test_imports_the_checks_afresh_and_takes_the_answer_from_the_notebook(monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES))  # where an assignment ships fixture_checks.py, beside the notebook
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


# ---- assign, end to end (the `assignment` fixture is in conftest.py) --------------------------

@pytest.mark.notebook
def test_assign_writes_the_student_notebook_the_autograder_zip_and_a_readme(assignment):
    assert assignment.student_notebook.exists() and assignment.autograder_zip.suffix == ".zip"
    assert assignment.questions == {"fixture-predict": 1, "fixture-softmax": 1}
    assert assignment.manual_questions == {"fixture-experiment": 1}
    assert question_points(assignment.autograder_zip) == {"fixture-predict": 1, "fixture-softmax": 1}
    assert "| `fixture-experiment` | 1 | read and graded by hand |" in (assignment.folder / "README.md").read_text()


@pytest.mark.notebook
def test_assignment_student_notebook_has_the_same_stubs_as_the_student_notebooks(assignment):
    from_otter = nbformat.read(assignment.student_notebook, as_version=4)
    ours = editions.student_notebook(nbformat.read(FIXTURE, as_version=4), "exercise_chapter")

    def answers(notebook):
        return [cell.source for cell in notebook.cells if "answer" in cell.metadata.get("tags", [])]

    assert answers(from_otter) == answers(ours)
    assert not any("solution" in cell.metadata.get("tags", []) for cell in from_otter.cells)
    assert "np.exp(scaled" not in "\n".join(cell.source for cell in from_otter.cells)


@pytest.mark.notebook
def test_assignment_student_notebook_fails_only_at_the_unanswered_checks(assignment):
    assert editions.verify_student_notebook(assignment.student_notebook, cwd=assignment.student_notebook.parent) == []


def test_fixture_checks_follow_the_course_contract():
    """The fixture stands in for a chapter's checks: True when right, WrongAnswer naming the mistake."""
    assert fixture_checks.check_answer_shape((4, 10), quiet=True) is True
    with pytest.raises(fixture_checks.WrongAnswer, match="not answered yet"):
        fixture_checks.check_answer_shape(...)
    with pytest.raises(fixture_checks.WrongAnswer, match="placeholder"):
        fixture_checks.check_softmax(lambda logits, temperature=1.0: None)
