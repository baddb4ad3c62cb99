"""textgen_course.prose: the chapters' Markdown in a form every renderer shows, and its checks."""

from __future__ import annotations

import json

import nbformat

from textgen_course import prose
from textgen_course.lstm_gates import lstm_step

TITLES = {"lstm_summary": "LSTM-2: one summary", "embedding": "The embedding"}
LABELS = {"embedding-trainable": ("embedding", "The rows are trained"), "here-shape": ("here", "The shape")}


def glued(name: str, value: str) -> nbformat.NotebookNode:
    """A code cell with the output that myst_nb.glue(name, value) stores."""
    cell = nbformat.v4.new_code_cell(f"glue({name!r}, {value!r})")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"application/papermill.record/text/plain": repr(value)},
        metadata={"scrapbook": {"name": name, "mime_prefix": "application/papermill.record/"}})]
    return cell


def chapter(*markdown: str, glue: dict[str, str] | None = None) -> dict:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [glued(name, value) for name, value in (glue or {}).items()]
    notebook.cells += [nbformat.v4.new_markdown_cell(text) for text in markdown]
    return json.loads(nbformat.writes(notebook))


def bake(text: str, glue: dict[str, str] | None = None) -> str:
    return prose.plain_markdown(text, "here", glue or {}, TITLES, LABELS)


def test_old_myst_forms_become_plain_markdown():
    text = ("(here-shape)=\n## The shape\n\nIt has {glue:text}`here_params` parameters; {doc}`lstm_summary` "
            "reads it, as {ref}`embedding-trainable` and {ref}`that section <here-shape>` show.")
    assert bake(text, {"here_params": "150,600"}) == (
        '<a id="here-shape"></a>\n\n## The shape\n\nIt has <span data-glue="here_params">150,600</span> '
        "parameters; [LSTM-2: one summary](lstm_summary.ipynb) reads it, as "
        "[The rows are trained](embedding.ipynb#embedding-trainable) and [that section](#here-shape) show.")


def test_a_literalinclude_becomes_the_library_source_and_a_directive_a_colon_fence():
    text = ("```{literalinclude} ../textgen_course/lstm_gates.py\n:pyobject: lstm_step\n```\n\n"
            "```{exercise} Predict\n:label: here-predict\n\nWhat **shape**?\n```")
    baked = bake(text)
    assert "<!-- source: textgen_course.lstm_gates.lstm_step -->\n```python\ndef lstm_step(" in baked
    assert prose.library_source("textgen_course.lstm_gates.lstm_step") in baked
    assert baked.endswith(":::{exercise} Predict\n:label: here-predict\n\nWhat **shape**?\n:::")
    assert bake(baked) == baked  # idempotent


def test_baking_refreshes_a_stale_number_and_a_stale_listing():
    stale = ('<span data-glue="here_params">1</span>\n\n<!-- source: textgen_course.lstm_gates.lstm_step -->\n'
             "```python\ndef lstm_step(): STALE\n```")
    baked = bake(stale, {"here_params": "150,600"})
    assert '<span data-glue="here_params">150,600</span>' in baked and "STALE" not in baked


def test_problems_names_a_stale_number_a_stale_listing_and_raw_myst():
    source = prose.library_source("textgen_course.lstm_gates.lstm_step")
    good = chapter('It has <span data-glue="here_params">150,600</span> parameters.',
                   f"<!-- source: textgen_course.lstm_gates.lstm_step -->\n```python\n{source}\n```",
                   glue={"here_params": "150,600"})
    assert prose.problems(good, "here") == []
    stale = chapter('It has <span data-glue="here_params">150,000</span> parameters.',
                    f"<!-- source: textgen_course.lstm_gates.lstm_step -->\n```python\n{source} # edited\n```",
                    "(here-shape)=\n## The shape\n\nSee {doc}`embedding` and {glue:text}`here_params`.",
                    "```{literalinclude} ../textgen_course/lstm_gates.py\n:pyobject: lstm_step\n```",
                    glue={"here_params": "150,600"})
    found = "\n".join(prose.problems(stale, "here"))
    assert "says '150,000' for 'here_params'" in found and "'150,600'" in found
    assert "listing of textgen_course.lstm_gates.lstm_step differs" in found
    for raw in ["(here-shape)=", "{doc}`embedding`", "{glue:text}`here_params`", ":pyobject: lstm_step",
                "```{literalinclude}"]:
        assert raw in found
    assert "raw MyST" not in "\n".join(prose.problems(stale, "here", raw_myst=False))


def test_a_number_quoted_but_never_glued_is_a_problem():
    found = prose.problems(chapter('<span data-glue="here_nothing">3</span>'), "here")
    assert found and "no cell of the chapter glues it" in found[0]


def test_the_book_reads_the_committed_form_as_myst():
    committed = ('<a id="here-shape"></a>\n\n## The shape\n\n<span data-glue="here_params">150,600</span>, '
                 "[rows](embedding.ipynb#embedding-trainable), [LSTM-2](lstm_summary.ipynb).")
    assert prose.to_myst(committed) == ("(here-shape)=\n\n## The shape\n\n{glue:text}`here_params`, "
                                        "[rows](#embedding-trainable), [LSTM-2](lstm_summary.ipynb).")


def test_glued_text_is_what_the_glue_role_shows_and_markdown_characters_are_escaped():
    notebook = chapter(glue={"a": "108.3", "b": "a_b *c*"})
    assert prose.glue_values(notebook) == {"a": "108.3", "b": "a_b *c*"}
    assert prose.baked_text("a_b *c*") == r"a\_b \*c\*"
    assert prose.plain_text("1219418") == "1219418" and prose.plain_text("'x'") == "x"


def test_solution_cells_are_the_solution_code_and_its_explanation():
    notebook = chapter(":::{exercise} E\n:label: e\n\nDo it.\n:::\n\n:::{solution-start} e\n:class: dropdown\n:::",
                       "It works because.\n\n:::{solution-end}\n:::", "After the exercise.")
    notebook["cells"].insert(1, json.loads(nbformat.writes(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("answer = 1")])))["cells"][0])
    assert prose.solution_cells(notebook) == [1, 2]


def test_library_source_names_the_module_an_object_lives_in():
    assert prose.library_source("textgen_course.lstm_gates.lstm_step").startswith("def lstm_step(")
    assert prose.canonical_name("textgen_course.lstm_gates.lstm_step") == f"{lstm_step.__module__}.lstm_step"
