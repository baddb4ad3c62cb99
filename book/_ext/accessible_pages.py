"""A small Sphinx extension for this book: pages that pass axe-core and fit their column.

Accessibility (issue 15, part 6; checked by tests/book/test_accessibility.py):

- myst-nb's "Show code cell source" toggle is a ``<summary aria-label="Toggle hidden content">``:
  a screen reader announces a name that differs from the words on the screen (axe rule
  label-content-name-mismatch). The toggle is rendered here without the aria-label, so its
  name is its visible text.
- The theme's search field button is named "Search" but shows "Search Ctrl+K", and its colour
  mode button contains SVG icons titled "Light", "Dark" ... while it is named "Color mode" (the
  same rule). ``templates/`` overrides the two theme components: the search field is named by
  what it shows and announces its shortcut with aria-keyshortcuts; the colour mode icons are
  decorative.

Layout (issue 15, part 8; checked by tests/book/test_layout.py): ``book/web/course.css`` makes text
outputs wrap at the column, keeps listings of library code readable and fixes colours that
fail the contrast rule. The rows of a printed table wider than the column must not wrap (its
columns would no longer line up): such an output gets the class ``course-table-<n>`` here, for
rows of at most n characters, and course.css sets it in a smaller type in which the rows fit
(down to 11 px, which fits 98 characters; a caption line longer than that still wraps); rows
longer still wrap their tail at 11 px.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

TEMPLATES = Path(__file__).parent / "templates"
COLUMN = 77  # monospace characters that fit the column at 14 px in a 1,300-px window
TABLE_WIDTHS = (90, 98)  # course.css has a type size for tables up to each width
GAP = re.compile(r"\S {2,}\S")  # two or more spaces between words: columns lined up


def table_class(text: str) -> str | None:
    """The class for a printed table wider than the column, or None (text that may wrap)."""
    lines = [line for line in text.splitlines() if line.strip()]
    rows = [line for line in lines if GAP.search(line)]  # a caption or a note below may wrap
    if len(rows) < max(2, 0.6 * len(lines)):
        return None
    width = max(len(row) for row in rows)
    if width <= COLUMN:
        return None
    return next((f"course-table-{limit}" for limit in TABLE_WIDTHS if width <= limit), "course-table-wide")


class MarkWideTables(SphinxPostTransform):
    """Give text outputs that are tables wider than the column a class course.css sizes."""

    default_priority = 400
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for block in self.document.findall(nodes.literal_block):
            if "output" in block["classes"]:
                name = table_class(block.astext())
                if name:
                    block["classes"].append(name)


def _visit_hidden_cell_input(self, node) -> None:
    """myst-nb's visitor, minus the aria-label that hides the summary's visible text."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def _depart_hidden_cell_input(self, node) -> None:
    self.body.append("</details>\n")


def _put_templates_first(app, config) -> None:
    """Our two theme components win over the themes' own (the themes append their folders)."""
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.insert(0, str(TEMPLATES))


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode

    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_cell_input, _depart_hidden_cell_input))
    app.add_post_transform(MarkWideTables)
    app.connect("config-inited", _put_templates_first)
    app.add_css_file("course.css", priority=900)  # after the theme's and myst-nb's style sheets
    return {"parallel_read_safe": True, "parallel_write_safe": True}
