"""authoring.prose: the chapters' Markdown in a form every renderer shows, and its checks."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from authoring import prose
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
    assert "raw MyST" not in "\n".join(prose.number_problems(stale, "here") + prose.listing_problems(stale, "here"))


def test_a_number_quoted_but_never_glued_is_a_problem():
    found = prose.problems(chapter('<span data-glue="here_nothing">3</span>'), "here")
    assert found and "no cell of the chapter glues it" in found[0]


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


# --------------------------------------------------------------------------------------------
# A `<` in a glued value (issue 22: `[^<]*` stopped at its escape, and the span went unchecked)

CHECK = "< 1e-5 ✓"  # what stage_check.agreement prints, and a chapter may glue


def test_a_less_than_sign_is_baked_escaped_and_the_span_is_read_back():
    baked = bake('The layers agree: <span data-glue="here_check">?</span>.', {"here_check": CHECK})
    assert baked == r'The layers agree: <span data-glue="here_check">\< 1e-5 ✓</span>.'
    assert bake(baked, {"here_check": CHECK}) == baked
    assert prose.problems(chapter(baked, glue={"here_check": CHECK}), "here") == []


@pytest.mark.parametrize("text", [r"\< 1e-4 ✓", r"\< 1e-5 ✗", "< 1e-5 ✓", r"\< 1e\-5 ✓ ", "?"])
def test_a_wrong_number_in_a_span_holding_a_less_than_sign_is_a_problem(text):
    found = prose.problems(chapter(f'They agree: <span data-glue="here_check">{text}</span>.',
                                   glue={"here_check": CHECK}), "here")
    assert len(found) == 1 and f"the prose says {text!r} for 'here_check'" in found[0]


def test_a_span_without_its_end_tag_is_a_problem():
    found = prose.problems(chapter('<span data-glue="here_a">\\< 1</span> and <span data-glue="here_b">2',
                                   glue={"here_a": "< 1", "here_b": "2"}), "here")
    assert found == ["here cell 2: the span 'here_b' has no </span>"]


# --------------------------------------------------------------------------------------------
# A hand edit inside a baked region is refused, not overwritten


def write_chapter(folder: Path, *markdown: str, glue: dict[str, str]) -> Path:
    path = folder / "here.ipynb"
    path.write_text(json.dumps(chapter(*markdown, glue=glue)), encoding="utf-8")
    return path


def spans(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [match["text"] for _, source in prose.markdown_cells(notebook) for match in prose.GLUE_SPAN.finditer(source)]


def regluing(path: Path, name: str, value: str) -> None:
    """What executing the chapter does when the glued value changes: a new stored output, the prose untouched."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"][0] = json.loads(json.dumps(glued(name, value)))
    path.write_text(json.dumps(notebook), encoding="utf-8")


def test_bake_records_what_it_wrote_and_refreshes_it_when_the_glued_value_changes(tmp_path):
    path = write_chapter(tmp_path, 'It has <span data-glue="here_params">?</span> weights.',
                         glue={"here_params": "150,600"})
    assert prose.bake_notebook(path) and spans(path) == ["150,600"]
    record = json.loads(path.read_text(encoding="utf-8"))["metadata"][prose.RECORD]
    assert record == {"glue": {"here_params": "150,600"}, "listings": {}}
    assert not prose.bake_notebook(path)  # idempotent
    regluing(path, "here_params", "< 150,601")
    assert prose.number_problems(json.loads(path.read_text(encoding="utf-8")), "here")  # stale: the test fails
    assert prose.bake_notebook(path) and spans(path) == [r"\< 150,601"]


