"""One LSTM instead of two: the experiments behind "why two LSTMs?" (chapter: book/why_two_lstms.ipynb).

    two_lstms (the notes): Word IDs (13) -> Embedding (13x100) -> LSTM-1 (13x150) -> LSTM-2 (100) -> Dense softmax
    one_lstm (ablation):   Word IDs (13) -> Embedding (13x100) ------------------> LSTM-2 (100) -> Dense softmax

architectures.py builds both models (and is re-exported here: build_one_lstm,
build_architecture, parameter_count, ...). With 100 units the one-LSTM model has fewer
parameters than the notes' model; matched_units finds the width that gives it as many, so
that the comparison can tell "deeper" apart from "bigger". VARIANTS is the one registry of
the trained rivals; their names are the keys of experiments/*.json.

The full-size results (experiments/*.json, written by authoring/train_ablations.py) come from
two races: FIRST_RACE with Keras's usual start, SECOND_RACE with the shipped recipe, which
starts LSTM-2's input weights 4 times larger (TrainingConfig.summary_input_gain). What the
chapters compute from those records (the results table, the paired gaps, the breakdowns by kind
of word and by words of context, the seed study) is in analysis/why_two_lstms.py; why the
larger start matters to the deeper model (spread_at_start) is in analysis/first_race.py.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .architectures import (  # noqa: F401  (re-exported: their home is architectures.py)
    ARCHITECTURES,
    architecture_of,
    build_architecture,
    build_one_lstm,
    check_architecture,
    parameter_count,
)
from .artifacts import pretrained_manifest
from .config import ModelConfig
from .flops import multiply_adds  # noqa: F401  (re-exported: counted in flops.py)
from .training import TrainingConfig, one_torch_thread  # noqa: F401  (re-exported for the chapter)

EXPERIMENTS = Path(__file__).parent / "experiments"


def with_lstm_2_units(config: ModelConfig, units: int) -> ModelConfig:
    """The config with lstm_2_units = units: the width of a one-LSTM model's only LSTM."""
    return dataclasses.replace(config, lstm_2_units=units)


@dataclass(frozen=True)
class ParameterMatch:
    """The one-LSTM width whose parameter count comes closest to the two-LSTM model's."""

    target: int  # parameters of the two-LSTM model
    a: int  # one_lstm parameters = a * u**2 + b * u + c, for u units
    b: int
    c: int
    exact_units: float  # the real root of a * u**2 + b * u + c = target
    units: int  # the closer of the two whole numbers around exact_units
    parameters: int  # parameters of the one-LSTM model with `units` units

    @property
    def difference(self) -> int:
        """parameters - target: how far from an exact match (positive: the one LSTM is bigger)."""
        return self.parameters - self.target

    def __str__(self) -> str:
        return "\n".join([
            f"two LSTMs: {self.target:,} parameters",
            f"one LSTM with u units: {self.a} u² + {self.b:,} u + {self.c:,}",
            f"{self.a} u² + {self.b:,} u + {self.c:,} = {self.target:,}  ->  u = {self.exact_units:.2f}",
            f"closest whole width: {self.units} units, {self.parameters:,} parameters "
            f"({self.difference:+,}, {self.difference / self.target:+.2%})",
        ])

    __repr__ = __str__


def matched_units(config: ModelConfig | None = None) -> ParameterMatch:
    """Solve for the one-LSTM width with as many parameters as the two-LSTM model.

    With E = embedding_dim, V = vocab_size and u units, the one-LSTM model has
        V*E  +  4u(E + u + 1)  +  (u + 1)V  =  4u² + (4(E + 1) + V)u + (V*E + V)
    parameters (embedding, LSTM, dense softmax). Setting that equal to the two-LSTM count
    is a quadratic in u; its positive root is rounded to the nearer whole width.
    """
    config = config or ModelConfig()
    target = parameter_count("two_lstms", config)
    a = 4
    b = 4 * (config.embedding_dim + 1) + config.vocab_size
    c = config.vocab_size * config.embedding_dim + config.vocab_size
    exact = (-b + math.sqrt(b * b - 4 * a * (c - target))) / (2 * a)
    candidates = [max(1, math.floor(exact)), max(1, math.ceil(exact))]
    counts = {units: parameter_count("one_lstm", with_lstm_2_units(config, units)) for units in candidates}
    units = min(candidates, key=lambda width: (abs(counts[width] - target), width))
    return ParameterMatch(target, a, b, c, exact, units, counts[units])


def load_experiment(name: str) -> dict:
    """A shipped result of authoring/train_ablations.py, e.g. "one_lstm" or "baselines"."""
    path = EXPERIMENTS / f"{name}.json"
    if not path.is_file():
        available = sorted(p.stem for p in EXPERIMENTS.glob("*.json"))
        raise ValueError(f"no experiment {name!r}; the shipped ones are {available}.")
    return json.loads(path.read_text(encoding="utf-8"))


