"""How an explorer appears in two places: a live ipywidget in JupyterLab, a live page in the built book.

An explorer function returns a LiveExplorer: an ipywidgets VBox whose notebook output holds
two views of the same thing (a mime bundle):
- application/vnd.jupyter.widget-view+json: the widget, computed in Python by a running kernel;
  JupyterLab shows this one.
- text/html: the first view (the HTML the Python explorer computed), a <noscript> line, and
  the explorer's kind and settings as data attributes. The book prefers this one
  (_config.yml: nb_mime_priority_overrides) and book/web/textgen_explorers.js mounts live
  controls on it that recompute the view in the page with the shipped model.
"""

from __future__ import annotations

import html
import json

NOSCRIPT = "This explorer needs JavaScript: shown here is its first view, saved when the book was built."


def fallback_html(kind: str, settings: dict, first_view: str) -> str:
    """The explorer's text/html output: the saved first view, a no-JavaScript line and the page's settings."""
    return (f"<div class='textgen-explorer' data-textgen-explorer='{html.escape(kind)}' "
            f"data-textgen-settings='{html.escape(json.dumps(settings), quote=True)}'>"
            f"<div class='textgen-explorer-view'>{first_view}</div>"
            f"<noscript><p class='textgen-noscript'>{NOSCRIPT}</p></noscript></div>")


def live_explorer(children, kind: str, settings: dict, view):
    """A VBox of children that also carries the page's live version (see the module docstring).

    kind is the explorer function's own name: try_the_model gives "try_the_model", which the
    page mounts with mountTryTheModel (textgen_explorers.js; tests/library/test_explorers_web.py
    checks every explorer). settings are its first control values; view is the ipywidgets.HTML
    whose value is the explorer's current view.
    """
    import ipywidgets as widgets

    class LiveExplorer(widgets.VBox):
        """A VBox whose output adds the text/html view the book shows."""

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs) or {}
            bundle["text/html"] = fallback_html(kind, settings, view.value)
            return bundle

    return LiveExplorer(children)
