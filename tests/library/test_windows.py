import numpy as np
import pytest

from textgen_course.windows import (
    make_windows,
    pad_left,
    prepare_windows,
    shorten_some_windows,
    split_ids,
    windows_from_pieces,
)


def test_every_13_consecutive_ids_predict_the_next():
    ids = list(range(100, 130))
    x, y = make_windows(ids, sequence_length=13)
    assert x.shape == (17, 13) and y.shape == (17,) and x.dtype == np.int32 and y.dtype == np.int32
    np.testing.assert_array_equal(x[0], np.arange(100, 113))
    assert y[0] == 113 and y[-1] == 129


@pytest.mark.parametrize("ids, length, message", [
    ([1, 2, 3], 13, "need more than 13 ids"), ([1.5] * 20, 13, "integer ids"), ([1] * 20, 0, "positive integer"),
])
def test_bad_windows_input(ids, length, message):
    with pytest.raises(ValueError, match=message):
        make_windows(ids, length)


def test_split_is_by_position_and_no_window_straddles_it():
    ids = np.arange(10_000)
    train, validation = split_ids(ids, validation_fraction=0.1)
    assert sum(map(len, train)) == 9_000 and sum(map(len, validation)) == 1_000
    assert set(np.concatenate(train)).isdisjoint(np.concatenate(validation))
    x_train, y_train = windows_from_pieces(train, 13)
    x_val, y_val = windows_from_pieces(validation, 13)
    validation_ids = set(np.concatenate(validation))
    assert validation_ids.isdisjoint(set(x_train.ravel()) | set(y_train))  # validation text never seen in training
    assert set(x_val.ravel()) | set(y_val) <= validation_ids
    assert np.all(np.diff(x_train, axis=1) == 1)  # every window is contiguous text


def test_a_share_of_windows_is_shortened_with_left_padding():
    x, _ = make_windows(np.arange(1, 10_001), 13)
    shortened = shorten_some_windows(x, fraction=0.2, seed=0)
    changed = np.any(shortened != x, axis=1)
    assert 0.18 < changed.mean() < 0.22
    kept_words = (shortened[changed] != 0).sum(axis=1)
    assert kept_words.min() == 1 and kept_words.max() == 12
    for row in shortened[changed][:50]:  # padding only on the left, the real words untouched at the end
        padding = int((row == 0).sum())
        assert np.all(row[:padding] == 0) and np.all(row[padding:] != 0)
    np.testing.assert_array_equal(shorten_some_windows(x, 0.2, seed=0), shortened)  # seeded


def test_pad_left_matches_training_padding():
    np.testing.assert_array_equal(pad_left([7, 8, 9], 5), [0, 0, 7, 8, 9])
    np.testing.assert_array_equal(pad_left(range(20), 5), [15, 16, 17, 18, 19])


def test_prepare_windows_keeps_validation_full():
    data = prepare_windows(np.arange(1, 5_001), sequence_length=13, short_window_fraction=0.5)
    assert (data.validation_x == 0).sum() == 0
    assert (data.train_x == 0).any()
    assert len(data.train_y) + len(data.validation_y) == 5_000 - 20 * 13


def test_pad_left_edge_cases():
    np.testing.assert_array_equal(pad_left([], 4), [0, 0, 0, 0])  # no words: all padding
    np.testing.assert_array_equal(pad_left([3, 4, 5, 6], 4), [3, 4, 5, 6])  # exactly full: unchanged
    assert pad_left([5], 13).dtype == np.int32 and pad_left([5], 13).shape == (13,)


def test_a_text_of_n_ids_gives_n_minus_13_windows_each_target_once():
    ids = np.random.default_rng(0).permutation(1_000)
    x, y = make_windows(ids, 13)
    assert len(x) == 1_000 - 13
    np.testing.assert_array_equal(y, ids[13:])  # every id after the first 13 is a target exactly once
    np.testing.assert_array_equal(x[1:, :-1], x[:-1, 1:])  # each window is the previous one moved by one id
