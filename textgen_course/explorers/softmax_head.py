"""Explorer for book/softmax_head.ipynb: slide temperature, top-k and top-p, watch the next-word odds change.

distribution_view turns the model's next-word probabilities and a sampling strategy into
plain data (the top words with their probability under the model and under the strategy,
how many words remain possible, how spread out the choice is); tests check it without
widgets. distribution_html draws it as bars; softmax_explorer wires a context box, a
strategy menu and three sliders to them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from ..analysis.softmax_head import effective_number_of_words
from ..generation import STRATEGIES, next_word_distribution, sampling_distribution
from ..numpy_model import NumpyTextGenerator
from ..vocabulary import PAD_ID, UNKNOWN_ID, Vocabulary
from .web import live_explorer


@dataclass(frozen=True)
class DistributionView:
    """One context's next-word distribution before and after a sampling strategy."""

    words: tuple[str, ...]  # the most likely words under the model, most likely first
    model_probabilities: tuple[float, ...]  # the softmax's, padding and <unk> removed and the rest rescaled to sum 1
    sampling_probabilities: tuple[float, ...]  # their probabilities in the distribution the strategy draws from
    kept_words: int  # words the strategy can still draw (non-zero probability)
    effective_words: float  # exp(entropy) of the strategy's distribution: 1 = certain
    model_effective_words: float  # the same for the model's own distribution
    removed_probability: float = 0.0  # what the softmax gave padding and <unk> before they were removed

    def note(self) -> str:
        """What the "model" column is: the softmax's probabilities, renormalised without <unk>."""
        return (f"model: the softmax's probabilities without padding and <unk> (which had "
                f"{self.removed_probability:.3f}), rescaled to sum to 1, as the generator draws")

    def __str__(self) -> str:
        lines = [f"{'word':<14}{'model':>8}{'sampled':>9}"]
        lines += [f"{word:<14}{p:>8.3f}{q:>9.3f}"
                  for word, p, q in zip(self.words, self.model_probabilities, self.sampling_probabilities)]
        lines.append(f"words that can be drawn: {self.kept_words:,}; effective number of choices: "
                     f"{self.effective_words:.1f} (model: {self.model_effective_words:.1f})")
        lines.append(self.note())
        return "\n".join(lines)

    __repr__ = __str__


SWATCH = "<span style='display:inline-block;width:0.8em;height:0.8em;background:{}'></span>"  # a legend's colour


