"""The student edition, from the same chapters as the instructor edition.

    .venv/bin/python scripts/editions.py student-notebooks [book/lstm_context.ipynb ...] [--execute]
    .venv/bin/python scripts/editions.py student-book [--launch-repository URL]

(`python3 tasks.py student-notebooks` and `python3 tasks.py book --student` call these.)

A chapter's exercises follow CONTRIBUTING.md: a `{exercise}` directive with a `:label:`, code
cells tagged `starter`, a gated solution (`{solution-start} <label>` ... `{solution-end}`) whose
code cells are tagged `solution`, then code cells tagged `check` that call the self-check.

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
import ast
import copy
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
STUDENT_BUILD = BUILD / "student"
STUDENT_NOTEBOOKS = STUDENT_BUILD / "notebooks"

SOLUTION_TAG, CHECK_TAG, STARTER_TAG = "solution", "check", "starter"
ANSWER_TAG = "answer"  # what a solution cell is tagged in the student notebook
PLACEHOLDER = "# your code here"
# Where a solution explained a result in prose, an exercise without a check gets this cell
# (the text otter-grader's assignments use for a written answer, too).
WRITTEN_ANSWER = "_Type your answer here, replacing this text._"
# What a check says about an unanswered exercise (textgen_course/exercises/checking.py).
UNANSWERED_MESSAGE = re.compile(r"not answered yet|placeholder", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# MyST directives in Markdown cells

_FENCE_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*?)\s*$")
_DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")


@dataclass
class Directive:
    """One top-level fenced MyST directive in a Markdown cell (lines are 0-based, inclusive)."""

    name: str
    argument: str
    options: dict[str, str]
    first_line: int
    last_line: int


def find_directives(markdown: str) -> list[Directive]:
    """The top-level fenced directives (```{name} or :::{name}) of a Markdown text, in order.

    Plain code fences are skipped, and so is a directive's content (a directive nested in
    another is not top-level). An unclosed fence runs to the end of the text, as in CommonMark.
    """
    lines = markdown.split("\n")
    directives, index = [], 0
    while index < len(lines):
        opening = _FENCE_OPEN.match(lines[index])
        if not opening or (opening["fence"][0] == "`" and "`" in opening["info"]):
            index += 1
            continue
        fence = opening["fence"]
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((j for j in range(index + 1, len(lines)) if closing.match(lines[j])), len(lines) - 1)
        directive = _DIRECTIVE_INFO.match(opening["info"])
        if directive:
            directives.append(Directive(directive["name"], directive["argument"].strip(),
                                        _directive_options(lines[index + 1:end]), index, end))
        index = end + 1
    return directives


def _directive_options(body: list[str]) -> dict[str, str]:
    """`:key: value` lines at the top of a directive, or a `---` YAML block of `key: value` lines."""
    options: dict[str, str] = {}
    if body and body[0].strip() == "---":
        for line in body[1:]:
            if line.strip() == "---":
                break
            key, _, value = line.partition(":")
            options[key.strip()] = value.strip()
        return options
    for line in body:
        option = _OPTION.match(line)
        if not option:
            break
        options[option["key"]] = option["value"]
    return options


# --------------------------------------------------------------------------------------------
# The exercise structure of a chapter

TEXT, EXERCISE, SOLUTION, STARTER, CHECK, CODE = "text", "exercise", "solution", "starter", "check", "code"


@dataclass
class Piece:
    """A cell of a chapter, or a run of Markdown lines of one cell, with its part in an exercise.

    role: "text" or "code" (not part of an exercise), "exercise" (the exercise's statement),
    "solution", "starter" or "check". label: the exercise's label, for every role but text/code.
    """

    cell_index: int
    cell_type: str
    source: str
    role: str
    label: str | None = None


@dataclass
class Exercise:
    label: str
    title: str
    check_cells: list[int] = field(default_factory=list)  # indexes of the chapter's check cells
    solution_cells: list[int] = field(default_factory=list)  # indexes of its solution code cells

    @property
    def autograded(self) -> bool:
        """True when a check can grade it (an implement or predict exercise, not an experiment)."""
        return bool(self.check_cells)


@dataclass
class ChapterPlan:
    """A chapter cut into pieces, and its exercises in order."""

    pieces: list[Piece]
    exercises: list[Exercise]

    def exercise(self, label: str) -> Exercise:
        return next(exercise for exercise in self.exercises if exercise.label == label)


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def plan_chapter(notebook, name: str = "notebook") -> ChapterPlan:
    """Cut a chapter into pieces: what belongs to which exercise, and what is solution.

    Raises ValueError, naming the cell, when the exercise structure is broken (an exercise
    without a label, a solution-start for an unknown exercise, a check before any exercise,
    a solution that never ends, an autograded exercise without a solution...).
    """
    pieces: list[Piece] = []
    exercises: list[Exercise] = []
    current: Exercise | None = None  # the exercise the cells now belong to
    in_solution: str | None = None  # the label of the open gated solution

    def problem(index: int, message: str) -> ValueError:
        return ValueError(f"{name}, cell {index}: {message} (see CONTRIBUTING.md, 'Exercises').")

    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            lines = cell.source.split("\n")
            roles: list[tuple[str, str | None]] = [(SOLUTION, in_solution) if in_solution else (TEXT, None)] * len(lines)
            for directive in find_directives(cell.source):
                span = range(directive.first_line, directive.last_line + 1)
                if directive.name in ("exercise", "exercise-start"):
                    if in_solution:
                        raise problem(index, f"an exercise starts inside the solution of {in_solution!r}")
                    label = directive.options.get("label")
                    if not label:
                        raise problem(index, f"the exercise {directive.argument!r} has no :label:")
                    if any(exercise.label == label for exercise in exercises):
                        raise problem(index, f"two exercises are labelled {label!r}")
                    current = Exercise(label, directive.argument)
                    exercises.append(current)
                    role = (EXERCISE, label)
                elif directive.name == "solution-start":
                    if in_solution:
                        raise problem(index, f"a solution-start inside the solution of {in_solution!r}")
                    if not any(exercise.label == directive.argument for exercise in exercises):
                        raise problem(index, f"solution-start {directive.argument!r} names no exercise above it")
                    in_solution = directive.argument
                    role = (SOLUTION, in_solution)
                elif directive.name == "solution-end":
                    if not in_solution:
                        raise problem(index, "a solution-end without a solution-start")
                    role, in_solution = (SOLUTION, in_solution), None
                elif directive.name == "solution":
                    role = (SOLUTION, directive.argument)
                else:
                    continue
                for line in span:
                    roles[line] = role
                after = (SOLUTION, in_solution) if in_solution else (TEXT, None)
                roles[directive.last_line + 1:] = [after] * (len(lines) - directive.last_line - 1)
            pieces.extend(_markdown_pieces(index, lines, roles))
            continue
        if cell.cell_type != "code":
            pieces.append(Piece(index, cell.cell_type, cell.source, TEXT))
            continue
        tags = _tags(cell)
        if in_solution or SOLUTION in tags:
            label = in_solution or (current.label if current else None)
            if label is None:
                raise problem(index, "a cell tagged 'solution' before any exercise")
            if CHECK_TAG in tags:
                raise problem(index, f"a check cell inside the solution of {label!r}")
            next(exercise for exercise in exercises if exercise.label == label).solution_cells.append(index)
            pieces.append(Piece(index, "code", cell.source, SOLUTION, label))
        elif CHECK_TAG in tags or STARTER_TAG in tags:
            role = CHECK if CHECK_TAG in tags else STARTER
            if current is None:
                raise problem(index, f"a cell tagged {role!r} before any exercise")
            if role == CHECK:
                current.check_cells.append(index)
            pieces.append(Piece(index, "code", cell.source, role, current.label))
        else:
            pieces.append(Piece(index, "code", cell.source, CODE))
    if in_solution:
        raise problem(len(notebook.cells) - 1, f"the solution of {in_solution!r} has no solution-end")
    for exercise in exercises:
        if exercise.autograded and not exercise.solution_cells:
            raise problem(exercise.check_cells[0], f"exercise {exercise.label!r} has a check but no solution cell")
    return ChapterPlan(pieces, exercises)


def _markdown_pieces(index: int, lines: list[str], roles: list[tuple[str, str | None]]) -> list[Piece]:
    """Consecutive lines with the same role become one piece; blank edges are trimmed."""
    pieces, start = [], 0
    for end in range(1, len(lines) + 1):
        if end == len(lines) or roles[end] != roles[start]:
            text = "\n".join(lines[start:end]).strip("\n")
            if text.strip():
                pieces.append(Piece(index, "markdown", text, *roles[start]))
            start = end
    return pieces


# --------------------------------------------------------------------------------------------
# Solutions to stubs

def stub_solution(source: str) -> str:
    """The student version of a solution cell.

    Top-level `def`s (and a class's methods) keep their decorators, signature and docstring,
    with `...` as the body; `name = value` becomes `name = ...` (one line per name for
    `a, b = value`); imports stay; anything else becomes one `# your code here` line. Comments
    and code between the kept lines are dropped. A cell that is not valid Python becomes
    `# your code here`.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return PLACEHOLDER
    lines = source.split("\n")
    stub = _stub_block(tree.body, lines)
    if not any(line.strip() and not line.lstrip().startswith(("import ", "from ")) for line in stub):
        stub.append(PLACEHOLDER)
    return "\n".join(stub).strip("\n")


def _stub_block(body: list[ast.stmt], lines: list[str]) -> list[str]:
    stub: list[str] = []
    previous_end = None
    for node in body:
        first = min([node.lineno] + [decorator.lineno for decorator in getattr(node, "decorator_list", [])])
        indent = " " * node.col_offset
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            new = lines[first - 1:node.end_lineno]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            new = _stub_definition(node, first, lines)
        elif isinstance(node, ast.Assign) and all(_target_names(target) for target in node.targets):
            if all(isinstance(target, ast.Name) for target in node.targets):  # a = ... or a = b = ...
                new = [indent + " = ".join(target.id for target in node.targets) + " = ..."]
            else:  # a, b = value: one placeholder per name, since `...` cannot be unpacked
                new = [f"{indent}{name} = ..." for target in node.targets for name in _target_names(target)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            annotation = ast.get_source_segment("\n".join(lines), node.annotation)
            new = [f"{indent}{node.target.id}: {annotation} = ..."]
        else:
            new = [indent + PLACEHOLDER]
        if not (new == [indent + PLACEHOLDER] and stub and stub[-1] == new[0]):  # one per run of statements
            if previous_end is not None:
                stub.extend([""] * min(2, first - previous_end - 1))  # the blank lines between statements
            stub.extend(new)
        previous_end = node.end_lineno
    return stub


def _target_names(target: ast.expr) -> list[str]:
    """The names a plain assignment target binds, or [] for anything else (attributes, items)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        names = [_target_names(element) for element in target.elts]
        return [name for group in names for name in group] if all(names) else []
    return []


def _stub_definition(node, first: int, lines: list[str]) -> list[str]:
    """A def's decorators, signature and docstring with `...` as its body; a class's methods stubbed."""
    body = node.body
    has_docstring = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                     and isinstance(body[0].value.value, str))
    if body[0].lineno == node.lineno:  # `def f(x): return x` on one line: rebuild it
        rebuilt = copy.deepcopy(node)
        rebuilt.body = (body[:1] if has_docstring else []) + [ast.Expr(ast.Constant(...))]
        indent = " " * node.col_offset
        return [indent + line for line in ast.unparse(rebuilt).split("\n")]
    header_end = body[0].lineno - 1  # the lines up to the first statement of the body
    kept = lines[first - 1:header_end]
    rest = body
    if has_docstring:
        kept = lines[first - 1:body[0].end_lineno]
        rest = body[1:]
    body_indent = " " * body[0].col_offset
    if isinstance(node, ast.ClassDef):
        inner = _stub_block(rest, lines)
        return kept + (inner if inner else [body_indent + "..."])
    return kept + [body_indent + "..."]


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
            cell.metadata["tags"] = [ANSWER_TAG if tag == SOLUTION_TAG else tag for tag in _tags(cell)]
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
        outcomes.append(CellOutcome(index, _tags(cell), error))
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
# The student edition of the book

def student_config(launch_repository: str | None = None, launch_branch: str = "main",
                   source: Path = ROOT / "_config.yml", build: Path = BUILD) -> dict:
    """The student edition's configuration: _config.yml with the solutions hidden.

    - `hide_solutions: true`, and scripts/student_edition.py, which also removes gated
      solutions' code cells, any `solution` cell and the checks' outputs;
    - local extensions' folders made absolute (the file is written to _build/student/);
    - the instructor build's execution cache, so an unchanged chapter is not executed again;
    - launch buttons (Binder, JupyterHub, Colab, live code) open the repository's notebooks,
      which hold the solutions: they are left out, unless `launch_repository` names a
      repository (and branch) whose book/ holds the student notebooks.
    """
    import yaml

    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    config["title"] = f"{config.get('title', 'Book')} (student edition)"
    config.setdefault("execute", {})["cache"] = str((build / ".jupyter_cache").resolve())
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["hide_solutions"] = True
    extensions = sphinx.get("local_extensions") or {}
    # Jupyter Book resolves these folders against the configuration file's folder, and the
    # generated file lives in _build/student/: make them absolute.
    sphinx["local_extensions"] = {name: str((source.parent / folder).resolve()) for name, folder in extensions.items()}
    sphinx["local_extensions"]["student_edition"] = str(ROOT / "scripts")
    if launch_repository:
        config.setdefault("repository", {}).update(url=launch_repository, branch=launch_branch)
    else:
        config["launch_buttons"] = {"notebook_interface": config.get("launch_buttons", {}).get(
            "notebook_interface", "jupyterlab"), "thebe": False}
    return config


def build_student_book(launch_repository: str | None = None, launch_branch: str = "main",
                       extra_arguments: tuple[str, ...] = ()) -> Path:
    """Build the student edition into _build/student/_build/html; return the HTML folder."""
    import yaml

    STUDENT_BUILD.mkdir(parents=True, exist_ok=True)
    config_path = STUDENT_BUILD / "_config.yml"
    header = "# Generated by scripts/editions.py from _config.yml: edit _config.yml, not this file.\n"
    config = student_config(launch_repository, launch_branch)
    config_path.write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
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
    args, extra = parser.parse_known_args(argv)

    if args.command == "student-book":
        html = build_student_book(args.launch_repository, args.launch_branch, tuple(extra))
        print(f"Student edition: {html.relative_to(ROOT)}/index.html")
        return 0
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    sources = [path.resolve() for path in args.notebooks] or chapters()
    written = write_student_notebooks(sources, args.output)
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
