"""A small Sphinx extension for this book: fixes that keep every page free of console errors.

- sphinx-thebe (0.3.x, under Jupyter Book 1) registers its configuration script twice, so the
  browser reports "Identifier 'THEBE_JS_URL' has already been declared" on every page.
  Identical inline scripts are dropped here, once per page.
"""

from __future__ import annotations


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


def setup(app):
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
