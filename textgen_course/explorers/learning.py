"""The learning chapter's "train it yourself" explorer: fine-tune the dense layer on a text and watch it learn.

fine_tuning.fine_tune_head computes what is shown (tested without widgets, and against the
page's JavaScript); loss_plot_svg and fine_tuning_html draw it; fine_tune_explorer wires the
controls. In the built book the same explorer trains in the page, step by step, with Stop and
Reset (book/web/textgen_explorers.js, mountFineTuneExplorer).
"""

from __future__ import annotations

import html

from ..fine_tuning import EXAMPLE_TEXTS, FineTuning, fine_tune_head
from ..vocabulary import Vocabulary
from .web import live_explorer

DEFAULT_EXAMPLE = "modern English (a weather report)"
PLOT = {"width": 460, "height": 220, "left": 48, "right": 12, "top": 12, "bottom": 36}  # pixels
COLOURS = {"step": "#9db8d2", "text": "#1f5f99", "held_out": "#b35900"}


def loss_plot_svg(step_losses, pass_losses, held_out_losses, steps_per_pass: int, loss_before: float,
                  held_out_before: float | None) -> str:
    """The losses on one plot: every step's (thin), each pass's on the text and on the held-out part.

    Pass k's points sit at step k * steps_per_pass; the losses before training at step 0.
    The page's lossPlotSvg draws the same picture.
    """
    p = PLOT
    total = max(len(step_losses), 1)
    texts = [loss_before, *pass_losses]
    held = [held_out_before, *held_out_losses] if held_out_before is not None else []
    values = [*step_losses, *texts, *held]
    low, high = min(values), max(values)
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    x = lambda step: p["left"] + (p["width"] - p["left"] - p["right"]) * step / total  # noqa: E731
    y = lambda loss: p["top"] + (p["height"] - p["top"] - p["bottom"]) * (high - loss) / (high - low)  # noqa: E731

    def line(points, colour, width, dots):
        path = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in points)
        marks = "".join(f"<circle cx='{x(s):.1f}' cy='{y(v):.1f}' r='3' fill='{colour}'/>" for s, v in points)
        marks = marks if dots else ""
        return f"<polyline points='{path}' fill='none' stroke='{colour}' stroke-width='{width}'/>{marks}"

    steps = line(list(enumerate(step_losses, start=1)), COLOURS["step"], 1, False)
    passes = line([(k * steps_per_pass, v) for k, v in enumerate(texts)], COLOURS["text"], 2, True)
    held_line = line([(k * steps_per_pass, v) for k, v in enumerate(held)], COLOURS["held_out"], 2, True)
    axis_y = p["height"] - p["bottom"]
    ticks = "".join(f"<text x='{p['left'] - 4}' y='{y(v) + 4:.1f}' text-anchor='end' font-size='11'>{v:.2f}</text>"
                    for v in (low, (low + high) / 2, high))
    held_words = (f" and on the held-out part from {held[0]:.2f} to {held[-1]:.2f}" if held else "")
    label = (f"Loss over {len(step_losses)} steps: on the text from {texts[0]:.2f} to {texts[-1]:.2f}{held_words}.")
    legend = (f"<text x='{p['left'] + 8}' y='{axis_y + 30}' font-size='11'>"
              f"<tspan fill='{COLOURS['step']}'>━ each step</tspan>  "
              f"<tspan fill='{COLOURS['text']}'>● each pass, the text</tspan>  "
              f"<tspan fill='{COLOURS['held_out']}'>● held out</tspan></text>")
    return (f"<svg class='textgen-loss-plot' role='img' aria-label='{html.escape(label)}' "
            f"viewBox='0 0 {p['width']} {p['height']}' width='{p['width']}' height='{p['height']}'>"
            f"<line x1='{p['left']}' y1='{axis_y}' x2='{p['width'] - p['right']}' y2='{axis_y}' stroke='#555'/>"
            f"<line x1='{p['left']}' y1='{p['top']}' x2='{p['left']}' y2='{axis_y}' stroke='#555'/>{ticks}"
            f"<text x='{(p['width'] + p['left']) / 2}' y='{axis_y + 16}' text-anchor='middle' font-size='11'>"
            f"step (0 to {total})</text>{steps}{passes}{held_line}{legend}</svg>")


