"""Pictures of the network, drawn from the config (chapters: lstm_context, data_flow, learning).

Every size written on a picture comes from a ModelConfig, so a smaller model gets its own
drawing with no other change:

    draw_lstm_cell(config)              one LSTM cell: four gates, the cell state, the hidden state
    draw_unrolled(config, words)        LSTM-1 unrolled over a real window, one copy per word
    draw_model_stack(config)            the stacked model with its real shapes and parameter counts
    draw_backprop_through_time(config, words)   the unrolled layer with the gradient flowing back
    draw_units_over_words(trace, words, units)  a few named units' gates over the words of one line
    draw_text_by_unit(lines, values, labels)    Karpathy's view: text coloured by one unit's value

Each function returns a matplotlib Figure (show it with plt.show() or let the notebook display it).
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
    ax.add_patch(plt.Circle((x, y), 0.22 if len(symbol) == 1 else 0.3, facecolor="white", edgecolor="#374151",
                            zorder=3))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=10 if len(symbol) == 1 else 7, zorder=4)


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
        return "LSTM-1", config.embedding_dim, config.lstm1_units
    if layer == "lstm_2":
        return "LSTM-2", config.lstm1_units, config.lstm2_units
    raise ValueError(f"layer must be 'lstm_1' or 'lstm_2', got {layer!r}.")


def draw_lstm_cell(config: ModelConfig | None = None, layer: str = "lstm_1") -> plt.Figure:
    """One step of an LSTM layer: the four gates, the cell state line and the hidden state line.

    Sizes come from config: the input x_t has embedding_dim numbers for LSTM-1 (lstm1_units
    for LSTM-2), and every gate, the cell state and the hidden state have `units` numbers.
    """
    config = config or ModelConfig()
    name, inputs, units = _layer_sizes(config, layer)
    fig, ax = _canvas(9, 5, (-0.4, 11.2), (-0.9, 6.6))
    # the cell state: a straight line along the top, touched only by × and +
    _arrow(ax, (0.3, 5.2), (10.4, 5.2), STATE_COLOUR, 2.2)
    ax.text(0.2, 5.5, f"$c_{{t-1}}$ ({units})", color=STATE_COLOUR, fontsize=10)
    ax.text(9.3, 5.5, f"$c_t$ ({units})", color=STATE_COLOUR, fontsize=10)
    ax.text(5.3, 6.15, f"cell state: the memory, {units} numbers", color=STATE_COLOUR, fontsize=9, ha="center")
    # the hidden state comes in at the bottom left and leaves at the bottom right and the top
    _arrow(ax, (0.3, 1.0), (1.6, 1.0), HIDDEN_COLOUR, 2.0, style="-")
    ax.text(0.2, 0.55, f"$h_{{t-1}}$ ({units})", color=HIDDEN_COLOUR, fontsize=10)
    _arrow(ax, (1.6, -0.6), (1.6, 1.0), "#374151", 1.5, style="-")
    ax.text(1.75, -0.65, f"$x_t$: the word's vector ({inputs})", fontsize=10)
    _arrow(ax, (1.6, 1.0), (7.4, 1.0), "#374151", 1.5, style="-")
    ax.text(3.6, 0.45, f"[$x_t$, $h_{{t-1}}$]: {inputs} + {units} numbers, read by every gate", fontsize=8.5)
    gates = [("forget $f$", 2.6, "σ", GATE_COLOUR), ("input $i$", 4.0, "σ", GATE_COLOUR),
             ("candidate $g$", 5.4, "tanh", CANDIDATE_COLOUR), ("output $o$", 7.4, "σ", GATE_COLOUR)]
    for label, x, function, colour in gates:
        _arrow(ax, (x, 1.0), (x, 2.05))
        _box(ax, x, 2.5, 1.25, 0.85, f"{label}\n{function}, {units}", colour, fontsize=8.5)
    # forget: f × c_{t-1}
    _arrow(ax, (2.6, 2.95), (2.6, 4.98))
    _node(ax, 2.6, 5.2, "×")
    # write: i × g, added to the memory
    _arrow(ax, (4.0, 2.95), (4.55, 3.8))
    _arrow(ax, (5.4, 2.95), (4.85, 3.8))
    _node(ax, 4.7, 4.0, "×")
    _arrow(ax, (4.7, 4.22), (4.7, 4.98))
    _node(ax, 4.7, 5.2, "+")
    # output: o × tanh(c_t)
    _arrow(ax, (8.7, 5.2), (8.7, 4.3))
    _node(ax, 8.7, 4.0, "tanh")
    _arrow(ax, (8.7, 3.7), (8.7, 2.72))
    _arrow(ax, (8.05, 2.5), (8.48, 2.5))
    _node(ax, 8.7, 2.5, "×")
    _arrow(ax, (8.7, 2.28), (8.7, 1.0), HIDDEN_COLOUR, 2.0, style="-")
    _arrow(ax, (8.7, 1.0), (10.4, 1.0), HIDDEN_COLOUR, 2.0)
    ax.text(9.0, 0.55, f"$h_t$ ({units})", color=HIDDEN_COLOUR, fontsize=10)
    _arrow(ax, (9.6, 1.0), (9.6, 3.3), HIDDEN_COLOUR, 1.6)
    ax.text(9.7, 3.4, "output:\nthe context\nvector", color=HIDDEN_COLOUR, fontsize=8.5)
    parameters = lstm_parameters(inputs, units)
    ax.set_title(f"One {name} step: {units} cells side by side, {parameters:,} weights shared by every step",
                 fontsize=10)
    return fig


def draw_unrolled(config: ModelConfig | None = None, words: Sequence[str] | None = None,
                  layer: str = "lstm_1", gradients: bool = False) -> plt.Figure:
    """An LSTM layer unrolled over one window: one copy of the cell per word, the state passed along.

    words: the window's words (exactly config.sequence_length of them; padding shown as "<pad>").
    gradients: also draw the loss after the last step and the gradient flowing back
    (backpropagation through time).
    """
    config = config or ModelConfig()
    name, inputs, units = _layer_sizes(config, layer)
    steps = config.sequence_length
    words = list(words) if words is not None else [f"word {t + 1}" for t in range(steps)]
    if len(words) != steps:
        raise ValueError(f"draw_unrolled: expected {steps} words (config.sequence_length), got {len(words)}.")
    width = max(8.0, 1.0 * steps + 1.5)
    fig, ax = _canvas(width, 3.6 if not gradients else 3.9, (-1.5, steps + (1.6 if gradients else 0.2)), (-1.5, 3.4))
    every_step = layer == "lstm_1"
    for t, word in enumerate(words):
        _box(ax, t, 1.0, 0.62, 0.8, f"{name}\nstep {t + 1}", GATE_COLOUR, fontsize=7)
        ax.text(t, -0.75, word, ha="center", va="top", fontsize=9, rotation=35 if max(map(len, words)) > 7 else 0)
        _arrow(ax, (t, -0.45), (t, 0.58))
        if t + 1 < steps:
            _arrow(ax, (t + 0.33, 1.0), (t + 0.67, 1.0), HIDDEN_COLOUR, 1.6)
        if every_step or t == steps - 1:
            _arrow(ax, (t, 1.42), (t, 2.15), HIDDEN_COLOUR, 1.4)
            ax.text(t, 2.22, f"$h_{{{t + 1}}}$", ha="center", va="bottom", fontsize=8, color=HIDDEN_COLOUR)
        if gradients:  # and down to the word's embedding row
            ax.annotate("", xy=(t + 0.14, -0.45), xytext=(t + 0.14, 0.58),
                        arrowprops=dict(arrowstyle="-|>", color=GRADIENT_COLOUR, linestyle="--", linewidth=0.9))
        if gradients and t + 1 < steps:
            ax.annotate("", xy=(t + 0.33, 0.72), xytext=(t + 0.67, 0.72),
                        arrowprops=dict(arrowstyle="-|>", color=GRADIENT_COLOUR, linestyle="--", linewidth=1.2))
    ax.text(-1.45, 1.0, f"h, c\n({units} + {units})", fontsize=7.5, color=HIDDEN_COLOUR, ha="left", va="center")
    ax.text(-1.45, -0.2, f"x ({inputs})", fontsize=7.5, ha="left")
    title = (f"{name} unrolled over one {steps}-word window: the same {lstm_parameters(inputs, units):,} weights "
             f"at every step")
    if gradients:
        _box(ax, steps + 0.7, 2.6, 1.2, 0.6, "loss\n-log p(next)", "#fecaca", fontsize=8)
        ax.annotate("", xy=(steps - 1 + 0.2, 2.5), xytext=(steps + 0.1, 2.6),
                    arrowprops=dict(arrowstyle="-|>", color=GRADIENT_COLOUR, linestyle="--", linewidth=1.4))
        ax.text(steps / 2 - 0.5, 3.05, "gradient flows back: from the loss, through every step, to every word",
                color=GRADIENT_COLOUR, fontsize=9, ha="center")
        title = f"Backpropagation through time: {name}'s weights get a gradient from each of the {steps} steps"
    ax.set_title(title, fontsize=10)
    return fig


def model_stages(config: ModelConfig) -> list[tuple[str, str, int]]:
    """(stage, output shape for one window, parameters) for each stage of the stacked model."""
    c = config
    return [
        ("Word IDs", f"({c.sequence_length},)", 0),
        ("Embedding", f"({c.sequence_length}, {c.embedding_dim})", c.vocab_size * c.embedding_dim),
        ("LSTM-1", f"({c.sequence_length}, {c.lstm1_units})", lstm_parameters(c.embedding_dim, c.lstm1_units)),
        ("LSTM-2", f"({c.lstm2_units},)", lstm_parameters(c.lstm1_units, c.lstm2_units)),
        ("Dense softmax", f"({c.vocab_size},)", (c.lstm2_units + 1) * c.vocab_size),
    ]


def draw_model_stack(config: ModelConfig | None = None) -> plt.Figure:
    """The whole model, stage by stage, with each stage's output shape and parameter count."""
    config = config or ModelConfig()
    stages = model_stages(config)
    notes = ["13 numbers:\none id per word", "a meaning vector\nper word", "a context vector\nper word",
             "one summary of\nthe whole window", "a probability\nfor every word"]
    notes[0] = f"{config.sequence_length} numbers:\none id per word"
    fig, ax = _canvas(10, 2.6, (-1.1, 2.3 * len(stages) - 1.2), (-1.2, 1.6))
    for index, ((stage, shape, parameters), note, colour) in enumerate(zip(stages, notes, STAGE_COLOURS)):
        x = 2.3 * index
        _box(ax, x, 0.6, 1.75, 1.0, f"{stage}\n{shape}", colour, fontsize=9.5, fontweight="bold")
        ax.text(x, -0.25, note, ha="center", va="top", fontsize=8)
        ax.text(x, 1.35, f"{parameters:,} parameters" if parameters else "no parameters", ha="center", fontsize=8,
                color="#4b5563")
        if index:
            _arrow(ax, (x - 1.42, 0.6), (x - 0.88, 0.6), width=1.6)
    total = sum(parameters for _, _, parameters in stages)
    ax.set_title(f"The stacked model for one window: {total:,} parameters in all", fontsize=10)
    return fig


