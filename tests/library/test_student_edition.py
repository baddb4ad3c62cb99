"""The Sphinx extension of the student edition (authoring/student_edition.py): what it removes from a
page. The built student book is tested in tests/book/test_editions.py (it builds a book)."""

from types import SimpleNamespace

from docutils import nodes
from docutils.utils import new_document
from sphinx_exercise.nodes import solution_end_node

from authoring import student_edition
from authoring.editions import student_config


def code_cell(tags: list[str], source: str, output: str | None = None) -> nodes.container:
    """A myst-nb code cell as it stands in the doctree: source, then (maybe) its output."""
    cell = nodes.container(nb_element="cell_code", cell_metadata={"tags": tags})
    cell += nodes.container("", nodes.literal_block(source, source), nb_element="cell_code_source")
    if output is not None:
        cell += nodes.container("", nodes.literal_block(output, output), nb_element="cell_code_output")
    return cell


def page(hide_solutions: bool) -> nodes.document:
    """A page with a gated solution (marker ... solution-end), a loose `solution` cell and a check."""
    document = new_document("chapter")
    document.settings.env = SimpleNamespace(config=SimpleNamespace(hide_solutions=hide_solutions))
    marker = student_edition.hidden_solution_start()
    marker["label"] = "fixture-softmax"
    section = nodes.section()
    section += [nodes.paragraph(text="Write softmax."), marker, code_cell(["solution"], "def softmax(x): ..."),
                nodes.paragraph(text="The explanation of the solution."), solution_end_node(),
                code_cell(["solution"], "answer = 42"), code_cell(["check"], "check(answer)", "✓ 42 is right"),
                code_cell([], "print('kept')", "kept")]
    document += section
    return document


def texts(document: nodes.document) -> str:
    return document.astext()


def test_the_student_page_loses_gated_solutions_solution_cells_and_check_outputs():
    document = page(hide_solutions=True)
    student_edition.RemoveSolutions(document).apply()
    text = texts(document)
    assert "Write softmax." in text and "print('kept')" in text and "check(answer)" in text
    for gone in ("def softmax", "The explanation of the solution.", "answer = 42", "✓ 42 is right"):
        assert gone not in text, gone
    assert not list(document.findall(student_edition.hidden_solution_start))


def test_the_instructor_page_keeps_everything_but_the_markers():
    document = page(hide_solutions=False)
    student_edition.RemoveSolutions(document).apply()
    text = texts(document)
    # without hide_solutions the directive leaves no marker (it did here only because the page was built by hand)
    for kept in ("answer = 42", "✓ 42 is right", "print('kept')"):
        assert kept in text


def test_the_student_config_loads_the_extension():
    config = student_config()
    assert "authoring.student_edition" in config["sphinx"]["extra_extensions"]
    assert config["sphinx"]["config"]["hide_solutions"] is True
