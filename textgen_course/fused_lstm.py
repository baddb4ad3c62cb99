"""Keras's LSTM through torch's fused LSTM kernel on the CPU, for training (bench: the Performance page).

What it stands in for. Keras's `LSTM.inner_loop` (keras/src/layers/rnn/lstm.py) hands the whole
sequence to the backend's `lstm` function, `keras.src.backend.lstm`, which on the torch backend is
`keras.src.backend.torch.rnn.lstm`. That function takes torch's fused kernel (`torch._VF.lstm`,
the kernel behind `torch.nn.LSTM`) only when the tensors are on CUDA with cuDNN; everywhere else it
runs `_fallback_lstm`: one matmul for all input projections, then a Python loop over the 13
steps, each step a handful of small tensor operations that autograd records one by one.
`fused_lstm` below is that same function with one condition changed: "on CUDA" becomes "on the
CUDA or the CPU device". On the CPU `torch._VF.lstm` runs oneDNN's (mkldnn) LSTM: one call
forward and one backward per layer instead of about 15 operations per step.

Why Keras does not do this itself. Its fused path is named and written for cuDNN (`cudnn_ok`,
`use_cudnn`), the case where the win is largest, and the CPU was left on the generic loop. The
loop is also what Keras runs on every backend, so it is the path its own tests cover.

What stays the same. The layer class, its config (`use_cudnn` included), the weights, their layout
and the saved files: nothing here touches a layer; only the backend function the layer calls is
swapped while the switch is on. The kernel reads Keras's weights through the mapping Keras's
cuDNN path uses (transposes only, Keras's bias as `bias_ih`, zeros as `bias_hh`; both use the gate
order i, f, c, o), so it computes the same LSTM: tests/library/test_fused_lstm.py checks outputs and the
gradients of the inputs and of every weight against Keras's own step loop to 1e-5 on the shipped
model and on the one-LSTM model. Everything the kernel cannot do goes to Keras's own function
unchanged: a mask, activations other than tanh and sigmoid, no bias, `unroll=True`, a dtype other
than float32 or float64, tracing or torch.compile (`jit_compile=True`), any other device. Keras
itself keeps `recurrent_dropout` on its cell loop (it never calls the backend function then), and
applies input `dropout` to the sequence before calling it, exactly as on its cuDNN path.
`go_backwards` flips the sequence first, as Keras does; `stateful` only changes the initial state
Keras passes in.

Why only during training, and on by default there. Training is where the loop costs: an epoch of
the shipped recipe takes minutes and the chapters run small training races (bench/results.json:
`train_epoch_s` and `train_by_batch_size` hold the measured speed-ups). So `train()` turns it on
unless called with `fused_lstm=False`, and `bench/training_throughput.py` measures both. It is an
argument of train(), not a TrainingConfig field: it does not change the model, so it is not part
of the recipe a manifest records (a run may be resumed with it on or off). Predictions and the
chapters' cross-checks keep Keras's own loop: the cross-check compares Keras's LSTM with the
PyTorch twin, which runs this same kernel; through the kernel it would compare a kernel with itself.

How to turn it off. `train(..., fused_lstm=False)` for one run; the environment variable
TEXTGEN_FUSED_LSTM=0 for a whole process (the switch then never turns it on); `with
enabled(False):` around any code.

How the course would propose it upstream. A pull request to keras-team/keras changing
`backend/torch/rnn.py`'s `lstm` (and `gru`, `bidirectional_lstm`) to take `_cudnn_lstm` whenever
`cudnn_ok` holds apart from the device check, on any device torch has an LSTM kernel for, with
the CPU tests of keras/src/layers/rnn/lstm_test.py run on both paths and this module's gradient
comparison as the new test. Until then the course relies on private names that may change in any
Keras release: `KERAS_VERSIONS_CHECKED` below, and tests/library/test_fused_lstm.py checks their signatures.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os

import torch

KERAS_VERSIONS_CHECKED = ("3.15.1",)  # Keras releases whose private LSTM interface this was checked against
ENVIRONMENT_SWITCH = "TEXTGEN_FUSED_LSTM"  # "0": never use the fused kernel in this process
# The signature of keras.src.backend.torch.rnn.lstm (and so of fused_lstm), checked by the tests
LSTM_PARAMETERS = ("inputs", "initial_state_h", "initial_state_c", "mask", "kernel", "recurrent_kernel", "bias",
                   "activation", "recurrent_activation", "return_sequences", "go_backwards", "unroll", "batch_first")


def keras_backend_modules():
    """(keras.src.backend, keras.src.backend.torch.rnn): where the layer looks the function up, and Keras's own."""
    import keras  # noqa: F401  (imports the backend)
    import keras.src.backend as backend

    if backend.backend() != "torch":
        raise RuntimeError(f"fused_lstm needs Keras's torch backend, this process uses {backend.backend()!r}.")
    # importlib, not `import ... as`: the package's attribute `rnn` is Keras's rnn() function, not the module
    return backend, importlib.import_module("keras.src.backend.torch.rnn")


