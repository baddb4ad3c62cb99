"""The code style the repository checks: ruff with the configuration in pyproject.toml
(pycodestyle and pyflakes, lines within 120 characters)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ["textgen_course", "tests", "bench", "scripts", "tasks.py"]


def ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: pip install -r requirements-dev.txt")
    return found


def test_ruff_finds_nothing_to_fix():
    result = subprocess.run([ruff(), "check", "--output-format", "concise", *CHECKED], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_reads_the_line_limit_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "long.py").write_text("x = " + "1 + " * 40 + "1\n", encoding="utf-8")  # 165 characters
    result = subprocess.run([ruff(), "check", "--output-format", "concise", "long.py"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 1 and "E501" in result.stdout
