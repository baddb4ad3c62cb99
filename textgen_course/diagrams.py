"""Pictures of the network, drawn from the config (chapters: welcome, lstm_context, lstm_summary, learning).

Every size written on a picture comes from a ModelConfig, so a smaller model gets its own
drawing with no other change:

    draw_lstm_cell(config, upto)        one LSTM cell, built up part by part, with its equations and weights
    draw_plain_rnn_cell(config)         one plain RNN cell of the same sizes, for comparison
    draw_unrolled(config, words)        LSTM-1 unrolled over a real window, one copy per word
    draw_two_layers_unrolled(config, words)     LSTM-1 and LSTM-2 unrolled together
    draw_model_stack(config)            the stacked model with its real shapes and parameter counts
    draw_backprop_through_time(config, words)   the unrolled layer with the gradient flowing back
    draw_units_over_words(trace, words, units)  a few named units' gates over the words of one line
    draw_text_by_unit(lines, values, labels)    Karpathy's view: text coloured by one unit's value

Each function returns a matplotlib Figure (show it with plt.show() or let the notebook display it),
7.1 inches wide (the book's column) with labels of 9 pt or more.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch

from .config import ModelConfig

GATE_COLOUR = "#fde68a"  # sigmoid gates: shares between 0 and 1
CANDIDATE_COLOUR = "#bfdbfe"  # tanh: new information in -1..1
STATE_COLOUR = "#1d4ed8"  # the cell state line
HIDDEN_COLOUR = "#15803d"  # the hidden state line
GRADIENT_COLOUR = "#dc2626"  # gradients flowing back
STAGE_COLOURS = ("#e5e7eb", "#fde68a", "#bfdbfe", "#c7d2fe", "#fecaca")


def _box(ax, x: float, y: float, width: float, height: float, text: str, colour: str, fontsize: float = 9,
         **text_options) -> None:
    """A rounded box centred at (x, y) with centred text."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=colour, edgecolor="#374151",
                                linewidth=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, **text_options)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], colour: str = "#374151", width: float = 1.2,
           style: str = "-|>", linestyle: str = "-") -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle=style, color=colour, linewidth=width, linestyle=linestyle,
                                shrinkA=0, shrinkB=0))


def _node(ax, x: float, y: float, symbol: str) -> None:
    """A small circle holding an operation: ×, + or tanh."""
    ax.add_patch(plt.Circle((x, y), 0.22 if len(symbol) == 1 else 0.42, facecolor="white", edgecolor="#374151",
                            zorder=3))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=10 if len(symbol) == 1 else 9, zorder=4)


def _canvas(width: float, height: float, xlim: tuple[float, float], ylim: tuple[float, float]):
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("auto")
    ax.axis("off")
    return fig, ax


def lstm_parameters(input_dim: int, units: int) -> int:
    """Four gates, each with a weight per input number, per previous hidden number, and a bias."""
    return 4 * units * (input_dim + units + 1)


def _layer_sizes(config: ModelConfig, layer: str) -> tuple[str, int, int]:
    """(display name, input size, units) of "lstm_1" or "lstm_2"."""
    if layer == "lstm_1":
        return "LSTM-1", config.embedding_dim, config.lstm_1_units
    if layer == "lstm_2":
        return "LSTM-2", config.lstm_1_units, config.lstm_2_units
    raise ValueError(f"layer must be 'lstm_1' or 'lstm_2', got {layer!r}.")


CELL_PARTS = ("inputs", "forget", "write", "output")  # the order in which draw_lstm_cell builds the cell up


def _gate_block(config: ModelConfig, layer: str, gate: int) -> str:
    """Where gate number `gate` (0 input, 1 forget, 2 candidate, 3 output) sits in Keras's weights."""
    _, inputs, units = _layer_sizes(config, layer)
    start, stop = gate * units, (gate + 1) * units
    return (f"kernel[:, {start}:{stop}] ({inputs} × {units}), recurrent_kernel[:, {start}:{stop}] "
            f"({units} × {units}), bias[{start}:{stop}]")


