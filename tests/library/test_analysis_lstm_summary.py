"""The LSTM-2 chapter's measurement: the memory curve."""

import numpy as np
import pytest


def test_memory_curve_sees_only_the_words_the_description_reads():
    from textgen_course.analysis.lstm_summary import memory_curve

    vocab_size = 50
    table = np.random.default_rng(1).normal(size=(vocab_size, 4))
    windows = np.random.default_rng(2).integers(0, vocab_size, (200, 6))

    def last_two_words(ids):
        return np.concatenate([table[ids[:, -1]], 0.5 * table[ids[:, -2]]], axis=1)

    curve = memory_curve(last_two_words, windows, vocab_size)
    assert curve.shape == (6,)
    np.testing.assert_array_equal(curve[:4], 0.0)  # words 1-4 are never read
    assert curve[5] > curve[4] > 0.2  # the last word moves the output most


def test_memory_curve_replaces_words_with_real_different_words():
    from textgen_course.analysis.lstm_summary import memory_curve

    seen = []

    def record(ids):
        seen.append(ids.copy())
        return ids.astype(float)

    windows = np.random.default_rng(0).integers(0, 10, (50, 3))
    memory_curve(record, windows, vocab_size=10)
    for position, changed in enumerate(seen[1:]):
        assert np.all(changed[:, position] != windows[:, position])
        assert np.all(changed[:, position] >= 2)  # never padding (0) or <unk> (1)
        assert np.array_equal(np.delete(changed, position, axis=1), np.delete(windows, position, axis=1))


def test_memory_curve_rejects_a_constant_description():
    from textgen_course.analysis.lstm_summary import memory_curve

    with pytest.raises(ValueError, match="every window gives the same vector"):
        memory_curve(lambda ids: np.zeros((len(ids), 3)), np.ones((4, 5), int), vocab_size=10)


def test_memory_curve_measures_several_outputs_in_one_pass():
    from textgen_course.analysis.lstm_summary import memory_curve

    vocab_size = 30
    table = np.random.default_rng(3).normal(size=(vocab_size, 2))
    windows = np.random.default_rng(4).integers(0, vocab_size, (100, 4))

    def both(ids):
        return {"last": table[ids[:, -1]], "first": table[ids[:, 0]]}

    curves = memory_curve(both, windows, vocab_size)
    assert set(curves) == {"last", "first"}
    np.testing.assert_array_equal(curves["last"][:3], 0.0)
    np.testing.assert_array_equal(curves["first"][1:], 0.0)
    np.testing.assert_allclose(curves["last"][3], memory_curve(lambda ids: table[ids[:, -1]], windows, vocab_size)[3])
