"""Why gates: a plain RNN and an LSTM, trained alike, measured by distance (book/lstm_context.ipynb).

    .venv/bin/python scripts/why_gates.py --task recall   # delayed recall, 3 seeds: experiments/why_gates_recall.json
    .venv/bin/python scripts/why_gates.py                 # 3 seeds, 500 windows: writes experiments/why_gates.json
    .venv/bin/python scripts/why_gates.py --seeds 1 --windows 100 --out /tmp/why_gates.json   # a quick look

(The same as `python -m authoring.why_gates ...`.)

--task recall: the delayed-recall task of analysis.lstm_context (the answer is the marked word,
k = 1..12 words before the last). For each seed, a SimpleRNN model and an LSTM model of the same
width are trained with the same recipe (RecallConfig) and scored at every k.

--task language (the default):

For each seed, the course's model (build_model) and the same model with a SimpleRNN in place of
each LSTM (plain_rnn.build_plain_rnn) are built at the miniature sizes (config.MINIATURE_CONFIG)
and trained with the miniature recipe (training.MINIATURE_TRAINING) on the same windows of the
first config.MINIATURE_CHARACTERS characters, in the same order, exactly as train() trains (its
epochs without the artifact folder). Before and after training, both are measured on one strided
sample of the validation windows: how much the word k back moves the first layer's memory
(analysis.lstm_context.memory_by_distance) and the prediction (influence_by_distance). The shipped
model's prediction is measured the same way, for comparison. Training takes longer than a
chapter should spend, so the chapter reads the result; it measures the untrained models itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import platform
import shlex
import sys
import time
from datetime import date
from pathlib import Path

import keras
import numpy as np
import torch

import textgen_course as tc  # selects the torch backend before Keras is imported
from textgen_course import artifacts, fused_lstm
from textgen_course.ablation import EXPERIMENTS
from textgen_course.config import MINIATURE_CHARACTERS, MINIATURE_CONFIG, ModelConfig
from textgen_course.evaluation import strided_sample
from textgen_course.analysis.lstm_context import (
    RECALL_KINDS,
    RecallConfig,
    influence_by_distance,
    memory_by_distance,
    position_correlation,
    train_recall,
)
from textgen_course.lstm_gates import LstmWeights, run_lstm
from textgen_course.model import torch_model_from_keras
from textgen_course.plain_rnn import build_plain_rnn, torch_plain_rnn_from_keras
from textgen_course.softmax_head import perplexity
from textgen_course.training import (
    MINIATURE_TRAINING,
    TrainingConfig,
    compile_for_training,
    corpus_windows,
    epoch_order,
    shipped_windows,
)
from textgen_course.windows import WindowData

MODELS = ("two_lstms", "plain_rnn")  # the course's model, and the same with SimpleRNNs
SATURATED = 0.99  # |tanh(c)| above this: the memory sits where tanh is flat (its slope below 0.02)
COUNTING = 0.9  # |correlation of the cell state with the position| above this: a counting unit


def miniature_data(characters: int = MINIATURE_CHARACTERS, config: ModelConfig = MINIATURE_CONFIG,
                   training: TrainingConfig = MINIATURE_TRAINING) -> tuple[tc.Vocabulary, WindowData]:
    """The miniature recipe's vocabulary and windows: the first `characters` characters of the plays."""
    text = tc.load_corpus()[:characters]
    vocabulary = tc.Vocabulary.from_text(text, config.vocab_size)
    return vocabulary, corpus_windows(text, vocabulary, config, training)


def build(name: str, config: ModelConfig, seed: int):
    """The untrained model `name` ("two_lstms" or "plain_rnn"), seeded as train() seeds it, and its twin maker."""
    keras.utils.set_random_seed(seed)
    if name == "two_lstms":
        return tc.build_model(config, seed=seed), torch_model_from_keras
    if name == "plain_rnn":
        return build_plain_rnn(config, seed=seed), torch_plain_rnn_from_keras
    raise ValueError(f"model must be one of {MODELS}, got {name!r}.")


