"""What every benchmark script shares: the machine's description, timing helpers, the results file.

Timings on a shared machine are noisy, so every script measures its contenders in
alternation, repeats them, keeps the median, and reports ratios against a reference
measured in the same run (a busy neighbour slows both sides of a ratio alike).

bench/results.json is written section by section: each script replaces only its own keys
and its entry under "runs" (when, on what machine, how busy the machine was), so the
scripts can be rerun separately.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime
import glob
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
SCHEMA = "textgen-course bench/1"

# Every key the results file must hold (a value is null until its script has run),
# with the script that writes it.
SECTIONS: dict[str, tuple[str, ...]] = {
    "training_throughput": (
        "train_samples_per_s", "train_keras_torch_to_plain_torch", "train_share_of_peak",
        "train_flops_per_sample", "forward_flops_per_sample", "matmul_flops_per_s", "train_by_batch_size",
        "train_recorded_in_artifact", "jax_backend", "train_targets",
    ),
    "training_profile": ("train_profile",),
    "training_epoch": ("train_epoch_s",),
    "chapter_training": ("chapter_training_s",),
    "generation_speed": ("generate_words_per_s", "generate_paths", "generate_by_threads", "generate_same_greedy_text"),
    "quality": ("validation_perplexity", "validation_accuracy", "validation_top5_accuracy", "validation_windows",
                "quality_notes"),
    "browser_speed": ("browser_generate_words_per_s", "browser_first_prediction_ms", "browser_fine_tune_steps_per_s",
                      "browser_fine_tune_first_pass_s", "browser_speed_details"),
    "book_build": ("book_clean_build_s", "book_cached_build_s", "chapter_execution_s", "book_build_details"),
    "test_run": ("test_command_s", "test_fast_s", "test_run_details"),
}
# Sections whose figures are timings (a busy machine changes them); quality's scores do not depend on load.
TIMED_SECTIONS = ("training_throughput", "training_profile", "training_epoch", "chapter_training", "generation_speed",
                  "browser_speed", "book_build", "test_run")
REQUIRED_SUBKEYS = {
    "train_samples_per_s": ("keras_torch", "plain_torch", "keras_jax"),
    "generate_words_per_s": ("keras", "torch_twin"),
    "validation_perplexity": ("model", "unigram", "ngram", "one_lstm"),
}


def machine_description() -> dict:
    """CPU, cores, memory, operating system and the versions that matter for the timings."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024**2, 1)
    versions = {}
    for package in ("numpy", "torch", "keras", "jax", "jupyter-book", "myst-nb"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "versions": versions,
    }


