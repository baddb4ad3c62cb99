"""A small Sphinx extension for this book: three fixes that keep every HTML page free of console errors.

- sphinx-thebe (0.3.x, under Jupyter Book 1) registers its configuration script twice, so the
  browser reports "Identifier 'THEBE_JS_URL' has already been declared" on every page.
  Identical inline scripts are dropped here, once per page.
- The saved widgets' renderer (embed-amd.js) calls MathJax 2's `MathJax.Hub.Queue` for every
  widget label; the book loads MathJax 3. `widgets-mathjax.js` (in book/web) bridges that call.
- embed-amd.js loads its icon fonts from `@jupyter-widgets/html-manager/dist/` (and
  `@jupyter-widgets/`) relative to the page, not from `_static/`: the fonts are copied there.

The chapters' committed Markdown (baked numbers, listings, `<a id>` targets) is not this
extension's business: the book renders it as it is, and book/_ext/chapter_targets.py turns the
parsed `<a id>` targets into labels.
"""

from __future__ import annotations

import shutil
from pathlib import Path

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


def setup(app):
    app.add_js_file("widgets-mathjax.js", priority=200)  # before MathJax's configuration and the widgets
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("build-finished", _copy_widget_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
