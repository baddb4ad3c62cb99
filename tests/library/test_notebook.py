"""What every chapter's first cell calls (notebook.py): seeds that make reruns equal, and glue."""

from __future__ import annotations

import keras
import numpy as np

from textgen_course.notebook import glue, setup


def test_setup_makes_a_rerun_draw_the_same_numbers():
    setup(3)
    first = (np.random.rand(3), keras.random.uniform((3,)))
    setup(3)
    second = (np.random.rand(3), keras.random.uniform((3,)))
    assert np.array_equal(first[0], second[0])
    assert np.array_equal(keras.ops.convert_to_numpy(first[1]), keras.ops.convert_to_numpy(second[1]))
    setup(4)
    assert not np.array_equal(first[0], np.random.rand(3))


def test_setup_prints_arrays_short():
    setup()
    assert np.get_printoptions()["precision"] == 4


def test_glue_publishes_what_the_book_and_the_baked_prose_read(monkeypatch):
    """The output myst-nb's glue roles read and authoring/prose.py bakes: a hidden text/plain under the
    name, and nothing visible; the value comes back so a cell can go on using it."""
    import myst_nb.ext.glue

    published = []
    monkeypatch.setattr(myst_nb.ext.glue, "ipy_display",
                        lambda data, raw, metadata: published.append((data, metadata)))
    assert glue("notebook_test_value", "1,219,418") == "1,219,418"
    [(data, metadata)] = published
    assert metadata["scrapbook"]["name"] == "notebook_test_value"
    prefix = metadata["scrapbook"]["mime_prefix"]
    assert prefix and data == {prefix + "text/plain": "'1,219,418'"}  # hidden: no plain text/plain shows


def test_setup_draws_svg_with_text_kept_as_text():
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    setup()
    assert matplotlib.rcParams["svg.fonttype"] == "none"
    fig, ax = plt.subplots()
    ax.set_title("a label")
    svg = io.StringIO()
    fig.savefig(svg, format="svg", metadata={"Date": None})
    plt.close(fig)
    assert "a label" in svg.getvalue()  # text, not glyph outlines
