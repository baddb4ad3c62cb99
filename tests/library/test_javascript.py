"""The course's JavaScript, checked in the fast tier: tests/library/js/lint.mjs on every script we write.

The rules (syntax, no-undef, no-unused-vars, eqeqeq, no-var, no-debugger, no-console, no
inline styles, each mount function naming the Python it mirrors) are listed in lint.mjs; it
needs only Node and the vendored parser (tests/library/js/vendor/acorn.mjs).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = ROOT / "tests" / "library" / "js" / "lint.mjs"
OURS = [ROOT / "book" / "web" / name for name in ("textgen_engine.mjs", "textgen_explorers.js", "widgets-mathjax.js")]
OURS += sorted((ROOT / "tests" / "library" / "js").glob("*.mjs"))


def lint(*paths) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    assert node, "node is needed for the JavaScript checks (Debian: apt-get install nodejs)"
    return subprocess.run([node, str(LINT), *map(str, paths)], capture_output=True, text=True, timeout=120)


def test_our_javascript_passes_the_checks():
    run = lint(*OURS)
    assert run.returncode == 0, run.stderr


PLANTED = """(function () {
  var a = 1;
  function unused() { return a; }
  function mountThing(model) {
    const view = 2;
    if (view == 2) console.log(mistyped);
    debugger;
    return `<div style='padding:1px'>x</div><div style='width:${view}px'></div>`;
  }
  mountThing(a);
})();
"""


@pytest.mark.parametrize("rule", ["no-var", "no-unused-vars", "mirror-comment", "eqeqeq", "no-console", "no-undef",
                                  "no-debugger", "no-inline-style"])
def test_each_rule_finds_a_planted_mistake(tmp_path, rule):
    planted = tmp_path / "planted.js"
    planted.write_text(PLANTED, encoding="utf-8")
    run = lint(planted)
    assert run.returncode == 1 and f": {rule}: " in run.stderr, run.stderr
    assert "style='width" not in run.stderr  # a computed width is allowed


def test_a_syntax_error_is_reported(tmp_path):
    broken = tmp_path / "broken.mjs"
    broken.write_text("export function f( {\n", encoding="utf-8")
    run = lint(broken)
    assert run.returncode == 1 and "syntax" in run.stderr
