"""The student edition: stubs, student notebooks, and the student HTML book (authoring/editions.py).

Uses tests/fixtures/exercise_chapter.ipynb, a small chapter in the course's exercise format
(a predict, an implement and an experiment exercise) whose checks (fixture_checks.py) need no
Keras, so a notebook runs in seconds. The chapters in book/ are checked for structure here;
executing their student notebooks takes about as long as the chapters themselves, so that runs
as `python3 tasks.py student-notebooks --execute` (CI), not in this file.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from authoring import editions
from authoring.chapter_exercises import PLACEHOLDER, find_directives, plan_chapter, stub_solution
from authoring.editions import student_notebook

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "exercise_chapter.ipynb"

STAGE_CHAPTERS = ["embedding", "lstm_context", "lstm_summary", "softmax_head", "learning", "data_flow",
                  "why_two_lstms"]


def fixture_notebook():
    return nbformat.read(FIXTURE, as_version=4)


def code_cells(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


# ---- stubs ----------------------------------------------------------------------------------


# ---- the exercise structure ------------------------------------------------------------------


# ---- student notebooks -----------------------------------------------------------------------

def test_student_notebook_keeps_no_solution_code_or_prose():
    student = student_notebook(fixture_notebook(), "exercise_chapter")
    everything = "\n".join(cell.source for cell in student.cells)
    for solution_text in ["(4, 10)", "np.exp(scaled", "One row per context", "sharpens", "solution-start",
                          "solution-end", "for temperature in"]:
        assert solution_text not in everything
    assert not any("solution" in cell.metadata.get("tags", []) for cell in student.cells)
    answers = [cell.source for cell in student.cells if "answer" in cell.metadata.get("tags", [])]
    assert answers == ["answer_shape = ...",
                       'def softmax(logits, temperature=1.0):\n    """Probabilities along the last axis of logits '
                       '/ temperature."""\n    ...\n\n\n' + PLACEHOLDER,
                       PLACEHOLDER]


def test_student_notebook_keeps_every_other_cell_and_its_outputs():
    instructor = fixture_notebook()
    student = student_notebook(instructor, "exercise_chapter")
    kept = [cell for cell in instructor.cells if cell.cell_type == "code"
            and not set(cell.metadata.get("tags", [])) & {"solution", "check"}]
    student_by_source = {cell.source: cell for cell in student.cells if cell.cell_type == "code"}
    for cell in kept:
        assert student_by_source[cell.source].outputs == cell.outputs
    assert "That is all: a cell after the exercises still runs in the student notebook." in [
        cell.source for cell in student.cells]
    assert "```{exercise} Experiment: the temperature" in "\n".join(cell.source for cell in student.cells)


def test_student_notebook_clears_check_outputs_and_marks_each_exercise_last_check_for_the_grader():
    student = student_notebook(fixture_notebook(), "exercise_chapter")
    checks = [cell for cell in student.cells if "check" in cell.metadata.get("tags", [])]
    assert [cell.outputs for cell in checks] == [[], []]
    assert [cell.metadata["otter"]["tests"] for cell in checks] == [["fixture-predict"], ["fixture-softmax"]]


def test_an_experiment_gets_a_written_answer_cell_where_its_solution_explained_the_result():
    student = student_notebook(fixture_notebook(), "exercise_chapter")
    sources = [cell.source for cell in student.cells]
    assert sources.count(editions.WRITTEN_ANSWER) == 1  # the experiment; the predict exercise has a check
    assert sources.index(editions.WRITTEN_ANSWER) > sources.index(PLACEHOLDER)


@pytest.mark.notebook
def test_student_notebook_runs_and_fails_only_at_the_unanswered_checks(tmp_path):
    [path] = editions.write_student_notebooks([FIXTURE], tmp_path)
    assert editions.verify_student_notebook(path, cwd=FIXTURES) == []


@pytest.mark.notebook
def test_verify_reports_a_check_that_passes_a_stub_and_an_ordinary_cell_that_fails(tmp_path):
    student = student_notebook(fixture_notebook(), "exercise_chapter")
    first_check = next(cell for cell in student.cells if "check" in cell.metadata.get("tags", []))
    first_check.source = "print('a check that accepts anything')"
    student.cells.append(nbformat.v4.new_code_cell("1 / 0"))
    path = tmp_path / "broken_student.ipynb"
    nbformat.write(student, path)
    problems = editions.verify_student_notebook(path, cwd=FIXTURES)
    assert len(problems) == 2
    assert "(check) passed with the solution removed" in problems[0]
    assert "(untagged) failed: ZeroDivisionError" in problems[1]


# ---- the chapters in book/ -------------------------------------------------------------------