def draw_backprop_through_time(config: ModelConfig | None = None, words: Sequence[str] | None = None) -> plt.Figure:
    """LSTM-1 unrolled, with the loss at the end and the gradient flowing back through the steps."""
    return draw_unrolled(config, words, "lstm_1", gradients=True)


UNIT_ROWS = (("input gate i", "input_gate"), ("forget gate f", "forget_gate"), ("candidate g", "candidate"),
             ("output gate o", "output_gate"), ("cell state c", "cell"), ("hidden state h", "hidden"))


def draw_units_over_words(trace, words: Sequence[str], units: dict[str, int], window: int = 0) -> plt.Figure:
    """A few named units over the words of one line: one panel per unit, its gates and states as rows.

    trace: an LstmTrace (every field (batch, steps, units)); units: {a name for the reader: unit index}.
    Every square shows its value; one colour scale, -1 (blue) to 1 (red), for all rows.
    """
    words = list(words)
    steps = trace.hidden.shape[1]
    if len(words) != steps:
        raise ValueError(f"draw_units_over_words: expected {steps} words, got {len(words)}.")
    if not units:
        raise ValueError("draw_units_over_words: name at least one unit.")
    fig, axes = plt.subplots(len(units), 1, figsize=(max(8, 0.75 * steps + 2), 2.35 * len(units)), squeeze=False)
    for ax, (label, unit) in zip(axes[:, 0], units.items()):
        values = np.stack([getattr(trace, field)[window, :, unit] for _, field in UNIT_ROWS])  # (6, steps)
        ax.imshow(np.clip(values, -1, 1), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        for (row, column), value in np.ndenumerate(values):
            ax.text(column, row, f"{value:.1f}", ha="center", va="center", fontsize=7,
                    color="white" if abs(value) > 0.7 else "black")
        ax.set_yticks(range(len(UNIT_ROWS)), [name for name, _ in UNIT_ROWS], fontsize=8)
        ax.set_xticks(range(steps), words, fontsize=8)
        ax.set_title(f"unit {unit}: {label}", fontsize=9, loc="left")
    fig.tight_layout()
    return fig


def draw_text_by_unit(lines: Sequence[Sequence[str]], values: Sequence[np.ndarray], labels: Sequence[str],
                      limit: float = 1.0) -> plt.Figure:
    """Karpathy's view: each line's words on a background coloured by one unit's value at that word.

    lines: lists of words; values: one array per line with a value per word; labels: a caption
    per line. Colours run from blue (-limit) through white (0) to red (+limit).
    """
    if not len(lines) == len(values) == len(labels):
        raise ValueError("draw_text_by_unit: give as many value arrays and labels as lines.")
    colour_map = plt.get_cmap("RdBu_r")
    fig, ax = _canvas(10, 0.8 * len(lines) + 0.3, (0, 100), (-2 * len(lines) + 0.6, 1.0))
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    for row, (words, line_values, label) in enumerate(zip(lines, values, labels)):
        line_values = np.asarray(line_values, dtype=float)
        if len(line_values) != len(words):
            raise ValueError(f"draw_text_by_unit: line {row} has {len(words)} words and {len(line_values)} values.")
        y = -2 * row
        ax.text(0, y + 0.45, label, fontsize=8.5, color="#374151", va="bottom")
        x = 0.0
        for word, value in zip(words, line_values):
            shade = colour_map(0.5 + 0.5 * float(np.clip(value / limit, -1, 1)))
            text = ax.text(x, y, word, fontsize=11, family="monospace", va="top",
                           color="white" if abs(value) > 0.6 * limit else "black",
                           bbox=dict(boxstyle="square,pad=0.15", facecolor=shade, edgecolor="none"))
            right = to_data.transform(text.get_window_extent(renderer).corners()[-1])[0]  # where the word ends
            x = right + 2.5  # a space before the next word
    return fig
