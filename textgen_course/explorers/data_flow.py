"""Explorer for book/data_flow.ipynb: type a seed text, pick a strategy and a length, read what the model writes.

generation_report runs tc.generate and keeps what the page shows: the window the model
first reads (the seed's last words, left-padded), the continuation, and the seed words it
does not know (plain data, tested without widgets). generation_html draws it;
generation_explorer wires a text box, a strategy menu and sliders to them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..generation import STRATEGIES, Generation, generate, seed_tokens, seed_window
from ..model import config_of
from ..numpy_model import NumpyTextGenerator
from ..text import detokenize
from ..vocabulary import PAD, Vocabulary
from .web import live_explorer


@dataclass(frozen=True)
class GenerationReport:
    """One generation as the explorer shows it."""

    first_window: tuple[str, ...]  # the 13 tokens the model reads first (<pad> where the seed is short)
    generation: Generation  # the seed, the new words, the unknown seed words
    settings: str  # the strategy and its settings, as text
    seed_part: str  # generation.text split in two: the seed as written ...
    new_part: str  # ... and the words the model added (with their spacing and punctuation)

    def __str__(self) -> str:
        return f"[{self.settings}] {self.generation.text}"

    __repr__ = __str__


def strategy_settings(strategy: str, temperature: float = 1.0, top_k: int = 40, top_p: float = 0.9) -> dict:
    """The keyword arguments tc.generate needs for a strategy (the others left out)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}.")
    settings: dict = {"strategy": strategy}
    if strategy != "greedy":
        settings["temperature"] = temperature
    if strategy == "top_k":
        settings["top_k"] = top_k
    if strategy == "top_p":
        settings["top_p"] = top_p
    return settings


def generation_report(model, vocabulary: Vocabulary, seed_text: str, num_words: int = 30, strategy: str = "top_p",
                      temperature: float = 1.0, top_k: int = 40, top_p: float = 0.9, seed: int = 0) -> GenerationReport:
    """Generate with tc.generate and record the first window the model reads."""
    settings = strategy_settings(strategy, temperature, top_k, top_p)
    generation = generate(model, vocabulary, seed_text, num_words, seed=seed, **settings)
    window = seed_window(vocabulary, seed_text, config_of(model).sequence_length)
    if strategy != "greedy":
        settings["seed"] = seed
    described = ", ".join(f"{key}={value!r}" if isinstance(value, str) else f"{key}={value:g}"
                          for key, value in settings.items())
    seed_part = detokenize(seed_tokens(seed_text))  # generation.text starts with exactly this
    return GenerationReport(tuple(vocabulary.words[i] for i in window), generation, described,
                            seed_part, generation.text[len(seed_part):])


def generation_html(report: GenerationReport) -> str:
    """The first window as boxes, then the seed in bold and the new words in colour."""
    boxes = "".join(
        f"<span style='display:inline-block;border:1px solid #bbb;border-radius:3px;padding:0 4px;"
        f"margin:1px;font-family:monospace;{'color:#555' if token == PAD else ''}'>{html.escape(token)}</span>"
        for token in report.first_window
    )
    unknown_words = report.generation.unknown_words
    unknown = (f"<div style='color:#7a4300'>Not in the vocabulary, read as &lt;unk&gt;: "
               f"{html.escape(', '.join(unknown_words))}</div>") if unknown_words else ""
    return (
        f"<div>The first window the model reads ({len(report.first_window)} ids):</div><div>{boxes}</div>{unknown}"
        f"<div style='margin-top:8px;font-size:110%;line-height:1.5'><b>{html.escape(report.seed_part)}</b>"
        f"<span style='color:#184c7a'>{html.escape(report.new_part)}</span></div>"
        f"<div style='color:#555;font-size:90%'>{html.escape(report.settings)}</div>"
    )


def generation_explorer(model, vocabulary: Vocabulary, seed_text: str = "to be or not to be", num_words: int = 30,
                        strategy: str = "top_p"):
    """A seed box, a strategy menu, and sliders for length, temperature, top-k, top-p and the sampler's seed."""
    import ipywidgets as widgets

    engine = NumpyTextGenerator.from_keras(model) if hasattr(model, "get_layer") else model  # read weights once
    box = widgets.Text(value=seed_text, description="Seed text:", continuous_update=False,
                       layout=widgets.Layout(width="95%"))
    strategy_menu = widgets.Dropdown(options=list(STRATEGIES), value=strategy, description="Strategy:")
    length = widgets.IntSlider(value=num_words, min=1, max=100, description="Words:", continuous_update=False)
    temperature = widgets.FloatSlider(value=1.0, min=0.1, max=2.5, step=0.05, description="Temperature:",
                                      continuous_update=False)
    top_k = widgets.IntSlider(value=40, min=1, max=200, description="top-k:", continuous_update=False)
    top_p = widgets.FloatSlider(value=0.9, min=0.05, max=1.0, step=0.05, description="top-p:",
                                continuous_update=False)
    sampler_seed = widgets.IntText(value=0, description="Random seed:")
    view = widgets.HTML()

    def redraw(_change=None) -> None:
        chosen = strategy_menu.value
        temperature.disabled = chosen == "greedy"
        top_k.disabled, top_p.disabled = chosen != "top_k", chosen != "top_p"
        sampler_seed.disabled = chosen == "greedy"
        try:
            report = generation_report(engine, vocabulary, box.value, length.value, chosen, temperature.value,
                                       top_k.value, top_p.value, sampler_seed.value)
        except ValueError as error:  # an empty seed text, say: show the message, not a traceback
            view.value = f"<div style='color:#900'>{html.escape(str(error))}</div>"
            return
        view.value = generation_html(report)

    redraw()  # the initial view, computed now so the static page shows it
    for control in (box, strategy_menu, length, temperature, top_k, top_p, sampler_seed):
        control.observe(redraw, names="value")
    controls = [box, strategy_menu, length, temperature, top_k, top_p, sampler_seed]
    return live_explorer([*controls, view], "generation_explorer",
                         {"seed_text": seed_text, "num_words": num_words, "strategy": strategy, "temperature": 1.0,
                          "top_k": 40, "top_p": 0.9, "seed": 0}, view)
