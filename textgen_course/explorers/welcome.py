"""The welcome page's "try the model" panel: a seed text in, a continuation and each word's top-5 candidates out.

continuation_with_candidates computes what is shown (plain data, tested without widgets and
against the page's JavaScript); candidates_html draws it; try_the_model wires the controls.
In the built book the same panel runs in the page (book/web/textgen_explorers.js).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from ..generation import STRATEGIES, generate, seed_tokens, top_words
from ..numpy_model import NumpyTextGenerator
from ..vocabulary import PAD_ID, UNKNOWN_ID, Vocabulary
from ..windows import pad_left
from .data_flow import strategy_settings
from .web import live_explorer


@dataclass(frozen=True)
class Continuation:
    """A generation, and for each new word the five words the model found likeliest there."""

    text: str  # the seed and the new words
    words: tuple[str, ...]  # the new words
    candidates: tuple[tuple[tuple[str, float], ...], ...]  # per new word: (word, probability), likeliest first
    unknown_words: tuple[str, ...]  # seed words read as <unk>


def continuation_with_candidates(model, vocabulary: Vocabulary, seed_text: str, num_words: int = 20,
                                 strategy: str = "top_p", temperature: float = 1.0, top_k: int = 40,
                                 top_p: float = 0.9, seed: int = 0, candidates: int = 5) -> Continuation:
    """tc.generate, then the model's top candidates (padding and <unk> removed) before each new word."""
    engine = NumpyTextGenerator.from_keras(model) if hasattr(model, "get_layer") else model
    generation = generate(engine, vocabulary, seed_text, num_words, seed=seed,
                          **strategy_settings(strategy, temperature, top_k, top_p))
    words = vocabulary.tokens(generation.new_ids)
    ids = vocabulary.encode(seed_tokens(seed_text)) + list(generation.new_ids)
    first = len(ids) - len(words)
    tops = []
    for k in range(len(words)):
        window = pad_left(ids[: first + k], engine.config.sequence_length)[None, :]  # what the model read
        probabilities = engine.probabilities(window)[0].astype(np.float64)  # (vocab_size,)
        probabilities[[PAD_ID, UNKNOWN_ID]] = 0.0
        tops.append(tuple(top_words(probabilities / probabilities.sum(), vocabulary, candidates)))
    return Continuation(generation.text, tuple(words), tuple(tops), generation.unknown_words)


def candidates_html(result: Continuation) -> str:
    """The continuation, then one row per new word with its five candidates."""
    rows = "".join(
        f"<tr><td style='padding:0 8px;font-family:monospace'><b>{html.escape(word)}</b></td>"
        + "".join(f"<td style='padding:0 6px;font-family:monospace'>{html.escape(w)} {p:.3f}</td>" for w, p in top)
        + "</tr>" for word, top in zip(result.words, result.candidates))
    unknown = (f"<div>Not in the vocabulary, read as &lt;unk&gt;: {html.escape(', '.join(result.unknown_words))}</div>"
               if result.unknown_words else "")
    return (f"<div style='font-size:110%;margin:4px 0'>{html.escape(result.text)}</div>{unknown}"
            f"<table><tr><th>word written</th><th colspan='5' style='text-align:left'>the model's top 5 there "
            f"(probability)</th></tr>{rows}</table>")


def try_the_model(model, vocabulary: Vocabulary, seed_text: str = "to be or not to be", num_words: int = 20,
                  strategy: str = "top_p", top_p: float = 0.9, seed: int = 0):
    """A seed box, a strategy and its setting, a number of words and a random seed."""
    import ipywidgets as widgets

    engine = NumpyTextGenerator.from_keras(model)  # read the weights once
    box = widgets.Text(value=seed_text, description="Seed text:", continuous_update=False,
                       layout=widgets.Layout(width="95%"))
    strategy_menu = widgets.Dropdown(options=list(STRATEGIES), value=strategy, description="Strategy:")
    temperature = widgets.FloatText(value=1.0, description="Temperature:")
    top_k = widgets.IntText(value=40, description="top-k:")
    top_p_box = widgets.FloatText(value=top_p, description="top-p:")
    length = widgets.IntText(value=num_words, description="Words:")
    sampler_seed = widgets.IntText(value=seed, description="Random seed:")
    view = widgets.HTML()

    def redraw(_change=None) -> None:
        try:
            result = continuation_with_candidates(engine, vocabulary, box.value, length.value, strategy_menu.value,
                                                  temperature.value, top_k.value, top_p_box.value, sampler_seed.value)
        except ValueError as error:  # the message beside the controls, not a traceback
            view.value = f"<div style='color:#900'>{html.escape(str(error))}</div>"
            return
        view.value = candidates_html(result)

    redraw()  # the first view, saved into the page
    controls = (box, strategy_menu, temperature, top_k, top_p_box, length, sampler_seed)
    for control in controls:
        control.observe(redraw, names="value")
    settings = {"seed_text": seed_text, "num_words": num_words, "strategy": strategy, "temperature": 1.0,
                "top_k": 40, "top_p": top_p, "seed": seed}
    return live_explorer([*controls, view], "try_the_model", settings, view)
