import numpy as np
import pytest


def test_effective_number_of_words_counts_equally_likely_choices():
    from textgen_course.analysis.softmax_head import effective_number_of_words

    assert effective_number_of_words(np.array([0.0, 1.0, 0.0])) == pytest.approx(1.0)
    assert effective_number_of_words(np.full(40, 1 / 40)) == pytest.approx(40.0)
    np.testing.assert_allclose(effective_number_of_words(np.array([[0.5, 0.5, 0, 0], [0.25] * 4])), [2.0, 4.0])
    p = np.array([0.7, 0.2, 0.1])
    assert 1 < effective_number_of_words(p) < 3


def test_distinct_fraction_measures_repetition():
    from textgen_course.analysis.softmax_head import distinct_fraction

    assert distinct_fraction([1, 2, 3, 4]) == 1.0
    assert distinct_fraction([5, 5, 5, 5]) == 0.25
    assert distinct_fraction([1, 2, 1, 2, 1], n=2) == 0.5  # (1,2) (2,1) (1,2) (2,1)
    with pytest.raises(ValueError, match="need at least 3 ids"):
        distinct_fraction([1, 2], n=3)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        distinct_fraction([1, 2], n=0)