def fit_like_train(model: keras.Model, data: WindowData, training: TrainingConfig) -> float:
    """train()'s epochs without its artifact folder: same optimizer, schedule and window order.

    Returns the validation perplexity after the last epoch.
    """
    compile_for_training(model, training, math.ceil(len(data.train_y) / training.batch_size))
    with fused_lstm.enabled(True):  # as train() does; it changes the speed of the LSTMs only
        for epoch in range(training.epochs):
            order = epoch_order(training, epoch, len(data.train_y))
            model.fit(data.train_x[order], data.train_y[order], batch_size=training.batch_size, epochs=1,
                      shuffle=False, verbose=0)
    scores = model.evaluate(data.validation_x, data.validation_y, verbose=0, return_dict=True)
    return perplexity([scores["loss"]])


def cell_statistics(model: keras.Model, windows: np.ndarray) -> dict:
    """LSTM-1 over the windows: its mean forget gate, the share of saturated memory and the counting units."""
    meaning = keras.ops.convert_to_numpy(model.get_layer("embedding")(windows))  # (n, 13, embedding_dim)
    trace = run_lstm(meaning, LstmWeights.from_keras(model.get_layer("lstm_1")))  # every field (n, 13, units)
    return {
        "forget_gate_mean": float(trace.forget_gate.mean()),
        "saturated_share": float((np.abs(np.tanh(trace.cell)) > SATURATED).mean()),
        "counting_units": int((np.abs(position_correlation(trace.cell)) > COUNTING).sum()),
        "units": int(trace.cell.shape[-1]),
    }


def measure(model: keras.Model, twin_of, windows: np.ndarray, targets: np.ndarray) -> dict:
    """Both curves for one model, each a list of 13 numbers (k = 0..12, relative to k = 0)."""
    twin = twin_of(model)
    return {"memory": memory_by_distance(twin, windows).tolist(),
            "output": influence_by_distance(twin, windows, targets).tolist()}


def run_seed(seed: int, data: WindowData, windows: np.ndarray, targets: np.ndarray,
             config: ModelConfig = MINIATURE_CONFIG, training: TrainingConfig = MINIATURE_TRAINING) -> dict:
    """Both models for one seed: measured untrained, trained, measured again. {model: record}.

    data: the training windows as train() makes them for this seed (miniature_data with the seed's
    TrainingConfig); windows (n, 13) and targets (n,): the validation sample both models are measured on.
    """
    training = dataclasses.replace(training, seed=seed)
    records = {}
    for name in MODELS:
        model, twin_of = build(name, config, seed)
        fresh = measure(model, twin_of, windows, targets)
        fresh_cells = cell_statistics(model, windows) if name == "two_lstms" else None
        perplexity = fit_like_train(model, data, training)
        trained = measure(model, twin_of, windows, targets)
        record = {"seed": seed, "validation_perplexity": perplexity,
                  **{curve: {"fresh": fresh[curve], "trained": trained[curve]} for curve in ("memory", "output")}}
        if fresh_cells is not None:
            record["lstm_1"] = {"fresh": fresh_cells, "trained": cell_statistics(model, windows)}
        records[name] = record
        far = min(8, config.sequence_length - 1)
        print(f"seed {seed} {name}: validation perplexity {perplexity:.1f}; the word {far} back moves the memory by "
              f"{trained['memory'][far]:.2g}, the prediction by {trained['output'][far]:.2g} (the last word: 1)",
              flush=True)
    return records


def shipped_record(count: int) -> dict:
    """The shipped model's prediction by distance, on a strided sample of its validation windows."""
    model, vocabulary = tc.load_pretrained()
    data = shipped_windows(vocabulary=vocabulary)
    windows, targets = strided_sample(data.validation_x, data.validation_y, count)
    return {"windows": int(len(targets)),
            "output": influence_by_distance(torch_model_from_keras(model), windows, targets).tolist(),
            "lstm_1": cell_statistics(model, windows)}


