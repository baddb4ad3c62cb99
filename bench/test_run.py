"""The test commands' times, as a new contributor meets them: a fresh clone, setup excluded.

    .venv/bin/python bench/test_run.py            # clone, set up (not timed), then time both commands
    .venv/bin/python bench/test_run.py --quick    # checks the script: times two trivial commands

Clones this repository's HEAD into a temporary folder (with ../shared beside it when there is one),
runs `python3 tasks.py setup` there (not timed: that is pip), then times `python3 tasks.py test
--fast` and `python3 tasks.py test`, each under measure.RunClock, which records how busy the
machine was with other work meanwhile. Writes test_fast_s, test_command_s and test_run_details
(each command's exit code, the time of every step the full run printed, and the load during each)
to bench/results.json. Targets (issue 20): the full run at most 300 s on an idle 2-core machine,
the fast tier under 60 s.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import measure

TARGETS = {"test_command_s": 300, "test_fast_s": 60}
STEP_LINE = re.compile(r"^  (?P<step>(?:front|behind): .+?)\s+(?P<seconds>\d+) s(?:  FAILED)?$", re.MULTILINE)


def fresh_clone(into: Path) -> Path:
    """A clone of HEAD in `into`/repo, with ../shared beside it when the repository has one."""
    clone = into / "repo"
    subprocess.run(["git", "clone", "-q", str(measure.ROOT), str(clone)], check=True)
    shared = measure.ROOT.parent / "shared"
    if shared.exists():
        (into / "shared").symlink_to(shared)
    return clone


def timed(command: list[str], cwd: Path, log: Path) -> tuple[float, int, dict, str]:
    """(seconds, exit code, load conditions, output) of one command."""
    clock = measure.RunClock()
    with open(log, "w", encoding="utf-8") as stream:
        code = subprocess.run(command, cwd=cwd, stdout=stream, stderr=subprocess.STDOUT).returncode
    clock.note_descendants()
    return clock.seconds(), code, clock.conditions(), log.read_text(encoding="utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    measure.add_common_arguments(parser)
    args = parser.parse_args(argv)
    clock = measure.RunClock()
    folder = Path(tempfile.mkdtemp(prefix="textgen-test-run-"))
    if args.quick:
        clone = folder
        pause = "import time; time.sleep(0.2); "  # long enough to round to a positive number of seconds
        commands = {"test_fast_s": [sys.executable, "-c", pause + "print('quick: no tests run')"],
                    "test_command_s": [sys.executable, "-c", pause + "print('  front: quick step   1 s')"]}
    else:
        clone = fresh_clone(folder)
        started = time.perf_counter()
        subprocess.run(["python3", "tasks.py", "setup"], cwd=clone, check=True, stdout=subprocess.DEVNULL)
        print(f"set up the clone in {time.perf_counter() - started:.0f} s (not timed)", flush=True)
        commands = {"test_fast_s": ["python3", "tasks.py", "test", "--fast"],
                    "test_command_s": ["python3", "tasks.py", "test"]}
    values, details = {}, {"clone": str(clone), "targets_s": TARGETS, "commands": {}}
    for key, command in commands.items():
        print(f"$ {' '.join(command)}", flush=True)
        seconds, code, conditions, output = timed(command, clone, folder / f"{key}.log")
        values[key] = round(seconds, 1)
        details["commands"][key] = {"command": " ".join(command), "exit_code": code, **conditions,
                                    "steps_s": {m["step"]: int(m["seconds"]) for m in STEP_LINE.finditer(output)}}
        print(f"  {seconds:.0f} s, exit code {code}, {measure.conditions_text(conditions)}", flush=True)
    data = measure.update_results("test_run", {**values, "test_run_details": details}, clock,
                                  measure.results_path(args), measure.script_command(__file__, argv), quick=args.quick)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    rows = [[key, values[key], TARGETS[key], details["commands"][key]["exit_code"]] for key in values]
    print(measure.format_table(["command", "seconds", "target", "exit code"], rows))
    print(f"written to {measure.results_path(args)} ({measure.conditions_text(data['runs']['test_run'])})")
    return 1 if any(entry["exit_code"] for entry in details["commands"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
