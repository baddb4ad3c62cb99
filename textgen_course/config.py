"""ModelConfig: every size in the model, in one place.

The revision notes describe one model:

    Word IDs (13) -> Embedding (13x100) -> LSTM-1 (13x150) -> LSTM-2 (100) -> Dense softmax (4818)

Every builder, twin, check and chapter takes its sizes from a ``ModelConfig``, so a
smaller model (say 500 words and 8-word windows) works everywhere with no other change.
Also here: the names of the two architectures the course builds (architectures.py builds
them), and the miniature recipe that the chapters and scripts train in seconds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

ARCHITECTURES = ("two_lstms", "one_lstm")  # the notes' model, and the ablation without LSTM-1


def check_architecture(architecture: str) -> str:
    """Return architecture if it is one of ARCHITECTURES, else raise a ValueError naming them."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}.")
    return architecture


# ModelConfig.from_dict reads these field names, which records written before a rename still use,
# as today's: experiments/*.json, pretrained/artifact.json and runs trained by older code.
EARLIER_NAMES = {"lstm1_units": "lstm_1_units", "lstm2_units": "lstm_2_units"}


@dataclass(frozen=True)
class ModelConfig:
    """The sizes of the course's next-word model (defaults: the model in the notes)."""

    vocab_size: int = 4818  # words the model knows, counting the padding id 0 and the unknown-word id 1
    sequence_length: int = 13  # word ids the model reads to predict the next word
    embedding_dim: int = 100  # length of each word's learned meaning vector
    lstm_1_units: int = 150  # LSTM-1 (Keras layer "lstm_1"): one 150-number context vector per word
    lstm_2_units: int = 100  # LSTM-2 (Keras layer "lstm_2"): one 100-number summary of the whole window

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"ModelConfig: {field.name} must be a positive integer, got {value!r}."
                )
        if self.vocab_size < 3:
            raise ValueError(
                "ModelConfig: vocab_size must be at least 3 (padding, unknown word and one "
                f"real word), got {self.vocab_size}."
            )

    def to_dict(self) -> dict[str, int]:
        """The config as a plain dict (what an artifact's JSON stores)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "ModelConfig":
        """Rebuild a config from ``to_dict()`` output; unknown keys are an error.

        Records written before the fields were renamed (the experiments' JSON files, the
        shipped artifact.json) use the names in EARLIER_NAMES; they read as the new ones.
        Giving both names of one field is an error.
        """
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known - set(EARLIER_NAMES))
        if unknown:
            raise ValueError(
                f"ModelConfig: unknown field(s) {unknown}; the fields are {sorted(known)}."
            )
        both = sorted(old for old, new in EARLIER_NAMES.items() if old in values and new in values)
        if both:
            raise ValueError(
                "ModelConfig: "
                + ", ".join(f"{old!r} is the earlier name of {EARLIER_NAMES[old]!r}" for old in both)
                + "; give each field once."
            )
        return cls(**{EARLIER_NAMES.get(key, key): value for key, value in values.items()})


# The miniature recipe: the same model, small enough to train on one core in seconds, on the
# first MINIATURE_CHARACTERS characters of the corpus (book/data_flow.ipynb, book/why_two_lstms.ipynb,
# authoring/train_ablations.py seeds).
MINIATURE_CONFIG = ModelConfig(vocab_size=1000, sequence_length=13, embedding_dim=32, lstm_1_units=48, lstm_2_units=32)
MINIATURE_CHARACTERS = 100_000  # the first 100,000 characters of the plays (about 22,000 words)