def load_average() -> float | None:
    """The 1-minute load average (runnable processes); above the core count means a busy machine."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def median(values) -> float:
    """The median of a non-empty list of numbers."""
    values = list(values)
    if not values:
        raise ValueError("median: no values (did every repeat fail?)")
    return float(statistics.median(values))


def alternate(contenders: dict, repeats: int) -> dict[str, list[float]]:
    """Call every contender once per round, for `repeats` rounds, rotating who goes first.

    contenders: name -> a function returning one measurement (for example samples per second).
    Alternating puts both sides of a comparison under the same background load.
    """
    if repeats < 1:
        raise ValueError(f"alternate: repeats must be at least 1, got {repeats}.")
    names = list(contenders)
    results: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(repeats):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(float(contenders[name]()))
    return results


def against_reference(contenders: dict, repeats: int) -> dict[str, dict]:
    """Measure each contender right next to its own reference, `repeats` times.

    contenders: name -> (function, reference function), each returning one measurement.
    Each measurement is paired with a reference measurement taken just before or after it
    (the order alternates by round), so a change in background load between contenders
    does not leak into their ratios. Returns name -> {"value", "to_reference", "runs"}.
    """
    if repeats < 1:
        raise ValueError(f"against_reference: repeats must be at least 1, got {repeats}.")
    values: dict[str, list[float]] = {name: [] for name in contenders}
    references: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for round_number in range(repeats):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            function, reference = contenders[name]
            if round_number % 2:
                references[name].append(float(reference()))
                values[name].append(float(function()))
            else:
                values[name].append(float(function()))
                references[name].append(float(reference()))
    return {name: {"value": median(values[name]), "to_reference": paired_ratio(values[name], references[name]),
                   "runs": [float(f"{v:.4g}") for v in values[name]],
                   "reference_runs": [float(f"{v:.4g}") for v in references[name]]} for name in names}


def paired_ratio(numerators: list[float], denominators: list[float]) -> float:
    """Median over rounds of numerator / denominator, pairing values measured in the same round."""
    if len(numerators) != len(denominators) or not numerators:
        raise ValueError(f"paired_ratio: need equally many values on both sides, got "
                         f"{len(numerators)} and {len(denominators)}.")
    return median(n / d for n, d in zip(numerators, denominators))


def matmul_flops_per_second(size: int = 1024, repeats: int = 7) -> float:
    """The machine's float32 matrix-product rate through torch (the "peak" a model could reach).

    Median over repeats of 2 * size**3 / seconds for one (size, size) @ (size, size) product,
    at torch's current thread count (the one the training measurements use).
    """
    import torch

    generator = torch.Generator().manual_seed(0)
    a = torch.rand(size, size, generator=generator)
    b = torch.rand(size, size, generator=generator)
    torch.mm(a, b)  # warm-up: the first call allocates and picks a kernel
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        torch.mm(a, b)
        seconds.append(time.perf_counter() - started)
    return 2 * size**3 / median(seconds)


def _openblas():
    """NumPy's OpenBLAS library with its set/get thread functions, or None if not found."""
    import numpy

    folder = Path(numpy.__file__).parent.parent / "numpy.libs"
    names = [("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
             ("openblas_set_num_threads", "openblas_get_num_threads")]
    for path in sorted(glob.glob(str(folder / "*openblas*"))):
        with contextlib.suppress(OSError):
            library = ctypes.CDLL(path)
            for setter, getter in names:
                if hasattr(library, setter) and hasattr(library, getter):
                    return getattr(library, setter), getattr(library, getter)
    return None


@contextlib.contextmanager
def thread_count(threads: int | None):
    """Run the block with torch and NumPy's BLAS limited to `threads` threads (None: leave as is).

    Yields a dict saying what was set, for the results file.
    """
    import torch

    blas = _openblas()
    saved_torch = torch.get_num_threads()
    saved_blas = blas[1]() if blas else None
    if threads is not None:
        torch.set_num_threads(threads)
        if blas:
            blas[0](threads)
    try:
        yield {"torch_threads": torch.get_num_threads(), "blas_threads": blas[1]() if blas else "unknown"}
    finally:
        torch.set_num_threads(saved_torch)
        if blas and saved_blas:
            blas[0](saved_blas)


def format_table(headers: list[str], rows: list[list]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for number, row in enumerate(cells):
        parts = [row[0].ljust(widths[0])] + [value.rjust(width) for value, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(parts))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def read_results(path: Path = RESULTS) -> dict:
    """The results file as a dict (every required key present, null where not measured yet)."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {**empty_results(), **data}


def empty_results() -> dict:
    """A results dict with every required key, all unmeasured."""
    keys = {key: None for section in SECTIONS.values() for key in section}
    return {"schema": SCHEMA, "machine": None, "date": None, "runs": {}, "measured_under_load": [], **keys}


def quick_results_path() -> Path:
    """Where --quick runs write by default: a scratch file, never the committed results."""
    return Path(tempfile.gettempdir()) / "textgen-bench-quick-results.json"


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """--quick and --results, which every benchmark script takes."""
    parser.add_argument("--quick", action="store_true",
                        help="a few seconds on tiny inputs, to check that the script works: the figures mean "
                             "nothing, and they go to a scratch file unless --results is given")
    parser.add_argument("--results", type=Path,
                        help=f"results file to update (default: bench/results.json; with --quick: "
                             f"{quick_results_path()})")


def results_path(args: argparse.Namespace) -> Path:
    """The results file a script's arguments ask for."""
    if args.results is not None:
        return args.results
    return quick_results_path() if args.quick else RESULTS


def _machine_busy_seconds() -> float | None:
    """CPU seconds all processes have spent busy since boot, summed over cores (/proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    if fields[0] != "cpu":
        return None
    ticks = [int(value) for value in fields[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already inside user)
    busy = sum(ticks[i] for i in (0, 1, 2, 5, 6, 7) if i < len(ticks))
    return busy / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    """CPU seconds of this process and of its finished child processes."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _descendants_cpu_seconds() -> float:
    """CPU seconds of this process's living descendants (a browser and its helpers), from /proc.

    os.times() counts a child only once it has finished and been waited for; a browser's
    renderer processes are neither while a benchmark runs. 0.0 where /proc is unreadable.
    """
    me, parents, cpu = os.getpid(), {}, {}
    try:
        tick = os.sysconf("SC_CLK_TCK")
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except (OSError, ValueError):
        return 0.0
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as file:
                stat = file.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) ": state, ppid, ...
        parents[int(entry)], cpu[int(entry)] = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    for pid, seconds in cpu.items():
        ancestor = parents.get(pid)
        while ancestor not in (None, 0, me):
            ancestor = parents.get(ancestor)
        total += seconds if ancestor == me and pid != me else 0.0
    return total


class RunClock:
    """Started at the top of a benchmark: how long it ran, and how busy the machine was meanwhile.

    others_cpu_share is the CPU time every other process used during the run, as a share of
    all the machine's cores over the run (0: nothing else ran; 0.5: on a 2-core machine, one
    core was busy with something else on average). It is what disturbs a timing, and unlike
    the load average it does not count the benchmark itself.
    """

    UNDER_LOAD = 0.10  # others used more than a tenth of the machine: the timings are provisional

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.load_at_start = load_average()
        self.busy_at_start = _machine_busy_seconds()
        self.own_at_start = _own_cpu_seconds()
        self.descendants = 0.0  # CPU seconds of living child processes (note_descendants)

    def note_descendants(self) -> None:
        """Count the living child processes' CPU as the benchmark's own (call it before they end:
        a browser's processes work for the benchmark, and are not "other" load)."""
        self.descendants = max(self.descendants, _descendants_cpu_seconds())

    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def others_cpu_share(self) -> float | None:
        busy = _machine_busy_seconds()
        if busy is None or self.busy_at_start is None:
            return None
        wall = self.seconds()
        if wall <= 0:
            return None
        others = (busy - self.busy_at_start) - (_own_cpu_seconds() - self.own_at_start) - self.descendants
        return min(1.0, max(0.0, others / (wall * (os.cpu_count() or 1))))

    def conditions(self) -> dict:
        """The run's load figures and the verdict: was the machine busy with other work?"""
        share = self.others_cpu_share()
        if share is not None:
            under_load = share > self.UNDER_LOAD
        else:
            under_load = self.load_at_start is None or self.load_at_start >= 1.0
        return {
            "load_average": {"start": self.load_at_start, "end": load_average()},
            "others_cpu_share": None if share is None else round(share, 3),
            "under_load": under_load,
            "under_load_rule": f"other processes used more than {self.UNDER_LOAD:.0%} of the machine's CPU time "
                               "during the run (when /proc/stat is unreadable: 1-minute load average >= 1 at start)",
        }


def script_command(script: str, argv: list[str]) -> str:
    """The exact command that reruns a script from the repository root."""
    return " ".join([_relative(os.path.abspath(sys.executable)), f"bench/{Path(script).name}", *argv])


def conditions_text(run: dict) -> str:
    """How busy the machine was during a run, in words, from a results file's run entry."""
    share = run.get("others_cpu_share")
    verdict = "UNDER LOAD: provisional figures" if run.get("under_load") else "quiet"
    others = "unknown" if share is None else f"{share:.0%}"
    return f"load average {run['load_average']['start']} at start, other processes used {others} of the CPU: {verdict}"


def update_results(section: str, values: dict, clock: RunClock, path: Path = RESULTS, command: str | None = None,
                   quick: bool = False) -> dict:
    """Replace one script's keys in the results file, and record when, where, how and under what load it ran."""
    if section not in SECTIONS:
        raise ValueError(f"update_results: unknown section {section!r}; the sections are {sorted(SECTIONS)}.")
    unknown = sorted(set(values) - set(SECTIONS[section]))
    if unknown:
        raise ValueError(f"update_results: {section} may only write {SECTIONS[section]}, not {unknown}.")
    path = Path(path)
    data = read_results(path)
    machine = machine_description()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    data.update({key: None for key in SECTIONS[section]})
    data.update(values)
    data["machine"], data["date"] = machine, date
    data["runs"][section] = {
        "date": date,
        "machine": machine,
        "command": command or " ".join([_relative(sys.executable), *[_relative(arg) for arg in sys.argv]]),
        "seconds": round(clock.seconds(), 1),
        "quick": quick,
        **clock.conditions(),
    }
    data["measured_under_load"] = sorted(name for name, run in data["runs"].items()
                                         if run.get("under_load") and name in TIMED_SECTIONS)
    problems = check_results(data)
    if problems:
        raise ValueError("update_results: the results would not match the schema: " + "; ".join(problems))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(rounded(data), indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return data


def rounded(value, digits: int = 4):
    """A copy of nested dicts and lists with every float rounded to `digits` significant digits."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {key: rounded(item, digits) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item, digits) for item in value]
    return value


def _relative(argument: str) -> str:
    """A path inside the repository relative to its root (symbolic links, like the venv's python, kept)."""
    with contextlib.suppress(ValueError):
        return str(Path(os.path.abspath(argument)).relative_to(ROOT))
    return argument


def check_results(data: dict) -> list[str]:
    """What is wrong with a results dict (an empty list when it matches the schema)."""
    problems = []
    if data.get("schema") != SCHEMA:
        problems.append(f"schema is {data.get('schema')!r}, expected {SCHEMA!r}")
    for key in ("machine", "date", "runs"):
        if key not in data:
            problems.append(f"missing key {key!r}")
    for section, keys in SECTIONS.items():
        for key in keys:
            if key not in data:
                problems.append(f"missing key {key!r} (written by bench/{section}.py)")
    for key, subkeys in REQUIRED_SUBKEYS.items():
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, dict):
            problems.append(f"{key} must be a dict with {subkeys}, got {type(value).__name__}")
            continue
        for subkey in subkeys:
            if subkey not in value:
                problems.append(f"{key} lacks {subkey!r} (null if not measured)")
    for key in ("book_clean_build_s", "book_cached_build_s", "test_command_s"):
        value = data.get(key)
        if value is not None and not (isinstance(value, (int, float)) and value > 0):
            problems.append(f"{key} must be a positive number of seconds or null, got {value!r}")
    chapters = data.get("chapter_execution_s")
    if chapters is not None and not (isinstance(chapters, dict) and all(
            isinstance(s, (int, float)) and s >= 0 for s in chapters.values())):
        problems.append("chapter_execution_s must map chapter names to seconds")
    return problems