def _machine() -> str:
    return (f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
            f"keras {keras.__version__} ({keras.backend.backend()} backend), torch {torch.__version__}, "
            f"{torch.get_num_threads()} thread(s)")


def recall_record(seeds: int, config: RecallConfig = RecallConfig()) -> dict:
    """Both kinds of layer on delayed recall, one run per seed: {kind: [{"seed", "accuracy"}, ...]}."""
    runs = {kind: [] for kind in RECALL_KINDS}
    for seed in range(seeds):
        for kind in RECALL_KINDS:
            accuracy = train_recall(kind, config, seed)
            runs[kind].append({"seed": seed, "accuracy": accuracy.tolist()})
            print(f"seed {seed} {kind}: accuracy at k = 1, 6, 12: {accuracy[0]:.2f}, {accuracy[5]:.2f}, "
                  f"{accuracy[-1]:.2f}", flush=True)
    return {"task": dataclasses.asdict(config), "distances": config.distances.tolist(), "runs": runs}


def _command(argv: list[str] | None) -> str:
    return " ".join([".venv/bin/python", "scripts/why_gates.py",
                     *map(shlex.quote, sys.argv[1:] if argv is None else argv)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", choices=("language", "recall"), default="language",
                        help="the language models on Shakespeare, or delayed recall")
    parser.add_argument("--seeds", type=int, default=3, help="training seeds per model (0, 1, ...)")
    parser.add_argument("--windows", type=int, default=500, help="validation windows measured (a strided sample)")
    parser.add_argument("--steps", type=int, default=RecallConfig.steps, help="training steps (--task recall)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    parser.add_argument("--out", type=Path, help="default: experiments/why_gates.json (why_gates_recall.json)")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.windows < 1 or args.steps < 1:
        parser.error("--seeds, --windows and --steps must be positive whole numbers")
    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    if args.task == "recall":
        out = args.out or EXPERIMENTS / "why_gates_recall.json"
        result = {"command": _command(argv), "date": date.today().isoformat(),
                  **recall_record(args.seeds, RecallConfig(steps=args.steps)),
                  "seconds": round(time.perf_counter() - started), "machine": _machine()}
        artifacts.write_json_atomically(out, result)
        print(f"wrote {out}")
        return 0
    runs = {name: [] for name in MODELS}
    for seed in range(args.seeds):
        # the seed also picks which training windows are shortened, as in train(); validation windows stay the same
        _, data = miniature_data(training=dataclasses.replace(MINIATURE_TRAINING, seed=seed))
        windows, targets = strided_sample(data.validation_x, data.validation_y, args.windows)
        for name, record in run_seed(seed, data, windows, targets).items():
            runs[name].append(record)
    result = {
        "command": _command(argv),
        "date": date.today().isoformat(),
        "model_config": MINIATURE_CONFIG.to_dict(),
        "training": dataclasses.asdict(MINIATURE_TRAINING),
        "corpus": {"characters": MINIATURE_CHARACTERS, "train_windows": int(len(data.train_y)),
                   "validation_windows": int(len(data.validation_y))},
        "measured_windows": {"count": int(len(targets)), "how": "evaluation.strided_sample of the validation windows"},
        "curves": "entry k: the word k positions before the last, relative to the last word (k = 0); memory: "
                  "the first layer's memory after the last word (LSTM: cell state, plain RNN: hidden state); "
                  "output: log p(the word that came next)",
        "thresholds": {"saturated": SATURATED, "counting": COUNTING},
        "runs": runs,
        "shipped": shipped_record(args.windows),
        "seconds": round(time.perf_counter() - started),
        "machine": _machine(),
    }
    out = args.out or EXPERIMENTS / "why_gates.json"
    artifacts.write_json_atomically(out, result)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