def draw_lstm_cell(config: ModelConfig | None = None, layer: str = "lstm_1", upto: str = "output") -> plt.Figure:
    """One step of an LSTM layer, built up part by part, each part's equation and weights beside it.

    upto: how far to build the cell, one of CELL_PARTS: "inputs" (x_t and h_{t-1}, with
    h_0 = c_0 = 0), "forget" (the cell state line and the forget gate), "write" (the input gate
    and the candidate, added to the memory) or "output" (the output gate and h_t: the whole cell).
    The part added last is drawn with a thick outline; its equation and the block of Keras's
    (input, 4 × units) kernel it reads stand under the picture. Sizes come from config.
    """
    config = config or ModelConfig()
    if upto not in CELL_PARTS:
        raise ValueError(f"upto must be one of {CELL_PARTS}, got {upto!r}.")
    name, inputs, units = _layer_sizes(config, layer)
    shown = CELL_PARTS[: CELL_PARTS.index(upto) + 1]
    fig, ax = _canvas(7.1, 5.0, (-0.3, 12.0), (-3.3, 6.6))

    def box(x, label, colour, part):
        _box(ax, x, 2.5, 1.85, 0.95, label, colour, fontsize=10)
        if part == upto:
            ax.patches[-1].set_linewidth(2.6)

    # inputs: the word's vector and the previous hidden state, read by every gate
    _arrow(ax, (0.2, 1.0), (1.4, 1.0), HIDDEN_COLOUR, 2.0, style="-")
    ax.text(0.0, 1.25, f"$h_{{t-1}}$ ({units})", color=HIDDEN_COLOUR, fontsize=11)
    _arrow(ax, (1.4, -0.55), (1.4, 1.0), "#374151", 1.5, style="-")
    ax.text(1.6, -0.6, f"$x_t$: the word's vector ({inputs})", fontsize=11, va="center")
    _arrow(ax, (1.4, 1.0), (9.2, 1.0), "#374151", 1.5, style="-")
    ax.text(0.0, 6.25, "at the first word: $h_0 = c_0 = 0$", fontsize=10, color="#374151")
    if "forget" in shown:
        _arrow(ax, (0.2, 5.2), (11.6, 5.2), STATE_COLOUR, 2.4)
        ax.text(0.0, 5.45, f"$c_{{t-1}}$ ({units})", color=STATE_COLOUR, fontsize=11)
        ax.text(10.4, 5.45, "$c_t$", color=STATE_COLOUR, fontsize=11)
        _arrow(ax, (2.4, 1.0), (2.4, 2.03))
        box(2.4, "forget $f$\nσ", GATE_COLOUR, "forget")
        _arrow(ax, (2.4, 2.97), (2.4, 4.97))
        _node(ax, 2.4, 5.2, "×")
    if "write" in shown:
        for x, label, colour in ((4.4, "input $i$\nσ", GATE_COLOUR), (6.4, "candidate $g$\ntanh", CANDIDATE_COLOUR)):
            _arrow(ax, (x, 1.0), (x, 2.03))
            box(x, label, colour, "write")
        _arrow(ax, (4.4, 2.97), (5.2, 3.78))
        _arrow(ax, (6.4, 2.97), (5.6, 3.78))
        _node(ax, 5.4, 4.0, "×")
        _arrow(ax, (5.4, 4.22), (5.4, 4.97))
        _node(ax, 5.4, 5.2, "+")
    if "output" in shown:
        _arrow(ax, (9.2, 1.0), (9.2, 2.03))
        box(9.2, "output $o$\nσ", GATE_COLOUR, "output")
        _arrow(ax, (10.9, 5.2), (10.9, 4.42))
        _node(ax, 10.9, 4.0, "tanh")
        _arrow(ax, (10.9, 3.58), (10.9, 2.72))
        _arrow(ax, (10.12, 2.5), (10.68, 2.5))
        _node(ax, 10.9, 2.5, "×")
        _arrow(ax, (10.9, 2.28), (10.9, 1.0), HIDDEN_COLOUR, 2.0, style="-")
        _arrow(ax, (10.9, 1.0), (11.9, 1.0), HIDDEN_COLOUR, 2.0)
        ax.text(10.75, 0.45, f"$h_t$ ({units})", color=HIDDEN_COLOUR, fontsize=11)
    equations = {
        "inputs": [f"every gate reads the same {inputs} + {units} numbers: $x_t$ and $h_{{t-1}}$",
                   f"{name} holds {lstm_parameters(inputs, units):,} weights: kernel ({inputs}, {4 * units}), "
                   f"recurrent_kernel ({units}, {4 * units}), bias ({4 * units},)"],
        "forget": [r"$f_t = \sigma(x_t W_f + h_{t-1} U_f + b_f)$,   $c_t = f_t \odot c_{t-1} + \dots$",
                   "how much of the old memory to keep: 0 drops it, 1 keeps it",
                   "forget: " + _gate_block(config, layer, 1)],
        "write": [r"$i_t = \sigma(\dots W_i \dots)$,  $g_t = \tanh(\dots W_g \dots)$,  "
                  r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$",
                  "input: " + _gate_block(config, layer, 0),
                  "candidate: " + _gate_block(config, layer, 2)],
        "output": [r"$o_t = \sigma(x_t W_o + h_{t-1} U_o + b_o)$,   $h_t = o_t \odot \tanh(c_t)$",
                   "how much of the memory to show: $h_t$ is the context vector",
                   "output: " + _gate_block(config, layer, 3)],
    }[upto]
    for row, line in enumerate(equations):
        ax.text(0.0, -1.35 - 0.62 * row, line, fontsize=11 if row == 0 else 9.5, color="#111827" if row == 0
                else "#374151")
    titles = {"inputs": "what a step reads", "forget": "the forget gate and the cell state",
              "write": "the input gate and the candidate write", "output": "the output gate: the whole cell"}
    ax.set_title(f"One {name} step, {units} units: {titles[upto]}", fontsize=11)
    return fig


