"""The text-to-ids chapter's self-checks accept the reference answers and name typical mistakes."""

import numpy as np
import pytest

from textgen_course.artifacts import PRETRAINED
import keras

from textgen_course.exercises import WrongAnswer
from textgen_course.exercises.checking import Delegated
from textgen_course.exercises.text_to_ids import (
    SEED_TEXT,
    SEED_WINDOW,
    check_answer_window,
    check_answer_windows,
    check_make_windows,
    check_pad_left,
)
from textgen_course.vocabulary import Vocabulary
from textgen_course.windows import pad_left as library_pad_left


def right_make_windows(ids, sequence_length):
    """The reference answer, written as a learner would."""
    windows = [ids[start:start + sequence_length] for start in range(len(ids) - sequence_length)]
    targets = [ids[start + sequence_length] for start in range(len(ids) - sequence_length)]
    return np.array(windows), np.array(targets)


def right_pad_left(ids, sequence_length=13):
    kept = list(ids)[-sequence_length:]
    return [0] * (sequence_length - len(kept)) + kept


def test_reference_answers_pass(capsys):
    assert check_answer_windows(987)
    assert check_answer_window(list(SEED_WINDOW))
    assert check_make_windows(right_make_windows)
    assert check_pad_left(right_pad_left)
    assert capsys.readouterr().out.count("✓") == 4


def test_the_expected_window_is_what_the_shipped_vocabulary_gives():
    vocabulary = Vocabulary.load(PRETRAINED / "vocabulary.json")
    window = library_pad_left(vocabulary.encode(SEED_TEXT), 13)
    assert tuple(vocabulary.words[i] for i in window) == SEED_WINDOW


def test_the_library_functions_are_right_but_rejected_as_answers():
    import textgen_course as tc
    from textgen_course.windows import make_windows

    with pytest.raises(Delegated, match="make_windows calls textgen_course.windows.make_windows, which already"):
        check_make_windows(make_windows)
    with pytest.raises(Delegated, match="make_windows calls textgen_course.windows.make_windows"):
        check_make_windows(lambda ids, length: tc.make_windows(np.array(ids), length))
    with pytest.raises(Delegated, match="pad_left calls textgen_course.windows.pad_left, which already"):
        check_pad_left(library_pad_left)
    with pytest.raises(Delegated, match="pad_left calls keras.utils.pad_sequences"):
        check_pad_left(lambda ids, length: keras.utils.pad_sequences([ids], maxlen=length)[0])
    np.testing.assert_array_equal(library_pad_left([5], 3), [0, 0, 5])  # switched back on afterwards
    np.testing.assert_array_equal(make_windows(np.arange(4), 2)[1], [2, 3])


@pytest.mark.parametrize(
    "answer, message",
    [
        (..., "not answered yet"),
        (1_000, "first 13 tokens are never a target"),
        (988, "one window too many"),
        (76, "do not overlap"),
        (71, "14-token pieces"),
        (987 * 13, "number of ids in X"),
        ("987", "should be a number"),
        (500, "not right"),
    ],
)
def test_wrong_window_counts_are_explained(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_windows(answer)


PADS = ["<pad>"] * 4
WORDS = ["now", "is", "the", "winter", ",", "said", "the", "<unk>", "."]


@pytest.mark.parametrize(
    "answer, message",
    [
        (..., "not answered yet"),
        ("now is the winter", "should be a list of 13 strings"),
        (WORDS + PADS, "padding is on the wrong side"),
        ([0] * 4 + WORDS, "write padding as the vocabulary entry '<pad>'"),
        (PADS + WORDS[:7] + ["chatbot", "."], "'chatbot' is not one of the 4818"),
        (PADS + ["Now"] + WORDS[1:], "lower-case"),
        (["<pad>"] * 6 + [w for w in WORDS if w not in (",", ".")], "punctuation marks are missing"),
        (PADS[:3] + WORDS, "has 12 entries"),
        (PADS + WORDS[::-1], "not right"),
    ],
)
def test_wrong_windows_are_explained(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_window(answer)


def one_window_early(ids, sequence_length):
    x, y = right_make_windows(ids, sequence_length)
    return x[:-1], y[:-1]


def target_inside_window(ids, sequence_length):
    x, _ = right_make_windows(ids, sequence_length)
    return x, x[:, -1]


def target_kept_in_window(ids, sequence_length):
    x = [ids[s:s + sequence_length + 1] for s in range(len(ids) - sequence_length)]
    return np.array(x), np.array(x)[:, -1]


def non_overlapping(ids, sequence_length):
    starts = range(0, len(ids) - sequence_length, sequence_length)
    return np.array([ids[s:s + sequence_length] for s in starts]), np.array([ids[s + sequence_length] for s in starts])


def transposed(ids, sequence_length):
    x, y = right_make_windows(ids, sequence_length)
    return x.T, y


def shifted_windows(ids, sequence_length):
    x, _ = right_make_windows(ids, sequence_length)
    return x, np.array([ids[s + 1:s + sequence_length + 1] for s in range(len(ids) - sequence_length)])


def one_too_many(ids, sequence_length):
    targets = [ids[s + sequence_length] for s in range(len(ids) - sequence_length + 1)]
    return right_make_windows(ids + [None], sequence_length)[0], targets


@pytest.mark.parametrize(
    "answer, message",
    [
        (one_window_early, "stop one window early"),
        (target_inside_window, "you took the window's own last id"),
        (target_kept_in_window, "the next id goes into y only"),
        (non_overlapping, "windows must overlap"),
        (transposed, "X is transposed"),
        (shifted_windows, "one word per window"),
        (one_too_many, "(?s)IndexError.*past the end of ids"),
        (lambda ids, sequence_length: right_make_windows(ids, sequence_length)[0], "should return two arrays"),
        (lambda ids, sequence_length: None, "still the placeholder"),
        (..., "must be a function"),
    ],
)
def test_typical_window_mistakes_are_named(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_make_windows(answer)


def right_padded(ids, sequence_length=13):
    kept = list(ids)[-sequence_length:]
    return kept + [0] * (sequence_length - len(kept))


def padded_with_unknown(ids, sequence_length=13):
    kept = list(ids)[-sequence_length:]
    return [1] * (sequence_length - len(kept)) + kept


def keeps_the_first_ids(ids, sequence_length=13):
    return ([0] * (sequence_length - len(ids)) + list(ids))[:sequence_length]


def never_cuts(ids, sequence_length=13):
    return [0] * (sequence_length - len(ids)) + list(ids)


@pytest.mark.parametrize(
    "answer, message",
    [
        (right_padded, "padding is on the wrong side"),
        (padded_with_unknown, "pad with id 0"),
        (keeps_the_first_ids, "keep its last ids"),
        (never_cuts, "exactly sequence_length = 5 ids"),
        (lambda ids, sequence_length=13: [0] * 13, "returned shape \\(13,\\)"),
        (lambda ids, sequence_length=13: None, "still the placeholder"),
    ],
)
def test_typical_padding_mistakes_are_named(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_pad_left(answer)
