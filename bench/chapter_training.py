"""The chapters that train, executed before and after issue 13's training fixes, side by side.

    .venv/bin/python bench/chapter_training.py            # three rounds: ~8 min on a quiet 2-core machine
    .venv/bin/python bench/chapter_training.py --quick    # one round of data_flow: checks the script works

book/data_flow.ipynb and book/why_two_lstms.ipynb train miniature models through train()
(textgen_course/training.py). Each is executed whole, as the book build executes it (a fresh
kernel, every cell, nothing saved), in two ways that take turns in every round:
    before   Keras's own LSTM step loop (TEXTGEN_FUSED_LSTM=0) and Keras's own
             "sparse_categorical_crossentropy" loss, as train() ran before issue 13
    after    train() as it runs now: the fused kernel (textgen_course/fused_lstm.py) and
             training.next_word_loss
"before" is set by a first cell added to the kernel's copy of the chapter, which sets the
environment switch and points compile_for_training's loss back to Keras's. Everything else is
the same chapter on the same machine in the same minutes, so the difference is the fixes.
Wall seconds of the whole execution (kernel start included), the median over rounds, after one
warm-up execution that is not counted (the first kernel of a run starts from cold file caches).
Writes chapter_training_s to bench/results.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import measure

CHAPTERS = ("data_flow", "why_two_lstms")
BEFORE = """\
import os
os.environ["TEXTGEN_FUSED_LSTM"] = "0"  # Keras's own LSTM step loop
import textgen_course.training
textgen_course.training.next_word_loss = "sparse_categorical_crossentropy"  # Keras's loss
"""


def execute(chapter: str, before: bool) -> float:
    """Seconds to execute book/<chapter>.ipynb in a fresh kernel (nothing is saved)."""
    import nbformat
    from nbclient import NotebookClient

    path = measure.ROOT / "book" / f"{chapter}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    if before:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(BEFORE))
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    measure.add_common_arguments(parser)
    args = parser.parse_args(argv)
    chapters, rounds = (CHAPTERS[:1], 1) if args.quick else (CHAPTERS, args.rounds)
    clock = measure.RunClock()
    runs = {chapter: {"before": [], "after": []} for chapter in chapters}
    print(f"warm-up: {execute(chapters[0], before=False):.1f} s (not counted)", flush=True)
    for _ in range(rounds):
        for chapter in chapters:
            for label in ("before", "after"):
                runs[chapter][label].append(round(execute(chapter, before=label == "before"), 1))
                print(f"{chapter} {label}: {runs[chapter][label][-1]} s", flush=True)
    values = {"chapter_training_s": {
        chapter: {"before": statistics.median(times["before"]), "after": statistics.median(times["after"]),
                  "runs": times}
        for chapter, times in runs.items()
    }}
    values["chapter_training_s"]["how"] = (
        "each chapter executed whole in a fresh kernel, taking turns; before: TEXTGEN_FUSED_LSTM=0 and Keras's "
        "sparse_categorical_crossentropy; after: train() as it runs now; median wall seconds")
    data = measure.update_results("chapter_training", values, clock, measure.results_path(args),
                                  measure.script_command(__file__, argv), quick=args.quick)
    rows = [[chapter, row["before"], row["after"], round(row["before"] / row["after"], 2)]
            for chapter, row in values["chapter_training_s"].items() if chapter != "how"]
    print(measure.format_table(["chapter", "before (s)", "after (s)", "speed-up"], rows))
    print(measure.conditions_text(data["runs"]["chapter_training"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