def draw_plain_rnn_cell(config: ModelConfig | None = None, layer: str = "lstm_1") -> plt.Figure:
    """One step of a plain recurrent layer (keras.layers.SimpleRNN) of the same sizes as an LSTM layer.

    One box: h_t = tanh(x_t W + h_{t-1} U + b). There is no separate memory; all of it goes
    through U and tanh at every step.
    """
    config = config or ModelConfig()
    _, inputs, units = _layer_sizes(config, layer)
    fig, ax = _canvas(7.1, 3.3, (-0.3, 12.0), (-2.4, 3.4))
    _arrow(ax, (0.2, 1.0), (4.35, 1.0), HIDDEN_COLOUR, 2.0)
    ax.text(0.0, 1.25, f"$h_{{t-1}}$ ({units})", color=HIDDEN_COLOUR, fontsize=11)
    _arrow(ax, (5.5, -0.8), (5.5, 0.45))
    ax.text(5.7, -0.8, f"$x_t$: the word's vector ({inputs})", fontsize=11)
    _box(ax, 5.5, 1.0, 2.3, 1.0, "tanh\nW, U, b", CANDIDATE_COLOUR, fontsize=10.5)
    _arrow(ax, (6.65, 1.0), (11.8, 1.0), HIDDEN_COLOUR, 2.0)
    ax.text(10.3, 1.25, f"$h_t$ ({units})", color=HIDDEN_COLOUR, fontsize=11)
    ax.text(0.0, 2.75, "at the first word: $h_0 = 0$", fontsize=10, color="#374151")
    ax.text(0.0, -1.6, r"$h_t = \tanh(x_t W + h_{t-1} U + b)$:   "
            f"W ({inputs} × {units}), U ({units} × {units}), b ({units})", fontsize=11)
    ax.set_title(f"One plain RNN step, {units} units, {units * (inputs + units + 1):,} weights: all of the "
                 "memory goes through U and tanh", fontsize=10.5)
    return fig


def draw_unrolled(config: ModelConfig | None = None, words: Sequence[str] | None = None,
                  layer: str = "lstm_1", gradients: bool = False) -> plt.Figure:
    """An LSTM layer unrolled over one window: one copy of the cell per word, the state passed along.

    words: the window's words (exactly config.sequence_length of them; padding shown as "<pad>").
    gradients: also draw where the gradient comes in and how it flows back (backpropagation
    through time): into LSTM-2 from the loss at its last step only, into LSTM-1 at every step
    (LSTM-2 reads every one of LSTM-1's outputs), and back along the chain of steps.
    """
    config = config or ModelConfig()
    return _draw_unrolled_layers(config, words, (layer,), gradients)


