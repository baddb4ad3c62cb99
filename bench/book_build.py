"""The book: clean build time (every chapter executed), cached rebuild time and each chapter's
execution time. (The test command's time: bench/test_run.py.)

    .venv/bin/python bench/book_build.py                  # the whole book: minutes
    .venv/bin/python bench/book_build.py --toc /tmp/one/_toc.yml --results /tmp/r.json
                                                           # try it on one chapter, results elsewhere
    .venv/bin/python bench/book_build.py --quick          # a one-page book: checks the script (seconds)

Runs the book build the README uses (jupyter-book build . -W -n --keep-going) into a fresh
output folder (nothing of ./_build is touched), then the same command again (the cached
rebuild: unchanged chapters come from the execution cache), and reads each chapter's
execution time from that cache. Run it on an otherwise idle machine: these are minutes of both cores.
Writes book_* keys and chapter_execution_s to bench/results.json.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import measure

TARGETS = {"book_clean_build_s": 300, "book_cached_build_s": 30, "chapter_execution_s": 60}


def build_command(toc: Path | None, output: Path) -> list[str]:
    """The README's build command, writing into `output` (and using `toc` when given)."""
    command = [str(measure.ROOT / ".venv" / "bin" / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going",
               "--path-output", str(output)]
    if toc is not None:
        command += ["--toc", str(toc)]
    return command


def timed(command: list[str], log: Path) -> tuple[float, int]:
    """Run a command from the repository root, its output into log; (seconds, exit code)."""
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as stream:
        code = subprocess.run(command, cwd=measure.ROOT, stdout=stream, stderr=subprocess.STDOUT).returncode
    return time.perf_counter() - started, code


def chapter_times(output: Path) -> dict[str, float]:
    """Each executed chapter's seconds, from the build's jupyter-cache (chapter name -> seconds)."""
    from jupyter_cache import get_cache

    caches = sorted(output.rglob(".jupyter_cache"))
    if not caches:
        return {}
    times = {}
    for record in get_cache(caches[0]).list_cache_records():
        seconds = (record.data or {}).get("execution_seconds")
        if seconds is not None:
            times[Path(record.uri).stem] = round(float(seconds), 1)
    return dict(sorted(times.items()))


def warnings_in(log: Path) -> int:
    """How many lines of a build log are warnings."""
    return sum(1 for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if "WARNING" in line)


QUICK_TOC = "format: jb-book\nroot: book/instructor_guide\n"  # one Markdown page, nothing to execute


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--toc", type=Path, help="another table of contents (e.g. one chapter, to try the script)")
    parser.add_argument("--output", type=Path, help="build folder (default: a new temporary folder, deleted after)")
    measure.add_common_arguments(parser)
    args = parser.parse_args(argv)
    if args.quick and args.toc is None:  # a one-page book with nothing to execute
        args.toc = Path(tempfile.mkdtemp(prefix="textgen-book-bench-toc-")) / "_toc.yml"
        args.toc.write_text(QUICK_TOC, encoding="utf-8")
    clock = measure.RunClock()
    output = args.output or Path(tempfile.mkdtemp(prefix="textgen-book-bench-"))
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    logs = Path(tempfile.mkdtemp(prefix="textgen-book-bench-logs-"))
    command = build_command(args.toc, output)
    print("$ " + shlex.join(command), flush=True)
    clean_s, clean_code = timed(command, logs / "clean.log")
    print(f"clean build {clean_s:.0f} s (exit code {clean_code})", flush=True)
    cached_s, cached_code = timed(command, logs / "cached.log")
    print(f"cached rebuild {cached_s:.0f} s (exit code {cached_code})", flush=True)
    chapters = chapter_times(output)
    details = {
        "build_command": shlex.join([".venv/bin/jupyter-book", *command[1:6]])
        + (f" --toc {args.toc}" if args.toc else ""),
        "toc": str(args.toc) if args.toc else "_toc.yml",
        "clean_exit_code": clean_code, "cached_exit_code": cached_code,
        "clean_warnings": warnings_in(logs / "clean.log"), "cached_warnings": warnings_in(logs / "cached.log"),
        "targets_s": TARGETS, "logs": str(logs),
    }
    values = {"book_clean_build_s": round(clean_s, 1), "book_cached_build_s": round(cached_s, 1),
              "chapter_execution_s": chapters, "book_build_details": details}
    data = measure.update_results("book_build", values, clock, measure.results_path(args),
                                  measure.script_command(__file__, argv), quick=args.quick)
    if args.output is None:
        shutil.rmtree(output, ignore_errors=True)

    print(f"\nThe book ({details['toc']}), {measure.conditions_text(data['runs']['book_build'])}; logs in {logs}")
    rows = [["clean build (every chapter executed)", clean_s, TARGETS["book_clean_build_s"], clean_code],
            ["cached rebuild", cached_s, TARGETS["book_cached_build_s"], cached_code]]
    rows += [[f"  chapter {name}", seconds, TARGETS["chapter_execution_s"], ""] for name, seconds in chapters.items()]
    print(measure.format_table(["step", "seconds", "target", "exit code"], rows))
    print(f"written to {measure.results_path(args)}" + (" (--quick: the figures mean nothing)" if args.quick else ""))
    failed = [code for code in (clean_code, cached_code) if code]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
