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
        raise WrongAnswer(f"{name} is not answered yet: replace the ... with your answer, run the cell, "
                          "then run this check again.")


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


# --- Answers that hand the work to a library -------------------------------------------------
#
# An implement-exercise asks the learner to compute something the library (or NumPy's
# neighbours: SciPy, Keras, PyTorch) already computes. A check that only compares numbers
# would accept `return library_function(...)`, so the learner's function runs with those
# functions switched off: each is replaced by a tripwire that raises Delegated, naming it.
#
# How a function is switched off, so that every way of reaching it trips:
# - a Python function gets a tripwire as its code (func.__code__), so every reference to
#   the same function object trips: `tc.make_windows`, `from ... import make_windows as w`,
#   a bound method (`weights.probabilities`), a call from inside another library function;
# - anything else (a built-in such as torch.softmax) is replaced where it is defined, and in
#   the learner's own namespace (the notebook's globals, a lambda's closure).
# Everything is put back when the learner's function returns, also after an error.


class Delegated(WrongAnswer):
    """The answer hands the work to the library function the exercise asks the learner to write."""


_TRIPS: list[str] = []  # dotted names tripped during the current learner call


def _trip(dotted: str) -> None:
    __tracebackhide__ = True
    _TRIPS.append(dotted)
    raise Delegated(dotted)


def _tripwire(*args, **kwargs):
    """Its code becomes a switched-off function's code, renamed to that function's dotted name.

    It runs with the switched-off function's module globals, so it imports what it needs itself.
    """
    __tracebackhide__ = True
    __import__("textgen_course.exercises.checking", fromlist=["_trip"])._trip(
        __import__("sys")._getframe(0).f_code.co_qualname)


def resolve(dotted: str) -> tuple[Any, str, Any]:
    """'package.module.Class.attribute' -> (owner, attribute name, object).

    Imports the longest importable prefix of the name, then follows the attributes. Raises
    ImportError when no prefix imports (the package is not installed) and AttributeError when an
    attribute is missing. The checks use it to switch functions off; the course's prose baker
    (authoring/prose.py) uses it to find the library object a listing shows.
    """
    import importlib

    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:-1]:
            owner = getattr(owner, part)
        return owner, parts[-1], getattr(owner, parts[-1])
    raise ImportError(f"cannot import {dotted!r}")


def _delegation_message(name: str, dotted: str, advice: str) -> str:
    return (f"{name} calls {dotted}, which already computes the answer, so it does not show your own "
            f"computation. This check runs {name} with that function switched off. {advice}").strip()