def draw_two_layers_unrolled(config: ModelConfig | None = None, words: Sequence[str] | None = None) -> plt.Figure:
    """LSTM-1 and LSTM-2 unrolled together: LSTM-1 hands on every step (return_sequences=True),
    LSTM-2 reads each of them and hands on only its last hidden state to the dense layer."""
    return _draw_unrolled_layers(config or ModelConfig(), words, ("lstm_1", "lstm_2"), False)


def _draw_unrolled_layers(config: ModelConfig, words, layers: tuple[str, ...], gradients: bool) -> plt.Figure:
    steps = config.sequence_length
    words = list(words) if words is not None else [f"word {t + 1}" for t in range(steps)]
    if len(words) != steps:
        raise ValueError(f"draw_unrolled: expected {steps} words (config.sequence_length), got {len(words)}.")
    rows = len(layers)
    top = 2.0 * rows + (1.3 if gradients else 0.9)
    fig, ax = _canvas(7.1, 0.62 * (top + 2.2) + 0.3, (-2.3, steps + 0.4), (-2.2, top))
    label_size = 9.5
    for t, word in enumerate(words):
        ax.text(t, -0.55, word, ha="right", va="top", fontsize=label_size, rotation=60, rotation_mode="anchor")
        _arrow(ax, (t, -0.45), (t, 0.6))
    ax.text(-2.25, 0.0, "word\nvectors", fontsize=label_size, va="center")
    for row, layer in enumerate(layers):
        name, inputs, units = _layer_sizes(config, layer)
        y = 1.0 + 2.0 * row
        every_step = layer == "lstm_1"
        for t in range(steps):
            _box(ax, t, y, 0.66, 0.78, f"{t + 1}", GATE_COLOUR, fontsize=label_size)
            if t + 1 < steps:
                _arrow(ax, (t + 0.33, y), (t + 0.67, y), HIDDEN_COLOUR, 1.6)
            if every_step or t == steps - 1:
                _arrow(ax, (t, y + 0.4), (t, y + 1.6 if rows > 1 and row + 1 < rows else y + 1.1), HIDDEN_COLOUR,
                       1.3)
            if gradients and t + 1 < steps:
                _arrow(ax, (t + 0.67, y - 0.25), (t + 0.33, y - 0.25), GRADIENT_COLOUR, 1.2, linestyle="--")
            if gradients and (every_step or t == steps - 1):
                _arrow(ax, (t + 0.2, y + 1.1), (t + 0.2, y + 0.4), GRADIENT_COLOUR, 1.2, linestyle="--")
        ax.text(-2.25, y, f"{name}\n{units} units", fontsize=label_size, va="center", color="#111827")
        if not (rows > 1 and row + 1 < rows):
            last = f"$h_{{{steps}}}$" + (" only, to the dense softmax layer" if rows > 1 else "")
            ax.text(steps - 1 + 0.3, y + 1.2, last, ha="right" if rows > 1 else "center", va="bottom", fontsize=10,
                    color=HIDDEN_COLOUR)
            if every_step:
                ax.text(0, y + 1.2, "$h_1$", ha="center", va="bottom", fontsize=10, color=HIDDEN_COLOUR)
    ax.text(-2.25, 1.65, "$h_0 = c_0 = 0$", fontsize=label_size, color=HIDDEN_COLOUR)
    if rows > 1:
        title = (f"LSTM-1 hands on all {steps} steps, LSTM-2 reads them all and hands on only "
                 f"$h_{{{steps}}}$")
    elif gradients:
        name = _layer_sizes(config, layers[0])[0]
        into = "from LSTM-2, at every step" if layers[0] == "lstm_1" else "from the loss, at the last step"
        ax.text(steps / 2 - 1, top - 0.1, f"red: the gradient comes in {into}, then flows back step by step",
                color=GRADIENT_COLOUR, fontsize=10, ha="center", va="top")
        title = f"Backpropagation through time: {name}'s weights get a share from each of the {steps} steps"
    else:
        name, inputs, units = _layer_sizes(config, layers[0])
        title = f"{name} unrolled: one cell, {steps} times, the same {lstm_parameters(inputs, units):,} weights"
    ax.set_title(title, fontsize=10.5)
    return fig


