"""A small Sphinx extension for this book: fixes that keep every page free of console errors.

- sphinx-thebe (0.3.x, under Jupyter Book 1) registers its configuration script twice, so the
  browser reports "Identifier 'THEBE_JS_URL' has already been declared" on every page.
  Identical inline scripts are dropped here, once per page.
- The saved widgets' renderer (embed-amd.js) calls MathJax 2's `MathJax.Hub.Queue` for every
  widget label; the book loads MathJax 3. `widgets-mathjax.js` (in book/web) bridges that call.
- embed-amd.js loads its icon fonts from `@jupyter-widgets/html-manager/dist/` (and
  `@jupyter-widgets/`) relative to the page, not from `_static/`: the fonts are copied there.
- The chapters are committed in a form every Markdown renderer shows (textgen_course/prose.py):
  numbers baked into `<span data-glue="key">...</span>`, library code as fenced listings,
  `<a id="label"></a>` targets. At source-read they become MyST again (glue roles, targets), and
  the build warns (so -W fails) when a listing differs from the library's source or when a
  quoted number differs from what the executed chapter glued (or stored).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
_BAKED_NUMBERS: dict[str, dict[str, str]] = {}  # docname -> glue key -> the number the prose quotes

WIDGET_FONT_FOLDERS = ("@jupyter-widgets", "@jupyter-widgets/html-manager/dist")


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # an inline script is registered once with filename None and once with "": same script
        key = (getattr(script, "filename", script) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique


def _copy_widget_fonts(app, exception) -> None:
    """Put embed-amd.js's fonts where it asks for them, beside every folder of pages."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    fonts = sorted((out / "_static").glob("*.woff2"))
    for folder in sorted({Path(docname).parent for docname in app.env.found_docs}):
        for fonts_folder in WIDGET_FONT_FOLDERS:
            target = out / folder / fonts_folder
            target.mkdir(parents=True, exist_ok=True)
            for font in fonts:
                shutil.copy2(font, target / font.name)


def _committed_form_to_myst(app, docname, source) -> None:
    """A chapter as committed (plain Markdown with baked numbers) -> the MyST the book renders."""
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    from textgen_course import prose

    notebook = json.loads(source[0])
    for problem in prose.problems(notebook, docname, raw_myst=False):  # raw MyST: tests/test_book_sources.py
        LOGGER.warning(problem, location=docname)
    baked = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            baked.update((match["key"], match["text"]) for match in prose.GLUE_SPAN.finditer(text))
            cell["source"] = prose.to_myst(text)
    _BAKED_NUMBERS[docname] = baked
    source[0] = json.dumps(notebook, ensure_ascii=False)


def _check_quoted_numbers(app, doctree) -> None:
    """Fail (-W) when a number the prose quotes is not what the executed chapter glued."""
    docname = app.env.docname
    baked = _BAKED_NUMBERS.pop(docname, None)
    if not baked:
        return
    from textgen_course import prose

    folder = Path(app.env.mystnb_config.output_folder, *docname.split("/")[:-1])
    glue_file = folder / f"{docname.split('/')[-1]}.glue.json"
    executed = json.loads(glue_file.read_text(encoding="utf-8")) if glue_file.exists() else {}
    for key, text in baked.items():
        plain = executed.get(key, {}).get("data", {}).get("text/plain")
        if plain is None:
            LOGGER.warning(f"{docname}: the prose quotes {key!r}, which the executed chapter does not glue",
                           location=docname)
        elif prose.baked_text(prose.plain_text(plain)) != text:
            LOGGER.warning(f"{docname}: the prose quotes {text!r} for {key!r}, the executed chapter glued "
                           f"{prose.plain_text(plain)!r}; run scripts/execute_notebooks.py on it", location=docname)


def setup(app):
    app.add_js_file("widgets-mathjax.js", priority=200)  # before MathJax's configuration and the widgets
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("build-finished", _copy_widget_fonts)
    app.connect("source-read", _committed_form_to_myst)
    app.connect("doctree-read", _check_quoted_numbers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
