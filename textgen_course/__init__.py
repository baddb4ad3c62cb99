"""textgen-course: the LSTM next-word generator of the revision notes, stage by stage.

Importing the package picks Keras's torch backend unless KERAS_BACKEND is already set
(a backend the user chose always wins). It must happen before Keras is first imported.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

from .config import ModelConfig  # noqa: E402
from .crosscheck import StageCheck  # noqa: E402
from .model import (  # noqa: E402
    CrossCheckReport,
    TextGenerator,
    TorchTextGenerator,
    build_model,
    cross_check,
    data_flow_diagram,
    next_word_probabilities,
    parameter_ledger,
    stage_activations,
    torch_model_from_keras,
)
from .numpy_model import NumpyTextGenerator  # noqa: E402

__all__ = [
    "CrossCheckReport",
    "ModelConfig",
    "NumpyTextGenerator",
    "StageCheck",
    "TextGenerator",
    "TorchTextGenerator",
    "build_model",
    "cross_check",
    "data_flow_diagram",
    "next_word_probabilities",
    "parameter_ledger",
    "stage_activations",
    "torch_model_from_keras",
]
