"""textgen-course: the LSTM next-word generator of the revision notes, stage by stage.

Importing the package picks Keras's torch backend unless KERAS_BACKEND is already set
(a backend the user chose always wins). It must happen before Keras is first imported.

It also asks NumPy's OpenBLAS for one thread unless OPENBLAS_NUM_THREADS is set (before NumPy
is first imported; otherwise it has no effect). The course's NumPy matrices are small: one
window at a time when writing. On a 2-core machine a second BLAS thread only waits for the
first, and when the other core is busy it is several times slower (bench/generation_speed.py
measures generation). Torch's own threads, which train the model, are not affected.

The names below load on first use (a module `__getattr__`): `import textgen_course.config`
imports neither Keras nor torch, and `tc.build_model` imports the model stack when it is
first asked for.
"""

import importlib
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

_HOMES = {  # name -> the module that defines it
    "ModelConfig": "config",
    "StageCheck": "stage_check",
    "TextGenerator": "model",
    "TorchTextGenerator": "model",
    "build_model": "model",
    "data_flow_diagram": "analysis.data_flow",
    "next_word_probabilities": "model",
    "parameter_ledger": "analysis.data_flow",
    "stage_activations": "model",
    "torch_model_from_keras": "model",
    "NumpyTextGenerator": "numpy_model",
    "CrossCheckReport": "crosscheck",
    "cross_check": "crosscheck",
    "build_architecture": "architectures",
    "load_corpus": "text",
    "tokenize": "text",
    "detokenize": "text",
    "Vocabulary": "vocabulary",
    "make_windows": "windows",
    "pad_left": "windows",
    "load_artifact": "artifacts",
    "load_pretrained": "artifacts",
    "Generation": "generation",
    "generate": "generation",
    "evaluate": "evaluation",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    """`tc.build_model` and friends: import the defining module on first use.

    Submodules (`tc.lstm_gates`, `tc.diagrams`, ...) load the same way, as after
    `import textgen_course.lstm_gates`.
    """
    if name in _HOMES:
        value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
