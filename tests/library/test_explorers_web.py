"""The explorers' second view, for the book (explorers/web.py): the saved first view and the page's settings."""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import ipywidgets as widgets
import pytest

import textgen_course as tc
from textgen_course.explorers.text_to_ids import text_explorer
from textgen_course.explorers.web import NOSCRIPT, fallback_html, live_explorer


@pytest.fixture(scope="module")
def vocabulary(small_text):
    filler = " ".join("q" + chr(97 + i // 26) + chr(97 + i % 26) for i in range(500))  # enough distinct words
    return tc.Vocabulary.from_text(small_text * 3 + " " + filler, size=500)  # the small model's 500 words


def test_an_explorer_output_holds_the_widget_and_the_page_view(vocabulary):
    bundle = text_explorer(vocabulary, "to be or not")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # JupyterLab: the Python widget
    page = bundle["text/html"]  # the book: the saved first view and the page's settings
    assert "data-textgen-explorer='text_explorer'" in page and NOSCRIPT in page
    settings = json.loads(html.unescape(re.search(r"data-textgen-settings='([^']*)'", page).group(1)))
    assert settings == {"text": "to be or not", "sequence_length": 13}


def test_the_page_view_follows_the_widget_and_escapes_settings():
    view = widgets.HTML("<b>first</b>")
    explorer = live_explorer([view], "demo", {"text": "it's <b> & 'quoted'"}, view)
    view.value = "<i>second</i>"
    page = explorer._repr_mimebundle_()["text/html"]
    assert "<i>second</i>" in page and "<b>first</b>" not in page
    settings = json.loads(html.unescape(re.search(r"data-textgen-settings='([^']*)'", page).group(1)))
    assert settings == {"text": "it's <b> & 'quoted'"}
    assert fallback_html("k", {}, "x").count("<noscript>") == 1


EXPLORERS = Path(tc.__file__).parent / "explorers"
PAGE_SCRIPT = Path(tc.__file__).parents[1] / "book" / "web" / "textgen_explorers.js"


def explorer_kinds() -> dict[str, str]:
    """{Python function: the kind it gives live_explorer}, for every explorer function."""
    kinds = {}
    for path in EXPLORERS.glob("*.py"):
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef):
                continue
            for call in ast.walk(function):
                if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "live_explorer":
                    kinds[function.name] = call.args[1].value
    return kinds


def test_an_explorer_has_one_name_from_python_to_javascript():
    """Python's try_the_model gives kind "try_the_model", which the page mounts with mountTryTheModel."""
    kinds = explorer_kinds()
    assert len(kinds) == 9 and "fine_tune_explorer" in kinds
    script = PAGE_SCRIPT.read_text(encoding="utf-8")
    for function, kind in kinds.items():
        assert kind == function, f"{function} gives live_explorer the kind {kind!r}: use its own name"
        mount = "mount" + "".join(part.title() for part in kind.split("_"))
        assert f"function {mount}(" in script, f"textgen_explorers.js has no {mount} for {function}"


def test_the_seed_box_has_one_label_everywhere():
    sources = [path.read_text(encoding="utf-8") for path in EXPLORERS.glob("*.py")] + [PAGE_SCRIPT.read_text()]
    assert not any("Sampler seed" in source for source in sources)
    assert sum("Random seed:" in source for source in sources) >= 3