def _kernel_can_run(inputs, mask, kernel, bias, activation, recurrent_activation, unroll) -> bool:
    """Whether torch's fused kernel computes exactly what Keras's loop would (see the module docstring)."""
    compiling = hasattr(torch.compiler, "is_compiling") and torch.compiler.is_compiling()
    return (mask is None and bias is not None and not unroll and not compiling and not torch.jit.is_tracing()
            and torch.is_tensor(inputs) and inputs.device.type == "cpu"
            and kernel.dtype in (torch.float32, torch.float64)
            and activation in _tanh_functions() and recurrent_activation in _sigmoid_functions())


def _tanh_functions() -> tuple:
    """The tanh that Keras's cuDNN path accepts, in its spellings (as in Keras's cudnn_ok)."""
    from keras.src import activations, ops

    return (activations.tanh, torch.tanh, ops.tanh)


def _sigmoid_functions() -> tuple:
    """The sigmoid, likewise."""
    from keras.src import activations, ops

    return (activations.sigmoid, torch.sigmoid, ops.sigmoid)


def fused_lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias, activation,
               recurrent_activation, return_sequences=False, go_backwards=False, unroll=False, batch_first=True):
    """keras.src.backend.torch.rnn.lstm, taking torch's fused kernel on the CPU too.

    Same arguments and results as Keras's function: (last_output (batch, units), outputs
    (batch, time, units), or (batch, 1, units) without return_sequences, [h, c]).
    """
    _, torch_rnn = keras_backend_modules()
    keras_lstm = torch_rnn.lstm
    convert = torch_rnn.convert_to_tensor
    kernel_tensor = convert(kernel)
    inputs_tensor = convert(inputs)
    if not _kernel_can_run(inputs_tensor, mask, kernel_tensor, bias, activation, recurrent_activation, unroll):
        return keras_lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias, activation,
                          recurrent_activation, return_sequences=return_sequences, go_backwards=go_backwards,
                          unroll=unroll, batch_first=batch_first)
    dtype = kernel_tensor.dtype  # Keras computes in the kernel's dtype: integer inputs become floats
    inputs_tensor = inputs_tensor.to(dtype)
    h = convert(initial_state_h).to(dtype)  # (batch, units)
    c = convert(initial_state_c).to(dtype)  # (batch, units)
    if not batch_first:
        inputs_tensor = inputs_tensor.permute(1, 0, 2)  # (batch, time, features)
    if go_backwards:
        inputs_tensor = torch.flip(inputs_tensor, dims=[1])  # Keras reads the sequence from its end
    last_output, outputs, states = torch_rnn._cudnn_lstm(
        inputs_tensor, h, c, kernel_tensor, convert(recurrent_kernel), convert(bias),
        return_sequences=return_sequences, device=inputs_tensor.device)
    if not batch_first:
        outputs = outputs.permute(1, 0, 2)
    return last_output, outputs, states


@contextlib.contextmanager
def enabled(on: bool = True):
    """Inside the block, Keras's LSTM layers on the torch backend use fused_lstm (on=True) or Keras's own.

    TEXTGEN_FUSED_LSTM=0 in the environment keeps Keras's own function whatever `on` says.
    Restores what was there before on leaving, so blocks nest. On another Keras backend it does
    nothing (yields False): the fused path is the torch backend's.
    """
    import keras

    if keras.backend.backend() != "torch":
        yield False
        return
    backend, torch_rnn = keras_backend_modules()
    use = on and os.environ.get(ENVIRONMENT_SWITCH, "1") != "0"
    saved = backend.lstm
    backend.lstm = fused_lstm if use else torch_rnn.lstm
    try:
        yield use
    finally:
        backend.lstm = saved


def is_enabled() -> bool:
    """Whether Keras's LSTM layers would take the fused kernel now (where it can run)."""
    backend, _ = keras_backend_modules()
    return backend.lstm is fused_lstm


def interface_problems() -> list[str]:
    """What changed in the private Keras interface this module relies on ([] when nothing did)."""
    import keras

    backend, torch_rnn = keras_backend_modules()
    from keras.src.layers.rnn import lstm as lstm_layer

    problems = []
    if keras.__version__ not in KERAS_VERSIONS_CHECKED:
        problems.append(f"keras {keras.__version__} is not among the checked versions {KERAS_VERSIONS_CHECKED}")
    for module, name in ((backend, "lstm"), (torch_rnn, "lstm"), (torch_rnn, "_cudnn_lstm"),
                         (torch_rnn, "convert_to_tensor")):
        if not callable(getattr(module, name, None)):
            problems.append(f"{module.__name__}.{name} is gone")
    if not problems and tuple(inspect.signature(torch_rnn.lstm).parameters) != LSTM_PARAMETERS:
        taken = tuple(inspect.signature(torch_rnn.lstm).parameters)
        problems.append(f"keras.src.backend.torch.rnn.lstm now takes {taken}")
    if not problems and tuple(inspect.signature(torch_rnn._cudnn_lstm).parameters) != (
            "inputs", "initial_state_h", "initial_state_c", "kernel", "recurrent_kernel", "bias", "return_sequences",
            "device"):
        problems.append("keras.src.backend.torch.rnn._cudnn_lstm changed its arguments")
    if "backend.lstm(" not in inspect.getsource(lstm_layer.LSTM.inner_loop):
        problems.append("keras's LSTM.inner_loop no longer calls backend.lstm(...)")
    return problems
