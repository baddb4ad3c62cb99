"""Sphinx extension for the student edition of the book: no solution reaches the page.

Loaded only by the generated student configuration (`python3 tasks.py book --student`); it acts
only when `hide_solutions` is true, so the instructor edition is unchanged. It removes:

1. gated solutions, with their code cells and outputs. sphinx-exercise 1.2.1's
   `hide_solutions` drops the `{solution-start}` directive but keeps its `{solution-end}`, so a
   book with gated solutions crashes ("departing unknown node type: solution_end_node",
   executablebooks/sphinx-exercise#89) and the code cells between the two would stay on the
   page. Here the start directive leaves a marker, and everything from the marker to the
   matching `{solution-end}` is removed.
2. any code cell tagged `solution`, even outside a gated solution;
3. the outputs of code cells tagged `check`: a check's "✓" line may restate the answer.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_end_node

logger = logging.getLogger(__name__)


class hidden_solution_start(nodes.Element):
    """Where a hidden gated solution starts; removed, with its content, before writing."""


class HideableSolutionStartDirective(SolutionStartDirective):
    """`{solution-start}` that leaves a marker when the solution is hidden, instead of nothing."""

    def run(self) -> list[nodes.Node]:
        result = super().run()  # records the gated structure, so sphinx-exercise's checks still run
        if self.env.app.config.hide_solutions or "hidden" in self.options:
            marker = hidden_solution_start()
            marker["label"] = self.arguments[0]
            self.set_source_info(marker)
            return [marker]
        return result


def _cell_tags(node: nodes.Element) -> list[str]:
    return node.get("cell_metadata", {}).get("tags", [])


class RemoveSolutions(SphinxTransform):
    """Delete hidden gated solutions, `solution` cells and the outputs of `check` cells."""

    default_priority = 5  # after sphinx-exercise checks the structure (1), before it merges (10)

    def apply(self, **kwargs) -> None:
        for marker in list(self.document.findall(hidden_solution_start)):
            parent = marker.parent
            start = parent.index(marker)
            end = next((index for index in range(start + 1, len(parent.children))
                        if isinstance(parent.children[index], solution_end_node)), None)
            if end is None:
                logger.warning(f"solution-start for {marker['label']!r} has no solution-end at the same level; "
                               "its solution cannot be hidden", location=marker)
                parent.remove(marker)
                continue
            for child in parent.children[start:end + 1]:
                parent.remove(child)
        if not self.config.hide_solutions:
            return
        for cell in list(self.document.findall(nodes.container)):
            if cell.get("nb_element") != "cell_code":
                continue
            if "solution" in _cell_tags(cell):
                cell.parent.remove(cell)
            elif "check" in _cell_tags(cell):
                for output in [child for child in cell.children if child.get("nb_element") == "cell_code_output"]:
                    cell.remove(output)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_exercise")
    app.add_directive("solution-start", HideableSolutionStartDirective, override=True)
    app.add_node(hidden_solution_start)
    app.add_transform(RemoveSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