def fine_tuning_html(result: FineTuning, learning_rate: float, passes: int) -> str:
    """What the explorer shows after training: settings, notes, the loss plot, rising words, continuations."""
    steps_per_pass = -(-result.windows // 64)
    held = (f", {result.held_out_windows} held out" if result.held_out_windows
            else " (too short to hold any out: fewer than 10 windows)")
    notes = "".join(f"<div class='textgen-note'>{html.escape(note)}</div>" for note in result.text.notes)
    rows = "".join(f"<tr><td>{html.escape(word)}</td><td>{before:.2%}</td><td>{after:.2%}</td></tr>"
                   for word, before, after in result.rising)
    plot = loss_plot_svg(result.run.step_losses, result.run.pass_losses, result.run.held_out_losses, steps_per_pass,
                         result.loss_before, result.held_out_before)
    return (f"<div>Trained the dense layer on {result.windows} windows of the text{held}: {passes} pass(es) of "
            f"{steps_per_pass} step(s), learning rate {learning_rate:g}.</div>{notes}{plot}"
            f"<table><tr><th>word</th><th>mean probability before</th><th>after</th></tr>{rows}</table>"
            f"<div>The seed text continued with the same random seed, top-p 0.9:</div>"
            f"<div><b>Before:</b> {html.escape(result.continuation_before)}</div>"
            f"<div><b>After:</b> {html.escape(result.continuation_after)}</div>")


def fine_tune_explorer(model, vocabulary: Vocabulary, text: str | None = None, learning_rate: float = 0.003,
                       passes: int = 5, seed_text: str = "", seed: int = 0):
    """A text box (or an example), a learning rate, a number of passes, a seed text and a random seed, and Train.

    In JupyterLab Train runs fine_tune_head to the end; the book's page trains step by step.
    seed_text "" continues the text's first five tokens.
    """
    import ipywidgets as widgets

    text = EXAMPLE_TEXTS[DEFAULT_EXAMPLE] if text is None else text
    example = widgets.Dropdown(options=["your own text", *EXAMPLE_TEXTS], description="Example:",
                               value=next((k for k, v in EXAMPLE_TEXTS.items() if v == text), "your own text"))
    box = widgets.Textarea(value=text, description="Text:", layout=widgets.Layout(width="95%", height="8em"))
    rate = widgets.FloatText(value=learning_rate, description="Learning rate:")
    count = widgets.IntText(value=passes, description="Passes:")
    seed_box = widgets.Text(value=seed_text, description="Seed text:")
    seed_number = widgets.IntText(value=seed, description="Random seed:")
    train = widgets.Button(description="Train")
    view = widgets.HTML()

    def choose(_change=None) -> None:
        if example.value in EXAMPLE_TEXTS:
            box.value = EXAMPLE_TEXTS[example.value]

    def redraw(_change=None) -> None:
        try:
            result = fine_tune_head(model, vocabulary, box.value, rate.value, count.value, seed_box.value or None,
                                    seed_number.value)
        except ValueError as error:  # the message beside the controls, not a traceback
            view.value = f"<div class='textgen-message' style='color:#900'>{html.escape(str(error))}</div>"
            return
        view.value = fine_tuning_html(result, rate.value, count.value)

    redraw()  # the first view, saved into the page
    example.observe(choose, names="value")
    train.on_click(redraw)
    settings = {"text": text, "learning_rate": learning_rate, "passes": passes, "seed_text": seed_text,
                "seed": seed, "examples": EXAMPLE_TEXTS}
    return live_explorer([example, box, rate, count, seed_box, seed_number, train, view], "fine_tune_explorer",
                         settings, view)

