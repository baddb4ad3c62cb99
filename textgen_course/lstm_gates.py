"""The LSTM written out in NumPy: four gates, a cell state and a hidden state.

Shared by both LSTM stages (chapters: book/lstm_context.ipynb, book/lstm_summary.ipynb).
It reads the weights of a Keras LSTM layer and runs the same equations step by step,
keeping every gate's value so the book can plot them. Tests require it to match Keras
and PyTorch to 1e-5. Also here, because both LSTM stages use them: the parameter count,
the same equations arranged for speed (lstm_hidden_states), and the PyTorch twin of a
Keras LSTM layer.

Keras stores the four gates side by side in one matrix, in the order
input gate, forget gate, candidate, output gate (PyTorch uses the same order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

GATE_NAMES = ("input_gate", "forget_gate", "candidate", "output_gate")


@dataclass(frozen=True)
class LstmWeights:
    """One LSTM layer's weights, in Keras's layout."""

    kernel: np.ndarray  # (input_dim, 4 * units): input -> the four gates
    recurrent_kernel: np.ndarray  # (units, 4 * units): previous hidden state -> the four gates
    bias: np.ndarray  # (4 * units,)

    @property
    def units(self) -> int:
        """Number of LSTM cells (150 for LSTM-1, 100 for LSTM-2)."""
        return self.recurrent_kernel.shape[0]

    @classmethod
    def from_keras(cls, layer) -> "LstmWeights":
        """Copy the weights out of a keras.layers.LSTM."""
        kernel, recurrent_kernel, bias = layer.get_weights()
        return cls(kernel, recurrent_kernel, bias)


@dataclass(frozen=True)
class LstmTrace:
    """Everything an LSTM computed, step by step. Each field: (batch, steps, units)."""

    input_gate: np.ndarray  # 0..1: how much of the candidate to write into the cell
    forget_gate: np.ndarray  # 0..1: how much of the old cell state to keep
    candidate: np.ndarray  # -1..1: the new information on offer
    output_gate: np.ndarray  # 0..1: how much of the cell to reveal as the hidden state
    cell: np.ndarray  # the cell state c_t, the layer's long-term memory
    hidden: np.ndarray  # the hidden state h_t, the layer's output at each step


def gate_columns(units: int, gate: str) -> slice:
    """The columns of kernel, recurrent_kernel and bias that feed one gate.

    The four gates sit side by side in blocks of `units` columns, in GATE_NAMES order:
    for 150 units the input gate is columns 0..149, the forget gate 150..299, and so on.
    """
    if gate not in GATE_NAMES:
        raise ValueError(f"gate_columns: gate must be one of {GATE_NAMES}, got {gate!r}.")
    start = GATE_NAMES.index(gate) * units
    return slice(start, start + units)


def unit_columns(units: int, unit: int) -> list[int]:
    """The four columns (one per gate, in GATE_NAMES order) that belong to one cell.

    Unit j of an LSTM is one small cell with its own four gates: its weights are columns
    j, units + j, 2 * units + j and 3 * units + j of the kernel.
    """
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < units:
        raise ValueError(f"unit_columns: unit must be an integer in 0..{units - 1}, got {unit!r}.")
    return [gate * units + int(unit) for gate in range(len(GATE_NAMES))]


def sigmoid(values: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x), squashing any number into 0..1 (numerically stable form)."""
    return 0.5 * (1.0 + np.tanh(0.5 * values))


