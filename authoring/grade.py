"""Grade submitted notebooks with otter-grader, into a CSV (the assignment comes from assign.py).

    .venv/bin/python -m authoring.grade lstm_context submissions/ [--out grades.csv]

(`python3 tasks.py grade ...` calls this.)

Runs `otter run` (no Docker needed) on every notebook in a folder, each in its own process
with a time limit, and writes one CSV row per submission (grading/<chapter>/grades.csv unless
--out says otherwise): the score of each question, the total, and the error when a
submission could not be graded. A feedback file per submission (the checks' messages) goes
to grades_feedback/ next to the CSV.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
from otter.test_files import ExceptionTestFile

from .assign import ASSIGNMENTS
from .editions import ROOT


@dataclass
class Grade:
    submission: str
    scores: dict[str, float]
    error: str | None
    feedback: str


def question_points(autograder_zip: Path) -> dict[str, float]:
    """Autograded question -> points possible, from the zip's tests/ folder."""
    points = {}
    with zipfile.ZipFile(autograder_zip) as archive:
        for member in sorted(archive.namelist()):
            if member.startswith("tests/") and member.endswith(".py"):
                test_file = ExceptionTestFile.from_string(archive.read(member).decode("utf-8"), member)
                points[test_file.name] = test_file.possible
    return points


def _question_order(master: Path) -> dict[str, int]:
    """Question -> its place in the chapter, from the master notebook ({} when it is missing)."""
    if not master.exists():
        return {}
    names = re.findall(r"^# BEGIN QUESTION\nname: (\S+)", "\n".join(
        cell.source + "\n" for cell in nbformat.read(master, as_version=4).cells if cell.cell_type == "raw"),
        flags=re.MULTILINE)
    return {name: place for place, name in enumerate(names)}


def grade_submission(submission: Path, autograder_zip: Path, questions: dict[str, float],
                     timeout: float = 600) -> Grade:
    """Grade one notebook with `otter run` in its own process; never raises for a bad submission."""
    zero = {question: 0.0 for question in questions}
    try:
        notebook = nbformat.read(submission, as_version=4)
    except Exception as error:  # not JSON, not a notebook: the learner's file, not our bug
        return Grade(submission.name, zero, f"not a readable notebook ({type(error).__name__}: {error})", "")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with tempfile.TemporaryDirectory(prefix="grade-") as work:
        work = Path(work)
        staged = work / "submission" / f"{submission.stem}.ipynb"
        staged.parent.mkdir()
        nbformat.write(notebook, staged)
        results = work / "results"
        results.mkdir()
        command = [sys.executable, "-m", "otter", "run", "-a", str(autograder_zip), "-o", str(results),
                   "--no-logo", str(staged)]
        process = subprocess.Popen(command, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
        try:
            log, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            return Grade(submission.name, zero, f"did not finish in {timeout:g} s (an endless loop?)", "")
        results_file = results / "results.json"
        if not results_file.exists():
            last_line = (log.strip().splitlines() or ["no output"])[-1]
            return Grade(submission.name, zero, f"otter run failed: {last_line}", log[-5000:])
        output = json.loads(results_file.read_text(encoding="utf-8"))
    scores = dict(zero)
    feedback, error = [], None
    for test in output.get("tests", []):
        if test.get("name") in questions and "score" in test:
            scores[test["name"]] = float(test["score"])
            feedback.append(f"## {test['name']}: {test['score']:g} / {test['max_score']:g}\n\n{test.get('output', '')}")
        elif test.get("name") in ("Autograder Failed", "Autograder Exception"):
            error = error or "the autograder could not read the results: " + test.get("output", "")[-300:]
    return Grade(submission.name, scores, error, "\n\n".join(feedback))


def _kill(process: subprocess.Popen) -> None:
    """Stop otter run and the kernel it started (they share a new session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (AttributeError, ProcessLookupError):  # Windows has no process groups
        process.kill()
    process.communicate()


def submissions_in(folder: Path) -> list[Path]:
    """The notebooks handed in: every .ipynb in the folder (not in .ipynb_checkpoints)."""
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder of submitted notebooks.")
    found = sorted(path for path in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts)
    if not found:
        raise ValueError(f"{folder} holds no .ipynb files to grade.")
    return found


def grade(chapter: str, submissions: Path, output_csv: Path, timeout: float = 600,
          assignments: Path = ASSIGNMENTS, jobs: int = 1) -> list[Grade]:
    """Grade every submission, `jobs` at a time; write the CSV (one row each) and a feedback file each."""
    zips = sorted((assignments / chapter / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise ValueError(f"No autograder for {chapter!r} in {assignments / chapter / 'autograder'}: "
                         f"run `python3 tasks.py assign {chapter}` first.")
    questions = question_points(zips[0])
    order = _question_order(assignments / chapter / "master" / f"{chapter}.ipynb")
    questions = dict(sorted(questions.items(), key=lambda item: order.get(item[0], len(order))))
    feedback_folder = output_csv.with_name(output_csv.stem + "_feedback")
    feedback_folder.mkdir(parents=True, exist_ok=True)
    possible = sum(questions.values())

    def grade_one(submission: Path) -> Grade:
        # learners' files often share a name (alice/lstm_context.ipynb, bob/lstm_context.ipynb):
        # a submission is known by its path inside the folder
        name = submission.relative_to(submissions).as_posix()
        started = time.perf_counter()
        result = grade_submission(submission, zips[0], questions, timeout)
        result.submission = name
        total = sum(result.scores.values())
        print(f"{name:<32} {total:g} / {possible:g}  ({time.perf_counter() - started:.0f} s)"
              f"{'  ' + result.error if result.error else ''}", flush=True)
        feedback_file = feedback_folder / (name.removesuffix(".ipynb").replace("/", "__") + ".md")
        feedback_file.write_text(f"# {name}: {total:g} / {possible:g}\n\n"
                                 + (f"Not graded: {result.error}\n\n" if result.error else "")
                                 + result.feedback + "\n", encoding="utf-8")
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # each job is an `otter run` process
        grades = list(pool.map(grade_one, submissions_in(submissions)))
    with output_csv.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["submission", *questions, "total", "possible", "error"])
        for result in grades:
            writer.writerow([result.submission, *(f"{result.scores[q]:g}" for q in questions),
                             f"{sum(result.scores.values()):g}", f"{possible:g}", result.error or ""])
    return grades


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapter")
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--out", type=Path,
                        help="the CSV to write (default grading/<chapter>/grades.csv; grading/ is git-ignored)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per submission (default 600)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="submissions graded at once (default 1; each takes a core while it runs)")
    parser.add_argument("--assignments", type=Path, default=ASSIGNMENTS)
    args = parser.parse_args(argv)
    try:
        output = args.out or ROOT / "grading" / args.chapter / "grades.csv"
        output.parent.mkdir(parents=True, exist_ok=True)
        grades = grade(args.chapter, args.submissions, output, args.timeout, args.assignments, args.jobs)
        print(f"Wrote {output} ({len(grades)} submissions) and {output.with_name(output.stem + '_feedback')}/")
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