class library_switched_off:
    """Context manager: run the learner's function with `forbidden` functions replaced by tripwires.

        with library_switched_off("lstm_step", ["textgen_course.lstm_gates.lstm_step"], lstm_step,
                                  advice="Write the step with NumPy."):
            result = call_learner(lstm_step, "lstm_step", *inputs)

    forbidden: dotted names ("scipy.special.softmax", "textgen_course.numpy_model.NumpyTextGenerator.logits");
    names whose package is not installed are skipped. A call to any of them raises Delegated with a
    message that names the function. If the learner's code catches that error and carries on, the
    check still raises Delegated when the block ends.
    """

    def __init__(self, name: str, forbidden, learner: Callable | None = None, advice: str = ""):
        self.name, self.forbidden, self.learner, self.advice = name, tuple(forbidden), learner, advice
        self._undo: list[Callable[[], None]] = []

    def __enter__(self) -> "library_switched_off":
        _TRIPS.clear()
        import types

        namespaces = _learner_namespaces(self.learner)
        try:
            for dotted in self.forbidden:
                try:
                    owner, attribute, target = resolve(dotted)
                except (ImportError, AttributeError):  # not installed: nothing to switch off
                    continue
                if isinstance(target, types.FunctionType) and not target.__closure__:
                    self._swap_code(target, dotted)
                else:
                    self._replace_attribute(owner, attribute, dotted)
                    self._replace_in_namespaces(namespaces, target, dotted)
        except BaseException:
            self._restore()
            raise
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        __tracebackhide__ = True
        self._restore()
        tripped = list(_TRIPS)
        _TRIPS.clear()
        if tripped:
            raise Delegated(_delegation_message(self.name, tripped[0], self.advice)) from None
        return False

    def _swap_code(self, function, dotted: str) -> None:
        original = function.__code__
        function.__code__ = _tripwire.__code__.replace(co_name=function.__name__, co_qualname=dotted)
        self._undo.append(lambda: setattr(function, "__code__", original))

    def _replace_attribute(self, owner, attribute: str, dotted: str) -> None:
        own = attribute in vars(owner)
        original = vars(owner).get(attribute)

        def tripwire(*args, **kwargs):
            __tracebackhide__ = True
            _trip(dotted)

        current = getattr(owner, attribute, None)
        if callable(current):  # the same signature: a framework that inspects it (Keras's layers) still calls it
            tripwire.__wrapped__ = current
        setattr(owner, attribute, tripwire)
        self._undo.append(lambda: setattr(owner, attribute, original) if own else delattr(owner, attribute))

    def _replace_in_namespaces(self, namespaces, target, dotted: str) -> None:
        def tripwire(*args, **kwargs):
            __tracebackhide__ = True
            _trip(dotted)

        tripwire.__wrapped__ = target
        for namespace in namespaces:
            if isinstance(namespace, dict):
                for key, value in list(namespace.items()):
                    if value is target:
                        namespace[key] = tripwire
                        self._undo.append(lambda namespace=namespace, key=key: namespace.__setitem__(key, target))
            else:  # a closure cell
                if namespace.cell_contents is target:
                    namespace.cell_contents = tripwire
                    self._undo.append(lambda cell=namespace: setattr(cell, "cell_contents", target))

    def _restore(self) -> None:
        while self._undo:
            self._undo.pop()()


def _learner_namespaces(learner) -> list:
    """The learner's globals and closure cells, where a built-in may have been imported by name."""
    function = getattr(learner, "__func__", learner)
    namespaces: list = []
    if hasattr(function, "__globals__"):
        namespaces.append(function.__globals__)
    for cell in getattr(function, "__closure__", None) or ():
        try:
            cell.cell_contents
        except ValueError:  # an empty cell
            continue
        namespaces.append(cell)
    return namespaces


class _RowsByProductOnly(np.ndarray):
    """A matrix that can be multiplied, transposed and sliced, but not indexed with arrays of ids."""

    _message = "indexing this matrix with ids is not allowed here."

    def __array_finalize__(self, obj) -> None:
        self._message = getattr(obj, "_message", _RowsByProductOnly._message)

    def __getitem__(self, index):
        __tracebackhide__ = True
        parts = index if isinstance(index, tuple) else (index,)
        if any(not isinstance(part, (slice, type(Ellipsis), type(None), int, np.integer)) for part in parts):
            raise WrongAnswer(self._message)  # an array or list of ids (or a mask): rows picked directly
        return super().__getitem__(index)

    def take(self, *args, **kwargs):
        __tracebackhide__ = True
        raise WrongAnswer(self._message)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """Arithmetic (matmul included) works as on a plain array, and returns plain arrays."""
        plain = tuple(value.view(np.ndarray) if isinstance(value, _RowsByProductOnly) else value for value in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(value.view(np.ndarray) if isinstance(value, _RowsByProductOnly) else value
                                  for value in kwargs["out"])
        return getattr(ufunc, method)(*plain, **kwargs)

    def __array_function__(self, function, types, args, kwargs):
        __tracebackhide__ = True
        if function in (np.take, np.take_along_axis, np.choose, np.compress):
            raise WrongAnswer(self._message)
        return super().__array_function__(function, types, args, kwargs)


def rows_by_product_only(matrix: np.ndarray, message: str) -> np.ndarray:
    """A copy of matrix that raises WrongAnswer(message) when its rows are picked by ids.

    `matrix[ids]`, `matrix.T[:, ids]`, `np.take(matrix, ids, axis=0)` and the like raise; products
    (`one_hot @ matrix`, np.einsum, np.tensordot), slices, transposes and single numbers
    (`matrix[i, j]`, for a product written out as loops) work as usual.
    """
    guarded = np.array(matrix, copy=True).view(_RowsByProductOnly)
    guarded._message = message
    return guarded
