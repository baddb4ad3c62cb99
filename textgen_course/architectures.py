"""Every model the course builds, by name: the notes' two LSTMs and the one-LSTM ablation.

    two_lstms (the notes): Word IDs (13) -> Embedding (13x100) -> LSTM-1 (13x150) -> LSTM-2 (100) -> Dense softmax
    one_lstm (ablation):   Word IDs (13) -> Embedding (13x100) ------------------> LSTM-2 (100) -> Dense softmax

Chapters: book/data_flow.ipynb (the notes' model) and book/why_two_lstms.ipynb (the ablation).
The one-LSTM model drops the context stage: its only LSTM is the summary stage, with
config.lstm_2_units units, reading the meaning vectors directly; config.lstm_1_units is not
used. Both are assembled from the same stage builders, so training, artifacts, generation
and the command line handle them alike through build_architecture and architecture_of.
The start-up gain (summary_input_gain) is a build argument: LSTM-2's input weights start
that many times their Glorot size (book/first_race.ipynb shows why that matters).
"""

from __future__ import annotations

import keras

from .config import ARCHITECTURES, ModelConfig, check_architecture
from .embedding import build_embedding
from .flops import parameters_by_stage
from .lstm_summary import build_lstm_summary
from .model import TextGenerator, build_model, stage_seed
from .softmax_head import build_softmax_head

__all__ = ["ARCHITECTURES", "architecture_of", "build_architecture", "build_one_lstm", "check_architecture",
           "parameter_count", "parameters_by_stage", "scale_summary_input"]


def build_one_lstm(config: ModelConfig | None = None, seed: int | None = 0) -> TextGenerator:
    """Embedding -> one LSTM (config.lstm_2_units units, final state only) -> dense softmax.

    The stages get the same seeds as in build_model, so the embedding starts from exactly the
    same vectors as the two-LSTM model's, and so does the head when the widths agree.
    """
    config = config or ModelConfig()


    word_ids = keras.Input(shape=(config.sequence_length,), dtype="int32", name="word_ids")
    meaning = build_embedding(config, stage_seed(seed, 0))(word_ids)  # (batch, 13, 100): a vector per word
    summary = build_lstm_summary(config, stage_seed(seed, 2))(meaning)  # (batch, units): the whole window
    probabilities = build_softmax_head(config, stage_seed(seed, 3))(summary)  # (batch, 4818): next word
    return TextGenerator(config, word_ids, probabilities, name="one_lstm_generator")


def scale_summary_input(model: keras.Model, gain: float) -> None:
    """Multiply the initial input weights of the summary LSTM ("lstm_2") by gain, before training."""
    if gain != 1.0:
        kernel = model.get_layer("lstm_2").cell.kernel  # (inputs, 4 * units): what the LSTM reads
        kernel.assign(kernel * gain)


def build_architecture(architecture: str, config: ModelConfig | None = None, seed: int | None = 0,
                       summary_input_gain: float = 1.0) -> TextGenerator:
    """build_model for "two_lstms", build_one_lstm for "one_lstm"; LSTM-2's input weights times the gain."""
    builders = {"two_lstms": build_model, "one_lstm": build_one_lstm}
    model = builders[check_architecture(architecture)](config, seed=seed)
    scale_summary_input(model, summary_input_gain)
    return model


def architecture_of(model) -> str:
    """ "two_lstms" or "one_lstm", read from the model's layers (a NumPy engine or twin knows its own)."""
    if not hasattr(model, "layers"):
        return getattr(model, "architecture", "two_lstms")  # the PyTorch twin exists for the notes' model only
    names = {layer.name for layer in model.layers}
    if "lstm_1" in names:
        return "two_lstms"
    if "lstm_2" in names:
        return "one_lstm"
    raise ValueError(f"not a model built by build_architecture: its layers are {sorted(names)}.")


def parameter_count(architecture: str, config: ModelConfig | None = None) -> int:
    """Trainable parameters, from the formulas of the stages (no model is built)."""
    return sum(parameters_by_stage(architecture, config).values())
