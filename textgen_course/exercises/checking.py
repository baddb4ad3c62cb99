"""The machinery every exercise check shares: a clear verdict, never a bare traceback.

A check runs the learner's answer and the reference on the same seeded inputs. When they
differ it tries the usual mistakes (a transposed matrix, a forgotten bias, gates in the
wrong order...) and names the one that reproduces the learner's output. Every wrong answer
raises WrongAnswer with a message meant for the learner; a right one prints a ✓ line.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


class WrongAnswer(AssertionError):
    """The answer is missing or wrong; the message says what is wrong and where to look."""


class Passed:
    """What a check returns for a correct answer: truthy, so autograder tests can `assert` it.

    In a notebook it shows nothing more than the ✓ line the check printed (a bare `True` under
    every check cell would be noise).
    """

    def __init__(self, message: str):
        self.message = message

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"Passed({self.message!r})"

    def _ipython_display_(self) -> None:
        """IPython calls this instead of printing the repr: the ✓ line is already there."""


def passed(message: str, quiet: bool = False) -> Passed:
    """Report a correct answer (one ✓ line) and return a truthy Passed."""
    if not quiet:
        print(f"✓ {message}")
    return Passed(message)


def is_unanswered(value: Any) -> bool:
    """True for the placeholders a student notebook starts with: `...` and None."""
    return value is ... or value is None


def require_answer(value: Any, name: str) -> None:
    """Raise WrongAnswer when `name` still holds the `...` placeholder."""
    if is_unanswered(value):
        raise WrongAnswer(f"{name} is not answered yet: replace the ... with your answer, run the cell, then run this check again.")


def call_learner(function: Callable, name: str, *args, **kwargs) -> Any:
    """Call the learner's function; turn a crash or a missing body into a WrongAnswer."""
    __tracebackhide__ = True  # IPython and pytest: show the message, not our frames
    if not callable(function):
        raise WrongAnswer(f"{name} must be a function (def {name}(...): ...), got {type(function).__name__}.")
    try:
        result = function(*args, **kwargs)
    except WrongAnswer:
        raise
    except Exception as error:  # the learner's code raised: say which error, on which input
        shapes = ", ".join(str(np.shape(a)) for a in args if hasattr(a, "shape"))
        raise WrongAnswer(
            f"{name} raised {type(error).__name__}: {error}\n"
            f"It was called with inputs of shapes {shapes or '(no arrays)'}."
        ) from None
    if result is None or result is ...:
        raise WrongAnswer(
            f"{name} returned {result!r}: its body is still the placeholder, or it forgets to `return` its result."
        )
    return result


def as_array(value: Any, name: str) -> np.ndarray:
    """The learner's result as a NumPy array (accepts lists and torch tensors)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise WrongAnswer(f"{name} should return numbers (a NumPy array), got {type(value).__name__}.") from None


def compare(
    got: Any,
    expected: np.ndarray,
    name: str,
    mistakes: dict[str, np.ndarray] | None = None,
    atol: float = 1e-5,
) -> None:
    """Raise WrongAnswer unless got equals expected to atol; name the mistake it matches.

    mistakes: {"message for the learner": the output that mistake produces}. The first
    one that matches the learner's output (same shape, within atol) is reported.
    """
    got = as_array(got, name)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape == expected.shape and np.allclose(got, expected, atol=atol, rtol=0):
        return
    for message, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if got.shape == wrong.shape and np.allclose(got, wrong, atol=atol, rtol=0):
            raise WrongAnswer(f"{name}: {message}")
    if got.shape != expected.shape:
        raise WrongAnswer(f"{name} returned shape {got.shape}, expected {expected.shape}.")
    if not np.all(np.isfinite(got)):
        raise WrongAnswer(f"{name} returned NaN or infinite values.")
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    raise WrongAnswer(
        f"{name} returned the right shape {got.shape} but different values: at index {tuple(int(i) for i in worst)} "
        f"it gives {got[worst]:.6g}, the reference {expected[worst]:.6g} (max difference "
        f"{np.abs(got - expected).max():.3g}, tolerance {atol:g})."
    )


def check_number(answer: Any, expected: float, name: str, hints: dict[float, str] | None = None,
                 rel: float = 0.0) -> None:
    """A predicted number (a shape entry, a parameter count): exact, or within rel.

    hints: {a typical wrong value: why it is wrong}.
    """
    require_answer(answer, name)
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise WrongAnswer(f"{name} should be a number, got {type(answer).__name__} {answer!r}.")
    if abs(answer - expected) <= rel * abs(expected):
        return
    for wrong, why in (hints or {}).items():
        if abs(answer - wrong) <= rel * abs(wrong):
            raise WrongAnswer(f"{name} = {answer!r} is not right: {why}")
    raise WrongAnswer(f"{name} = {answer!r} is not right. Work it out from the layer sizes and try again.")


def check_shape(answer: Any, expected: tuple[int, ...], name: str, hints: dict[tuple, str] | None = None) -> None:
    """A predicted shape, given as a tuple of ints."""
    require_answer(answer, name)
    try:
        answer_tuple = tuple(int(size) for size in answer)
    except (TypeError, ValueError):
        raise WrongAnswer(f"{name} should be a tuple of sizes such as (32, 13, 100), got {answer!r}.") from None
    if answer_tuple == tuple(expected):
        return
    for wrong, why in (hints or {}).items():
        if answer_tuple == tuple(wrong):
            raise WrongAnswer(f"{name} = {answer_tuple} is not right: {why}")
    raise WrongAnswer(f"{name} = {answer_tuple} is not right (it has {len(answer_tuple)} dimensions, "
                      f"the answer has {len(expected)}).")
