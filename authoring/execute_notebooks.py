"""Execute chapters in place and store their outputs (what nbval later compares).

    .venv/bin/python scripts/execute_notebooks.py book/embedding.ipynb [more.ipynb ...]
    .venv/bin/python scripts/execute_notebooks.py --all

Each notebook runs in a fresh kernel with its folder as working directory, as in the book
build, on WRITE_THREADS torch/BLAS threads. Volatile metadata (execution timestamps) is dropped so
that re-running a chapter changes the file only where an output changed. Prints each chapter's
execution time.

Then the stored outputs are checked the way another machine would see them: nbval runs the
chapter again under VERIFY_ENVIRONMENT (one thread instead of two, and torch's portable CPU
kernels instead of this CPU's vector units) and must reproduce every compared output. A chapter
whose outputs differ (a verdict from a chaotic run, an argmax at a near-tie, a printed round-off
digit) is refused: the file is restored and nbval's report says which cell differed.

Baking the prose (the numbers the Markdown quotes, the library listings) is a command of its own:
scripts/bake_prose.py, run after this one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]  # the repository: book/, _config.yml
WRITE_THREADS = "2"
# What another machine may do differently: another thread count, other vector units. Torch picks
# its kernels by ATEN_CPU_CAPABILITY ("default": no AVX2/AVX-512 code paths).
VERIFY_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "ATEN_CPU_CAPABILITY": "default"}


class UnstableOutputs(RuntimeError):
    """A chapter's outputs changed when run under another thread count or CPU code path."""


@contextmanager
def environment(**values: str):
    """Set environment variables for the kernels started inside, then restore them."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def execute(path: Path, timeout: int = 300, verify: bool = True) -> float:
    """Run every cell of the notebook at path, save it with outputs; return the seconds taken.

    verify: then rerun it under VERIFY_ENVIRONMENT with nbval; if any compared output differs,
    restore the file as it was and raise UnstableOutputs with nbval's report.
    """
    path = Path(path)
    original = path.read_bytes()
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    with environment(OMP_NUM_THREADS=WRITE_THREADS):
        client.execute()
    seconds = time.perf_counter() - started
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None) if not _has_widgets(notebook) else None
    nbformat.write(notebook, path)
    if verify:
        report = unstable_outputs(path)
        if report:
            path.write_bytes(original)
            raise UnstableOutputs(
                f"{path.name}: a rerun with {VERIFY_ENVIRONMENT} did not reproduce the outputs, so another "
                "machine would not either (CONTRIBUTING.md, \"Outputs that hold on any machine\"). The file is "
                f"restored. nbval says:\n{report}")
    return seconds


def unstable_outputs(path: Path) -> str:
    """nbval's report when a rerun under VERIFY_ENVIRONMENT changes a compared output; "" when none does."""
    sanitize = ROOT / "book" / "sanitize.cfg"
    command = [sys.executable, "-m", "pytest", str(path), "--nbval", "-p", "no:cacheprovider", "-q",
               "--rootdir", str(path.parent), *(["--nbval-sanitize-with", str(sanitize)] if sanitize.exists() else [])]
    result = subprocess.run(command, capture_output=True, text=True, cwd=path.parent,
                            env={**os.environ, **VERIFY_ENVIRONMENT})
    if result.returncode == 0:
        return ""
    return "\n".join(result.stdout.splitlines()[-60:])


def _has_widgets(notebook) -> bool:
    return any("application/vnd.jupyter.widget-view+json" in output.get("data", {})
               for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebook under book/")
    parser.add_argument("--no-verify", action="store_true",
                        help="skip the rerun under another thread count and CPU code path (drafting only)")
    args = parser.parse_args()
    paths = sorted((ROOT / "book").glob("*.ipynb")) if args.all else args.notebooks
    if not paths:
        parser.error("name notebooks to execute, or pass --all")
    refused = 0
    for path in paths:
        try:
            seconds = execute(path.resolve(), verify=not args.no_verify)
        except UnstableOutputs as error:
            print(error, file=sys.stderr, flush=True)
            refused += 1
            continue
        print(f"{path.name:<28} {seconds:6.1f} s{'' if args.no_verify else ', reproduced on 1 thread'}", flush=True)
    print("Next: bake the numbers and listings into the prose: .venv/bin/python scripts/bake_prose.py "
          + " ".join(str(path) for path in paths))
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
