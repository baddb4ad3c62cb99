"""textgen-course: the LSTM next-word generator of the revision notes, stage by stage.

Importing the package picks Keras's torch backend unless KERAS_BACKEND is already set
(a backend the user chose always wins). It must happen before Keras is first imported.

It also asks NumPy's OpenBLAS for one thread unless OPENBLAS_NUM_THREADS is set (before NumPy
is first imported; otherwise it has no effect). The course's NumPy matrices are small: one
window at a time when writing. On a 2-core machine a second BLAS thread only waits for the
first, and when the other core is busy it is several times slower (bench/generation_speed.py
measures generation). Torch's own threads, which train the model, are not affected.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .config import ModelConfig  # noqa: E402
from .stage_check import StageCheck  # noqa: E402
from .model import (  # noqa: E402
    TextGenerator,
    TorchTextGenerator,
    build_model,
    data_flow_diagram,
    next_word_probabilities,
    parameter_ledger,
    stage_activations,
    torch_model_from_keras,
)
from .numpy_model import NumpyTextGenerator  # noqa: E402
from .crosscheck import CrossCheckReport, cross_check  # noqa: E402
from .architectures import build_architecture  # noqa: E402
from .text import load_corpus, tokenize, detokenize  # noqa: E402
from .vocabulary import Vocabulary  # noqa: E402
from .windows import make_windows, pad_left  # noqa: E402
from .artifacts import load_artifact, load_pretrained  # noqa: E402
from .generation import Generation, generate  # noqa: E402
from .evaluation import evaluate  # noqa: E402

__all__ = [
    "CrossCheckReport",
    "Generation",
    "Vocabulary",
    "detokenize",
    "evaluate",
    "generate",
    "load_artifact",
    "load_corpus",
    "load_pretrained",
    "make_windows",
    "pad_left",
    "tokenize",
    "ModelConfig",
    "NumpyTextGenerator",
    "StageCheck",
    "TextGenerator",
    "TorchTextGenerator",
    "build_architecture",
    "build_model",
    "cross_check",
    "data_flow_diagram",
    "next_word_probabilities",
    "parameter_ledger",
    "stage_activations",
    "torch_model_from_keras",
]
