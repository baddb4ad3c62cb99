"""Self-checks for the exercises of book/text_to_ids.ipynb (from text to word ids).

    check_answer_windows(answer_windows)   predict: how many windows a 1,000-token text gives
    check_answer_window(answer_window)     predict: the 13 entries the model reads for a short seed
    check_make_windows(make_windows)       implement: 13-word windows and their targets
    check_pad_left(pad_left)               implement: left padding of a short seed

The implement-checks run the learner's function and the reference on the same seeded ids.
When the outputs differ they recompute the answer with each typical mistake (windows that
do not overlap, the target taken from inside the window, padding on the wrong side...)
and name the mistake that reproduces the learner's output.
"""

from __future__ import annotations

import numpy as np

from ..windows import make_windows as reference_make_windows
from ..windows import pad_left as reference_pad_left
from .checking import (Passed, WrongAnswer, as_array, call_learner, check_number, compare, library_switched_off, passed,
                       require_answer)

TEXT_TOKENS = 1_000  # the text of the window-count exercise
WINDOW_LENGTH = 13
SEED_TEXT = "Now is the winter, said the chatbot."  # the seed of the padded-window exercise
WINDOWS_ANSWERS = ("textgen_course.windows.make_windows", "textgen_course.windows.windows_from_pieces",
                   "textgen_course.windows.prepare_windows")  # switched off while make_windows runs
PAD_ANSWERS = ("textgen_course.windows.pad_left", "textgen_course.generation.seed_window",
               "keras.utils.pad_sequences")  # switched off while pad_left runs
SEED_WINDOW = ("<pad>", "<pad>", "<pad>", "<pad>", "now", "is", "the", "winter", ",", "said", "the", "<unk>", ".")


def check_answer_windows(answer_windows, quiet: bool = False) -> Passed:
    """Training pairs from a text of 1,000 tokens with 13-word windows: 1,000 - 13."""
    tokens, length = TEXT_TOKENS, WINDOW_LENGTH
    check_number(
        answer_windows,
        tokens - length,
        "answer_windows",
        hints={
            tokens: "the first 13 tokens are never a target: every target needs 13 words before it.",
            tokens - length + 1: "that counts one window too many. 988 windows of 13 fit into the text, but the "
            "last one has no next word to be its target.",
            tokens - length - 1: "one short: the last window ends at token 999 and its target is token 1,000.",
            tokens // length: "that is the number of windows that do not overlap. Here a new window starts at "
            "every token, one word after the previous one.",
            tokens // (length + 1): "that cuts the text into separate 14-token pieces. The windows overlap: a new "
            "one starts at every token.",
            (tokens - length) * length: "that is the number of ids in X (windows x 13), not the number of windows.",
        },
    )
    return passed(f"{tokens - length}: a window starts at each of the first {tokens - length} tokens; each one's "
                  "target is the token right after it.", quiet)


def check_answer_window(answer_window, quiet: bool = False) -> Passed:
    """The 13 vocabulary entries the model reads for SEED_TEXT, as strings."""
    require_answer(answer_window, "answer_window")
    if isinstance(answer_window, str) or not hasattr(answer_window, "__len__"):
        raise WrongAnswer("answer_window should be a list of 13 strings such as ['<pad>', ..., 'now', ...], "
                          f"got {type(answer_window).__name__}.")
    got = [str(entry) for entry in answer_window]
    expected = list(SEED_WINDOW)
    words = [entry for entry in expected if entry != "<pad>"]
    if got == expected:
        return passed("4 padding entries on the left, then the 9 tokens: lower case, the comma and full stop as "
                      "tokens of their own, and <unk> for the word the vocabulary does not know.", quiet)
    real = [entry for entry in got if entry not in ("<pad>", "0", "None", "")]
    if got == words + ["<pad>"] * 4:
        raise WrongAnswer("answer_window: the padding is on the wrong side. Short windows are padded on the "
                          "left, so the real words end right before the word to be predicted.")
    if any(entry in ("0", "None", "") for entry in got):
        raise WrongAnswer("answer_window: write padding as the vocabulary entry '<pad>' (the word of id 0).")
    if "chatbot" in got:
        raise WrongAnswer("answer_window: 'chatbot' is not one of the 4818 vocabulary entries (the plays never "
                          "use it), so the model reads the unknown-word entry '<unk>' in its place.")
    if any(entry != entry.lower() for entry in got):
        raise WrongAnswer("answer_window: tokens are lower-case ('Now' becomes 'now').")
    if real == [word for word in words if word not in (",", ".")]:
        raise WrongAnswer("answer_window: the punctuation marks are missing. The comma and the full stop are "
                          "tokens of their own, each with its own id.")
    if len(got) != len(expected):
        raise WrongAnswer(f"answer_window has {len(got)} entries; the model always reads exactly "
                          f"{len(expected)}. Count the tokens, then pad on the left up to 13.")
    raise WrongAnswer(f"answer_window = {got} is not right. Tokenize the seed with the rules of this chapter, "
                      "look up which words the vocabulary knows, and pad on the left to 13 entries.")


