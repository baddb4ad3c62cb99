"""Explorer for book/lstm_context.ipynb: type a sentence, step through LSTM-1's gates word by word.

trace_sentence runs LSTM-1's gates (the NumPy equations, with the trained weights) over the
13-word window of a sentence; gate_step picks out one time step (plain data, tested without
widgets); step_html draws it; gate_explorer wires a text box and a step slider to them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from ..lstm_gates import GATE_NAMES, LstmTrace, LstmWeights, run_lstm
from ..text import tokenize
from ..vocabulary import PAD, UNKNOWN, Vocabulary
from ..windows import pad_left
from .web import live_explorer

GATE_LABELS = {"input_gate": "input gate i", "forget_gate": "forget gate f",
               "candidate": "candidate g", "output_gate": "output gate o"}


@dataclass(frozen=True)
class SentenceGates:
    """LSTM-1 run over one window: the words it read and everything it computed."""

    tokens: tuple[str, ...]  # the words of the window, PAD where it is padded on the left
    unknown_words: tuple[str, ...]  # typed words outside the vocabulary (read as <unk>)
    trace: LstmTrace  # each field (1, steps, units): gates, cell and hidden state per step

    def gate(self, name: str) -> np.ndarray:
        """One field of the trace for this window: (steps, units)."""
        return getattr(self.trace, name)[0]


def trace_sentence(model, vocabulary: Vocabulary, text: str) -> SentenceGates:
    """Embed the last 13 words of text (left-padded) and run LSTM-1's gates over them."""
    sequence_length = model.input_shape[1]
    tokens = tokenize(text)[-sequence_length:]
    ids = pad_left(vocabulary.encode(tokens), sequence_length)  # (13,)
    (embedding,) = model.get_layer("embedding").get_weights()  # (vocab_size, 100)
    trace = run_lstm(embedding[ids][None], LstmWeights.from_keras(model.get_layer("lstm_1")))
    shown = [PAD] * (sequence_length - len(tokens)) + [t if t in vocabulary else f"{t} ({UNKNOWN})" for t in tokens]
    return SentenceGates(tuple(shown), tuple(vocabulary.unknown_words(tokens)), trace)


@dataclass(frozen=True)
class UnitRow:
    """One cell (unit) at one step: its four gates and how its memory moved."""

    unit: int
    input_gate: float
    forget_gate: float
    candidate: float
    output_gate: float
    cell_before: float  # c_{t-1}
    cell_after: float  # c_t = f * c_{t-1} + i * g
    hidden_before: float  # h_{t-1}
    hidden: float  # h_t = o * tanh(c_t), this unit's number in the context vector


@dataclass(frozen=True)
class StepView:
    """What LSTM-1 did at one step (1-based) of the window."""

    step: int
    word: str
    gate_means: dict[str, float]  # each gate's average over the units at this step
    kept: float  # share of units whose forget gate keeps at least half of the old cell value
    cell_change: np.ndarray  # (units,) c_t - c_{t-1}: how each unit's memory moved
    hidden_change: np.ndarray  # (units,) h_t - h_{t-1}: how each number of the context vector moved
    top_units: tuple[UnitRow, ...]  # the units whose output (hidden state) changed most, largest first

    def __str__(self) -> str:
        means = ", ".join(f"{GATE_LABELS[name].split()[-1]} {value:.2f}" for name, value in self.gate_means.items())
        lines = [f"step {self.step} ({self.word}): mean gates {means}; "
                 f"{self.kept:.0%} of units keep most of their memory",
                 f"{'unit':>5}{'i':>7}{'f':>7}{'g':>7}{'o':>7}{'c before':>10}{'c after':>9}"
                 f"{'h before':>10}{'h after':>9}"]
        lines += [f"{r.unit:>5}{r.input_gate:>7.2f}{r.forget_gate:>7.2f}{r.candidate:>7.2f}{r.output_gate:>7.2f}"
                  f"{r.cell_before:>10.2f}{r.cell_after:>9.2f}{r.hidden_before:>10.2f}{r.hidden:>9.2f}"
                  for r in self.top_units]
        return "\n".join(lines)

    __repr__ = __str__


def gate_step(sentence: SentenceGates, step: int, top: int = 8) -> StepView:
    """The gates at one step (1 = the first word of the window) and the units that changed most.

    Units are ranked by how much their hidden state (their number in the context vector)
    moved at this step: that is what the word changed in LSTM-1's output.
    """
    steps = len(sentence.tokens)
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= steps:
        raise ValueError(f"gate_step: step must be a whole number in 1..{steps}, got {step!r}.")
    t = int(step) - 1
    cell, hidden = sentence.gate("cell"), sentence.gate("hidden")  # (steps, units) each
    cell_before = cell[t - 1] if t > 0 else np.zeros_like(cell[t])  # the state starts at zero
    hidden_before = hidden[t - 1] if t > 0 else np.zeros_like(hidden[t])
    hidden_change = hidden[t] - hidden_before
    order = np.argsort(-np.abs(hidden_change), kind="stable")[:top]
    gates = {name: sentence.gate(name)[t] for name in GATE_NAMES}
    rows = tuple(
        UnitRow(int(u), *(float(gates[name][u]) for name in GATE_NAMES), float(cell_before[u]),
                float(cell[t, u]), float(hidden_before[u]), float(hidden[t, u]))
        for u in order
    )
    return StepView(
        step=int(step),
        word=sentence.tokens[t],
        gate_means={name: float(values.mean()) for name, values in gates.items()},
        kept=float((gates["forget_gate"] >= 0.5).mean()),
        cell_change=cell[t] - cell_before,
        hidden_change=hidden_change,
        top_units=rows,
    )