CHAPTERS = editions.chapters()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_chapter_exercise_structure_gives_a_student_notebook_without_solutions(chapter):
    instructor = nbformat.read(chapter, as_version=4)
    plan = plan_chapter(instructor, chapter.stem)
    student = student_notebook(instructor, chapter.stem)
    student_lines = {line for cell in student.cells for line in cell.source.split("\n")}
    # a line the chapter also has outside its solutions (an import, a print) may stay
    shared_lines = {line for piece in plan.pieces if piece.role != "solution" for line in piece.source.split("\n")}
    for piece in (piece for piece in plan.pieces if piece.role == "solution"):
        stub_lines = set(stub_solution(piece.source).split("\n")) if piece.cell_type == "code" else set()
        if piece.cell_type == "code":
            compile(stub_solution(piece.source), f"{chapter.stem} cell {piece.cell_index} stub", "exec")
        leaked = [line for line in piece.source.split("\n") if line.strip() and line in student_lines
                  and line not in stub_lines and line not in shared_lines]
        assert not leaked, f"{chapter.stem} cell {piece.cell_index}: solution lines in the student notebook: {leaked}"
    assert not any(d.name.startswith("solution") for cell in student.cells if cell.cell_type == "markdown"
                   for d in find_directives(cell.source))


@pytest.mark.parametrize("chapter", CHAPTERS + [FIXTURE], ids=[path.stem for path in CHAPTERS + [FIXTURE]])
def test_every_solution_is_a_collapsed_dropdown_in_the_instructor_edition(chapter):
    notebook = nbformat.read(chapter, as_version=4)
    starts = [directive for cell in notebook.cells if cell.cell_type == "markdown"
              for directive in find_directives(cell.source) if directive.name in ("solution-start", "solution")]
    open_ones = [d.argument for d in starts if "dropdown" not in d.options.get("class", "").split()]
    assert not open_ones, f"{chapter.stem}: solutions without ':class: dropdown': {open_ones}"


@pytest.mark.parametrize("chapter", STAGE_CHAPTERS)
def test_each_stage_chapter_has_three_exercises_with_a_checked_one_and_an_experiment(chapter):
    path = ROOT / "book" / f"{chapter}.ipynb"
    if not path.exists():
        pytest.skip(f"book/{chapter}.ipynb is not written yet")
    plan = plan_chapter(nbformat.read(path, as_version=4), chapter)
    assert len(plan.exercises) >= 3, f"{chapter} has {len(plan.exercises)} exercises"
    assert any(e.autograded for e in plan.exercises), f"{chapter}: no exercise has a check"
    assert any(not e.autograded for e in plan.exercises), f"{chapter}: no experiment (an exercise without a check)"


# ---- the two editions of the HTML book -------------------------------------------------------