def model_stages(config: ModelConfig) -> list[tuple[str, str, int]]:
    """(stage, output shape for one window, parameters) for each stage of the stacked model."""
    c = config
    return [
        ("Word IDs", f"({c.sequence_length},)", 0),
        ("Embedding", f"({c.sequence_length}, {c.embedding_dim})", c.vocab_size * c.embedding_dim),
        ("LSTM-1", f"({c.sequence_length}, {c.lstm_1_units})", lstm_parameters(c.embedding_dim, c.lstm_1_units)),
        ("LSTM-2", f"({c.lstm_2_units},)", lstm_parameters(c.lstm_1_units, c.lstm_2_units)),
        ("Dense softmax", f"({c.vocab_size},)", (c.lstm_2_units + 1) * c.vocab_size),
    ]


def draw_model_stack(config: ModelConfig | None = None) -> plt.Figure:
    """The whole model, stage by stage, with each stage's output shape and parameter count."""
    config = config or ModelConfig()
    stages = model_stages(config)
    notes = ["13 numbers:\none id per word", "a meaning vector\nper word", "a context vector\nper word",
             "one summary of\nthe whole window", "a probability\nfor every word"]
    notes[0] = f"{config.sequence_length} numbers:\none id per word"
    fig, ax = _canvas(7.1, 2.9, (-1.1, 2.3 * len(stages) - 1.2), (-1.4, 2.0))
    for index, ((stage, shape, parameters), note, colour) in enumerate(zip(stages, notes, STAGE_COLOURS)):
        x = 2.3 * index
        _box(ax, x, 0.6, 1.95, 1.0, f"{stage}\n{shape}", colour, fontsize=9.5, fontweight="bold")
        ax.text(x, -0.25, note, ha="center", va="top", fontsize=9)
        ax.text(x, 1.25, f"{parameters:,}\nparameters" if parameters else "no\nparameters", ha="center",
                va="bottom", fontsize=9, color="#4b5563")
        if index:
            _arrow(ax, (x - 1.32, 0.6), (x - 0.98, 0.6), width=1.6)
    total = sum(parameters for _, _, parameters in stages)
    ax.set_title(f"The stacked model for one window: {total:,} parameters in all", fontsize=10.5)
    return fig


def draw_backprop_through_time(config: ModelConfig | None = None, words: Sequence[str] | None = None) -> plt.Figure:
    """LSTM-1 unrolled, with the gradient coming in at every step (from LSTM-2) and flowing back."""
    return draw_unrolled(config, words, "lstm_1", gradients=True)


UNIT_ROWS = (("input gate i", "input_gate"), ("forget gate f", "forget_gate"), ("output gate o", "output_gate"),
             ("candidate g", "candidate"), ("hidden state h", "hidden"), ("cell state c", "cell"))
GATE_MAP = "viridis"  # gates, 0..1: a shut gate (0) is dark purple, an open one (1) yellow; no "neutral" white
SIGNED_MAP = "RdBu_r"  # values either side of 0: blue below, white at 0, red above