def test_bake_refuses_to_overwrite_a_hand_edited_span_and_force_overwrites_it(tmp_path):
    path = write_chapter(tmp_path, 'It has <span data-glue="here_params">?</span> weights.',
                         glue={"here_params": "150,600"})
    prose.bake_notebook(path)
    text = path.read_text(encoding="utf-8").replace(">150,600<", ">about 150,000<")
    path.write_text(text, encoding="utf-8")  # a hand edit
    found = prose.number_problems(json.loads(text), "here")
    assert len(found) == 1 and "the prose says 'about 150,000' for 'here_params'" in found[0]  # the test fails
    regluing(path, "here_params", "150,601")
    with pytest.raises(prose.HandEdited) as refused:
        prose.bake_notebook(path)
    assert str(refused.value) == ("here: the span 'here_params' holds 'about 150,000', but the stored glue value "
                                  "is '150,601' and the last bake wrote '150,600': it was edited by hand. Change "
                                  "the cell that glues 'here_params' (or the words around the span), or pass "
                                  "--force to overwrite it.")
    assert path.read_text(encoding="utf-8").count("about 150,000") == 1  # nothing written
    assert prose.bake_notebook(path, force=True) and spans(path) == ["150,601"]


def test_bake_refuses_a_number_typed_into_a_new_span_but_fills_a_placeholder(tmp_path):
    path = write_chapter(tmp_path, '<span data-glue="here_a">?</span>', glue={"here_a": "1", "here_b": "2"})
    prose.bake_notebook(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"][-1]["source"] = ("".join(notebook["cells"][-1]["source"])
                                       + ' and <span data-glue="here_b">3</span> and <span data-glue="here_b">?</span>')
    path.write_text(json.dumps(notebook), encoding="utf-8")
    with pytest.raises(prose.HandEdited, match="holds '3', but the stored glue value is '2' and no bake wrote it"):
        prose.bake_notebook(path)
    path.write_text(path.read_text(encoding="utf-8").replace(">3<", ">?<"), encoding="utf-8")
    assert prose.bake_notebook(path) and spans(path) == ["1", "2", "2"]


def test_bake_refuses_to_overwrite_a_hand_edited_listing(tmp_path):
    source = prose.library_source("textgen_course.lstm_gates.lstm_step")
    listing = f"<!-- source: textgen_course.lstm_gates.lstm_step -->\n```python\n{source}\n```"
    path = write_chapter(tmp_path, listing, glue={})
    prose.bake_notebook(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    recorded = notebook["metadata"][prose.RECORD]["listings"]
    assert recorded == {"textgen_course.lstm_gates.lstm_step": prose.digest(source)}
    notebook["cells"][0]["source"] = listing.replace("def lstm_step(", "def lstm_step(  # mine\n")
    path.write_text(json.dumps(notebook), encoding="utf-8")
    with pytest.raises(prose.HandEdited, match="the listing of textgen_course.lstm_gates.lstm_step is neither"):
        prose.bake_notebook(path)
    assert prose.bake_notebook(path, force=True) and "# mine" not in path.read_text(encoding="utf-8")


def test_a_chapter_baked_before_records_were_kept_is_refreshed_as_it_stands(tmp_path):
    path = write_chapter(tmp_path, 'It has <span data-glue="here_params">150,000</span> weights.',
                         glue={"here_params": "150,600"})
    assert prose.RECORD not in json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert prose.bake_notebook(path) and spans(path) == ["150,600"]


def test_the_command_bakes_refuses_with_exit_status_1_and_forces(tmp_path, capsys):
    path = write_chapter(tmp_path, '<span data-glue="here_params">?</span>', glue={"here_params": "1"})
    assert prose.main([str(path)]) == 0 and "here.ipynb" in capsys.readouterr().out
    path.write_text(path.read_text(encoding="utf-8").replace(">1<", ">2<"), encoding="utf-8")
    assert prose.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "not baked (nothing written)" in out and "holds '2'" in out
    assert prose.main([str(path), "--force"]) == 0 and spans(path) == ["1"]


def test_a_span_baked_before_its_chapter_was_executed_keeps_its_record(tmp_path):
    """Baking before executing (nothing glues the key yet) keeps what the last bake wrote."""
    path = write_chapter(tmp_path, '<span data-glue="here_a">?</span>', glue={"here_a": "1"})
    prose.bake_notebook(path)
    regluing(path, "here_b", "2")  # the cell that glued here_a now glues another name
    prose.bake_notebook(path)
    assert json.loads(path.read_text(encoding="utf-8"))["metadata"][prose.RECORD]["glue"] == {"here_a": "1"}
    regluing(path, "here_a", "3")
    assert prose.bake_notebook(path) and spans(path) == ["3"]
