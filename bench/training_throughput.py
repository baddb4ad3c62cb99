"""Training throughput: Keras 3 on the torch backend vs a plain PyTorch loop, and Keras on JAX.

    .venv/bin/python bench/training_throughput.py             # about 5 minutes on a quiet 2-core machine
    .venv/bin/python bench/training_throughput.py --threads 1 # one thread each: steadier on a busy machine
    .venv/bin/python bench/training_throughput.py --no-jax    # torch only
    .venv/bin/python bench/training_throughput.py --quick     # three small steps, torch only: checks the script works

Same model (same initial weights), same data (real training windows), same batch size,
same process: Keras's model.fit with the course's training recipe (Adam with cosine decay,
accuracy and top-5 metrics, the loss training.next_word_loss; textgen_course.training) against
a hand-written PyTorch loop over the twin (tc.torch_model_from_keras: torch.nn.LSTM), measured in alternation. On torch,
Keras runs twice: as train() runs it (keras_torch: the LSTMs through torch's fused kernel,
textgen_course/fused_lstm.py) and with Keras's own LSTM step loop (keras_torch_loop). The
JAX backend runs in a subprocess (a process has one Keras backend) with its own plain
PyTorch reference, and runs the stage cross-check there too; its training step is
jit-compiled by XLA, as compile_for_training asks on JAX.

Samples per second are timed from the end of a run's first step to the end of its last
(steady state, as in a long training run). "Share of peak" divides the model's training
FLOPs per window (textgen_course.flops, from the config) times samples per second by the
machine's float32 matrix-product rate, measured in every round next to the training runs.
Writes train_* keys and jax_backend to bench/results.json; train_targets says which of the
issue-13 targets the run met.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

import measure

JAX_MARKER = "JAX_RESULT "
CLOCKS = {"wall": time.perf_counter,  # seconds that pass: what a learner waits (a busy machine stretches them)
          "cpu": time.process_time}  # this process's CPU seconds: on one thread, about a quiet machine's wall time
now = CLOCKS["wall"]  # the clock steps are timed by: set by --clock


def training_windows(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`count` real training windows (count, 13) and targets (count,), drawn at random with seed."""
    import textgen_course as tc
    from textgen_course.artifacts import PRETRAINED
    from textgen_course.training import TrainingConfig, corpus_windows

    vocabulary = tc.Vocabulary.load(PRETRAINED / "vocabulary.json")
    data = corpus_windows(tc.load_corpus(), vocabulary, tc.ModelConfig(), TrainingConfig())
    rows = np.random.default_rng(seed).choice(len(data.train_y), size=count, replace=False)
    return data.train_x[rows], data.train_y[rows]


def shipped_steps_per_epoch(batch_size: int) -> int:
    """Steps in one epoch of the shipped run (sets the cosine schedule's length; speed does not depend on it)."""
    from textgen_course.artifacts import pretrained_manifest

    return math.ceil(pretrained_manifest()["corpus"]["train_windows"] / batch_size)


def keras_trainer(batch_size: int, x: np.ndarray, y: np.ndarray, metrics: bool = True, jit_compile: bool = False,
                  fused: bool = False):
    """A compiled Keras model (the course's recipe) and a function timing one pass over x, y.

    The function returns samples per second over the steps after the first. metrics=False
    compiles with the loss only; jit_compile=True compiles the training step (torch.compile on
    the torch backend; on JAX, XLA compiles it always) during the warm-up on two batches.
    fused=True runs the LSTMs through torch's fused kernel (textgen_course/fused_lstm.py), as
    train() does; False keeps Keras's own step loop.
    """
    import keras

    import textgen_course as tc
    from textgen_course import fused_lstm
    from textgen_course.training import TrainingConfig, compile_for_training, next_word_loss

    training = TrainingConfig(batch_size=batch_size, jit_compile=jit_compile)
    model = tc.build_model(seed=training.seed)
    if metrics:
        compile_for_training(model, training, steps_per_epoch=shipped_steps_per_epoch(batch_size))
    else:
        model.compile(optimizer=keras.optimizers.Adam(training.learning_rate), loss=next_word_loss,
                      jit_compile=jit_compile or keras.backend.backend() == "jax")

    class StepClock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.ends = []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(now())

    clock = StepClock()
    with fused_lstm.enabled(fused):
        model.fit(x[: 2 * batch_size], y[: 2 * batch_size], batch_size=batch_size, verbose=0, shuffle=False)  # warm-up

    def samples_per_second() -> float:
        with fused_lstm.enabled(fused):
            model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0, callbacks=[clock])
        return batch_size * (len(clock.ends) - 1) / (clock.ends[-1] - clock.ends[0])

    return model, samples_per_second


