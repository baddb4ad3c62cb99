"""Static checks of the chapters' sources: fast, and clearer than what Sphinx says when they fail.

A duplicated label, for example, makes sphinx-exercise crash with "list index out of range"
deep inside the build; here it is named with its chapter.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from authoring import prose

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
LABEL = re.compile(r"^:label:\s*(\S+)", re.MULTILINE)
TARGET = re.compile(r'^(?:\(([\w-]+)\)=|<a id="([\w-]+)"></a>)\s*$', re.MULTILINE)
EXERCISE = re.compile(r"^(?:```|:::)\{exercise\}[^\n]*\n((?::[^\n]*\n)*)", re.MULTILINE)
SOLUTION = re.compile(r"^(?:```|:::)\{solution-start\}\s*(\S+)", re.MULTILINE)


def markdown(chapter: Path) -> str:
    notebook = json.loads(chapter.read_text(encoding="utf-8"))
    return "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")


def code_cells(chapter: Path) -> list[dict]:
    notebook = json.loads(chapter.read_text(encoding="utf-8"))
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def test_there_are_chapters_to_check():
    assert len(CHAPTERS) >= 10


def test_every_chapter_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"(?:file|root):\s*(\S+)", toc))
    assert {f"book/{chapter.stem}" for chapter in CHAPTERS} <= listed


def test_labels_and_targets_are_unique_across_the_book():
    owners = Counter()
    where: dict[str, list[str]] = {}
    for chapter in CHAPTERS:
        text = markdown(chapter)
        for name in LABEL.findall(text) + [myst or html for myst, html in TARGET.findall(text)]:
            owners[name] += 1
            where.setdefault(name, []).append(chapter.stem)
    duplicates = {name: where[name] for name, count in owners.items() if count > 1}
    assert not duplicates, f"labels used more than once (chapter of each use): {duplicates}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_every_exercise_has_a_label_and_every_solution_names_an_exercise_of_its_chapter(chapter):
    text = markdown(chapter)
    exercises = EXERCISE.findall(text)
    labels = set()
    for options in exercises:
        found = LABEL.search(options)
        assert found, f"{chapter.name}: an exercise without :label: (its solution cannot point to it)"
        labels.add(found.group(1))
    for target in SOLUTION.findall(text):
        assert target in labels, f"{chapter.name}: solution for {target!r}, which is no exercise of this chapter"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_every_figure_has_alt_text_and_no_cell_stored_an_error(chapter):
    for cell in code_cells(chapter):
        outputs = cell.get("outputs", [])
        source = "".join(cell["source"])[:60]
        assert not any(output["output_type"] == "error" for output in outputs), \
            f"{chapter.name}: the cell starting {source!r} stored an error"
        if any("image/png" in output.get("data", {}) for output in outputs):
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) > 20, f"{chapter.name}: the figure of the cell starting {source!r} has no alt text"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_every_chapter_was_executed_top_to_bottom_in_one_kernel(chapter):
    counts = [cell.get("execution_count") for cell in code_cells(chapter)]
    assert None not in counts, f"{chapter.name}: some cells were never run; run scripts/execute_notebooks.py"
    assert counts == sorted(counts) and len(set(counts)) == len(counts), \
        f"{chapter.name}: cells were run out of order; run scripts/execute_notebooks.py"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_no_raw_myst_and_every_quoted_number_and_listing_is_current(chapter):
    """What Colab, GitHub and JupyterLab show: no raw role, target or literalinclude; each number the
    prose quotes is the chapter's stored glue output, each listing the library's current source."""
    found = prose.problems(json.loads(chapter.read_text(encoding="utf-8")), chapter.stem)
    assert not found, "\n".join(found) + "\n(fix: .venv/bin/python scripts/bake_prose.py " + f"book/{chapter.name})"


def test_every_chapter_is_already_baked(tmp_path):
    """Baking a committed chapter again changes nothing (the command is idempotent and was run), and
    refuses nothing (no hand edit in a baked region). A chapter last baked before bakes kept their
    record (prose.RECORD, in the notebook's metadata) gains it at its next bake, and nothing else."""
    book = tmp_path / "book"
    book.mkdir()
    for path in CHAPTERS + sorted((ROOT / "book").glob("*.md")):
        (book / path.name).write_bytes(path.read_bytes())
    changed = []
    for path in sorted(book.glob("*.ipynb")):
        original = path.read_text(encoding="utf-8")
        try:
            prose.bake_notebook(path)
        except prose.HandEdited as refused:
            changed.append(str(refused))
            continue
        baked = path.read_text(encoding="utf-8")
        if prose.RECORD not in json.loads(original)["metadata"]:
            notebook = json.loads(baked)
            del notebook["metadata"][prose.RECORD]
            baked = json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
        if baked != original:
            changed.append(path.name)
    assert not changed, f"run .venv/bin/python scripts/bake_prose.py on: {changed}"


def wrong(text: str) -> str:
    """A span's text with its first digit changed (a character added when it has no digit)."""
    digit = re.search(r"\d", text)
    return f"{text[:digit.start()]}{(int(digit[0]) + 1) % 10}{text[digit.end():]}" if digit else text + "x"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_a_wrong_number_in_any_baked_span_fails(chapter):
    """Each span of the chapter in turn gets a wrong number: the check names exactly that span.
    (tests/library/test_prose.py shows the same for a span holding `<`, which the bake writes `\\<`.)"""
    notebook = json.loads(chapter.read_text(encoding="utf-8"))
    assert prose.number_problems(notebook, chapter.stem) == []
    checked = 0
    for index, source in list(prose.markdown_cells(notebook)):
        for match in prose.GLUE_SPAN.finditer(source):
            text = wrong(match["text"])
            notebook["cells"][index]["source"] = f"{source[:match.start('text')]}{text}{source[match.end('text'):]}"
            found = prose.number_problems(notebook, chapter.stem)
            assert len(found) == 1 and f"the prose says {text!r} for {match['key']!r}" in found[0], found
            checked += 1
        notebook["cells"][index]["source"] = source
    spans = sum(len(prose.GLUE_OPENING.findall(source)) for _, source in prose.markdown_cells(notebook))
    assert checked == spans


def test_the_book_renders_the_committed_form_as_it_is():
    """What book/_ext/chapter_targets.py does to a parsed chapter, and what the HTML and LaTeX writers
    make of it: an `<a id>` becomes the section's label that `[title](#label)` links to; a quoted
    number is inline HTML around plain text, which both writers keep (LaTeX drops the tags)."""
    import sys

    from docutils import nodes
    from docutils.core import publish_doctree, publish_from_doctree
    from myst_parser.parsers.docutils_ import Parser

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import chapter_targets
    finally:
        sys.path.remove(str(ROOT / "book" / "_ext"))

    class WithTargets(Parser):
        def get_transforms(self):
            return super().get_transforms() + [chapter_targets.AnchorTargets]

    markdown = ('# Here\n\nThey agree: <span data-glue="here_check">\\< 1e-5 ✓</span>; see [the shape](#here-shape).'
                '\n\n<a id="here-shape"></a>\n\n## The shape\n\nIt has <span data-glue="here_n">150,600</span>.')
    settings = {"report_level": 2, "halt_level": 5, "warning_stream": False}
    doctree = publish_doctree(markdown, parser=WithTargets(), settings_overrides=settings)
    assert not list(doctree.findall(nodes.system_message)), doctree.pformat()
    section = doctree.ids["here-shape"]
    assert section.tagname == "section" and section[0].astext() == "The shape"
    links = [node for node in doctree.findall(nodes.reference) if node.get("refid") == "here-shape"]
    assert [link.astext() for link in links] == ["the shape"]
    html = publish_from_doctree(doctree, writer_name="html5").decode()
    assert '<span data-glue="here_check">&lt; 1e-5 ✓</span>' in html and 'id="here-shape"' in html
    assert '<span data-glue="here_n">150,600</span>' in html
    latex = publish_from_doctree(doctree, writer_name="latex", settings_overrides={
        "use_latex_citations": True, "legacy_column_widths": False}).decode()
    assert re.search(r"They agree: (<|\\textless\{\}) 1e-5 \S+; see", latex) and "It has 150,600." in latex
    assert "data-glue" not in latex


def prose_words(markdown_text: str) -> int:
    """Words a reader reads in Markdown: not listings (code fences), HTML comments and tags, or display math."""
    text = re.sub(r"<!--.*?-->", " ", markdown_text, flags=re.DOTALL)
    text = re.sub(r"^```.*?^```", " ", text, flags=re.DOTALL | re.MULTILINE)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    return sum(1 for word in text.split() if re.search(r"\w", word))


def test_prose_words_counts_what_a_reader_reads():
    assert prose_words('The gap is <span data-glue="k">1.6</span> points.') == 5
    assert prose_words("<!-- source: m.f -->\n```python\ndef f(): pass\n```\nOne line.\n\n$$\nx = 1\n$$") == 2
    assert prose_words("| a | b |\n| --- | --- |") == 2


def test_why_two_lstms_reads_in_at_most_2000_words_before_its_exercises():
    """Issue 11: the chapter leads with the fair race; the first race's forensics live in book/first_race.ipynb."""
    text = markdown(ROOT / "book" / "why_two_lstms.ipynb")
    exercises = re.search(r"^## Exercises\s*$", text, re.MULTILINE)
    assert exercises, "why_two_lstms.ipynb has no '## Exercises' heading"
    words = prose_words(text[: exercises.start()])
    assert words <= 2000, f"why_two_lstms.ipynb has {words} words of prose before its exercises (at most 2,000)"


# ---- no wall of text: every stage chapter at most 2,500 words of prose -------------------------

NOT_STAGE_CHAPTERS = {"first_race", "performance", "glossary", "key_intuitions", "welcome"}  # and appendices


def stage_prose_words(notebook: dict) -> int:
    """Words of prose in a chapter's Markdown: comments, code, maths, tags and link targets left out."""
    count = 0
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = re.sub(r"<!--.*?-->|```.*?```|\$\$.*?\$\$", " ", "".join(cell["source"]), flags=re.S)
        text = re.sub(r"\](\([^)]*\))", "]", re.sub(r"\$[^$\n]*\$|<[^>]+>", " ", text))
        count += len(re.findall(r"[A-Za-z][A-Za-z'-]*", text))
    return count


@pytest.mark.parametrize("chapter", [path for path in CHAPTERS if path.stem not in NOT_STAGE_CHAPTERS
                                     and "appendix" not in path.stem], ids=lambda path: path.stem)
def test_a_stage_chapter_holds_at_most_2500_words_of_prose(chapter):
    words = stage_prose_words(json.loads(chapter.read_text(encoding="utf-8")))
    assert words <= 2500, f"{chapter.stem} has {words:,} words of prose: move a section to an appendix page"


def test_the_word_count_sees_prose_and_skips_code_and_maths():
    notebook = {"cells": [{"cell_type": "markdown", "source": ["One two [three](x.ipynb#y) $a+b$\n",
                                                               "```python\nnot counted\n```\n<!-- nor this -->"]},
                          {"cell_type": "code", "source": ["print('no')"]}]}
    assert stage_prose_words(notebook) == 3