def lstm_step(
    x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, weights: LstmWeights
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """One time step for a batch: x_t (batch, input_dim), h_prev and c_prev (batch, units).

    Returns the new hidden state, the new cell state and the four gates, each (batch, units).
    """
    z = x_t @ weights.kernel + h_prev @ weights.recurrent_kernel + weights.bias  # (batch, 4*units)
    z_input, z_forget, z_candidate, z_output = np.split(z, 4, axis=-1)
    input_gate = sigmoid(z_input)
    forget_gate = sigmoid(z_forget)
    candidate = np.tanh(z_candidate)
    output_gate = sigmoid(z_output)
    c_t = forget_gate * c_prev + input_gate * candidate  # keep some old memory, write some new
    h_t = output_gate * np.tanh(c_t)  # reveal part of the memory as this step's output
    gates = dict(zip(GATE_NAMES, (input_gate, forget_gate, candidate, output_gate)))
    return h_t, c_t, gates


def run_lstm(inputs: np.ndarray, weights: LstmWeights) -> LstmTrace:
    """Run lstm_step over every time step of inputs (batch, steps, input_dim), from zero state."""
    inputs = np.asarray(inputs)
    if inputs.ndim != 3 or inputs.shape[2] != weights.kernel.shape[0]:
        raise ValueError(
            f"run_lstm: expected inputs of shape (batch, steps, {weights.kernel.shape[0]}), "
            f"got {inputs.shape}."
        )
    batch, steps, _ = inputs.shape
    dtype = np.result_type(inputs.dtype, weights.kernel.dtype)
    h = np.zeros((batch, weights.units), dtype)
    c = np.zeros((batch, weights.units), dtype)
    record: dict[str, list[np.ndarray]] = {name: [] for name in (*GATE_NAMES, "cell", "hidden")}
    for t in range(steps):
        h, c, gates = lstm_step(inputs[:, t], h, c, weights)
        for name, value in gates.items():
            record[name].append(value)
        record["cell"].append(c)
        record["hidden"].append(h)
    return LstmTrace(**{name: np.stack(values, axis=1) for name, values in record.items()})


def lstm_parameter_count(input_dim: int, units: int) -> int:
    """Four gates, each with weights for the input, the previous hidden state and a bias."""
    return 4 * units * (input_dim + units + 1)


def lstm_hidden_states(inputs: np.ndarray, weights: LstmWeights) -> np.ndarray:
    """Hidden state after every step, (batch, steps, input_dim) -> (batch, steps, units).

    The equations of lstm_step, arranged for speed: the input part of all steps is one
    matrix product, and since sigmoid(x) = (1 + tanh(x / 2)) / 2, a single tanh call
    serves all four gates.
    """
    batch, steps, _ = inputs.shape
    units = weights.units
    projected = inputs @ weights.kernel + weights.bias  # (batch, steps, 4*units)
    scale = np.full(4 * units, 0.5, dtype=projected.dtype)  # x/2 for the three sigmoid gates
    scale[2 * units : 3 * units] = 1.0  # the candidate uses tanh(x) itself
    h = np.zeros((batch, units), projected.dtype)
    c = np.zeros_like(h)
    hidden = np.empty((batch, steps, units), projected.dtype)
    for t in range(steps):
        squashed = np.tanh((projected[:, t] + h @ weights.recurrent_kernel) * scale)
        gates = 0.5 + 0.5 * squashed  # sigmoid values (meaningful for input, forget, output)
        input_gate, forget_gate = gates[:, :units], gates[:, units : 2 * units]
        candidate, output_gate = squashed[:, 2 * units : 3 * units], gates[:, 3 * units :]
        c = forget_gate * c + input_gate * candidate
        h = output_gate * np.tanh(c)
        hidden[:, t] = h
    return hidden


def torch_lstm_from_keras(layer) -> torch.nn.LSTM:
    """The PyTorch twin of a Keras LSTM layer, with the same weights.

    Both frameworks order the gates input, forget, candidate, output, so the copy is
    transposes only. PyTorch keeps two biases (bias_ih and bias_hh) where Keras keeps
    one: Keras's bias goes into bias_ih and bias_hh is zero, which is why the twin has
    4 * units more parameters than the Keras layer.
    """
    weights = LstmWeights.from_keras(layer)
    input_dim, units = weights.kernel.shape[0], weights.units
    twin = torch.nn.LSTM(input_dim, units, batch_first=True)
    with torch.no_grad():
        twin.weight_ih_l0.copy_(torch.from_numpy(weights.kernel.T))  # (4*units, input_dim)
        twin.weight_hh_l0.copy_(torch.from_numpy(weights.recurrent_kernel.T))  # (4*units, units)
        twin.bias_ih_l0.copy_(torch.from_numpy(weights.bias))
        twin.bias_hh_l0.zero_()
    return twin


def run_torch_lstm(twin: torch.nn.LSTM, inputs: np.ndarray) -> np.ndarray:
    """Every step's hidden state from the twin: (batch, steps, input_dim) -> (batch, steps, units)."""
    with torch.no_grad():
        outputs, _ = twin(torch.from_numpy(np.ascontiguousarray(inputs, dtype=np.float32)))
    return outputs.numpy()