def _window_inputs(seed: int, count: int) -> list[int]:
    """count distinct ids (so every mistake shows), as a plain list."""
    return [int(i) for i in np.random.default_rng(seed).permutation(4818)[:count]]


def _windows_mistakes(ids: list[int], length: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{message: the (X, y) that mistake produces}."""
    ids_array = np.asarray(ids)
    x, y = reference_make_windows(ids_array, length)
    starts = np.arange(0, len(ids) - length, length)
    wide = np.lib.stride_tricks.sliding_window_view(ids_array, length + 1)  # (n, length + 1)
    return {
        "you stop one window early. The last window ends just before the last id, which is its target: there "
        "are len(ids) - sequence_length windows.": (x[:-1], y[:-1]),
        "y must be the id right after each window, ids[i + sequence_length]; you took the window's own last id.": (
            x, x[:, -1]),
        "each window in X must hold sequence_length ids; the next id goes into y only, not into X as well.": (
            wide, y),
        "the windows must overlap: a new window starts at every position (ids[0:13], ids[1:14], ...), not every "
        "sequence_length positions.": (np.array([ids_array[s:s + length] for s in starts]), ids_array[starts + length]),
        "X is transposed: it needs one row per window, shape (number of windows, sequence_length).": (x.T, y),
        "this model predicts one word per window: y[i] is the single id ids[i + sequence_length], not the window "
        "shifted by one.": (x, wide[:, 1:]),
    }


def check_make_windows(make_windows, quiet: bool = False) -> Passed:
    """Check make_windows(ids, sequence_length) -> (X (n, sequence_length), y (n,))."""
    __tracebackhide__ = True
    name = "make_windows"
    for seed, count, length in ((0, 12, 4), (1, 40, 13)):
        ids = _window_inputs(seed, count)
        expected_x, expected_y = reference_make_windows(np.asarray(ids), length)
        try:
            with library_switched_off(name, WINDOWS_ANSWERS, make_windows,
                                      advice="Build the windows yourself with a loop or NumPy slicing."):
                result = call_learner(make_windows, name, list(ids), length)
        except WrongAnswer as error:
            if "IndexError" in str(error):
                raise WrongAnswer(f"{error}\nThe last window's target would lie past the end of ids: make only "
                                  "len(ids) - sequence_length windows.") from None
            raise
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise WrongAnswer(f"{name} should return two arrays, (X, y): the windows and their targets. "
                              f"It returned {type(result).__name__}.")
        got_x, got_y = (as_array(part, name) for part in result)
        for message, (wrong_x, wrong_y) in _windows_mistakes(ids, length).items():
            if _same(got_x, wrong_x) and _same(got_y, wrong_y):
                raise WrongAnswer(f"{name}: {message}")
        compare(got_x, expected_x, f"{name}: X", atol=0)
        compare(got_y, expected_y, f"{name}: y", atol=0)
    return passed("make_windows gives len(ids) - sequence_length overlapping windows, each with the id that "
                  "follows it as its target.", quiet)


def _pad_cases() -> list[tuple[list[int], int]]:
    """(ids, sequence_length): short, exactly full, too long, empty."""
    return [([7, 8, 9], 5), ([11, 12, 13, 14, 15], 5), (list(range(20, 40)), 5), ([], 4), ([5, 6], 13)]


def _pad_mistakes(ids: list[int], length: int) -> dict[str, np.ndarray]:
    kept = ids[-length:]
    missing = length - len(kept)
    return {
        "the padding is on the wrong side. Pad on the left, so the real words end right before the word the "
        "model predicts, as in the shortened training windows.": np.array(kept + [0] * missing),
        "pad with id 0 (<pad>). Id 1 means an unknown word, which is not what an empty position is.": np.array(
            [1] * missing + kept),
        "for a seed longer than sequence_length, keep its last ids (the words nearest the next word), not its "
        "first.": np.array(([0] * max(0, length - len(ids)) + ids)[:length]),
    }


def check_pad_left(pad_left, quiet: bool = False) -> Passed:
    """Check pad_left(ids, sequence_length) -> sequence_length ids, left-padded with 0."""
    __tracebackhide__ = True
    name = "pad_left"
    for ids, length in _pad_cases():
        expected = reference_pad_left(ids, length)
        with library_switched_off(name, PAD_ANSWERS, pad_left,
                                  advice="Keep the last ids and put the zeros in front yourself."):
            result = call_learner(pad_left, name, list(ids), length)
        got = as_array(result, name)
        if got.ndim != 1 or len(got) != length:
            raise WrongAnswer(f"{name}({ids}, {length}) returned shape {got.shape}; it must always return "
                              f"exactly sequence_length = {length} ids, however long the input is.")
        for message, wrong in _pad_mistakes(ids, length).items():
            if _same(got, wrong) and not _same(wrong, expected):
                raise WrongAnswer(f"{name}({ids}, {length}): {message}")
        compare(got, expected, f"{name}({ids}, {length})", atol=0)
    return passed("pad_left keeps the last sequence_length ids and fills the rest on the left with 0.", quiet)


def _same(got: np.ndarray, wanted) -> bool:
    wanted = np.asarray(wanted)
    return got.shape == wanted.shape and bool(np.array_equal(got, wanted))
