"""The book's column fits what it shows: no code or output block scrolls sideways.

In a 1,300-pixel-wide window the chapters' column holds about 77 monospace characters. So:

- code cells shown in the book keep every line within LINE_LIMIT (75) characters (checked in the
  notebooks' sources, no browser needed);
- text outputs wrap at the column (book/web/course.css), and listings of library code wrap
  rather than scroll;
- in the built book (fixtures of tests/browser_session.py) no code block, output, listing or table
  needs sideways scrolling, apart from ALLOWED_WIDE, each with its reason;
- the first output a newcomer sees, the generated sample on the welcome page, is shown whole.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import chromium
import pytest
from page_visits import BLOCKS_JS, open_page, toc_pages, visit

# the fixtures that build the book, serve it and drive the session's one Chromium: tests/browser_session.py

ROOT = Path(__file__).resolve().parents[2]
LINE_LIMIT = 75
WINDOW = chromium.WINDOW  # the session browser's window: 1,300 pixels wide
HIDDEN_TAGS = {"remove-cell", "remove-input"}  # cells whose code the book does not show

# Blocks allowed to scroll sideways: (page, the start of the block's first line) -> why. None today:
# printed tables are set in a smaller type in which their rows fit, up to 98 characters a row, and
# longer rows wrap their tail (book/_ext/accessible_pages.py, book/web/course.css).
ALLOWED_WIDE: dict[tuple[str, str], str] = {}


def shown_code_cells():
    """(notebook, cell index, source) of every code cell whose code the book shows."""
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"]):
            tags = set(cell.get("metadata", {}).get("tags", []))
            if cell["cell_type"] == "code" and not tags & HIDDEN_TAGS:
                yield path.name, index, "".join(cell["source"])


def test_code_cells_shown_in_the_book_fit_the_column():
    too_long = [f"{name} cell {index}: {len(line)} characters: {line.strip()[:60]}..."
                for name, index, source in shown_code_cells()
                for line in source.split("\n") if len(line) > LINE_LIMIT]
    assert not too_long, (f"code lines longer than {LINE_LIMIT} characters need sideways scrolling in the book "
                          f"(reformat them, e.g. ruff format --line-length {LINE_LIMIT}):\n" + "\n".join(too_long))


def test_printed_tables_are_told_from_text_that_may_wrap():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from accessible_pages import table_class

    row = "two LSTMs, first recipe            96.2       119.9    23.7"
    assert table_class(f"{row}\n{row}") is None  # fits the column: nothing to do
    assert table_class(f"{row + ' ' * 4 + 'x' * 20}\n{row}") == "course-table-90"
    assert table_class(f"{row + ' ' * 4 + 'x' * 30}\n{row}\n(a caption line)") == "course-table-98"
    assert table_class(f"{row + ' ' * 4 + 'x' * 60}\n{row}") == "course-table-wide"
    sentence = "To be or not to be married. And, madam, if he were short: the vessel, yet the sceptre is a happy"
    assert table_class(sentence) is None and table_class(f"{sentence}\n{sentence}") is None


def blocks_of(driver, server, page: str) -> list[dict]:
    """The blocks of the page as its one read-only load found them (page_visits.visit)."""
    facts = visit(driver, server, page)
    assert facts["window_width"] == WINDOW[0]
    return facts["blocks"]


def allowed(page: str, block: dict) -> bool:
    return any(page == where and block["first"].startswith(start) for where, start in ALLOWED_WIDE)


@pytest.mark.browser
@pytest.mark.parametrize("page", toc_pages())
def test_no_block_scrolls_sideways(driver, server, page):
    blocks = blocks_of(driver, server, page)
    wide = [block for block in blocks if block["overflow"] > 1 and not allowed(page, block)]
    for where, start in ALLOWED_WIDE:  # an allowance for a block that now fits must go
        if where == page:
            assert any(b["overflow"] > 1 and b["first"].startswith(start) for b in blocks), (
                f"{page}: no wide block starts with {start!r} any more: remove it from ALLOWED_WIDE")
    assert not wide, (f"{page}: {len(wide)} of {len(blocks)} code and output blocks need sideways scrolling "
                      f"in a {WINDOW[0]}-px window:\n"
                      + "\n".join(f"  {b['kind']}, {b['overflow']} px too wide: {b['longest']}" for b in wide))


@pytest.mark.browser
def test_the_overflow_count_sees_a_wide_block(driver, server):
    """The check above can fail: a code line of 120 characters is counted."""
    open_page(driver, f"{server}/{toc_pages()[1]}")
    driver.execute_script(
        "const cell = document.querySelector('main article .cell_input div.highlight > pre');"
        "cell.textContent = 'x = ' + '1 + '.repeat(29) + '1';")
    wide = [block for block in driver.execute_script(BLOCKS_JS) if block["overflow"] > 1]
    assert any(block["longest"].startswith("x = 1 + 1") for block in wide), wide


@pytest.mark.browser
def test_the_welcome_sample_is_shown_whole(driver, server):
    """The generated sample (the first output of the welcome page) is visible to its last word."""
    notebook = json.loads((ROOT / "book" / "welcome.ipynb").read_text(encoding="utf-8"))
    sample = next("".join(output["data"]["text/plain"]) for cell in notebook["cells"] if cell["cell_type"] == "code"
                  for output in cell.get("outputs", []) if "text/plain" in output.get("data", {}))
    open_page(driver, f"{server}/{toc_pages()[0]}")
    shown = driver.execute_script(
        "const pre = Array.from(document.querySelectorAll('main article .cell_output div.highlight > pre'))"
        "  .find(pre => pre.innerText.startsWith(arguments[0]));"
        "return pre && {text: pre.innerText, scroll: pre.scrollWidth - pre.clientWidth}", sample[:30])
    assert shown, f"the welcome page does not show the sample {sample[:30]!r}..."
    assert shown["scroll"] <= 1, f"the sample needs sideways scrolling: {shown}"
    assert " ".join(shown["text"].split()) == " ".join(sample.split())