def distribution_view(
    probabilities: np.ndarray,
    vocabulary: Vocabulary,
    strategy: str = "temperature",
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    top: int = 15,
) -> DistributionView:
    """Compare the model's distribution (vocab_size,) with what a strategy would draw from.

    The settings mean what they mean in tc.generate. Padding and the unknown word are
    removed from both distributions, as generation never writes them, and the model's
    distribution is rescaled to sum to 1 (so its numbers are a little larger than the
    softmax's own); removed_probability says how much was taken away.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 1 or len(probabilities) != len(vocabulary):
        raise ValueError(f"distribution_view: expected one distribution of shape ({len(vocabulary)},), "
                         f"got {probabilities.shape}.")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"distribution_view: top must be a whole number >= 1, got {top!r}.")
    model = probabilities.copy()
    removed = float(model[[PAD_ID, UNKNOWN_ID]].sum())  # generation never writes these two
    model[[PAD_ID, UNKNOWN_ID]] = 0.0
    model /= model.sum()
    sampled = sampling_distribution(model, strategy, temperature, top_k, top_p)  # (vocab_size,)
    order = np.argsort(-model, kind="stable")[:top]  # the strategies never reorder words
    return DistributionView(
        words=tuple(vocabulary.words[i] for i in order),
        model_probabilities=tuple(float(model[i]) for i in order),
        sampling_probabilities=tuple(float(sampled[i]) for i in order),
        kept_words=int((sampled > 0).sum()),
        effective_words=float(effective_number_of_words(sampled)),
        model_effective_words=float(effective_number_of_words(model)),
        removed_probability=removed,
    )


def distribution_html(view: DistributionView, context: str = "") -> str:
    """Two bars per word: grey for the model's probability, orange for the strategy's."""
    scale = max(max(view.model_probabilities), max(view.sampling_probabilities), 1e-9)
    rows = "".join(
        f"<tr><td style='padding:0 8px;font-family:monospace'>{html.escape(word)}</td>"
        f"<td style='text-align:right;padding:0 4px;color:#555'>{p:.3f}</td>"
        f"<td><div style='background:#9a9a9a;height:8px;width:{p / scale * 260:.0f}px'></div>"
        f"<div style='background:#e07b24;height:8px;width:{q / scale * 260:.0f}px'></div></td>"
        f"<td style='text-align:right;padding:0 4px'>{q:.3f}</td></tr>"
        for word, p, q in zip(view.words, view.model_probabilities, view.sampling_probabilities)
    )
    heading = f"<div>After <b>{html.escape(context)}</b> &hellip;</div>" if context else ""
    return (
        f"{heading}<table><tr><th style='text-align:left'>next word</th><th>model</th>"
        f"<th style='text-align:left'>{SWATCH.format('#9a9a9a')} model "
        f"{SWATCH.format('#e07b24')} sampled from</th><th>sampled</th></tr>{rows}</table>"
        f"<div style='margin-top:6px'>Words the strategy can draw: <b>{view.kept_words:,}</b>. "
        f"Effective number of choices (exp of the entropy): <b>{view.effective_words:.1f}</b> "
        f"(the model's own: {view.model_effective_words:.1f}).</div>"
        f"<div style='margin-top:4px;color:#555'>{html.escape(view.note().capitalize())}.</div>"
    )


DEFAULT_CONTEXT = "what light through yonder window breaks? it is the east, and juliet is the"


def softmax_explorer(model, vocabulary: Vocabulary, context: str = DEFAULT_CONTEXT, top: int = 15):
    """A context box, a strategy menu and sliders for temperature, top-k and top-p."""
    import ipywidgets as widgets

    box = widgets.Text(value=context, description="Context:", continuous_update=False,
                       layout=widgets.Layout(width="95%"))
    strategy = widgets.Dropdown(options=list(STRATEGIES), value="temperature", description="Strategy:")
    temperature = widgets.FloatSlider(value=1.0, min=0.1, max=3.0, step=0.05, description="Temperature:",
                                      continuous_update=False)
    top_k = widgets.IntSlider(value=10, min=1, max=100, description="top-k:", continuous_update=False)
    top_p = widgets.FloatSlider(value=0.9, min=0.05, max=1.0, step=0.05, description="top-p:",
                                continuous_update=False)
    view = widgets.HTML()
    state = {"probabilities": None}
    engine = NumpyTextGenerator.from_keras(model) if hasattr(model, "get_layer") else model  # read weights once

    def settings() -> dict:
        chosen = strategy.value
        temperature.disabled = chosen == "greedy"
        top_k.disabled, top_p.disabled = chosen != "top_k", chosen != "top_p"
        return {"strategy": chosen, "temperature": 1.0 if chosen == "greedy" else temperature.value,
                "top_k": top_k.value if chosen == "top_k" else None,
                "top_p": top_p.value if chosen == "top_p" else None}

    def redraw(_change=None) -> None:
        if state["probabilities"] is None:
            return
        shown = distribution_view(state["probabilities"], vocabulary, top=top, **settings())
        view.value = distribution_html(shown, box.value)

    def read_context(_change=None) -> None:
        try:
            state["probabilities"] = next_word_distribution(engine, vocabulary, box.value)
        except ValueError as error:  # an empty context: say so instead of a traceback
            state["probabilities"] = None
            view.value = f"<div style='color:#900'>{html.escape(str(error))}</div>"
            return
        redraw()

    read_context()  # the initial view, computed now so the static page shows it
    box.observe(read_context, names="value")
    for control in (strategy, temperature, top_k, top_p):
        control.observe(redraw, names="value")
    return live_explorer([box, strategy, temperature, top_k, top_p, view], "softmax_explorer",
                         {"context": context, "top": top, "strategy": "temperature", "temperature": 1.0,
                          "top_k": 10, "top_p": 0.9}, view)
