"""The course's commands. Needs only Python 3.11+; creates .venv on first use.

    python3 tasks.py book       set up, then build the HTML book (every chapter executed)
    python3 tasks.py test       set up, then run every test (library, notebooks, browser, JupyterLab,
                                student edition): what CI runs
    python3 tasks.py test --fast   only the tests that need no browser, server, notebook execution,
                                book build, full-data scoring or real training (under a minute)

For instructors (see the book's Instructor guide):

    python3 tasks.py pdf                          the whole book as one PDF (needs LaTeX)
    python3 tasks.py book --student               the student edition (solutions hidden)
    python3 tasks.py student-notebooks            the chapters without solutions, for learners
    python3 tasks.py assign lstm_context          a chapter's exercises as an otter-grader assignment
    python3 tasks.py grade lstm_context submissions/   scores per question: grading/lstm_context/grades.csv

More: python3 tasks.py --help
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import threading
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
        return authoring_on_path()
    if not PYTHON.exists():
        run(sys.executable, "-m", "venv", VENV)
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if os.environ.get("TORCH_INDEX_URL"):  # e.g. PyTorch's CPU-only wheel index
        run(*pip, "torch==2.13.0", "--index-url", os.environ["TORCH_INDEX_URL"])
    run(*pip, "-r", "requirements-dev.txt")
    run(*pip, "--no-deps", "-e", ".")
    authoring_on_path()
    stamp.write_text(digest)


def authoring_on_path() -> None:
    """Let .venv import the repository's course tooling (authoring/), which `pip install` leaves out.

    A .pth file in the venv's site-packages names this repository, so `import authoring` works in
    scripts/, the book build (book/_ext, the student edition's extension) and the tests, while the
    learner's package (textgen_course) stays the model and what a learner imports.
    """
    found = subprocess.run([str(PYTHON), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    pth = Path(found) / "textgen_course_authoring.pth"
    if not pth.exists() or pth.read_text(encoding="utf-8").strip() != str(ROOT):
        pth.write_text(f"{ROOT}\n", encoding="utf-8")


def tool(name: str) -> Path:
    return BIN / name


BUILD_BOOK = ("build", ".", "-W", "-n", "--keep-going")  # jupyter-book's arguments: warnings are errors


def book(args) -> None:
    """Build the HTML book with every chapter executed (-W: warnings are errors)."""
    if args.student:
        return student_book(args)
    if args.clean:
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
    started = time.perf_counter()
    run(tool("jupyter-book"), *BUILD_BOOK)
    print(f"Built _build/html/index.html in {time.perf_counter() - started:.0f} s")


LATEX_PACKAGES = (
    "texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-fonts-extra "
    "texlive-xetex latexmk fonts-freefont-otf"
)  # about 2 GB; texlive-fonts-extra holds bbm.sty, which jupyterBook.cls needs


def pdf(args) -> None:
    """The whole book as one PDF through LaTeX (XeLaTeX): _build/latex/textgen-course.pdf."""
    missing = [program for program in ("xelatex", "latexmk") if shutil.which(program) is None]
    if missing:
        sys.exit(f"The PDF needs LaTeX ({', '.join(missing)} not found). On Debian/Ubuntu: "
                 f"sudo apt-get install {LATEX_PACKAGES}. (Each page's download button also offers "
                 "a PDF of that page through the browser, without LaTeX.)")
    shutil.rmtree(ROOT / "_build" / "latex", ignore_errors=True)  # latexmk trusts a failed run's files
    started = time.perf_counter()
    run(tool("jupyter-book"), "build", ".", "--builder", "pdflatex")
    print(f"Built _build/latex/textgen-course.pdf in {time.perf_counter() - started:.0f} s")


def student_book(args) -> None:
    """The student edition: the same chapters with a generated config that hides the solutions."""
    if args.clean:
        shutil.rmtree(ROOT / "_build" / "student", ignore_errors=True)
    started = time.perf_counter()
    launch = ["--launch-repository", args.launch_repository, "--launch-branch", args.launch_branch] \
        if args.launch_repository else []
    run(PYTHON, "-m", "authoring.editions", "student-book", *launch)
    print(f"Built the student edition in {time.perf_counter() - started:.0f} s")


def course_tool(module: str, *leading: str):
    """A command that hands its arguments to one of the course's tools (its --help lists them)."""
    def command(args) -> None:
        started = time.perf_counter()
        run(PYTHON, "-m", f"authoring.{module}", *leading, *args.forwarded)
        print(f"Done in {time.perf_counter() - started:.0f} s")
    return command


FAST_TIER = "tests/library"  # no browser, server, notebook execution, book build or training: under a minute


def test(args) -> None:
    """Every test: library and tool tests, every chapter executed and compared by nbval, the built book
    in a browser, a chapter through JupyterLab; then the student edition: its book builds, and each
    student notebook fails only at the checks of the exercises it leaves for the learner."""
    started = time.perf_counter()
    if args.fast:
        run(PYTHON, "-m", "pytest", FAST_TIER, "-p", "no:cacheprovider", *args.pytest_args)
        print(f"Fast tests passed in {time.perf_counter() - started:.0f} s (the full run: python3 tasks.py test)")
        return
    if args.pytest_args:  # a selection (-k ...) runs only what it selects, in one pytest
        run(PYTHON, "-m", "pytest", "tests", "book", "--nbval", "--nbval-sanitize-with", "book/sanitize.cfg",
            "-p", "no:cacheprovider", "--durations=15", *args.pytest_args)
        print(f"Selected tests passed in {time.perf_counter() - started:.0f} s")
        return
    # Two streams side by side, one per core, each on one thread; every chapter is executed once.
    # In front: pytest over tests/ (the tests of the built book last: tests/conftest.py), then the
    # student book. Behind, its output kept in a log and shown at the end: the book built from the
    # committed outputs (the browser tests in front wait for it through TEXTGEN_BOOK_BUILD_STATUS);
    # every chapter executed once under nbval, which shows that a fresh run reproduces those outputs
    # under another thread count than the one that wrote them (CONTRIBUTING.md) and, in the same
    # run, that each exercise fails as unanswered in the student edition (editions.checked_notebook);
    # then the JupyterLab tests.
    logs = ROOT / "_build" / "test-logs"
    log_path, status_path = logs / "chapters.log", logs / "book-build.status"
    logs.mkdir(parents=True, exist_ok=True)
    status_path.unlink(missing_ok=True)
    config = ROOT / "_build" / "from-outputs" / "_config.yml"
    jupyterlab_tests = "tests/book/test_jupyterlab.py"
    otter_tests = ("tests/book/test_assign.py", "tests/book/test_grade.py")  # behind: they even out the streams
    behind = [
        ("book built from the committed outputs", [PYTHON, "-m", "authoring.editions", "config-from-outputs",
                                                   "--output", config]),
        ("book built from the committed outputs", [tool("jupyter-book"), *BUILD_BOOK, "--config", config]),
        ("every chapter executed once: compared (nbval), exercises as the student has them",
         [PYTHON, "-m", "authoring.editions", "checked-notebooks"]),
        ("every chapter executed once: compared (nbval), exercises as the student has them",
         [PYTHON, "-m", "pytest", ".nbval-checked", "--nbval", "--nbval-sanitize-with", "book/sanitize.cfg",
          "-p", "no:cacheprovider"]),
        ("otter-grader: assign and grade", [PYTHON, "-m", "pytest", *otter_tests, "-p", "no:cacheprovider"]),
        ("JupyterLab, both modes", [PYTHON, "-m", "pytest", jupyterlab_tests, "-p", "no:cacheprovider"]),
    ]
    # One thread per stream: a library that starts two threads on a shared core waits for the slower
    # one at every step (measured: the full-data rescoring takes 109 s beside a busy core with two
    # threads, 65 s with one, 55 s alone). The chapters' stored outputs are written with two threads
    # (authoring/execute_notebooks.py), so nbval here also compares across thread counts.
    one_thread = {**os.environ, "OMP_NUM_THREADS": "1"}
    times: dict[str, float] = {}
    codes: dict[str, int] = {}

    def step(name: str, command, stream: str, **kwargs) -> int:
        began = time.perf_counter()
        code = subprocess.run([str(part) for part in command], cwd=ROOT, **kwargs).returncode
        key = f"{stream}: {name}"
        times[key] = times.get(key, 0.0) + time.perf_counter() - began
        if code:
            codes.setdefault(key, code)
        return code

    def run_behind() -> None:  # one after the other, on one core: the other core is in front
        try:
            run_steps_behind()
        finally:
            times["behind stream ended at"] = time.perf_counter() - started

    def run_steps_behind() -> None:
        with open(log_path, "w", encoding="utf-8") as log:
            for name, command in behind:
                log.write("$ " + " ".join(str(part) for part in command) + "\n")
                log.flush()
                code = 1
                try:
                    code = step(name, command, "behind", stdout=log, stderr=subprocess.STDOUT, env=one_thread)
                finally:
                    if command[0] == tool("jupyter-book"):  # the browser tests in front wait for it
                        status_path.write_text(f"{code}\n", encoding="utf-8")
                # the rest still runs after a failure: one run reports every failing step

    print(f"(in the background, output in {log_path.relative_to(ROOT)}: "
          + "; ".join(dict.fromkeys(name for name, _ in behind)) + ")", flush=True)
    background = threading.Thread(target=run_behind)
    background.start()
    front_env = {**one_thread, "TEXTGEN_BOOK_BUILD_STATUS": str(status_path), "TEXTGEN_BOOK_BUILD_LOG": str(log_path)}
    ignored = [part for test_file in (jupyterlab_tests, *otter_tests) for part in ("--ignore", test_file)]
    step("pytest tests/ (library, browser, slow)", [PYTHON, "-m", "pytest", "tests", *ignored,
                                                            "-p", "no:cacheprovider", "--durations=15"],
         "front", env=front_env)
    step("student book built from the committed outputs", [PYTHON, "-m", "authoring.editions", "student-book",
                                                          "--from-outputs"], "front", env=one_thread)
    front_done = time.perf_counter() - started
    background.join()
    behind_done = times.pop("behind stream ended at")
    print(f"--- {log_path.relative_to(ROOT)}:", flush=True)
    print(log_path.read_text(encoding="utf-8"), flush=True)
    print("--- time per step (two streams side by side):")
    for key, seconds in times.items():
        print(f"  {key:<62} {seconds:6.0f} s{'  FAILED' if key in codes else ''}")
    print(f"  front stream ended at {front_done:.0f} s, behind at {behind_done:.0f} s")
    if codes:
        print(f"Failed: {', '.join(codes)}")
        sys.exit(next(iter(codes.values())))
    print(f"All tests passed in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    book_parser = commands.add_parser("book", help="set up and build the HTML book")
    book_parser.add_argument("--clean", action="store_true",
                             help="delete _build first (a full rebuild); with --student, only _build/student")
    book_parser.add_argument("--student", action="store_true",
                             help="the student edition (solutions hidden), in _build/student/_build/html")
    book_parser.add_argument("--launch-repository", metavar="URL",
                             help="with --student: a repository whose book/ holds the student notebooks, "
                                  "for the launch buttons (without it the student edition has none)")
    book_parser.add_argument("--launch-branch", default="main", help="with --launch-repository: its branch")
    book_parser.set_defaults(run=book)
    commands.add_parser("pdf", help="the whole book as one PDF (needs LaTeX: see the README)").set_defaults(run=pdf)
    test_parser = commands.add_parser("test", help="set up and run every test")
    test_parser.add_argument("--fast", action="store_true",
                             help=f"only {FAST_TIER}/: no notebooks, browser, book build, training or student edition")
    test_parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest, e.g. -k embedding")
    test_parser.set_defaults(run=test)
    commands.add_parser("setup", help="only create .venv and install").set_defaults(run=lambda args: None)
    for name, command, summary in [
        ("student-notebooks", course_tool("editions", "student-notebooks"),
         "write the chapters without solutions to _build/student/notebooks (--execute: and check them)"),
        ("assign", course_tool("assign"), "turn a chapter's exercises into an otter-grader assignment"),
        ("grade", course_tool("grade"), "grade a folder of submitted notebooks into a CSV"),
    ]:  # their options belong to the tool: `python3 tasks.py assign --help` lists them
        commands.add_parser(name, help=summary, add_help=False).set_defaults(run=command, forwards=True)
    args, forwarded = parser.parse_known_args()
    if forwarded and not getattr(args, "forwards", False):
        parser.error(f"unrecognized arguments: {' '.join(forwarded)}")
    args.forwarded = forwarded
    setup()
    args.run(args)


if __name__ == "__main__":
    main()
