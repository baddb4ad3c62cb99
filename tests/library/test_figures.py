"""Every figure in the book can be read at the size the reader sees it.

The book's content column is about 690 CSS px wide; a figure wider than that is scaled down to
fit. A label is readable at 9 pt or more (12 CSS px) as displayed, so for every figure output
stored in a chapter: (font size in pt) x min(1, 690 / (figure width in px)) >= 9.

Figures are stored as SVG with their text kept as text (notebook.setup sets svg.fonttype =
"none"), so each label's size can be read from the file. A PNG has no labels left to measure:
it fails with a request for SVG. A label's size is the largest font size in its <text> element,
so the smaller subscripts of a label such as $h_{13}$ go with the label they belong to.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[2] / "book"
COLUMN_PX = 690  # the width of the book's content column, in CSS px
SMALLEST_PT = 9.0  # the smallest label a learner can read, as displayed
PX_PER_PT = 96 / 72
SVG = "{http://www.w3.org/2000/svg}"


def _length_in_pt(value: str) -> float:
    """An SVG width such as "504pt" or "672px" (or a plain number, in px) in points."""
    number = float(re.match(r"[\d.]+", value).group())
    return number if value.endswith("pt") else number / PX_PER_PT


def labels_too_small(svg: str, column_px: float = COLUMN_PX, smallest_pt: float = SMALLEST_PT) -> list[str]:
    """The labels of one SVG figure that show below smallest_pt in the column, as readable lines."""
    root = ElementTree.fromstring(svg.encode("utf-8"))
    width_pt = _length_in_pt(root.get("width"))
    view_width = float(root.get("viewBox").split()[2]) if root.get("viewBox") else width_pt
    unit_pt = width_pt / view_width  # one user unit of the drawing, in pt
    scale = min(1.0, column_px / (width_pt * PX_PER_PT))  # the page shrinks a figure wider than the column
    problems = []
    for text in root.iter(f"{SVG}text"):
        sizes = [float(size) for element in text.iter()
                 for size in re.findall(r"font-size:\s*([\d.]+)px", element.get("style", ""))]
        sizes += [float(size) for element in text.iter()
                  for size in re.findall(r"font:[^;]*?([\d.]+)px", element.get("style", ""))]
        if not sizes:
            continue
        shown = max(sizes) * unit_pt * scale
        if shown < smallest_pt:
            pieces = (re.sub(r"\n\s*", "", piece) for piece in text.itertext())  # drop the file's line breaks
            label = "".join(pieces).replace("\xa0", " ").strip() or "(no text)"
            problems.append(f"{label!r}: {max(sizes) * unit_pt:.1f} pt drawn, {shown:.1f} pt shown "
                            f"(the figure is {width_pt * PX_PER_PT:.0f} px wide, shown at {scale:.0%})")
    return problems


def figure_problems(notebook: Path) -> list[str]:
    """Every figure output of a chapter that a reader cannot read at the column's width."""
    problems = []
    for index, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            where = f"{notebook.name} cell {index}"
            if "image/svg+xml" in data:
                svg = data["image/svg+xml"]
                problems += [f"{where}: {line}" for line in labels_too_small(svg if isinstance(svg, str)
                                                                              else "".join(svg))]
            elif "image/png" in data:
                problems.append(f"{where}: a PNG figure, whose label sizes cannot be measured. Store it as "
                                "SVG: run the chapter again (notebook.setup() draws SVG) and re-execute it.")
    return problems


@pytest.mark.parametrize("notebook", sorted(BOOK.glob("*.ipynb")), ids=lambda path: path.stem)
def test_every_label_is_at_least_9_pt_at_the_columns_width(notebook):
    problems = figure_problems(notebook)
    assert not problems, "labels too small to read in the book's column:\n" + "\n".join(problems)


def _figure_svg(width_inches: float, fontsize: float) -> str:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig, ax = plt.subplots(figsize=(width_inches, 2))
        ax.set_title("a label $h_{13}$", fontsize=fontsize)
        ax.set_xticks([0, 1], ["one", "two"], fontsize=fontsize)
        ax.set_yticks([])
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
        plt.close(fig)
    return buffer.getvalue()


def test_the_measure_scales_a_wide_figure_down_and_names_the_small_label():
    assert labels_too_small(_figure_svg(6, 10)) == []  # 576 px wide: shown at full size
    wide = labels_too_small(_figure_svg(12, 10))  # 1,152 px: shown at 60%, so 10 pt becomes 6 pt
    assert any(line.startswith("'a label h13': 10.0 pt drawn, 6.0 pt shown") for line in wide)
    assert all("shown at 60%" in line for line in wide)
    assert labels_too_small(_figure_svg(12, 16)) == []  # 16 pt x 60% = 9.6 pt
    small = labels_too_small(_figure_svg(6, 8))
    assert any(line.startswith("'one': 8.0 pt drawn, 8.0 pt shown") for line in small)


def test_a_png_figure_is_refused_with_a_request_for_svg(tmp_path):
    notebook = tmp_path / "chapter.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "display_data", "data": {"image/png": "iVBOR", "text/plain": "<Figure>"}}]}]}))
    assert figure_problems(notebook) == [
        "chapter.ipynb cell 0: a PNG figure, whose label sizes cannot be measured. Store it as SVG: run the "
        "chapter again (notebook.setup() draws SVG) and re-execute it."]
