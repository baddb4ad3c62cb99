"""Execute chapters in place and store their outputs (what nbval later compares).

    .venv/bin/python scripts/execute_notebooks.py book/embedding.ipynb [more.ipynb ...]
    .venv/bin/python scripts/execute_notebooks.py --all

Each notebook runs in a fresh kernel with its folder as working directory, as in the book
build. Volatile metadata (execution timestamps) is dropped so that re-running a chapter
changes the file only where an output changed. Prints each chapter's execution time.
Then the prose is synced with the new outputs (textgen_course/prose.py): every number the
Markdown quotes from a glued value, and every library listing, is baked in again.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from textgen_course import prose

ROOT = Path(__file__).resolve().parents[2]  # the repository: book/, _config.yml


def execute(path: Path, timeout: int = 300) -> float:
    """Run every cell of the notebook at path, save it with outputs; return the seconds taken."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None) if not _has_widgets(notebook) else None
    nbformat.write(notebook, path)
    prose.bake_notebook(path)  # the numbers the prose quotes, from the outputs just stored
    return seconds


def _has_widgets(notebook) -> bool:
    return any("application/vnd.jupyter.widget-view+json" in output.get("data", {})
               for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebook under book/")
    args = parser.parse_args()
    paths = sorted((ROOT / "book").glob("*.ipynb")) if args.all else args.notebooks
    if not paths:
        parser.error("name notebooks to execute, or pass --all")
    for path in paths:
        seconds = execute(path.resolve())
        print(f"{path.name:<28} {seconds:6.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
