"""What every chapter calls in its first cell: seeds, print options, and `glue`.

Not part of the model: this module keeps the chapters' first cells short and identical.
`glue` stores a number the prose states (a parameter count, a perplexity) so that the built
book quotes the executed value and the text cannot drift from the code.
"""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402


# Figures: SVG with its text kept as text, so a label's size in the page is the size it was drawn
# at (times the page's scale when a figure is wider than the column: tests/library/test_figures.py),
# the same ids on every run (hashsalt) and no date, so a rerun writes the same file.
FIGURE_SETTINGS = {"figure.dpi": 100, "savefig.dpi": 100, "figure.figsize": (7, 3.5), "svg.fonttype": "none",
                   "svg.hashsalt": "textgen-course"}


def setup(seed: int = 0) -> None:
    """Seed Python, NumPy and the Keras backend, make printed arrays short and stable, and draw SVG."""
    keras.utils.set_random_seed(seed)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    # numpy 2.4 + torch 2.13 warn about `__array__` on every conversion; it is harmless here.
    warnings.filterwarnings("ignore", message=".*__array__.*", category=DeprecationWarning)
    try:
        import matplotlib
    except ImportError:  # plots are optional for the library
        return
    matplotlib.rcParams.update(FIGURE_SETTINGS)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not in a notebook
        return
    if get_ipython() is not None:
        set_matplotlib_formats("svg", metadata={"Date": None})


def glue(name: str, value, display: bool = False):
    """Store `value` under `name` for the book's {glue} roles; returns the value.

    In the built book `{glue:text}`name`` shows it in the prose. Outside a book build
    (JupyterLab, Colab without myst-nb) this does nothing but return the value.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return value
    myst_glue(name, value, display=display)
    return value
