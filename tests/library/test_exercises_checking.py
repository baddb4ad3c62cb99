"""The machinery every implement check shares: library functions switched off, rows picked by product only."""

import numpy as np
import pytest
import torch

import textgen_course.windows
from textgen_course.exercises.checking import (
    Delegated,
    WrongAnswer,
    call_learner,
    library_switched_off,
    rows_by_product_only,
)
from textgen_course.windows import make_windows


def run_switched_off(function, forbidden, *args):
    with library_switched_off(function.__name__, forbidden, function, advice="Write it yourself."):
        return call_learner(function, function.__name__, *args)


def test_every_reference_to_a_switched_off_function_trips_and_is_restored_after():
    original_code = make_windows.__code__

    def by_module(ids):
        return textgen_course.windows.make_windows(ids, 2)

    def by_name(ids):
        return make_windows(ids, 2)

    for answer in (by_module, by_name):
        with pytest.raises(Delegated, match="calls textgen_course.windows.make_windows.*Write it yourself"):
            run_switched_off(answer, ["textgen_course.windows.make_windows"], np.arange(5))
    assert make_windows.__code__ is original_code
    np.testing.assert_array_equal(make_windows(np.arange(4), 2)[1], [2, 3])


def test_an_answer_that_swallows_the_error_is_still_rejected():
    def swallows(ids):
        try:
            return make_windows(ids, 2)
        except Exception:
            return "something else"

    with pytest.raises(Delegated, match="calls textgen_course.windows.make_windows"):
        run_switched_off(swallows, ["textgen_course.windows.make_windows"], np.arange(5))


def test_a_builtin_is_replaced_where_it_lives_and_in_the_learner_namespace():
    softmax = torch.softmax  # a built-in: its code cannot be swapped

    def in_closure(logits):
        return softmax(torch.as_tensor(logits), dim=-1)

    def by_attribute(logits):
        return torch.as_tensor(logits).softmax(-1)  # inherited from torch's C base class

    with pytest.raises(Delegated, match="calls torch.softmax"):
        run_switched_off(in_closure, ["torch.softmax"], np.zeros(2))
    with pytest.raises(Delegated, match="calls torch.Tensor.softmax"):
        run_switched_off(by_attribute, ["torch.Tensor.softmax"], np.zeros(2))
    assert torch.softmax is softmax and "softmax" not in vars(torch.Tensor)  # restored, not left behind
    assert float(in_closure(np.zeros(2))[0]) == float(by_attribute(np.zeros(2))[0]) == 0.5


def test_an_answer_that_uses_only_allowed_functions_passes_untouched():
    def own_windows(ids):
        return np.lib.stride_tricks.sliding_window_view(ids, 2)[:-1], ids[2:]

    x, y = run_switched_off(own_windows, ["textgen_course.windows.make_windows", "not_installed_package.f"],
                            np.arange(5))
    np.testing.assert_array_equal(y, [2, 3, 4])


def test_a_guarded_matrix_multiplies_but_refuses_to_have_its_rows_picked():
    guarded = rows_by_product_only(np.arange(6.0).reshape(3, 2), "picked rows")
    one_hot = np.eye(3)[[2, 0]]
    product = one_hot @ guarded
    assert type(product) is np.ndarray  # results are plain arrays: the learner can index them
    np.testing.assert_array_equal(product, [[4, 5], [0, 1]])
    assert guarded[2, 1] == 5 and guarded[:, 0].shape == (3,) and guarded.T.shape == (2, 3)
    for pick in (lambda m: m[[2, 0]], lambda m: m[np.array([2, 0])], lambda m: m.T[:, [2, 0]],
                 lambda m: np.take(m, [2, 0], axis=0), lambda m: m.take([2, 0], axis=0),
                 lambda m: m[np.array([True, False, True])]):
        with pytest.raises(WrongAnswer, match="picked rows"):
            pick(guarded)


def implement_checks():
    """Every check whose argument is the learner's function (predict checks take answer_... values)."""
    import importlib
    import inspect
    import pkgutil

    import textgen_course.exercises as package

    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("check_") and function.__module__ == module.__name__:
                first = next(iter(inspect.signature(function).parameters))
                if not first.startswith("answer"):
                    yield f"{module_info.name}.{name}", function


def test_every_implement_check_switches_the_library_off():
    import inspect

    checks = dict(implement_checks())
    assert len(checks) >= 7, sorted(checks)
    for name, check in checks.items():
        module = inspect.getmodule(check)
        helpers = [getattr(module, used) for used in check.__code__.co_names
                   if inspect.isfunction(getattr(module, used, None))
                   and getattr(module, used).__module__ == module.__name__]
        sources = [inspect.getsource(function) for function in [check, *helpers]]  # the check, or a helper it calls
        assert any("library_switched_off(" in source for source in sources), f"{name} does not use library_switched_off"


def test_a_switched_off_method_keeps_its_signature_so_keras_still_calls_it():
    """Keras reads a layer's call() signature when it builds the layer: the tripwire must show the same one,
    or the learner's code fails with a confusing build error instead of naming the delegation."""
    import inspect

    import keras

    original = inspect.signature(keras.layers.LSTM.call)

    def runs_a_keras_lstm(inputs):
        return keras.layers.LSTM(3)(inputs)

    with pytest.raises(Delegated, match="calls keras.layers.LSTM.call"):
        run_switched_off(runs_a_keras_lstm, ["keras.layers.LSTM.call"], np.zeros((2, 4, 5), dtype="float32"))
    assert inspect.signature(keras.layers.LSTM.call) == original
    assert keras.layers.LSTM(3)(np.zeros((2, 4, 5), dtype="float32")).shape == (2, 3)  # put back
