"""Assign a chapter's exercises with otter-grader (grading the submissions: grade.py).

    .venv/bin/python -m authoring.assign lstm_context [--points lstm-context-step=2]
    .venv/bin/python -m authoring.assign --all

(`python3 tasks.py assign ...` calls this.)

assign: builds an otter-grader "master" notebook from the chapter (assignments/<chapter>/master/)
    and runs `otter assign` on it, which writes assignments/<chapter>/student/<chapter>.ipynb
    (what learners get) and assignments/<chapter>/autograder/ (the autograder zip, the hidden
    tests). Each exercise with a check becomes an autograded question whose hidden tests run the
    chapter's own check cells against a fresh import of the checks module
    (textgen_course.exercises.<chapter>); each exercise without a check (an experiment) becomes a
    manually graded question. `otter assign` then grades the solutions against the hidden tests
    and stops if they do not get full marks.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .chapter_exercises import (
    CHECK, EXERCISE, SOLUTION, SOLUTION_TAG, STARTER, Piece, plan_chapter, stub_solution,
)
from .editions import ANSWER_TAG, ROOT

ASSIGNMENTS = ROOT / "assignments"


# --------------------------------------------------------------------------------------------
# The master notebook

def hidden_test_source(check_source: str, test_name: str, imports: dict[str, str], description: str) -> str:
    """An otter exception-based hidden test that runs a check cell's code.

    The names the check cell uses come from the graded notebook (otter passes each parameter of
    the test function from the notebook's globals, None when it is missing), except the names
    the chapter imports (`imports`: name -> import statement): those are imported again inside
    the test, and the checks' module is reloaded first, so a submission cannot replace a check.
    Each call of a check_... function is asserted to return True.
    """
    tree = ast.parse(check_source)
    bound = {alias.asname or alias.name.split(".")[0] for node in ast.walk(tree)
             if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    bound |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    free = sorted(used - bound - set(dir(builtins)))
    imported = [name for name in free if name in imports]
    parameters = [name for name in free if name not in imports]
    lines = [f"def {test_name}({', '.join(parameters)}):", f'    """{description}"""']
    own_imports = {alias.asname or alias.name: _module_of(ast.unparse(node)) for node in tree.body
                   if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    check_modules = sorted({_module_of(imports[name]) for name in imported if name.startswith("check")}
                           | {module for name, module in own_imports.items() if name.startswith("check")})
    if check_modules:
        lines.append("    import importlib")
        lines += [f"    import {module}\n    importlib.reload({module})" for module in check_modules]
    lines += [f"    {imports[name]}" for name in imported]
    checks = {name for name in used if name.startswith("check")}
    source_lines = check_source.split("\n")
    for node in tree.body:
        segment = "\n".join(source_lines[node.lineno - 1:node.end_lineno])
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.append("    " + segment.replace("\n", "\n    "))
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
              and isinstance(node.value.func, ast.Name) and node.value.func.id in checks):
            call = ast.get_source_segment(check_source, node.value)
            lines.append(f"    assert {call}, {node.value.func.id + ' did not return True'!r}")
        else:
            lines.append("    " + segment.replace("\n", "\n    "))
    return "\n".join(lines)


def _module_of(import_statement: str) -> str:
    """`from a.b import c` -> a.b; `import a.b as c` -> a.b."""
    match = re.match(r"from\s+([\w.]+)\s+import|import\s+([\w.]+)", import_statement)
    return match[1] or match[2]


def chapter_imports(notebook) -> dict[str, str]:
    """name -> the import statement that binds it, for every top-level import in the code cells."""
    imports = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    as_clause = f" as {alias.asname}" if alias.asname else ""
                    imports[alias.asname or alias.name] = f"from {node.module} import {alias.name}{as_clause}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        imports[alias.asname] = f"import {alias.name} as {alias.asname}"
                    else:
                        imports[alias.name.split(".")[0]] = f"import {alias.name.split('.')[0]}"
    return imports


def _raw(source: str):
    return nbformat.v4.new_raw_cell(source)


def _yaml_block(header: str, values: dict) -> str:
    import yaml

    return f"# {header}\n" + yaml.safe_dump(values, sort_keys=False).strip()


def master_solution_source(source: str) -> str:
    """A solution cell in otter's format: the student stub as a prompt, then the solution.

    otter assign gives learners the prompt (`stub_solution(source)`, the same stub as the
    student notebooks) and keeps the solution for the autograder notebook.
    """
    stub = stub_solution(source)
    quote = '"""' if '"""' not in stub else "'''"
    if quote in stub:
        raise ValueError(f"a solution's stub holds both kinds of triple quotes, which otter cannot wrap:\n{stub}")
    return (f"r{quote} # BEGIN PROMPT\n{stub}\n{quote}; # END PROMPT\n"
            f"# BEGIN SOLUTION NO PROMPT\n{source}\n# END SOLUTION")


def master_notebook(notebook, chapter: str, points: dict[str, float] | None = None,
                    files: list[str] | None = None, requirements: str | None = None):
    """The otter-grader master notebook (Otter Assign v1 format) for one chapter's exercises.

    Cells outside exercises are copied unchanged. Each exercise becomes a question named by its
    label: the statement, starter and check cells (locked in the student notebook), the solution
    (its Markdown and code) in a SOLUTION block, and, for an exercise with check cells, one hidden
    test per check cell. An exercise without a check is a manually graded question.
    """
    points = points or {}
    plan = plan_chapter(notebook, chapter)
    unknown = set(points) - {exercise.label for exercise in plan.exercises}
    if unknown:
        raise ValueError(f"--points names no exercise of {chapter}: {', '.join(sorted(unknown))}; "
                         f"the exercises are {', '.join(e.label for e in plan.exercises)}")
    imports = chapter_imports(notebook)
    pieces = plan.pieces
    ranges = {}
    for exercise in plan.exercises:
        own = [i for i, piece in enumerate(pieces)
               if piece.label == exercise.label and piece.role in (EXERCISE, STARTER, SOLUTION, CHECK)]
        ranges[exercise.label] = (own[0], own[-1])
    ordered = sorted(ranges.items(), key=lambda item: item[1])
    for (first, (_, first_end)), (second, (second_start, _)) in zip(ordered, ordered[1:]):
        if second_start <= first_end:
            raise ValueError(f"{chapter}: a solution or check of {first!r} comes after exercise {second!r} "
                             "starts; otter-grader needs each exercise's cells together.")
    config = {
        "init_cell": False,  # the notebook needs no otter: learners run the course's own checks
        "check_all_cell": False,
        "export_cell": False,  # learners hand in the .ipynb itself
        "run_tests": True,  # otter assign grades the solutions and fails unless they get full marks
        "tests": {"files": True, "ok_format": False},
        "generate": {"show_stdout": True},
        "python_version": "3.11",
    }
    if files:
        config["files"] = list(files)
    if requirements:
        config["requirements"] = requirements
    cells = [_raw(_yaml_block("ASSIGNMENT CONFIG", config))]
    starts = {start: label for label, (start, _) in ranges.items()}
    ends = {end: label for label, (_, end) in ranges.items()}
    in_solution = False
    for index, piece in enumerate(pieces):
        if index in starts:
            exercise = plan.exercise(starts[index])
            question = {"name": exercise.label, "points": points.get(exercise.label, 1), "check_cell": False}
            if not exercise.autograded:
                question["manual"] = True
            cells.append(_raw(_yaml_block("BEGIN QUESTION", question)))
        if piece.role == SOLUTION and not in_solution:
            cells.append(_raw("# BEGIN SOLUTION"))
            in_solution = True
        elif piece.role != SOLUTION and in_solution:
            cells.append(_raw("# END SOLUTION"))
            in_solution = False
        cells.append(_master_cell(notebook.cells[piece.cell_index], piece))
        if index in ends:
            if in_solution:
                cells.append(_raw("# END SOLUTION"))
                in_solution = False
            exercise = plan.exercise(ends[index])
            if exercise.autograded:
                cells.append(_raw("# BEGIN TESTS"))
                for number, check_index in enumerate(exercise.check_cells, start=1):
                    name = "test_" + re.sub(r"\W", "_", exercise.label) + f"_{number}"
                    description = (f"Hidden test {number} of exercise {exercise.label}: "
                                   f"the chapter's check cell {check_index}.")
                    test = hidden_test_source(notebook.cells[check_index].source, name, imports, description)
                    cells.append(nbformat.v4.new_code_cell("# HIDDEN\n" + test))
                cells.append(_raw("# END TESTS"))
            cells.append(_raw("# END QUESTION"))
    if in_solution:
        cells.append(_raw("# END SOLUTION"))
    master = nbformat.v4.new_notebook(cells=cells, metadata=notebook.metadata)
    return master


def _master_cell(original, piece: Piece):
    """The master notebook's copy of one piece: Markdown pieces as new cells, code cells copied."""
    if piece.cell_type == "markdown":
        return nbformat.v4.new_markdown_cell(piece.source)
    if piece.cell_type != "code":
        return nbformat.v4.new_raw_cell(piece.source)
    cell = nbformat.v4.new_code_cell(original.source, metadata=dict(original.metadata),
                                     outputs=original.get("outputs", []))
    if piece.role == SOLUTION:
        cell.source = master_solution_source(original.source)
    return cell


# --------------------------------------------------------------------------------------------
# assign

@dataclass
class Assignment:
    folder: Path
    student_notebook: Path
    autograder_zip: Path
    questions: dict[str, float]  # autograded question -> points
    manual_questions: dict[str, float]  # question graded by hand -> points


def chapter_path(chapter: str | Path) -> Path:
    """book/<chapter>.ipynb for a chapter name; a path to a notebook as it is."""
    path = Path(chapter)
    if path.suffix == ".ipynb":
        return path.resolve()
    path = ROOT / "book" / f"{chapter}.ipynb"
    if not path.exists():
        names = ", ".join(p.stem for p in sorted((ROOT / "book").glob("*.ipynb")))
        raise ValueError(f"There is no chapter {chapter!r}; the chapters are: {names}.")
    return path


def assign(chapter: str | Path, output: Path = ASSIGNMENTS, points: dict[str, float] | None = None,
           files: list[Path] | None = None) -> Assignment:
    """Write assignments/<chapter>/: master/, student/, autograder/ (with its zip) and README.md."""
    source = chapter_path(chapter)
    name = source.stem
    folder = (output / name).resolve()
    for part in ("master", "student", "autograder"):
        shutil.rmtree(folder / part, ignore_errors=True)
    master_folder = folder / "master"
    master_folder.mkdir(parents=True)
    for file in files or []:
        shutil.copy(file, master_folder / Path(file).name)
    requirements = master_folder / "requirements.txt"
    requirements.write_text(_grading_requirements(), encoding="utf-8")
    notebook = nbformat.read(source, as_version=4)
    master = master_notebook(notebook, name, points, [Path(file).name for file in files or []], requirements.name)
    master_path = master_folder / f"{name}.ipynb"
    nbformat.write(master, master_path)
    command = [sys.executable, "-m", "otter", "assign", str(master_path), str(folder)]
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run(command, cwd=master_folder, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"otter assign failed for {name}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    zips = sorted((folder / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise RuntimeError(f"otter assign wrote {len(zips)} autograder zips in {folder / 'autograder'}, expected 1")
    student_path = folder / "student" / f"{name}.ipynb"
    student = nbformat.read(student_path, as_version=4)
    for cell in student.cells:  # tagged like the student notebooks of `tasks.py student-notebooks`
        tags = cell.get("metadata", {}).get("tags")
        if tags and SOLUTION_TAG in tags:
            cell.metadata["tags"] = [ANSWER_TAG if tag == SOLUTION_TAG else tag for tag in tags]
    student.metadata["textgen_course"] = {"edition": "student", "chapter": name}
    nbformat.write(student, student_path)
    plan = plan_chapter(notebook, name)
    assignment = Assignment(
        folder, student_path, zips[0],
        {e.label: points.get(e.label, 1) if points else 1 for e in plan.exercises if e.autograded},
        {e.label: points.get(e.label, 1) if points else 1 for e in plan.exercises if not e.autograded})
    (folder / "README.md").write_text(_assignment_readme(assignment, name), encoding="utf-8")
    return assignment


def _grading_requirements() -> str:
    """What a grading image (Gradescope, `otter grade` in Docker) installs: the course and its pins."""
    import yaml

    pins = [line for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repository = config.get("repository", {}).get("url", "")
    return "\n".join(pins + ([f"textgen-course @ git+{repository}"] if repository else [])) + "\n"


def _assignment_readme(assignment: Assignment, name: str) -> str:
    rows = "\n".join(f"| `{label}` | {points:g} | autograded |" for label, points in assignment.questions.items())
    rows += "".join(f"\n| `{label}` | {points:g} | read and graded by hand |"
                    for label, points in assignment.manual_questions.items())
    return f"""# Assignment: {name}

Generated by `python3 tasks.py assign {name}` from `book/{name}.ipynb`; do not edit, regenerate.

- `student/{name}.ipynb`: give this notebook to the learners; they hand it back as an `.ipynb`.
- `autograder/{assignment.autograder_zip.name}`: the autograder (hidden tests), for
  `python3 tasks.py grade {name} <folder of submissions>` (grades in grading/{name}/grades.csv).
- `master/{name}.ipynb`: the otter-grader master notebook these were made from.

| question | points | graded |
| --- | --- | --- |
{rows}
"""


# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", metavar="chapter",
                        help="a chapter name (lstm_context) or a notebook path; several are fine")
    parser.add_argument("--all", action="store_true", help="every chapter that has exercises")
    parser.add_argument("--points", action="append", default=[], metavar="LABEL=N",
                        help="points for one exercise (default 1 each); repeat for more")
    parser.add_argument("--file", action="append", default=[], type=Path,
                        help="a file the notebook needs, shipped with the assignment")
    parser.add_argument("--output", type=Path, default=ASSIGNMENTS)
    args = parser.parse_args(argv)
    points = {}
    for item in args.points:
        label, _, value = item.partition("=")
        try:
            points[label] = float(value)
        except ValueError:
            parser.error(f"--points takes LABEL=N, such as lstm-context-step=2; got {item!r}")
    chapters = args.chapters or []
    if args.all:
        chapters += [path.stem for path in sorted((ROOT / "book").glob("*.ipynb"))
                     if plan_chapter(nbformat.read(path, as_version=4), path.stem).exercises]
    if not chapters:
        parser.error("name a chapter (e.g. lstm_context), or pass --all")
    if points and len(chapters) > 1:
        parser.error("--points applies to one chapter at a time")
    try:
        for chapter in chapters:
            started = time.perf_counter()
            assignment = assign(chapter, args.output, points, args.file)
            print(f"{assignment.folder}: {len(assignment.questions)} autograded and "
                  f"{len(assignment.manual_questions)} hand-graded questions "
                  f"({time.perf_counter() - started:.0f} s)\n"
                  f"  give learners  {assignment.student_notebook}\n"
                  f"  autograder     {assignment.autograder_zip}", flush=True)
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
