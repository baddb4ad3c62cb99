"""The student edition, from the same chapters as the instructor edition.

    .venv/bin/python scripts/editions.py student-notebooks [book/lstm_context.ipynb ...] [--execute]
    .venv/bin/python scripts/editions.py student-book [--launch-repository URL]

(`python3 tasks.py student-notebooks` and `python3 tasks.py book --student` call these.)

A chapter's exercises follow CONTRIBUTING.md (scripts/chapter_exercises.py reads them).

- A student notebook is the chapter with every solution removed: the solution's Markdown is
  deleted, each solution code cell is replaced by a stub (`stub_solution`), check cells lose their
  outputs. Every other cell, and its stored output, is unchanged.
- The student edition of the HTML book is built from the same chapters with a configuration
  generated from _config.yml (`hide_solutions: true` plus scripts/student_edition.py, which
  removes the solutions' code cells too); its "download .ipynb" button serves the student
  notebooks.
- `verify_student_notebook` runs a student notebook cell by cell and checks that the only cells
  that fail are the checks of the unanswered exercises, each with a WrongAnswer that tells the
  learner the answer is still missing.
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .chapter_exercises import (
    CHECK, CHECK_TAG, SOLUTION, SOLUTION_TAG, Piece, cell_tags, find_directives, plan_chapter, stub_solution,
)

ROOT = Path(__file__).resolve().parents[1]  # the repository: book/, _config.yml
BUILD = ROOT / "_build"
STUDENT_BUILD = BUILD / "student"
STUDENT_NOTEBOOKS = STUDENT_BUILD / "notebooks"

ANSWER_TAG = "answer"  # what a solution cell is tagged in the student notebook
# Where a solution explained a result in prose, an exercise without a check gets this cell
# (the text otter-grader's assignments use for a written answer, too).
WRITTEN_ANSWER = "_Type your answer here, replacing this text._"
# What a check says about an unanswered exercise (textgen_course/exercises/checking.py).
UNANSWERED_MESSAGE = re.compile(r"not answered yet|placeholder", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Student notebooks

def student_notebook(notebook, name: str = "notebook"):
    """The student version of a chapter: solutions removed, stubs in their place.

    Markdown loses the solutions' lines (a cell left empty is dropped); each solution code cell
    becomes `stub_solution(source)`, tagged `answer` instead of `solution`, without outputs;
    check cells lose their outputs (a ✓ line may restate the answer). The last check cell of
    each exercise carries `metadata.otter.tests = [label]`, so otter-grader runs the
    exercise's hidden test right there when it grades a submitted student notebook.
    """
    plan = plan_chapter(notebook, name)
    student = copy.deepcopy(notebook)
    pieces_by_cell: dict[int, list[Piece]] = {}
    for piece in plan.pieces:
        pieces_by_cell.setdefault(piece.cell_index, []).append(piece)
    last_checks = {exercise.check_cells[-1]: exercise.label for exercise in plan.exercises if exercise.check_cells}
    written_answer_needed = {exercise.label for exercise in plan.exercises if not exercise.autograded}
    cells = []
    for index, cell in enumerate(student.cells):
        pieces = pieces_by_cell.get(index, [])
        if cell.cell_type == "markdown":
            if all(piece.role != SOLUTION for piece in pieces):
                cells.append(cell)
                continue
            for source in _student_markdown(pieces, written_answer_needed):
                cells.append(nbformat.v4.new_markdown_cell(source, metadata=copy.deepcopy(cell.metadata)))
            continue
        if cell.cell_type == "code" and pieces and pieces[0].role == SOLUTION:
            cell.source = stub_solution(cell.source)
            cell.outputs, cell.execution_count = [], None
            cell.metadata["tags"] = [ANSWER_TAG if tag == SOLUTION_TAG else tag for tag in cell_tags(cell)]
            if ANSWER_TAG not in cell.metadata["tags"]:
                cell.metadata["tags"].append(ANSWER_TAG)
        elif cell.cell_type == "code" and pieces and pieces[0].role == CHECK:
            cell.outputs, cell.execution_count = [], None
            if index in last_checks:
                cell.metadata.setdefault("otter", {})["tests"] = [last_checks[index]]
        cells.append(cell)
    student.cells = cells
    student.metadata["textgen_course"] = {"edition": "student", "chapter": name}
    return student


def _student_markdown(pieces: list[Piece], written_answer_needed: set[str]) -> list[str]:
    """The Markdown cells that replace one cell holding solution text.

    Solution pieces are dropped. The first solution prose of an exercise without a check (an
    experiment, an explanation) becomes WRITTEN_ANSWER, where the learner writes what they found;
    `written_answer_needed` loses that label. Consecutive kept pieces stay one cell.
    """
    sources: list[str] = []
    kept: list[str] = []
    for piece in pieces:
        if piece.role != SOLUTION:
            kept.append(piece.source)
            continue
        if piece.label in written_answer_needed and _has_prose(piece.source):
            written_answer_needed.discard(piece.label)
            if kept:
                sources.append("\n\n".join(kept))
                kept = []
            sources.append(WRITTEN_ANSWER)
    if kept:
        sources.append("\n\n".join(kept))
    return sources


def _has_prose(markdown: str) -> bool:
    """True when the text holds more than directives (a solution's explanation, not its fences)."""
    lines = markdown.split("\n")
    for directive in find_directives(markdown):
        lines[directive.first_line:directive.last_line + 1] = [""] * (directive.last_line - directive.first_line + 1)
    return any(line.strip() for line in lines)


def chapters(root: Path = ROOT) -> list[Path]:
    """The chapter notebooks under book/, in file order."""
    return sorted((root / "book").glob("*.ipynb"))


def write_student_notebooks(paths: list[Path], output: Path = STUDENT_NOTEBOOKS) -> list[Path]:
    """Write the student version of each chapter to output/<chapter>.ipynb; return the paths."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        destination = output / path.name
        nbformat.write(student_notebook(notebook, path.stem), destination)
        written.append(destination)
    return written


@dataclass
class CellOutcome:
    index: int
    tags: list[str]
    error: str | None  # "ExceptionName: message" when the cell raised


def execute_cells(path: Path, cwd: Path, timeout: int = 300) -> list[CellOutcome]:
    """Run every code cell of a notebook in a fresh kernel, going on after errors."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    outcomes = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        errors = [output for output in cell.outputs if output.get("output_type") == "error"]
        error = f"{errors[0]['ename']}: {errors[0]['evalue']}" if errors else None
        outcomes.append(CellOutcome(index, cell_tags(cell), error))
    return outcomes


def verify_student_notebook(path: Path, cwd: Path, timeout: int = 300) -> list[str]:
    """Problems with a student notebook: [] when it fails exactly where it should.

    Every check cell must fail with WrongAnswer and a message saying the answer is missing (a
    check that passes a stub is a bug); every other cell must run without an error.
    """
    problems = []
    for outcome in execute_cells(path, cwd, timeout):
        if CHECK_TAG in outcome.tags:
            if outcome.error is None:
                problems.append(f"cell {outcome.index} (check) passed with the solution removed")
            elif not (outcome.error.startswith("WrongAnswer:") and UNANSWERED_MESSAGE.search(outcome.error)):
                problems.append(f"cell {outcome.index} (check) did not say the answer is missing: {outcome.error}")
        elif outcome.error is not None:
            problems.append(f"cell {outcome.index} ({', '.join(outcome.tags) or 'untagged'}) failed: {outcome.error}")
    return problems


# --------------------------------------------------------------------------------------------
# One execution for both editions: the chapter, then its exercises as the student meets them

CHECKED_NOTEBOOKS = ROOT / ".nbval-checked"  # beside book/, so "../bench/..." resolves as it does there
AS_STUDENT_TAG = "as-student"  # the cells checked_notebook adds


def _unanswered_check(source: str) -> str:
    """A check cell that must fail the way it fails for a student who has not answered yet."""
    body = textwrap.indent(source.rstrip() or "pass", "    ")
    return (f"try:  # {AS_STUDENT_TAG}: the solution is a stub here, so the check must say it is unanswered\n"
            f"{body}\n"
            "except Exception as error:\n"
            "    if type(error).__name__ != 'WrongAnswer' or not __import__('re').search(\n"
            f"            {UNANSWERED_MESSAGE.pattern!r}, str(error), __import__('re').IGNORECASE):\n"
            "        raise AssertionError(f'the check did not say the answer is missing: {error!r}') from error\n"
            "else:\n"
            "    raise AssertionError('the check passed with the solution removed')\n")


def checked_notebook(notebook, name: str = "notebook"):
    """The chapter as nbval runs it in the test run: every cell with its stored outputs, and after
    each exercise's last check, the exercise once more as the student edition has it.

    After an exercise's solution and checks have run (and nbval has compared their outputs), its
    solution cells run again as student stubs (`stub_solution`), and each check runs again,
    wrapped so that it must fail with WrongAnswer saying the answer is missing. Every later cell
    then runs with the stubs in place, as in a student notebook: a cell that depended on a
    solution would fail here. So one execution does what nbval over the chapter and
    `student-notebooks --execute` did with two. The added cells have no outputs (never compared)
    and carry the tag AS_STUDENT_TAG.
    """
    plan = plan_chapter(notebook, name)
    after: dict[int, list] = {}
    for exercise in plan.exercises:
        if not exercise.solution_cells:
            continue
        last = max([*exercise.solution_cells, *exercise.check_cells])
        added = after.setdefault(last, [])
        for index in exercise.solution_cells:
            added.append(nbformat.v4.new_code_cell(stub_solution(notebook.cells[index].source),
                                                   metadata={"tags": [AS_STUDENT_TAG]}))
        for index in exercise.check_cells:
            added.append(nbformat.v4.new_code_cell(_unanswered_check(notebook.cells[index].source),
                                                   metadata={"tags": [AS_STUDENT_TAG]}))
    checked = copy.deepcopy(notebook)
    checked.cells = [cell for index, original in enumerate(checked.cells) for cell in [original, *after.get(index, [])]]
    return checked


def write_checked_notebooks(paths: list[Path], output: Path = CHECKED_NOTEBOOKS) -> list[Path]:
    """Write checked_notebook of each chapter to output/<chapter>.ipynb (a fresh folder); return the paths."""
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    written = []
    for path in paths:
        destination = output / path.name
        nbformat.write(checked_notebook(nbformat.read(path, as_version=4), path.stem), destination)
        written.append(destination)
    return written


# --------------------------------------------------------------------------------------------
# The student edition of the book

def config_from_outputs(source: Path = ROOT / "_config.yml") -> dict:
    """_config.yml for a build that executes nothing: every page shows the chapter's committed outputs.

    The test run builds the book this way: nbval has executed every chapter once and shown that a
    fresh run reproduces what is committed, so the build need not execute them again.
    `python3 tasks.py book` still executes every chapter (cached).
    """
    import yaml

    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    return _with_absolute_extensions(config, source)


def _with_absolute_extensions(config: dict, source: Path) -> dict:
    """Jupyter Book resolves local extensions' folders against the configuration file's folder, and a
    generated file lives under _build/: make them absolute."""
    sphinx = config.setdefault("sphinx", {})
    extensions = sphinx.get("local_extensions") or {}
    sphinx["local_extensions"] = {name: str((source.parent / folder).resolve()) for name, folder in extensions.items()}
    return config


def write_config(config: dict, path: Path) -> Path:
    """Write a generated configuration (with a header saying where it comes from)."""
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Generated by authoring/editions.py from _config.yml: edit _config.yml, not this file.\n"
    path.write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def student_config(launch_repository: str | None = None, launch_branch: str = "main",
                   source: Path = ROOT / "_config.yml", build: Path = BUILD, from_outputs: bool = False) -> dict:
    """The student edition's configuration: _config.yml with the solutions hidden.

    - `hide_solutions: true`, and tools/student_edition.py, which also removes gated
      solutions' code cells, any `solution` cell and the checks' outputs;
    - local extensions' folders made absolute (the file is written to _build/student/);
    - the instructor build's execution cache, so an unchanged chapter is not executed again
      (from_outputs: nothing is executed, the pages show the committed outputs, as in the test run);
    - launch buttons (Binder, JupyterHub, Colab, live code) open the repository's notebooks,
      which hold the solutions: they are left out, unless `launch_repository` names a
      repository (and branch) whose book/ holds the student notebooks.
    """
    config = config_from_outputs(source) if from_outputs else _with_absolute_extensions(
        yaml_load(source), source)
    config["title"] = f"{config.get('title', 'Book')} (student edition)"
    if not from_outputs:
        config.setdefault("execute", {})["cache"] = str((build / ".jupyter_cache").resolve())
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["hide_solutions"] = True
    # authoring/ is on the venv's path (tasks.py setup): no folder to put on sys.path
    sphinx["extra_extensions"] = [*sphinx.get("extra_extensions", []), "authoring.student_edition"]
    if launch_repository:
        config.setdefault("repository", {}).update(url=launch_repository, branch=launch_branch)
    else:
        config["launch_buttons"] = {"notebook_interface": config.get("launch_buttons", {}).get(
            "notebook_interface", "jupyterlab"), "thebe": False}
    return config


def yaml_load(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build_student_book(launch_repository: str | None = None, launch_branch: str = "main",
                       extra_arguments: tuple[str, ...] = (), from_outputs: bool = False) -> Path:
    """Build the student edition into _build/student/_build/html; return the HTML folder.

    from_outputs: execute nothing and show the committed outputs (the test run, after nbval).
    """
    config_path = write_config(student_config(launch_repository, launch_branch, from_outputs=from_outputs),
                               STUDENT_BUILD / "_config.yml")
    notebooks = write_student_notebooks(chapters())
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--config", str(config_path),
               "--path-output", str(STUDENT_BUILD), "-W", "-n", "--keep-going", *extra_arguments]
    print("$ " + " ".join(command), flush=True)
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise SystemExit("The student edition did not build; the messages above say why.")
    html = STUDENT_BUILD / "_build" / "html"
    replace_downloads(html, notebooks)
    return html


def replace_downloads(html: Path, student_notebooks: list[Path]) -> int:
    """Make the pages' "download .ipynb" serve the student notebooks; return how many were replaced."""
    replaced = 0
    for notebook in student_notebooks:
        for copied_source in (html / "_sources").rglob(notebook.name):
            shutil.copyfile(notebook, copied_source)
            replaced += 1
    return replaced


# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    notebooks = commands.add_parser("student-notebooks", help="write the student notebooks")
    notebooks.add_argument("notebooks", nargs="*", type=Path, help="chapters (default: every book/*.ipynb)")
    notebooks.add_argument("--output", type=Path, default=STUDENT_NOTEBOOKS)
    notebooks.add_argument("--execute", action="store_true",
                           help="also run each one and check it fails only at the unanswered exercises' checks")
    book = commands.add_parser("student-book", help="build the student edition of the HTML book")
    book.add_argument("--launch-repository", help="a repository whose book/ holds the student notebooks")
    book.add_argument("--launch-branch", default="main")
    book.add_argument("--from-outputs", action="store_true",
                      help="execute nothing: the pages show the committed outputs (what the test run builds)")
    checked = commands.add_parser("checked-notebooks", help="write each chapter with its exercises run again as "
                                  "the student has them, for one nbval run (the test run)")
    checked.add_argument("--output", type=Path, default=CHECKED_NOTEBOOKS)
    outputs = commands.add_parser("config-from-outputs",
                                  help="write _config.yml for a build that executes nothing, print its path")
    outputs.add_argument("--output", type=Path, default=BUILD / "from-outputs" / "_config.yml")
    args, extra = parser.parse_known_args(argv)

    if args.command == "checked-notebooks":
        for path in write_checked_notebooks(chapters(), args.output):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        return 0
    if args.command == "config-from-outputs":
        print(write_config(config_from_outputs(), args.output))
        return 0
    if args.command == "student-book":
        html = build_student_book(args.launch_repository, args.launch_branch, tuple(extra), args.from_outputs)
        print(f"Student edition: {html.relative_to(ROOT)}/index.html")
        return 0
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    sources = [path.resolve() for path in args.notebooks] or chapters()
    try:
        written = write_student_notebooks(sources, args.output)
    except ValueError as error:  # a chapter's exercise structure is broken: say where
        print(f"error: {error}", file=sys.stderr)
        return 1
    for source, path in zip(sources, written):
        plan = plan_chapter(nbformat.read(source, as_version=4), source.stem)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{len(plan.exercises)} exercises, {sum(e.autograded for e in plan.exercises)} with a check")
    if not args.execute:
        return 0
    failures = 0
    for source, path in zip(sources, written):
        started = time.perf_counter()
        problems = verify_student_notebook(path, cwd=source.parent)
        verdict = "fails only at the unanswered checks" if not problems else f"{len(problems)} problem(s)"
        print(f"{path.name:<28} {time.perf_counter() - started:6.1f} s  {verdict}", flush=True)
        for problem in problems:
            print(f"    {problem}")
        failures += bool(problems)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
