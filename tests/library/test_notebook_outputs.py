"""Compared notebook outputs print no round-off-sized numbers, so they read the same on every CPU.

nbval compares what a chapter's cells print with the outputs stored in the notebook. A printed
number below 1e-4, such as a max |difference| of 2.1e-06, is float32 round-off: on a CPU with other
vector units or another math library path the same cell prints 2.0e-06, and a learner's test run
goes red. Print a verdict against the tolerance instead (textgen_course.stage_check.agreement gives
"< 1e-5 ✓"), or round to a precision the tolerance justifies (CONTRIBUTING.md, "Numbers that do not
depend on the CPU").

What counts: in every code cell that nbval compares (not tagged nbval-ignore-output, nbval-skip or
raises-exception), a number in its stream text, text/plain or text/html (tags stripped) that is
- in scientific notation and zero ("0.0e+00": a raw difference that is zero here and not elsewhere)
  or below 1e-4 in magnitude ("2.1e-06"), except a bare power of ten ("1e-5", "1e-07"), which is a
  stated tolerance or bound rather than a measurement;
- a decimal below 1e-4 but not zero ("0.000021");
- a decimal with 7 or more significant digits ("1.000000", "0.12345678"): float32 carries about 7,
  so the last ones are noise.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[2] / "book"
NOT_COMPARED = {"nbval-ignore-output", "nbval-skip", "raises-exception"}  # tags nbval does not compare
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])")
POWER_OF_TEN = re.compile(r"[-+]?1[eE]-\d+")  # "1e-5": a tolerance or a bound, not a measured digit
TEXT_KEYS = ("text/plain", "text/markdown")
# Cells whose printed numbers are read from a stored record, not computed when nbval reruns them, so
# every CPU prints the same digits: (notebook, a fragment of the cell's source) -> why. Keep it short.
ALLOWED = {
    ("performance.ipynb", 'print(jax["cross_check"]["shipped_model"])'):
        "prints the cross-check report that bench/training_throughput.py stored in bench/results.json "
        "on the benchmark machine (Keras on JAX): a measurement record read from a file",
}


def output_text(output: dict) -> str:
    """The text nbval compares in one output: stream text, text/plain, text/markdown, text/html without tags."""
    parts = [output.get("text", "")]
    data = output.get("data", {})
    parts += [data.get(key, "") for key in TEXT_KEYS]
    parts.append(re.sub(r"<[^>]*>", " ", "".join(data.get("text/html", ""))))
    return html.unescape("\n".join("".join(part) for part in parts))


def roundoff_numbers(text: str) -> list[str]:
    """The numbers in text whose digits are round-off: see the module docstring."""
    found = []
    for token in NUMBER.findall(text):
        value = abs(float(token))
        scientific = "e" in token.lower()
        if scientific and POWER_OF_TEN.fullmatch(token):
            continue
        significant = token.lstrip("+-").replace(".", "").lstrip("0")
        long_decimal = not scientific and "." in token and len(significant) >= 7
        if (scientific and value < 1e-4) or 0 < value < 1e-4 or long_decimal:
            found.append(token)
    return found


def allowed(notebook_name: str, cell: dict) -> bool:
    """True for a cell ALLOWED lists."""
    source = "".join(cell["source"])
    return any(name == notebook_name and fragment in source for name, fragment in ALLOWED)


def roundoff_outputs(notebook: Path) -> list[str]:
    """One line per compared cell that prints round-off: notebook, cell index, nbval's cell number, the numbers."""
    problems = []
    code_cells = 0
    for index, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] != "code":
            continue
        code_cells += 1
        if NOT_COMPARED & set(cell.get("metadata", {}).get("tags", [])) or allowed(notebook.name, cell):
            continue
        numbers = [n for output in cell.get("outputs", []) for n in roundoff_numbers(output_text(output))]
        if numbers:
            problems.append(f"{notebook.name} cell {index} (nbval Cell {code_cells - 1}) prints {numbers}")
    return problems


@pytest.mark.parametrize("notebook", sorted(BOOK.glob("*.ipynb")), ids=lambda path: path.stem)
def test_compared_outputs_print_no_roundoff(notebook):
    problems = roundoff_outputs(notebook)
    assert not problems, (
        "these compared outputs print round-off-sized numbers, which differ from CPU to CPU; print a "
        "verdict against the tolerance (stage_check.agreement) or round (CONTRIBUTING.md):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize(("name", "fragment"), sorted(ALLOWED))
def test_every_allowed_cell_exists_once(name, fragment):
    cells = json.loads((BOOK / name).read_text(encoding="utf-8"))["cells"]
    assert sum(cell["cell_type"] == "code" and allowed(name, cell) for cell in cells) == 1, (name, fragment)


def test_the_book_has_chapters_to_scan():
    assert len(sorted(BOOK.glob("*.ipynb"))) >= 9


def write_notebook(path: Path, tags: list[str], text: str) -> Path:
    """A made-up one-cell notebook whose stored output is text."""
    cell = {
        "cell_type": "code", "execution_count": 1, "id": "c1", "metadata": {"tags": tags},
        "source": "print(difference)",
        "outputs": [{"output_type": "stream", "name": "stdout", "text": [text]}],
    }
    markdown = {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": "Text: 2.1e-06 is fine here."}
    path.write_text(json.dumps({"cells": [markdown, cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_a_roundoff_difference_in_a_compared_cell_is_found(tmp_path):
    notebook = write_notebook(tmp_path / "chapter.ipynb", [], "largest |NumPy - Keras|: 2.1e-06\n")
    assert roundoff_outputs(notebook) == ["chapter.ipynb cell 1 (nbval Cell 0) prints ['2.1e-06']"]


def test_the_same_in_an_ignored_cell_is_not(tmp_path):
    for tag in sorted(NOT_COMPARED):
        notebook = write_notebook(tmp_path / f"{tag}.ipynb", ["hide-input", tag], "largest |NumPy - Keras|: 2.1e-06\n")
        assert roundoff_outputs(notebook) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max |diff| 2.1e-06", ["2.1e-06"]),
        ("vs torch 0.0e+00 vs numpy 5.4e-08", ["0.0e+00", "5.4e-08"]),
        ("a gradient of -3E-7", ["-3E-7"]),
        ("p = 0.000021", ["0.000021"]),
        ("smallest probability 9.8e-11", ["9.8e-11"]),
        ("<td>4.3e-09</td>", ["4.3e-09"]),
        ("rows sum to 1.000000 and 0.12345678", ["1.000000", "0.12345678"]),
        ("agree to within 1e-5 ✓ (max |diff| < 1e-05)", []),  # stated bounds
        ("lr 0.0001, loss 4.8281, 0.0000, -0.00, 1.00000, 1,005,531, 2.5e+03, (64, 13, 150), v3.11.7", []),
    ],
)
def test_what_counts_as_roundoff(text, expected):
    assert roundoff_numbers(output_text({"text": text, "data": {}})) == expected


def test_html_and_plain_outputs_are_read():
    data = {"text/html": ["<b>diff</b> <i>2.1e-06</i>"], "text/plain": ["1.5e-07"]}
    output = {"output_type": "display_data", "data": data}
    assert sorted(roundoff_numbers(output_text(output))) == ["1.5e-07", "2.1e-06"]