def _colour(value: float, low: float, high: float) -> str:
    """A white-to-blue (or red-white-blue when low < 0) colour for value in [low, high]."""
    if low < 0:
        share = float(np.clip(value / high, -1, 1))
        red, green, blue = (255, int(255 * (1 + share)), int(255 * (1 + share))) if share < 0 else \
            (int(255 * (1 - share)), int(255 - 130 * share), 255)
        return f"rgb({red},{green},{blue})"
    share = float(np.clip((value - low) / (high - low), 0, 1))
    return f"rgb({int(255 - 200 * share)},{int(255 - 140 * share)},{int(255 - 60 * share)})"


def _strip(values: np.ndarray, low: float, high: float) -> str:
    """One row of small coloured cells, one per unit."""
    cells = "".join(f"<span class='tc-unit' title='unit {u}: {v:.2f}' style='background:{_colour(v, low, high)}'>"
                    "</span>" for u, v in enumerate(values))
    return f"<span style='white-space:nowrap;line-height:0'>{cells}</span>"


def step_html(sentence: SentenceGates, view: StepView) -> str:
    """The sentence with the current word marked, one colour strip per gate, and the top units."""
    def word_style(i: int) -> str:  # the current word marked, later words faded
        if i + 1 == view.step:
            return "background:#ffd27f;font-weight:bold"
        return "color:#555" if i + 1 > view.step else ""

    words = " ".join(
        f"<span style='padding:1px 4px;border-radius:3px;{word_style(i)}'>"
        f"{html.escape(token)}</span>" for i, token in enumerate(sentence.tokens))
    t = view.step - 1
    ranges = {"input_gate": (0, 1), "forget_gate": (0, 1), "candidate": (-1, 1), "output_gate": (0, 1)}
    strips = "".join(
        f"<tr><td style='padding:0 8px 0 0'>{GATE_LABELS[name]}</td><td style='padding:0 8px;text-align:right'>"
        f"{view.gate_means[name]:.2f}</td><td>{_strip(sentence.gate(name)[t], *ranges[name])}</td></tr>"
        for name in GATE_NAMES)
    for label, change in (("memory change c<sub>t</sub> − c<sub>t−1</sub>", view.cell_change),
                          ("output change h<sub>t</sub> − h<sub>t−1</sub>", view.hidden_change)):
        scale = max(float(np.abs(change).max()), 1e-6)
        strips += (f"<tr><td style='padding:0 8px 0 0'>{label}</td>"
                   f"<td style='padding:0 8px;text-align:right'>±{scale:.2f}</td>"
                   f"<td>{_strip(change, -scale, scale)}</td></tr>")
    header = "".join(f"<th style='padding:0 6px'>{h}</th>"
                     for h in ("unit", "i", "f", "g", "o", "c before", "c after", "h before", "h after"))
    rows = "".join(
        "<tr>" + "".join(f"<td style='padding:0 6px;text-align:right'>{v}</td>" for v in (
            r.unit, f"{r.input_gate:.2f}", f"{r.forget_gate:.2f}", f"{r.candidate:+.2f}", f"{r.output_gate:.2f}",
            f"{r.cell_before:+.2f}", f"{r.cell_after:+.2f}", f"{r.hidden_before:+.2f}", f"{r.hidden:+.2f}")) + "</tr>"
        for r in view.top_units)
    unknown = (f"<div style='color:#8b1a1a'>Not in the vocabulary (read as {html.escape(UNKNOWN)}): "
               f"{html.escape(', '.join(sentence.unknown_words))}</div>" if sentence.unknown_words else "")
    return (f"<style>.tc-unit{{display:inline-block;width:3px;height:14px}}</style>"
            f"<div style='margin-bottom:6px'>{words}</div>{unknown}"
            f"<div>Step {view.step} of {len(sentence.tokens)}: LSTM-1 reads <b>{html.escape(view.word)}</b>. "
            f"{view.kept:.0%} of the {len(view.cell_change)} units keep at least half of their memory (f ≥ 0.5).</div>"
            f"<table style='margin:6px 0'><tr><th style='text-align:left'>each unit, left to right</th>"
            f"<th>mean</th><th></th></tr>{strips}</table>"
            f"<div>The {len(view.top_units)} units whose output (their number in the context vector) changed "
            f"most at this word, and the gates that did it:</div>"
            f"<table><tr>{header}</tr>{rows}</table>")


def gate_explorer(model, vocabulary: Vocabulary, text: str = "to be or not to be, that is the question",
                  step: int | None = None, top: int = 8):
    """A sentence box and a slider over the 13 steps; shows LSTM-1's gates at the chosen step."""
    import ipywidgets as widgets

    sequence_length = model.input_shape[1]
    box = widgets.Text(value=text, description="Sentence:", continuous_update=False,
                       layout=widgets.Layout(width="95%"))
    slider = widgets.IntSlider(value=step or sequence_length, min=1, max=sequence_length, description="Step:")
    state = {"sentence": trace_sentence(model, vocabulary, text)}
    view = widgets.HTML(step_html(state["sentence"], gate_step(state["sentence"], slider.value, top)))  # initial view

    def redraw(_change=None) -> None:
        view.value = step_html(state["sentence"], gate_step(state["sentence"], slider.value, top))

    def retrace(_change) -> None:
        state["sentence"] = trace_sentence(model, vocabulary, box.value)
        redraw()

    box.observe(retrace, names="value")
    slider.observe(redraw, names="value")
    return live_explorer([box, slider, view], "gate_explorer", {"text": text, "step": slider.value, "top": top}, view)
