"""Explorer for book/why_two_lstms.ipynb: the same context, two models' next-word guesses, side by side.

Type a context and choose how many of its last words the models may read: the trained
LSTM model and the Kneser-Ney trigram (which never reads more than two) each list their
most likely next words. compare_next_words computes what is shown (plain data, tested
without widgets); comparison_html draws it; next_word_explorer wires a text box and a
slider to them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from ..analysis.why_two_lstms import keep_last_words
from ..model import config_of, next_word_probabilities
from ..text import tokenize
from ..vocabulary import PAD_ID, UNKNOWN, Vocabulary
from ..windows import pad_left
from .web import live_explorer


@dataclass(frozen=True)
class NextWordComparison:
    """What each model expects after a context it may read only the last words of."""

    words_read: tuple[str, ...]  # the context words the models see (<unk> for unknown words)
    unknown_words: tuple[str, ...]  # context words outside the vocabulary
    guesses: dict[str, tuple[tuple[str, float], ...]]  # model name -> (word, probability), most likely first

    def __str__(self) -> str:
        lines = [f"reading {len(self.words_read)} word(s): {' '.join(self.words_read) or '(nothing)'}"]
        names = list(self.guesses)
        lines.append("".join(f"{name:<30}" for name in names))
        for rank in range(max(len(g) for g in self.guesses.values())):
            cells = []
            for name in names:
                word, probability = self.guesses[name][rank]
                cells.append(f"{word:<16}{probability:>8.1%}      ")
            lines.append("".join(cells))
        return "\n".join(lines)

    __repr__ = __str__


def _distribution(model, window: np.ndarray) -> np.ndarray:
    """(vocab_size,) next-word probabilities of a neural model or a baseline for one window (13,)."""
    if hasattr(model, "window_probabilities"):
        return np.asarray(model.window_probabilities(window[None, :]))[0]
    return next_word_probabilities(model, window[None, :])[0]


def _sequence_length(models: dict) -> int:
    """The window length of the neural models among models (13 if there are only baselines)."""
    return next((config_of(m).sequence_length for m in models.values() if not hasattr(m, "window_probabilities")), 13)


def compare_next_words(models: dict, vocabulary: Vocabulary, context: str, words_of_context: int | None = None,
                       count: int = 8) -> NextWordComparison:
    """Each model's `count` most likely next words after the last `words_of_context` words of context.

    models: {display name: a Keras model, a twin or a baseline from evaluation.py}, all using
    this vocabulary and the same window length. words_of_context=None: a whole window (13).
    """
    if not models:
        raise ValueError("compare_next_words: give at least one model, e.g. {'two LSTMs': model}.")
    sequence_length = _sequence_length(models)
    words_of_context = sequence_length if words_of_context is None else words_of_context
    if isinstance(words_of_context, bool) or not isinstance(words_of_context, (int, np.integer)) \
            or not 1 <= words_of_context <= sequence_length:
        raise ValueError(f"compare_next_words: words_of_context must be a whole number in 1..{sequence_length}, "
                         f"got {words_of_context!r}.")
    tokens = tokenize(context)
    window = keep_last_words(pad_left(vocabulary.encode(tokens), sequence_length)[None, :], int(words_of_context))[0]
    guesses = {}
    for name, model in models.items():
        probabilities = _distribution(model, window).astype(np.float64)
        probabilities[PAD_ID] = 0.0  # padding is never a next word
        best = np.argsort(-probabilities, kind="stable")[:count]
        guesses[name] = tuple((vocabulary.words[int(i)], round(float(probabilities[i]), 6)) for i in best)
    return NextWordComparison(
        words_read=tuple(vocabulary.tokens([int(i) for i in window if i != PAD_ID])),
        unknown_words=tuple(vocabulary.unknown_words(tokens)),
        guesses=guesses,
    )


def comparison_html(comparison: NextWordComparison) -> str:
    """The comparison as one HTML table: a column per model, a bar per probability."""
    read = " ".join(html.escape(word) for word in comparison.words_read) or "(nothing)"
    heading = f"<div>The models read <b>{len(comparison.words_read)}</b> word(s): <code>{read}</code></div>"
    if comparison.unknown_words:
        unknown = ", ".join(html.escape(word) for word in comparison.unknown_words)
        heading += f"<div>Not in the vocabulary, read as {html.escape(UNKNOWN)}: {unknown}</div>"
    names = list(comparison.guesses)
    header = "".join(f"<th colspan='3' style='text-align:left;padding:2px 8px'>{html.escape(n)}</th>" for n in names)
    rows = []
    for rank in range(max(len(g) for g in comparison.guesses.values())):
        cells = []
        for name in names:
            word, probability = comparison.guesses[name][rank]
            cells.append(
                f"<td style='padding:1px 8px;font-family:monospace'>{html.escape(word)}</td>"
                f"<td style='padding:1px 4px;text-align:right'>{probability:.1%}</td>"
                f"<td><div style='background:#4a7fb0;height:10px;width:{probability * 200:.0f}px'></div></td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"{heading}<table><tr>{header}</tr>{''.join(rows)}</table>"


def next_word_explorer(models: dict, vocabulary: Vocabulary, context: str = "what light through yonder window",
                       words_of_context: int | None = None, count: int = 8):
    """A text box for the context and a slider for how many of its last words the models may read."""
    import ipywidgets as widgets

    sequence_length = _sequence_length(models)
    words_of_context = sequence_length if words_of_context is None else words_of_context
    box = widgets.Text(value=context, description="Context:", continuous_update=False,
                       layout=widgets.Layout(width="60%"))
    slider = widgets.IntSlider(value=words_of_context, min=1, max=sequence_length, description="Words read:")
    view = widgets.HTML(comparison_html(compare_next_words(models, vocabulary, context, words_of_context, count)))

    def update(_change) -> None:
        if not any(token.isalpha() for token in box.value):
            view.value = "<div>Type a few words.</div>"
            return
        view.value = comparison_html(compare_next_words(models, vocabulary, box.value, slider.value, count))

    box.observe(update, names="value")
    slider.observe(update, names="value")
    return live_explorer([widgets.HBox([box, slider]), view], "next_word_explorer",
                         {"context": context, "words_of_context": int(words_of_context), "count": count,
                          "models": list(models)}, view)
