"""Explorer for book/lstm_summary.ipynb: type a sentence, watch LSTM-2's summary change word by word.

summaries_as_words_are_added feeds the model the sentence one word longer each time, as
the generator does with a short seed (left-padded windows), and records LSTM-2's summary
and the model's most likely next words after every word (plain data, tested without
widgets); growth_html draws it; summary_explorer wires a text box and a slider to them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from ..lstm_summary import Summarizer
from ..softmax_head import logits_numpy, softmax
from ..text import detokenize, tokenize
from ..vocabulary import PAD_ID, UNKNOWN, UNKNOWN_ID, Vocabulary
from ..windows import pad_left
from .web import live_explorer


@dataclass(frozen=True)
class GrowingSentence:
    """LSTM-2's summary of a sentence after each of its words."""

    words: tuple[str, ...]  # the typed words, in order (the model reads at most the last 13)
    unknown_words: tuple[str, ...]  # typed words outside the vocabulary (read as <unk>)
    summaries: np.ndarray  # (words + 1, 100): row 0 is the empty window (all padding), row k after word k
    change: np.ndarray  # (words,) distance between the summary after word k and the one before it
    next_words: tuple[tuple[tuple[str, float], ...], ...]  # per row of summaries: (word, probability), likeliest first
    sequence_length: int = 13  # the model reads at most this many of the last words

    def __str__(self) -> str:
        lines = [f"{'after':<22}{'moved':>7}  most likely next words"]
        for k, word in enumerate(self.words, start=1):
            top = ", ".join(f"{w} {p:.2f}" for w, p in self.next_words[k])
            lines.append(f"{word:<22}{self.change[k - 1]:>7.2f}  {top}")
        return "\n".join(lines)

    __repr__ = __str__


def summaries_as_words_are_added(model, vocabulary: Vocabulary, text: str, top: int = 5) -> GrowingSentence:
    """Run the model on the first 0, 1, 2, ... words of text (each left-padded to 13).

    The summary after word k is LSTM-2's output for the window that ends with word k:
    exactly what the model reads when a learner's seed text is k words long.
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"summaries_as_words_are_added: top must be a whole number >= 1, got {top!r}.")
    sequence_length = model.input_shape[1]
    words = tokenize(text)
    ids = vocabulary.encode(words)
    windows = np.stack([pad_left(ids[:k], sequence_length) for k in range(len(words) + 1)])  # (words + 1, 13)
    summaries = Summarizer.from_keras(model)(windows)  # (words + 1, 100)
    probabilities = softmax(logits_numpy(model.get_layer("dense_softmax"), summaries))  # (words + 1, vocab)
    probabilities[:, [PAD_ID, UNKNOWN_ID]] = 0.0  # the generator never writes these; show what it would
    probabilities /= probabilities.sum(axis=-1, keepdims=True)
    best = np.argsort(-probabilities, axis=-1, kind="stable")[:, :top]
    next_words = tuple(tuple((vocabulary.words[i], round(float(row[i]), 4)) for i in order)
                       for row, order in zip(probabilities, best))
    change = np.linalg.norm(np.diff(summaries, axis=0), axis=-1)  # (words,)
    return GrowingSentence(tuple(words), tuple(vocabulary.unknown_words(words)), summaries, change, next_words,
                           sequence_length)


def growth_html(growth: GrowingSentence, upto: int) -> str:
    """Bars of how far the summary moved at each word, and the next words after word `upto`."""
    if not growth.words:
        return "<div>Type a sentence: the model has nothing to summarise yet.</div>"
    upto = int(np.clip(upto, 1, len(growth.words)))
    scale = max(float(growth.change.max()), 1e-6)
    bars = "".join(
        f"<tr style='{'background:#ffd27f' if k == upto else 'color:#555' if k > upto else ''}'>"
        f"<td style='padding:0 6px;font-family:monospace'>{html.escape(word)}"
        f"{' (' + html.escape(UNKNOWN) + ')' if word in growth.unknown_words else ''}</td>"
        f"<td style='padding:0 6px;text-align:right'>{growth.change[k - 1]:.2f}</td>"
        f"<td><div style='background:#4a7fb0;height:10px;width:{growth.change[k - 1] / scale * 160:.0f}px'></div></td>"
        f"<td style='padding:0 6px;font-size:90%'>{html.escape(growth.next_words[k][0][0])}</td></tr>"
        for k, word in enumerate(growth.words, start=1))
    choices = "".join(
        f"<tr><td style='padding:0 6px;font-family:monospace'>{html.escape(word)}</td>"
        f"<td style='padding:0 6px;text-align:right'>{probability:.3f}</td>"
        f"<td><div style='background:#e39b3b;height:10px;width:{probability * 300:.0f}px'></div></td></tr>"
        for word, probability in growth.next_words[upto])
    read = detokenize(list(growth.words[:upto][-growth.sequence_length:]))  # what the model reads
    return (f"<table><tr><th style='text-align:left'>word added</th><th>summary moved</th><th></th>"
            f"<th style='text-align:left'>likeliest next</th></tr>{bars}</table>"
            f"<div style='margin-top:8px'>After <b>{html.escape(read)}</b>, the model's most likely next words:</div>"
            f"<table>{choices}</table>")


def summary_explorer(model, vocabulary: Vocabulary,
                     text: str = "now is the winter of our discontent made glorious summer", top: int = 5):
    """A sentence box and a slider over its words: how the summary and the predictions evolve."""
    import ipywidgets as widgets

    box = widgets.Text(value=text, description="Sentence:", continuous_update=False,
                       layout=widgets.Layout(width="95%"))
    state = {"growth": summaries_as_words_are_added(model, vocabulary, text, top)}
    slider = widgets.IntSlider(value=max(1, len(state["growth"].words)), min=1,
                               max=max(1, len(state["growth"].words)), description="Words read:")
    view = widgets.HTML(growth_html(state["growth"], slider.value))  # the initial view

    def redraw(_change=None) -> None:
        view.value = growth_html(state["growth"], slider.value)

    def regrow(_change) -> None:
        state["growth"] = summaries_as_words_are_added(model, vocabulary, box.value, top)
        count = max(1, len(state["growth"].words))
        slider.max = count
        slider.value = count
        redraw()

    box.observe(regrow, names="value")
    slider.observe(redraw, names="value")
    return live_explorer([box, slider, view], "summary_explorer", {"text": text, "top": top}, view)
