"""One epoch of the shipped recipe, before and after issue 13's two changes, side by side.

    .venv/bin/python bench/training_epoch.py                   # a whole epoch each: ~5 min each on a quiet machine
    .venv/bin/python bench/training_epoch.py --fraction 0.05   # 5% of the epoch's steps, scaled up (a busy machine)
    .venv/bin/python bench/training_epoch.py --quick           # a few steps: checks the script works

Each contender runs what train() (textgen_course/training.py) runs for the first epoch of the
shipped model's recipe (its manifest's "training"): the seeded model from model_for_training,
the epoch's window order, model.fit over the training windows and the validation pass.
"before": Keras's own LSTM step loop (fused_lstm off) and Keras's "sparse_categorical_crossentropy"
loss, as train() ran before; "after": train() as it runs now, the LSTMs on torch's fused kernel
(textgen_course/fused_lstm.py) and the loss training.next_word_loss (the same values and
gradients, computed on one column per row). The two run at the same time in two processes with
one torch thread each (the shipped model was trained on one torch thread), so a busy machine
slows both alike. Each records wall
seconds and its own CPU seconds (on one thread, CPU seconds are what the epoch costs on a quiet
machine, whatever the others do); with --fraction below 1, both are measured on that share of the
training and validation windows and divided by it. The load average is recorded beside them.
Writes train_epoch_s to bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import measure

MARKER = "EPOCH_RESULT "
CONTENDERS = {"before": False, "after": True}  # name -> fused LSTM kernel and next_word_loss (after) or not


def one_epoch(fused: bool, fraction: float) -> dict:
    """Time `fraction` of the shipped recipe's first epoch (fit + validation) as train() runs it
    (fused=True) or ran it before the fused kernel and next_word_loss (fused=False)."""
    import math

    import numpy as np
    import torch

    from textgen_course import fused_lstm, training
    from textgen_course.artifacts import PRETRAINED, pretrained_manifest
    from textgen_course.config import ModelConfig
    from textgen_course.text import load_corpus
    from textgen_course.training import TrainingConfig, corpus_windows, epoch_order, model_for_training
    from textgen_course.vocabulary import Vocabulary

    torch.set_num_threads(1)
    manifest = pretrained_manifest()
    recipe, config = TrainingConfig(**manifest["training"]), ModelConfig.from_dict(manifest["model_config"])
    data = corpus_windows(load_corpus(), Vocabulary.load(PRETRAINED / "vocabulary.json"), config, recipe)
    steps_per_epoch = math.ceil(len(data.train_y) / recipe.batch_size)
    if not fused:  # before: Keras's own cross-entropy, which logs every column of every row (this
        # worker process only; bench/chapter_training.py switches a chapter's kernel the same way)
        training.next_word_loss = "sparse_categorical_crossentropy"
    model = model_for_training("two_lstms", config, recipe, steps_per_epoch)
    order = epoch_order(recipe, 0, len(data.train_y))[: max(recipe.batch_size, round(fraction * len(data.train_y)))]
    validation = max(recipe.batch_size, round(fraction * len(data.validation_y)))
    started, cpu_started = time.perf_counter(), time.process_time()
    with fused_lstm.enabled(fused):
        fitted = model.fit(data.train_x[order], data.train_y[order], batch_size=recipe.batch_size, epochs=1,
                           shuffle=False, verbose=0,
                           validation_data=(data.validation_x[:validation], data.validation_y[:validation]))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    share = len(order) / len(data.train_y)
    return {"seconds": wall / share, "cpu_seconds": cpu / share, "measured_seconds": wall,
            "measured_cpu_seconds": cpu, "share_of_epoch": share, "train_windows": int(len(order)),
            "loss": float(np.asarray(fitted.history["loss"][-1])), "torch_threads": torch.get_num_threads()}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the epoch to time (default: all)")
    parser.add_argument("--worker", choices=sorted(CONTENDERS), help=argparse.SUPPRESS)
    measure.add_common_arguments(parser)
    args = parser.parse_args(argv)
    if not 0 < args.fraction <= 1:
        parser.error(f"--fraction must be in (0, 1], got {args.fraction}")
    if args.quick:  # two steps of the real recipe: seconds
        args.fraction = 1000 / 904_851
    if args.worker:
        print(MARKER + json.dumps(one_epoch(CONTENDERS[args.worker], args.fraction)), flush=True)
        return 0

    clock = measure.RunClock()
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    workers = {name: subprocess.Popen([sys.executable, __file__, "--worker", name, "--fraction", str(args.fraction)],
                                      env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name in CONTENDERS}  # both at once: the same background load for both
    epochs = {}
    for name, worker in workers.items():
        out, err = worker.communicate()
        lines = [line for line in out.splitlines() if line.startswith(MARKER)]
        if worker.returncode or not lines:
            raise SystemExit(f"{name} failed (exit {worker.returncode}): {err.strip().splitlines()[-3:]}")
        epochs[name] = json.loads(lines[0][len(MARKER):])
    values = {"train_epoch_s": {
        "before": round(epochs["before"]["seconds"], 1),
        "after": round(epochs["after"]["seconds"], 1),
        "speed_up": round(epochs["before"]["seconds"] / epochs["after"]["seconds"], 3),
        "cpu_seconds": {name: round(epoch["cpu_seconds"], 1) for name, epoch in epochs.items()},
        "cpu_speed_up": round(epochs["before"]["cpu_seconds"] / epochs["after"]["cpu_seconds"], 3),
        "share_of_epoch_measured": epochs["after"]["share_of_epoch"],
        "load_average": {"start": clock.load_at_start, "end": measure.load_average()},
        "epochs": epochs,
        "how": "the first epoch of the shipped recipe as train() runs it (fit + validation pass); before: "
               "Keras's own LSTM step loop and Keras's sparse_categorical_crossentropy; after: train() now, the "
               "fused LSTM kernel and next_word_loss; both at once in two processes, one torch thread each; "
               "seconds and CPU seconds divided by the share of the epoch measured",
    }}
    data = measure.update_results("training_epoch", values, clock, measure.results_path(args),
                                  measure.script_command(__file__, argv), quick=args.quick)
    result = values["train_epoch_s"]
    print(f"one epoch of the shipped recipe ({result['share_of_epoch_measured']:.1%} measured): before "
          f"{result['before']:.0f} s, after {result['after']:.0f} s ({result['speed_up']:.2f}x); "
          f"CPU seconds "
          f"{result['cpu_seconds']['before']:.0f} and {result['cpu_seconds']['after']:.0f} "
          f"({result['cpu_speed_up']:.2f}x); "
          f"{measure.conditions_text(data['runs']['training_epoch'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