class Variant(NamedTuple):
    """How one trained rival differs from the shipped model."""

    architecture: str  # "two_lstms" or "one_lstm" (config.ARCHITECTURES)
    width: str  # "same": the shipped sizes; "matched": the one LSTM as wide as matched_units says
    recipe: str  # "shipped": the shipped model's TrainingConfig; "first": TrainingConfig() (the first race)
    seed: int = 0  # TrainingConfig.seed: the initial weights and the order of windows in every epoch


SEEDS = (0, 1, 2)  # the seed study (issue: "two LSTMs learn better" across seeds): seed 0 is the shipped run


RIVALS = {  # the trained rivals of the two races: their name (experiments/<name>.json) -> how it was made
    "one_lstm_matched_gain4": Variant("one_lstm", "matched", "shipped"),
    "two_lstms_first_recipe": Variant("two_lstms", "same", "first"),
    "one_lstm": Variant("one_lstm", "same", "first"),
    "one_lstm_matched": Variant("one_lstm", "matched", "first"),
}
SEED_STUDY = {  # the second race again with other seeds: same recipe; the seed sets the start and the window order
    **{f"{name}_seed{seed}": Variant(architecture, width, "shipped", seed)
       for seed in SEEDS[1:]
       for name, architecture, width in (("two_lstms", "two_lstms", "same"),
                                         ("one_lstm_matched_gain4", "one_lstm", "matched"))},
    # the rival's seed 0 trained again: the recorded run's weights were not kept, and the seed study
    # needs every run's loss on every validation window (seed 0 of two LSTMs is the shipped model)
    "one_lstm_matched_gain4_seed0": Variant("one_lstm", "matched", "shipped", 0),
}
VARIANTS = {**RIVALS, **SEED_STUDY}  # every run train_ablations.py can train


def shipped_recipe() -> tuple[ModelConfig, TrainingConfig, dict]:
    """The shipped model's sizes, training recipe and manifest."""
    manifest = pretrained_manifest()
    return ModelConfig.from_dict(manifest["model_config"]), TrainingConfig(**manifest["training"]), manifest


def variant_recipe(variant: str) -> tuple[str, ModelConfig, TrainingConfig]:
    """(architecture, sizes, training recipe) of a variant: the shipped sizes, its race's recipe."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {tuple(VARIANTS)}, got {variant!r}.")
    architecture, width, recipe, seed = VARIANTS[variant]
    config, shipped_training, _ = shipped_recipe()
    if width == "matched":
        config = with_lstm_2_units(config, matched_units(config).units)
    training = shipped_training if recipe == "shipped" else TrainingConfig()  # the first recipe: the defaults
    return architecture, config, dataclasses.replace(training, seed=seed)


MODEL_NAMES = {  # the experiments' keys -> how the book names them
    "two_lstms": "two LSTMs (shipped)",
    "one_lstm_matched_gain4": "one LSTM, matched, gain 4",
    "two_lstms_first_recipe": "two LSTMs, first recipe",
    "one_lstm": "one LSTM, 100 units",
    "one_lstm_matched": "one LSTM, parameter-matched",
    "kneser_ney_trigram": "Kneser-Ney trigram",
    "unigram": "unigram",
}
# The two full-size races: book/first_race.ipynb and book/why_two_lstms.ipynb. The first used
# Keras's default start for every layer; the second (the shipped recipe) starts LSTM-2's input weights 4 times larger
# (TrainingConfig.summary_input_gain), in the two-LSTM model and in its rival alike.
FIRST_RACE = ("two_lstms_first_recipe", "one_lstm", "one_lstm_matched", "kneser_ney_trigram", "unigram")
SECOND_RACE = ("two_lstms", "one_lstm_matched_gain4", "kneser_ney_trigram", "unigram")
TRAINED = ("two_lstms", *RIVALS)  # the shipped model and every trained rival of the races
BASELINES = ("kneser_ney_trigram", "unigram")  # the count-based models (baselines.py)


def trained_runs(models: tuple[str, ...] = TRAINED) -> dict[str, dict]:
    """{model key: its training record (architecture, model_config, training, history, metrics)}.

    "two_lstms" is the shipped model's manifest; the others are experiments/<key>.json.
    """
    unknown = [key for key in models if key not in TRAINED]
    if unknown:
        raise KeyError(f"no trained model {unknown[0]!r}; the trained models are {list(TRAINED)}")
    return {key: pretrained_manifest() if key == "two_lstms" else load_experiment(key) for key in models}
