"""Regenerate bench/results.json in one command, then re-execute the Performance page.

    .venv/bin/python bench/run_all.py                      # everything: ~10 minutes plus the book and tests
    .venv/bin/python bench/run_all.py --skip book_build    # the model's numbers only (~10 minutes)
    .venv/bin/python bench/run_all.py --only quality       # one script
    .venv/bin/python bench/run_all.py --quick              # every script on tiny inputs (a minute): do they work?

Each script runs in a fresh process, one after the other (never two at once: they would
slow each other down), and replaces only its own keys in bench/results.json. Run on an
otherwise idle machine; the results record the load average, so a busy run shows.
Finally book/performance.ipynb is executed again so the page shows the new results.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import measure

SCRIPTS = ("training_throughput", "training_profile", "generation_speed", "quality", "book_build", "test_run")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=SCRIPTS, help="run only these scripts")
    parser.add_argument("--skip", nargs="+", choices=SCRIPTS, default=[], help="do not run these scripts")
    parser.add_argument("--no-page", action="store_true", help="do not re-execute book/performance.ipynb")
    parser.add_argument("--quick", action="store_true",
                        help="run every script with --quick (figures into a scratch file, the page is not re-executed)")
    args = parser.parse_args()
    results = measure.quick_results_path() if args.quick else measure.RESULTS
    chosen = [name for name in (args.only or SCRIPTS) if name not in args.skip]
    python = sys.executable
    failed = []
    for name in chosen:
        print(f"\n=== bench/{name}.py (load average {measure.load_average()})", flush=True)
        started = time.perf_counter()
        command = [python, str(measure.ROOT / "bench" / f"{name}.py")] + (["--quick"] if args.quick else [])
        code = subprocess.run(command, cwd=measure.ROOT).returncode
        print(f"=== bench/{name}.py: exit code {code} after {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(name)
    if not (args.no_page or args.quick):
        page = measure.ROOT / "book" / "performance.ipynb"
        code = subprocess.run([python, str(measure.ROOT / "scripts" / "execute_notebooks.py"), str(page)],
                              cwd=measure.ROOT).returncode
        if code:
            failed.append("book/performance.ipynb")
    problems = measure.check_results(measure.read_results(results))
    print(f"\nresults: {results.relative_to(measure.ROOT) if results == measure.RESULTS else results}")
    under_load = measure.read_results(results).get("measured_under_load") or []
    if under_load:
        print(f"measured under load (rerun these on a quiet machine): {', '.join(under_load)}")
    for problem in problems:
        print(f"results.json: {problem}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
