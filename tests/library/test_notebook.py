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


def test_glue_returns_its_value_so_a_cell_can_use_it():
    assert glue("notebook_test_value", 481_800) == 481_800


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