def page_text(path: Path) -> str:
    """The visible text of a built page: scripts dropped, tags stripped, entities decoded."""
    page = re.sub(r"<script.*?</script>", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def built_editions(tmp_path_factory):
    """A one-chapter book from the fixture, built as the instructor and as the student edition.

    The student configuration is the one `python3 tasks.py book --student` uses, generated from
    the real _config.yml; the two builds share one execution cache, as they do for the book.
    """
    source = tmp_path_factory.mktemp("book")
    build = source / "_build"
    for file in (FIXTURE, FIXTURES / "fixture_checks.py"):
        (source / file.name).write_bytes(file.read_bytes())
    (source / "book").mkdir()
    (source / "book" / "web").symlink_to(ROOT / "book" / "web")
    (source / "_toc.yml").write_text("format: jb-book\nroot: exercise_chapter\n")
    instructor = yaml.safe_load((ROOT / "_config.yml").read_text())
    instructor["execute"]["cache"] = str(build / ".jupyter_cache")
    extensions = instructor.get("sphinx", {}).get("local_extensions") or {}
    instructor["sphinx"]["local_extensions"] = {name: str(ROOT / folder) for name, folder in extensions.items()}
    student = editions.student_config(build=build)
    pages = {}
    for edition, config in (("instructor", instructor), ("student", student)):
        config_path = source / f"_config_{edition}.yml"
        config_path.write_text(yaml.safe_dump(config))
        result = subprocess.run(
            [str(Path(sys.executable).parent / "jupyter-book"), "build", str(source), "--config", str(config_path),
             "--path-output", str(source / edition), "-W", "-n", "--keep-going"],
            capture_output=True, text=True, cwd=source)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        pages[edition] = source / edition / "_build" / "html"
    return pages


@pytest.mark.notebook
def test_instructor_edition_shows_the_solutions_as_collapsed_dropdowns(built_editions):
    page = built_editions["instructor"] / "exercise_chapter.html"
    assert page.read_text().count('class="solution dropdown admonition"') == 3
    text = page_text(page)
    for solution_text in ["answer_shape = (4, 10)", "def softmax", "One row per context", "sharpens"]:
        assert solution_text in text


@pytest.mark.notebook
def test_student_edition_has_the_exercises_but_no_solution_code_prose_or_check_output(built_editions):
    page = built_editions["student"] / "exercise_chapter.html"
    assert "solution" not in page.read_text().lower()
    text = page_text(page)
    for solution_text in ["answer_shape = (4, 10)", "def softmax", "One row per context", "sharpens",
                          "✓"]:
        assert solution_text not in text
    for exercise_text in ["Predict a shape", "example_logits = np.array", "check_softmax(softmax)",
                          "Experiment: the temperature", "That is all", 'print("done")']:
        assert exercise_text in text


@pytest.mark.notebook
def test_student_edition_download_button_serves_the_student_notebook(built_editions, tmp_path):
    html_folder = built_editions["student"]
    notebooks = editions.write_student_notebooks([FIXTURE], tmp_path)
    assert editions.replace_downloads(html_folder, notebooks) == 1
    served = nbformat.read(html_folder / "_sources" / "exercise_chapter.ipynb", as_version=4)
    assert "answer_shape = ..." in code_cells(served)


def test_student_config_hides_solutions_and_drops_launch_buttons_unless_given_a_student_repository():
    config = editions.student_config()
    assert config["sphinx"]["config"]["hide_solutions"] is True
    assert "authoring.student_edition" in config["sphinx"]["extra_extensions"]
    assert all(Path(folder).is_absolute() for folder in config["sphinx"]["local_extensions"].values())
    assert "colab_url" not in config["launch_buttons"] and "binderhub_url" not in config["launch_buttons"]
    original = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["exclude_patterns"] == original["exclude_patterns"]
    with_repository = editions.student_config("https://github.com/example/course-student", "spring")
    assert with_repository["repository"]["url"] == "https://github.com/example/course-student"
    assert with_repository["launch_buttons"] == original["launch_buttons"]


# ---- one execution for both editions (the test run's nbval over checked notebooks) ---------------

def test_checked_notebook_runs_each_exercise_again_as_the_student_has_it():
    instructor = fixture_notebook()
    checked = editions.checked_notebook(instructor, "exercise_chapter")
    added = [index for index, cell in enumerate(checked.cells)
             if editions.AS_STUDENT_TAG in cell.metadata.get("tags", [])]
    # after each exercise's last check (or its last solution cell): its stubs, then its checks once more
    assert added == [6, 7, 14, 15, 18]
    assert checked.cells[6].source == "answer_shape = ..."
    assert checked.cells[7].source.startswith("try:  # as-student") and "check_answer_shape(answer_shape)" in \
        checked.cells[7].source
    assert checked.cells[14].source.startswith("def softmax(logits, temperature=1.0):")
    assert "check_softmax(softmax)" in checked.cells[15].source
    kept = [cell for cell in checked.cells if editions.AS_STUDENT_TAG not in cell.metadata.get("tags", [])]
    assert [cell.source for cell in kept] == [cell.source for cell in instructor.cells]  # every original cell
    assert all(not checked.cells[i].get("outputs") for i in added)  # nothing new for nbval to compare


def _nbval(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", str(path), "--nbval", "-p", "no:cacheprovider", "-q",
                           "--rootdir", str(path.parent)], capture_output=True, text=True, cwd=path.parent)


@pytest.mark.notebook
def test_one_nbval_run_checks_the_chapter_and_its_student_edition(tmp_path):
    shutil.copy(FIXTURES / "fixture_checks.py", tmp_path)
    path = tmp_path / "exercise_chapter.ipynb"
    nbformat.write(editions.checked_notebook(fixture_notebook(), "exercise_chapter"), path)
    passed = _nbval(path)
    assert passed.returncode == 0, passed.stdout[-3000:]


@pytest.mark.notebook
def test_the_checked_notebook_fails_on_a_check_that_passes_a_stub_and_on_a_cell_needing_a_solution(tmp_path):
    shutil.copy(FIXTURES / "fixture_checks.py", tmp_path)
    accepting = fixture_notebook()
    first_check = next(cell for cell in accepting.cells if "check" in cell.metadata.get("tags", []))
    first_check.source, first_check.outputs = "print('a check that accepts anything')", []
    needing = fixture_notebook()
    needing.cells.append(nbformat.v4.new_code_cell("print(softmax(logits).shape)"))  # uses a solution
    for name, notebook, message in (("accepting", accepting, "the check passed with the solution removed"),
                                    ("needing", needing, "AttributeError")):
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(editions.checked_notebook(notebook, "exercise_chapter"), path)
        failed = _nbval(path)
        assert failed.returncode != 0 and message in failed.stdout, failed.stdout[-3000:]
