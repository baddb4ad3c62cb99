"""The explorers' second view, for the book (explorers/web.py): the saved first view and the page's settings."""

from __future__ import annotations

import html
import json
import re

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
    assert "data-textgen-explorer='text_to_ids'" in page and NOSCRIPT in page
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
