"""The course's commands. Needs only Python 3.11+; creates .venv on first use.

    python3 tasks.py book       set up, then build the HTML book (every chapter executed)
    python3 tasks.py test       set up, then run every test (unit tests, notebooks, browser)

More: python3 tasks.py --help
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt", "pyproject.toml"]


def run(*command: str | Path, **kwargs) -> None:
    """Run a command, echoing it; stop with its exit code if it fails."""
    printable = " ".join(str(part) for part in command)
    print(f"$ {printable}", flush=True)
    result = subprocess.run([str(part) for part in command], cwd=ROOT, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def setup() -> None:
    """Create .venv and install the pinned requirements, unless they are installed already."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}.")
    digest = hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in REQUIREMENTS)).hexdigest()
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not PYTHON.exists():
        run(sys.executable, "-m", "venv", VENV)
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if os.environ.get("TORCH_INDEX_URL"):  # e.g. PyTorch's CPU-only wheel index
        run(*pip, "torch==2.13.0", "--index-url", os.environ["TORCH_INDEX_URL"])
    run(*pip, "-r", "requirements-dev.txt")
    run(*pip, "--no-deps", "-e", ".")
    stamp.write_text(digest)


def tool(name: str) -> Path:
    return BIN / name


def book(args) -> None:
    """Build the HTML book with every chapter executed (-W: warnings are errors)."""
    if args.clean:
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
    started = time.perf_counter()
    run(tool("jupyter-book"), "build", ".", "-W", "-n", "--keep-going")
    print(f"Built _build/html/index.html in {time.perf_counter() - started:.0f} s")


def test(args) -> None:
    """Every test: library tests, each notebook executed and compared by nbval, the built book."""
    started = time.perf_counter()
    run(PYTHON, "-m", "pytest", "tests", "book", "--nbval", "--nbval-sanitize-with", "book/sanitize.cfg",
        "-p", "no:cacheprovider", *args.pytest_args)
    print(f"All tests passed in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    book_parser = commands.add_parser("book", help="set up and build the HTML book")
    book_parser.add_argument("--clean", action="store_true", help="delete _build first (a full rebuild)")
    book_parser.set_defaults(run=book)
    test_parser = commands.add_parser("test", help="set up and run every test")
    test_parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest, e.g. -k embedding")
    test_parser.set_defaults(run=test)
    commands.add_parser("setup", help="only create .venv and install").set_defaults(run=lambda args: None)
    args = parser.parse_args()
    setup()
    args.run(args)


if __name__ == "__main__":
    main()
