"""A chapter's exercises as the course writes them: which cell is which, and solutions as stubs.

The conventions are CONTRIBUTING.md's ("Exercises"): an `{exercise}` directive with a `:label:`,
code cells tagged `starter`, a gated solution (`{solution-start} <label>` ... `{solution-end}`)
whose code cells are tagged `solution`, then code cells tagged `check` that call the self-check.

- `plan_chapter` cuts a chapter into pieces (whole code cells, runs of Markdown lines) and says
  which exercise each belongs to and whether it is solution; it raises ValueError, naming the
  cell, when the structure is broken.
- `stub_solution` turns a solution cell into what learners start from.

Used by scripts/editions.py (student notebooks, student edition) and scripts/assignments.py
(otter-grader assignments).
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field

SOLUTION_TAG, CHECK_TAG, STARTER_TAG = "solution", "check", "starter"
PLACEHOLDER = "# your code here"


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


def cell_tags(cell) -> list[str]:
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
            state = (SOLUTION, in_solution) if in_solution else (TEXT, None)
            roles: list[tuple[str, str | None]] = [state] * len(lines)  # (role, label) of each line
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
        tags = cell_tags(cell)
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