def torch_trainer(batch_size: int, x: np.ndarray, y: np.ndarray):
    """The twin (same initial weights as keras_trainer's model) and a plain loop timing one pass.

    The loop is what a PyTorch user writes: logits -> cross-entropy -> backward -> Adam with
    the same cosine learning-rate decay, the windows fed as torch tensors batch by batch.
    """
    import torch

    import textgen_course as tc
    from textgen_course.training import TrainingConfig

    training = TrainingConfig(batch_size=batch_size)
    twin = tc.torch_model_from_keras(tc.build_model(seed=training.seed)).train()
    optimizer = torch.optim.Adam(twin.parameters(), lr=training.learning_rate)
    total_steps = training.epochs * shipped_steps_per_epoch(batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, total_steps, eta_min=training.final_learning_rate)

    def one_pass(windows, targets) -> list[float]:
        ends, total_loss = [], 0.0
        for start in range(0, len(targets), batch_size):
            batch_x = torch.from_numpy(windows[start : start + batch_size])  # (batch, 13) int32
            batch_y = torch.from_numpy(targets[start : start + batch_size]).long()  # (batch,)
            loss = torch.nn.functional.cross_entropy(twin.logits(batch_x), batch_y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total_loss += loss.item()
            ends.append(now())
        return ends

    one_pass(x[: 2 * batch_size], y[: 2 * batch_size])  # warm-up

    def samples_per_second() -> float:
        ends = one_pass(x, y)
        return batch_size * (len(ends) - 1) / (ends[-1] - ends[0])

    return twin, samples_per_second


def cpu_timed_matmul_rate(size: int, repeats: int = 7) -> float:
    """measure.matmul_flops_per_second, timed by the --clock cpu clock (this process's CPU seconds)."""
    import torch

    generator = torch.Generator().manual_seed(0)
    a, b = torch.rand(size, size, generator=generator), torch.rand(size, size, generator=generator)
    torch.mm(a, b)  # warm-up
    seconds = []
    for _ in range(repeats):
        started = now()
        torch.mm(a, b)
        seconds.append(now() - started)
    return 2 * size**3 / measure.median(seconds)


def compare(batch_sizes: list[int], samples: int, repeats: int, engine_name: str) -> dict:
    """Keras (current backend) vs the plain PyTorch loop at each batch size, in alternation.

    The matmul rate is a contender in every round, so that each round's share of peak
    (training FLOPs per second over matmul FLOPs per second) compares moments of equal load.
    On torch, Keras with its own LSTM step loop (keras_torch_loop) is a contender too.
    """
    import keras

    import textgen_course as tc
    from textgen_course.flops import training_flops

    per_sample = training_flops(tc.ModelConfig())
    x, y = training_windows(samples)
    matrix_size = 1024 if samples >= 1024 else 256  # --quick: a smaller product, the figure means nothing then

    def matmul_rate() -> float:
        if now is CLOCKS["wall"]:
            return measure.matmul_flops_per_second(size=matrix_size)
        return cpu_timed_matmul_rate(matrix_size)

    results = {}
    for batch_size in batch_sizes:
        steps = max(3, samples // batch_size)
        bx, by = x[: steps * batch_size], y[: steps * batch_size]
        on_torch = keras.backend.backend() == "torch"
        started = time.perf_counter()
        _, keras_rate = keras_trainer(batch_size, bx, by, fused=on_torch)
        warm_up_seconds = time.perf_counter() - started
        _, torch_rate = torch_trainer(batch_size, bx, by)
        contenders = {engine_name: keras_rate, "plain_torch": torch_rate, "matmul": matmul_rate}
        if on_torch:
            contenders[f"{engine_name}_loop"] = keras_trainer(batch_size, bx, by, fused=False)[1]
        rates = measure.alternate(contenders, repeats)
        print(f"batch {batch_size}: " + ", ".join(f"{k} {[round(v) for v in vs]}" for k, vs in rates.items()),
              file=sys.stderr, flush=True)
        results[str(batch_size)] = {
            engine_name: measure.median(rates[engine_name]),
            "plain_torch": measure.median(rates["plain_torch"]),
            "ratio": measure.paired_ratio(rates[engine_name], rates["plain_torch"]),
            "matmul_flops_per_s": measure.median(rates["matmul"]),
            "share_of_peak": {name: measure.paired_ratio([r * per_sample for r in rates[name]], rates["matmul"])
                              for name in rates if name != "matmul"},
            "runs": {name: [float(f"{v:.4g}") for v in values] for name, values in rates.items()},
            "steps_per_run": steps,
            f"{engine_name}_build_and_warm_up_s": round(warm_up_seconds, 1),
        }
        if on_torch:
            results[str(batch_size)].update({
                f"{engine_name}_loop": measure.median(rates[f"{engine_name}_loop"]),
                f"{engine_name}_loop_ratio": measure.paired_ratio(rates[f"{engine_name}_loop"], rates["plain_torch"]),
                "fused_to_loop": measure.paired_ratio(rates[engine_name], rates[f"{engine_name}_loop"])})
    return results


def jax_worker(args) -> None:
    """Runs under KERAS_BACKEND=jax: the comparison and the stage cross-checks, as one JSON line."""
    import keras

    import textgen_course as tc

    if keras.backend.backend() != "jax":
        raise SystemExit(f"--jax-worker needs KERAS_BACKEND=jax, got {keras.backend.backend()}")
    report = {"backend": keras.backend.backend()}
    untrained = tc.cross_check(tc.build_model())
    trained = tc.cross_check(tc.load_pretrained()[0])
    report["cross_check"] = {
        "passed": bool(untrained.passed and trained.passed),
        "untrained_model": str(untrained),
        "shipped_model": str(trained),
    }
    report["by_batch_size"] = compare(args.batch_sizes, args.samples, args.repeats, "keras_jax")
    report["uncompiled"] = uncompiled_jax(args.batch_sizes[0])
    print(JAX_MARKER + json.dumps(report), flush=True)


def uncompiled_jax(batch_size: int, steps: int = 2) -> dict:
    """What the course's recipe did on JAX before it asked for XLA: the step run op by op (jit_compile=False).

    Measured once (it is slow), right next to one pass of the plain PyTorch loop, on `steps` batches.
    """
    x, y = training_windows(steps * batch_size, seed=1)
    model, keras_rate = keras_trainer(batch_size, x, y)
    model.jit_compile = False  # as compile_for_training compiled it before: the step runs eagerly
    model.make_train_function(force=True)
    keras_rate()  # the first pass after the change: warm-up
    _, torch_rate = torch_trainer(batch_size, x, y)
    uncompiled, plain = keras_rate(), torch_rate()
    return {"keras_jax_uncompiled": round(uncompiled, 1), "plain_torch": round(plain, 1),
            "ratio": round(uncompiled / plain, 4), "steps": steps, "batch_size": batch_size}


def run_jax(args) -> dict:
    """The JAX measurements from a subprocess; on failure, what went wrong."""
    command = [sys.executable, __file__, "--jax-worker", "--samples", str(args.samples), "--repeats",
               str(args.repeats), "--clock", args.clock, "--batch-sizes", *map(str, args.batch_sizes)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    environment = {**os.environ, "KERAS_BACKEND": "jax"}
    if args.threads == 1:  # XLA's matrix products on one thread too, like torch's
        environment["XLA_FLAGS"] = (environment.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false").strip()
    try:
        done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=args.jax_timeout)
    except subprocess.TimeoutExpired:
        return {"measured": False, "error": f"timed out after {args.jax_timeout} s"}
    for line in done.stdout.splitlines():
        if line.startswith(JAX_MARKER):
            return {"measured": True, **json.loads(line[len(JAX_MARKER):])}
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return {"measured": False, "error": f"exit code {done.returncode}: " + " | ".join(tail)}


def recorded_in_artifact() -> dict | None:
    """Samples per second of the shipped model's own training epochs (validation and saving included)."""
    from textgen_course.artifacts import pretrained_manifest

    manifest = pretrained_manifest()
    seconds = [record["seconds"] for record in manifest["history"]]
    if not seconds:
        return None
    windows = manifest["corpus"]["train_windows"]
    return {
        "batch_size": manifest["training"]["batch_size"],
        "samples_per_s_median_epoch": round(windows / measure.median(seconds), 1),
        "epochs": len(seconds),
        "machine": manifest.get("machine"),
        "note": "whole epochs from the artifact's history: training steps plus the validation pass",
    }


TARGETS = {  # issue 13: name -> (the least figure asked for, where the figure comes from in the shipped batch's row)
    "keras_torch_to_plain_torch": 0.9,
    "keras_torch_share_of_matmul_peak": 0.55,
    "keras_jax_to_plain_torch": 0.8,
}


def targets(row: dict) -> dict:
    """Each target with this run's figure (paired medians at the shipped batch size) and whether it is met."""
    figures = {"keras_torch_to_plain_torch": row["ratio"],
               "keras_torch_share_of_matmul_peak": row["share_of_peak"]["keras_torch"],
               "keras_jax_to_plain_torch": row.get("keras_jax_to_its_plain_torch")}
    return {name: {"target": least, "value": figures[name],
                   "met": None if figures[name] is None else bool(figures[name] >= least)}
            for name, least in TARGETS.items()}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[512, 128])
    parser.add_argument("--samples", type=int, default=4096, help="windows per timed run (default 4096)")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per contender (median kept)")
    parser.add_argument("--no-jax", action="store_true", help="skip the JAX backend")
    parser.add_argument("--threads", type=int, help="torch and BLAS threads (default: torch's default, all cores)")
    parser.add_argument("--jax-timeout", type=int, default=900)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="time steps by the wall clock (default) or by this process's CPU time: with --threads 1 "
                             "on a busy machine, CPU time is what the step costs, whatever the neighbours do")
    parser.add_argument("--jax-worker", action="store_true", help=argparse.SUPPRESS)
    measure.add_common_arguments(parser)
    args = parser.parse_args(argv)
    global now
    now = CLOCKS[args.clock]
    if args.quick:  # three steps of batch 32, once each, torch only: seconds, to check the script works
        args.batch_sizes, args.samples, args.repeats, args.no_jax = [32], 96, 1, True
    if args.jax_worker:
        with measure.thread_count(args.threads):
            jax_worker(args)
        return 0

    clock = measure.RunClock()
    import textgen_course as tc
    from textgen_course.flops import forward_flops, training_flops

    with measure.thread_count(args.threads) as threads:
        by_batch = compare(args.batch_sizes, args.samples, args.repeats, "keras_torch")
        jax = {"measured": False, "error": "skipped (--no-jax)"} if args.no_jax else run_jax(args)
    if jax.get("measured"):  # JAX ran in its own process, against its own plain PyTorch reference
        for batch_size, row in jax["by_batch_size"].items():
            by_batch[batch_size].update(
                keras_jax=row["keras_jax"], plain_torch_in_jax_process=row["plain_torch"],
                keras_jax_to_its_plain_torch=row["ratio"],
                keras_jax_share_of_peak=row["share_of_peak"]["keras_jax"],
                keras_jax_build_and_warm_up_s=row["keras_jax_build_and_warm_up_s"])
        by_batch[str(args.batch_sizes[0])]["keras_jax_uncompiled_to_its_plain_torch"] = jax["uncompiled"]["ratio"]

    per_sample = training_flops(tc.ModelConfig())
    shipped = by_batch[str(args.batch_sizes[0])]
    rates = {"keras_torch": shipped["keras_torch"], "plain_torch": shipped["plain_torch"],
             "keras_jax": shipped.get("keras_jax"), "keras_torch_loop": shipped["keras_torch_loop"],
             "batch_size": args.batch_sizes[0], **threads}
    peak = shipped["matmul_flops_per_s"]
    share = {**shipped["share_of_peak"], "keras_jax": shipped.get("keras_jax_share_of_peak")}
    values = {
        "train_samples_per_s": rates,
        "train_keras_torch_to_plain_torch": shipped["ratio"],
        "train_share_of_peak": share,
        "train_flops_per_sample": per_sample,
        "forward_flops_per_sample": forward_flops(tc.ModelConfig()),
        "matmul_flops_per_s": peak,
        "train_by_batch_size": by_batch,
        "train_recorded_in_artifact": recorded_in_artifact(),
        "jax_backend": jax,
        "train_targets": {**targets(shipped), "clock": args.clock},
    }
    data = measure.update_results("training_throughput", values, clock, measure.results_path(args),
                                  measure.script_command(__file__, argv), quick=args.quick)
    conditions = data["runs"]["training_throughput"]

    print(f"Training throughput, samples/s (median of {args.repeats}; threads {threads}; "
          f"{measure.conditions_text(conditions)})")
    rows = []
    for batch_size, row in by_batch.items():
        rows.append([batch_size, row["keras_torch"], row["plain_torch"], row["ratio"], row.get("keras_jax"),
                     row.get("keras_jax_to_its_plain_torch")])
    print(measure.format_table(["batch", "Keras/torch", "plain PyTorch", "Keras/torch ÷ plain", "Keras/JAX",
                                "Keras/JAX ÷ plain"], rows))
    print(f"\nFLOPs per training window {per_sample / 1e6:.1f} M (forward {forward_flops() / 1e6:.2f} M); "
          f"matmul rate {peak / 1e9:.1f} GFLOP/s")
    print("share of peak: " + ", ".join(f"{name} {value:.1%}" for name, value in share.items() if value))
    print("Keras/torch with its own LSTM loop: "
          + ", ".join(f"batch {b}: {row['keras_torch_loop']:,.0f} samples/s "
                      f"({row['keras_torch_loop_ratio']:.3g} x plain)" for b, row in by_batch.items()))
    if jax.get("measured"):
        print(f"JAX backend: cross-check {'PASSED' if jax['cross_check']['passed'] else 'FAILED'}; "
              f"uncompiled (jit_compile=False, as before): {jax['uncompiled']['keras_jax_uncompiled']:,.0f} samples/s, "
              f"{jax['uncompiled']['ratio']:.3g} x plain PyTorch")
    else:
        print(f"JAX backend not measured: {jax.get('error')}")
    for name, target in targets(shipped).items():
        verdict = "no figure" if target["met"] is None else "met" if target["met"] else "NOT met"
        print(f"target {name} >= {target['target']} at batch {args.batch_sizes[0]}: {target['value']} ({verdict})")
    print(f"written to {measure.results_path(args)}" + (" (--quick: the figures mean nothing)" if args.quick else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
