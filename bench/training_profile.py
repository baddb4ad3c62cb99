"""Why Keras on torch trains slower than a plain PyTorch loop: profiles and measured variants.

    .venv/bin/python bench/training_profile.py            # about 5 minutes on a quiet 2-core machine
    .venv/bin/python bench/training_profile.py --no-jit   # without trying jit_compile=True (2 minutes less)
    .venv/bin/python bench/training_profile.py --quick    # three small steps per variant: checks the script works

At the shipped batch size (512), on the same windows as bench/training_throughput.py:
1. Where a Keras training step's time goes (cProfile: forward, of which the two LSTM layers,
   backward, optimizer, loss, metrics, and what happens outside the step: data and callbacks),
   next to the same split for the plain PyTorch loop.
2. Which tensor operations take the time (torch.profiler), for both.
3. Variants, each measured right next to the plain PyTorch loop (same threads), several times:
     as shipped            Adam with cosine decay, accuracy and top-5 metrics (the course's recipe),
                           with Keras's own LSTM step loop (fused_lstm off)
     no training metrics   loss only
     one thread            torch and BLAS limited to one thread (both sides)
     jit_compile=True      the course's recipe with the training step compiled by torch.compile
                           (its compile time, from an empty compile cache, is reported too)
     unbind patch          Keras's CPU LSTM loop with x_proj.unbind(0) instead of x_proj[t]
                           (a one-line change to Keras, tried by patching it in this process)
     fused kernel patch    Keras's LSTM routed to torch's fused LSTM kernel on CPU (Keras only
                           uses it on CUDA): textgen_course/fused_lstm.py, which train() now uses
   and what Keras does with steps_per_execution > 1.
The unbind patch is an experiment to locate the cost; the fused kernel is what the course ships
(textgen_course/fused_lstm.py, tested against Keras's loop in tests/library/test_fused_lstm.py).
Writes train_profile to bench/results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
import warnings

import measure
from training_throughput import keras_trainer, torch_trainer, training_windows

KERAS_PARTS = {  # (file ending, function) -> part of a Keras train step, from cProfile's cumulative times
    "train step": ("backend/torch/trainer.py", "train_step"),
    "forward": ("textgen_course/model.py", "__call__"),
    "  of which the LSTM layers": ("backend/torch/rnn.py", "lstm"),
    "  of which our input check": ("textgen_course/input_checks.py", "check_word_ids"),
    "loss": ("keras/src/trainers/trainer.py", "_compute_loss"),
    "backward": ("torch/_tensor.py", "backward"),
    "optimizer": ("keras/src/optimizers/base_optimizer.py", "apply"),
    "metrics": ("keras/src/trainers/trainer.py", "compute_metrics"),
}
TORCH_PARTS = {
    "forward": ("textgen_course/model.py", "logits"),
    "  of which the LSTM layers": ("torch/nn/modules/rnn.py", "forward"),
    "  of which our input check": ("textgen_course/input_checks.py", "check_word_ids"),
    "loss": ("torch/nn/functional.py", "cross_entropy"),
    "backward": ("torch/_tensor.py", "backward"),
    "optimizer": ("torch/optim/adam.py", "step"),
}


def cumulative_seconds(stats: pstats.Stats, file_ending: str, function: str) -> float:
    """Total cumulative time of the functions with this name in files ending so (outermost calls)."""
    return sum(row[3] for (file, _, name), row in stats.stats.items()
               if file.replace("\\", "/").endswith(file_ending) and name == function)


def split_time(run, parts: dict, steps: int) -> dict:
    """Run once under cProfile; each part's share of the wall time (plus 'outside the step').

    Also the wall time per step in milliseconds (with cProfile's own overhead).
    """
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(run)
    wall = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    shares = {name: cumulative_seconds(stats, *where) / wall for name, where in parts.items()}
    if "train step" in shares:
        shares["outside the step (data, callbacks)"] = 1 - shares["train step"]
    return {"ms_per_step": round(1000 * wall / steps, 1), **{name: round(share, 3) for name, share in shares.items()}}


def top_operations(run, count: int = 8) -> dict:
    """The tensor operations with the most self time while `run` runs (torch.profiler)."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as profiler:
        run()
    averages = profiler.key_averages()
    total = sum(event.self_cpu_time_total for event in averages)
    rows = sorted(averages, key=lambda event: event.self_cpu_time_total, reverse=True)[:count]
    operations = {event.key: {"share": round(event.self_cpu_time_total / total, 3), "calls": event.count}
                  for event in rows}
    select_backward = [e for e in averages if e.key == "aten::select_backward"]
    return {"top": operations, "operation_calls": sum(event.count for event in averages),
            "select_backward_share_incl_children": round(select_backward[0].cpu_time_total / total, 3)
            if select_backward else 0.0}


def _torch_rnn_module():
    import keras  # noqa: F401  (imports the backend modules)

    return sys.modules["keras.src.backend.torch.rnn"]


def _unbind_fallback_lstm(inputs, initial_state_h, initial_state_c, kernel, recurrent_kernel, bias,
                          activation, recurrent_activation, return_sequences, batch_first):
    """Keras 3.15's _fallback_lstm with one change: iterate over x_proj.unbind(0), not x_proj[t].

    Indexing x_proj[t] in the loop makes autograd build, for every step, a zero tensor the
    size of all 13 steps and add the step's gradient into it; unbind has one backward for all.
    """
    import torch

    if batch_first:
        inputs = inputs.permute(1, 0, 2)  # (time, batch, features)
    x_proj = torch.matmul(inputs, kernel)  # (time, batch, 4 * units): all input projections at once
    if bias is not None:
        x_proj = x_proj + bias
    h, c, outputs = initial_state_h, initial_state_c, []
    for x_t in x_proj.unbind(0):
        z = x_t + torch.matmul(h, recurrent_kernel)
        z_i, z_f, z_c, z_o = torch.chunk(z, 4, dim=1)
        c = recurrent_activation(z_f) * c + recurrent_activation(z_i) * activation(z_c)
        h = recurrent_activation(z_o) * activation(c)
        outputs.append(h)
    outputs = torch.stack(outputs, dim=0)
    if batch_first:
        outputs = outputs.permute(1, 0, 2)
    if not return_sequences:
        outputs = h.unsqueeze(1 if batch_first else 0)
    return h, outputs, [h, c]


@contextlib.contextmanager
def keras_patch(name: str | None):
    """Temporarily replace part of Keras's torch LSTM (see the module docstring)."""
    import keras.src.backend as backend

    rnn = _torch_rnn_module()
    saved = backend.lstm, rnn._fallback_lstm
    if name == "unbind":
        rnn._fallback_lstm = _unbind_fallback_lstm
    elif name == "fused":
        from textgen_course import fused_lstm

        backend.lstm = fused_lstm.fused_lstm
    try:
        yield
    finally:
        backend.lstm, rnn._fallback_lstm = saved


def patched(function, name):
    def run():
        with keras_patch(name):
            return function()
    return run


def steps_per_execution_outcome(batch_size: int, x, y) -> str:
    """What Keras on the torch backend does with steps_per_execution=4, in words."""
    import textgen_course as tc

    model = tc.build_model(seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", steps_per_execution=4)
    try:
        with warnings.catch_warnings():  # one batch for four steps: Keras warns that the data ran out
            warnings.simplefilter("ignore", UserWarning)
            model.fit(x[:batch_size], y[:batch_size], batch_size=batch_size, verbose=0)
    except ValueError as error:
        return f"ValueError: {error}"
    return "accepted"


@contextlib.contextmanager
def empty_compile_cache():
    """torch.compile with a fresh cache folder, so that compiling costs what it costs the first time."""
    saved = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    folder = tempfile.mkdtemp(prefix="textgen-bench-inductor-")
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = folder
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if saved is None:
            del os.environ["TORCHINDUCTOR_CACHE_DIR"]
        else:
            os.environ["TORCHINDUCTOR_CACHE_DIR"] = saved


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, help="torch and BLAS threads (default: torch's default)")
    parser.add_argument("--no-jit", action="store_true", help="do not try jit_compile=True (slow to compile)")
    measure.add_common_arguments(parser)
    args = parser.parse_args(argv)
    if args.quick:  # three steps of batch 32, each variant once, no torch.compile: seconds
        args.batch_size, args.samples, args.repeats, args.no_jit = 32, 96, 1, True
    clock = measure.RunClock()
    batch = args.batch_size
    x, y = training_windows(max(args.samples, 2 * batch))

    with measure.thread_count(args.threads) as threads:
        _, keras_rate = keras_trainer(batch, x, y)
        _, bare_keras_rate = keras_trainer(batch, x, y, metrics=False)
        _, torch_rate = torch_trainer(batch, x, y)
        steps = len(y) // batch
        profile = {"keras_time_split": split_time(keras_rate, KERAS_PARTS, steps),
                   "torch_time_split": split_time(torch_rate, TORCH_PARTS, steps),
                   "keras_operations": top_operations(keras_rate),
                   "torch_operations": top_operations(torch_rate)}

        def one_thread(function):
            def run():
                with measure.thread_count(1):
                    return function()
            return run

        variants = {"as shipped": (keras_rate, torch_rate),
                    "no training metrics": (bare_keras_rate, torch_rate),
                    "unbind patch": (patched(keras_rate, "unbind"), torch_rate),
                    "fused kernel patch": (patched(keras_rate, "fused"), torch_rate),
                    "one thread, as shipped": (one_thread(keras_rate), one_thread(torch_rate))}
        said = {"steps_per_execution=4": steps_per_execution_outcome(batch, x, y)}
        if args.no_jit:
            said["jit_compile=True"] = "not tried (--no-jit)"
        else:
            started_compile = time.perf_counter()
            try:
                with empty_compile_cache():
                    _, jit_rate = keras_trainer(batch, x, y, jit_compile=True)  # the warm-up compiles
                said["jit_compile=True"] = (f"building, compiling (empty compile cache) and two warm-up steps: "
                                            f"{time.perf_counter() - started_compile:.0f} s")
                variants["jit_compile=True"] = (jit_rate, torch_rate)
            except Exception as error:  # report what happened instead of stopping the benchmark
                said["jit_compile=True"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        measured = measure.against_reference(variants, args.repeats)

    table = {name: {"samples_per_s": row["value"], "to_plain_torch": row["to_reference"], "runs": row["runs"],
                    "plain_torch_runs": row["reference_runs"]} for name, row in measured.items()}
    profile.update(variants=table, keras_says=said, batch_size=batch, threads=threads)
    data = measure.update_results("training_profile", {"train_profile": profile}, clock, measure.results_path(args),
                                  measure.script_command(__file__, argv), quick=args.quick)

    print(f"Where a training step's time goes, batch {batch} (share of wall time; threads {threads}; "
          f"{measure.conditions_text(data['runs']['training_profile'])})")
    keras_split, torch_split = profile["keras_time_split"], profile["torch_time_split"]
    parts = [p for p in dict.fromkeys([*keras_split, *torch_split]) if p != "ms_per_step"]
    rows = [["ms per step (profiled)", keras_split["ms_per_step"], torch_split["ms_per_step"]]]
    rows += [[p, _percent(keras_split.get(p)), _percent(torch_split.get(p))] for p in parts]
    print(measure.format_table(["part", "Keras/torch", "plain PyTorch"], rows))
    for name in ("keras_operations", "torch_operations"):
        block = profile[name]
        print(f"\n{name.replace('_', ' ')}: {block['operation_calls']:,} operation calls; "
              f"select_backward (with its zero-fill) {block['select_backward_share_incl_children']:.1%}")
        print(measure.format_table(["operation", "self time", "calls"],
                                   [[op, _percent(v["share"]), v["calls"]] for op, v in block["top"].items()]))
    print(f"\nVariants, samples/s (median of {args.repeats}, each next to the plain loop)")
    print(measure.format_table(["variant", "samples/s", "÷ plain PyTorch"],
                               [[name, row["samples_per_s"], row["to_plain_torch"]] for name, row in table.items()]))
    for setting, outcome in said.items():
        print(f"{setting}: {outcome}")
    print(f"written to {measure.results_path(args)}" + (" (--quick: the figures mean nothing)" if args.quick else ""))
    return 0


def _percent(value) -> str | None:
    return None if value is None else f"{value:.1%}"


if __name__ == "__main__":
    sys.exit(main())