def draw_units_over_words(trace, words: Sequence[str], units: dict[str, int], window: int = 0) -> plt.Figure:
    """A few named units over the words of one line: one panel per unit, its gates and states as rows.

    trace: an LstmTrace (every field (batch, steps, units)); units: {a name for the reader: unit index}.
    Every square shows its value. Three colour scales, each with its colour bar: the three
    sigmoid gates on a sequential scale from 0 (shut) to 1 (open); the candidate and the hidden
    state from -1 to 1; the cell state over its real range, as wide as its largest value here.
    """
    words = list(words)
    steps = trace.hidden.shape[1]
    if len(words) != steps:
        raise ValueError(f"draw_units_over_words: expected {steps} words, got {len(words)}.")
    if not units:
        raise ValueError("draw_units_over_words: name at least one unit.")
    cell_limit = max(1.0, max(float(np.abs(trace.cell[window, :, unit]).max()) for unit in units.values()))
    scales = ((0, 3, GATE_MAP, 0.0, 1.0, "gates: 0 shut, 1 open"),
              (3, 5, SIGNED_MAP, -1.0, 1.0, "g and h"),
              (5, 6, SIGNED_MAP, -cell_limit, cell_limit, "cell state c"))
    fig, axes = plt.subplots(len(units), 1, figsize=(7.1, 2.1 * len(units) + 0.9), squeeze=False)
    images = []
    for ax, (label, unit) in zip(axes[:, 0], units.items()):
        values = np.stack([getattr(trace, field)[window, :, unit] for _, field in UNIT_ROWS])  # (6, steps)
        for first, last, colour_map, low, high, _ in scales:
            rows = np.full_like(values, np.nan)
            rows[first:last] = values[first:last]
            images.append(ax.imshow(rows, cmap=colour_map, vmin=low, vmax=high, aspect="auto",
                                    interpolation="nearest"))
        for (row, column), value in np.ndenumerate(values):
            first, last, colour_map, low, high, _ = next(scale for scale in scales if scale[0] <= row < scale[1])
            shade = plt.get_cmap(colour_map)((value - low) / (high - low))
            dark = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] < 0.5
            ax.text(column, row, f"{value:.1f}" if abs(value) < 9.95 else f"{value:.0f}", ha="center",
                    va="center", fontsize=9, color="white" if dark else "black")
        ax.set_yticks(range(len(UNIT_ROWS)), [name for name, _ in UNIT_ROWS], fontsize=9.5)
        ax.set_xticks(range(steps), words, fontsize=9.5, rotation=40, ha="right", rotation_mode="anchor")
        ax.set_title(f"unit {unit}: {label}", fontsize=10.5, loc="left")
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.2, right=0.98, top=1 - 0.3 / height, bottom=1.3 / height, hspace=0.65)
    for index, (_, _, _, low, high, name) in enumerate(scales):
        bar_axis = fig.add_axes((0.2 + 0.27 * index, 0.15 / height, 0.22, 0.12 / height))
        bar = fig.colorbar(images[index], cax=bar_axis, orientation="horizontal")
        bar.ax.tick_params(labelsize=9)
        bar.set_ticks([low, 0.5 * (low + high), high] if index == 0 else [low, 0, high])
        bar_axis.set_title(name, fontsize=9.5)
    return fig


def draw_text_by_unit(lines: Sequence[Sequence[str]], values: Sequence[np.ndarray], labels: Sequence[str],
                      limit: float = 1.0) -> plt.Figure:
    """Karpathy's view: each line's words on a background coloured by one unit's value at that word.

    lines: lists of words; values: one array per line with a value per word; labels: a caption
    per line. Colours run from blue (-limit) through white (0) to red (+limit); a colour bar
    at the bottom gives the scale.
    """
    if not len(lines) == len(values) == len(labels):
        raise ValueError("draw_text_by_unit: give as many value arrays and labels as lines.")
    colour_map = plt.get_cmap(SIGNED_MAP)
    fig, ax = _canvas(7.1, 0.72 * len(lines) + 0.9, (0, 100), (-2 * len(lines) - 0.4, 1.0))
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    for row, (words, line_values, label) in enumerate(zip(lines, values, labels)):
        line_values = np.asarray(line_values, dtype=float)
        if len(line_values) != len(words):
            raise ValueError(f"draw_text_by_unit: line {row} has {len(words)} words and {len(line_values)} values.")
        y = -2 * row
        ax.text(0, y + 0.45, label, fontsize=9.5, color="#374151", va="bottom")
        x = 0.0
        for word, value in zip(words, line_values):
            shade = colour_map(0.5 + 0.5 * float(np.clip(value / limit, -1, 1)))
            text = ax.text(x, y, word, fontsize=10.5, va="top",
                           color="white" if abs(value) > 0.6 * limit else "black",
                           bbox=dict(boxstyle="square,pad=0.15", facecolor=shade, edgecolor="none"))
            right = to_data.transform(text.get_window_extent(renderer).corners()[-1])[0]  # where the word ends
            x = right + 1.5  # a space before the next word
    scale = plt.cm.ScalarMappable(cmap=colour_map, norm=plt.Normalize(-limit, limit))
    bar = fig.colorbar(scale, cax=fig.add_axes((0.3, 0.04, 0.4, 0.025)), orientation="horizontal")
    bar.ax.tick_params(labelsize=9)
    return fig
