"""A learner's route: every chapter opened in a real JupyterLab, as the page the learner sees.

Starts `jupyter lab` from the virtual environment on localhost (as `.venv/bin/jupyter lab book/`
would, the README's way), opens each chapter in headless Chromium and reads the rendered Markdown
cells. Twice:

- "myst": with jupyterlab-myst, which requirements.txt and binder/ install. Nothing raw may
  show: no `{glue`, `{doc}`, `{ref}`, `(label)=` line, `:pyobject:`, fenced directive or directive
  option; every exercise renders, every solution is collapsed.
- "plain": with jupyterlab-myst disabled (a private JUPYTER_CONFIG_DIR's page_config.json), as in
  Colab or GitHub's viewer, under the plain rule: no raw role or target in the text, and no
  directive shown as a code block (a colon-fenced directive reads as text).

In both, every number the prose quotes (authoring/prose.py bakes them in) and every line of
every library listing must be visible where the chapter puts it. With
TEXTGEN_JUPYTERLAB_SCREENSHOTS=1, screenshots of each chapter (its top, first exercise and first
listing) are saved under _build/jupyterlab-screenshots/<mode>/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from authoring import prose

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
SCREENSHOTS = ROOT / "_build" / "jupyterlab-screenshots"
SCREENSHOTS_WANTED = os.environ.get("TEXTGEN_JUPYTERLAB_SCREENSHOTS") == "1"  # for a person to look at
WINDOW = (1300, 1400)  # tall, for the screenshots
RAW_ANYWHERE = {  # raw MyST that no front end may show
    "a raw role": re.compile(r"\{(?:glue|doc|ref|numref|eq|term|download)(?::\w+)?\}"),
    "a raw target": re.compile(r"^\([a-z][\w]*-[\w-]+\)=\s*$", re.MULTILINE),  # <chapter>-<claim>, not math
    "a literalinclude option": re.compile(r":pyobject:"),
}
RAW_WHEN_RENDERED = {  # and what jupyterlab-myst must render rather than show
    "a fenced directive": re.compile(r"^\s*(?:`{3,}|:{3,})\s*\{[\w-]+\}", re.MULTILINE),
    "a directive option": re.compile(r"^\s*:(?:label|class):", re.MULTILINE),
}
# Reads each cell of the open notebook: its type, whether its input is collapsed, what it shows.
# With arguments[0] true it first scrolls every cell into view (jupyterlab-myst renders a cell
# when it is seen); the polls after that only read.
READ_CELLS = """
const [scroll, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const cells = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')];
  if (scroll) {
    for (const cell of cells) {
      cell.scrollIntoView();
      await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 10)));
    }
    if (cells.length) cells[0].scrollIntoView();
  }
  const visible = element => element.offsetParent !== null;
  done(cells.map(cell => {
    const input = cell.querySelector('.jp-Cell-inputArea');
    return {
      markdown: cell.classList.contains('jp-MarkdownCell'),
      collapsed: !input || !visible(input),
      rendered: cell.classList.contains('jp-mod-rendered') && cell.innerText.trim().length > 0,
      text: cell.innerText,
      code_blocks: [...cell.querySelectorAll('pre')].filter(visible).map(pre => pre.innerText),
      headings: [...cell.querySelectorAll('h1')].filter(visible).map(heading => heading.innerText),
    };
  }));
})();
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


@pytest.fixture(scope="module", params=["myst", "plain"])
def lab(request, browser_paths, tmp_path_factory):
    """A JupyterLab server rooted at the repository; yields (mode, base_url, token)."""
    mode = request.param
    private = tmp_path_factory.mktemp(f"jupyterlab-{mode}")
    settings = private / "settings"
    # every cell rendered at once (no virtual scrolling), and no news pop-up over the screenshots
    write_json(settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
               {"windowingMode": "none"})
    write_json(settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
               {"fetchNews": "false"})
    if mode == "plain":  # what `jupyter labextension disable jupyterlab-myst` writes, kept private
        write_json(private / "config" / "labconfig" / "page_config.json",
                   {"disabledExtensions": {"jupyterlab-myst": True}})
    port, token = free_port(), secrets.token_hex(16)
    command = [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", "--allow-root", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
               f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={private / 'workspaces'}",
               "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: open chapters without reloading
               "--LabApp.notebook_starts_kernel=False"]  # the test reads the page and runs nothing
    environment = dict(os.environ, JUPYTER_CONFIG_DIR=str(private / "config"))
    log = (private / "server.log").open("w")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a busy 2-core machine can take a minute
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (private / "server.log").read_text()[-3000:])
                time.sleep(0.5)
        yield mode, base, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(driver):
    """The session's one Chromium (tests/browser_session.py), with a window tall enough for the screenshots."""
    driver.set_window_size(*WINDOW)
    return driver


def shut_down_kernels(base: str, token: str) -> None:
    """Opening a notebook starts its kernel; the test never runs it, so stop it again."""
    sessions = json.loads(urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10).read())
    for session in sessions:
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=10)


OPEN_CHAPTER = """
const [path, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const app = window.jupyterapp;
  await app.commands.execute('application:close-all');
  const panel = await app.commands.execute('docmanager:open', {path});
  await panel.context.ready;
  done(true);
})().catch(error => done(String(error)));
"""


def open_chapter(driver, base: str, token: str, chapter: Path, timeout: float = 120) -> list[dict]:
    """Open a chapter in the Lab page (loaded once per server) and wait until every Markdown cell rendered."""
    cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
    driver.set_script_timeout(60)
    if not driver.current_url.startswith(base):
        driver.get(f"{base}/lab?reset&token={token}")
        deadline = time.monotonic() + timeout
        started = "return !!(window.jupyterapp && document.querySelector('#jp-main-dock-panel'))"
        while not driver.execute_script(started):
            if time.monotonic() > deadline:
                pytest.fail("JupyterLab's page did not start in the browser")
            time.sleep(0.5)
    opened = driver.execute_async_script(OPEN_CHAPTER, f"book/{chapter.name}")
    assert opened is True, f"JupyterLab could not open {chapter.name}: {opened}"
    deadline, previous = time.monotonic() + timeout, None
    while True:
        shown = driver.execute_async_script(READ_CELLS, previous is None)  # scroll until all rendered
        ready = len(shown) == len(cells) and all(cell["rendered"] or cell["collapsed"]
                                                 for cell in shown if cell["markdown"])
        if ready and shown == previous:  # rendered, and unchanged for one more poll (math, myst)
            return shown
        if time.monotonic() > deadline:
            pytest.fail(f"{chapter.name} did not render in JupyterLab within {timeout:.0f} s "
                        f"({len(shown)} of {len(cells)} cells shown)")
        previous = shown if ready else None
        time.sleep(0.3)


SHOWN: dict[tuple[str, str], list[dict]] = {}  # (mode, chapter) -> what the chapter test read


TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def flat(text: str) -> str:
    """Whitespace collapsed and curly quotes made straight (a renderer may set "process's" as "process’s")."""
    return " ".join(text.translate(TYPOGRAPHY).split())


def save_screenshots(browser, mode: str, chapter: Path) -> None:
    """The chapter's top, its first exercise and its first listing, as JupyterLab shows them."""
    SCREENSHOTS.joinpath(mode).mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / mode / f"{chapter.stem}.png"))
    cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
    exercise = next((index for index, cell in enumerate(cells)
                     if re.search(r"^:::\{exercise\}", "".join(cell["source"]), re.MULTILINE)), None)
    listing = next((index for index, cell in enumerate(cells) if "<!-- source:" in "".join(cell["source"])), None)
    for name, index in (("exercises", exercise), ("listing", listing)):  # what this test is about, seen
        if index is not None:
            browser.execute_script("document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
                                   ".jp-Notebook .jp-Cell')[arguments[0]].scrollIntoView()", index)
            time.sleep(0.5)
            browser.save_screenshot(str(SCREENSHOTS / mode / f"{chapter.stem}-{name}.png"))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_chapter_reads_fully_in_jupyterlab(lab, browser, chapter):
    mode, base, token = lab
    try:
        shown = SHOWN[mode, chapter.stem] = open_chapter(browser, base, token, chapter)
        if SCREENSHOTS_WANTED:
            save_screenshots(browser, mode, chapter)
    finally:
        shut_down_kernels(base, token)
    notebook = json.loads(chapter.read_text(encoding="utf-8"))
    solutions = set(prose.solution_cells(notebook))
    problems = []
    for index, (cell, seen) in enumerate(zip(notebook["cells"], shown)):
        source = "".join(cell["source"])
        if index in solutions:  # collapsed, like the book's dropdown: its text is not on the page
            if not seen["collapsed"]:
                problems.append(f"cell {index} (a solution) is not collapsed")
            continue
        if cell["cell_type"] != "markdown":
            continue
        text = seen["text"]
        rules = RAW_ANYWHERE | (RAW_WHEN_RENDERED if mode == "myst" else {})
        for what, pattern in rules.items():
            for found in pattern.finditer(text):
                problems.append(f"cell {index} shows {what}: {text[found.start():found.start() + 60]!r}")
        if mode == "plain":
            for block in seen["code_blocks"]:
                if re.search(r"^:(?:label|class):", block, re.MULTILINE):
                    problems.append(f"cell {index} shows a directive as a code block: {block[:60]!r}")
        for match in prose.GLUE_SPAN.finditer(source):  # every quoted number, as the number
            number = prose.glue_values(notebook).get(match["key"], match["text"])
            if flat(number) not in flat(text):
                problems.append(f"cell {index} does not show {match['key']} = {number!r}")
        for match in prose.SOURCE_MARKER.finditer(source):  # every line of every library listing
            missing = [line.strip() for line in prose.library_source(match["name"]).splitlines()
                       if line.strip() and line.strip() not in text]
            if missing:
                problems.append(f"cell {index} does not show {match['name']}: missing {missing[:2]}")
    title = prose.HEADING.search("".join(notebook["cells"][0]["source"]))
    if title and not any(flat(title["title"].replace("`", "")) in flat(heading)
                         for seen in shown for heading in seen["headings"]):
        problems.append(f"the title {title['title']!r} is not rendered as a heading")
    if mode == "myst":
        exercises = sum(len(re.findall(r"^:::\{exercise\}", "".join(cell["source"]), re.MULTILINE))
                        for cell in notebook["cells"] if cell["cell_type"] == "markdown")
        rendered = sum(len(re.findall(r"^Exercise \d+", seen["text"], re.MULTILINE)) for seen in shown)
        if rendered != exercises:
            problems.append(f"{exercises} exercises in the chapter, {rendered} rendered as exercises")
    assert not problems, f"{chapter.name} in JupyterLab ({mode}):\n" + "\n".join(problems)


def test_the_lstm_step_the_prose_shows_is_the_library_body_not_the_exercise_stub(lab, browser):
    """lstm_context shows the library's lstm_step; its exercise asks for a different signature."""
    mode, base, token = lab
    chapter = ROOT / "book" / "lstm_context.ipynb"
    if (mode, chapter.stem) not in SHOWN:  # run alone: open it
        try:
            SHOWN[mode, chapter.stem] = open_chapter(browser, base, token, chapter)
        finally:
            shut_down_kernels(base, token)
    shown = SHOWN[mode, chapter.stem]
    cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
    listing = next(index for index, cell in enumerate(cells)
                   if "<!-- source: textgen_course.lstm_gates.lstm_step -->" in "".join(cell["source"]))
    assert "c_t = forget_gate * c_prev + input_gate * candidate" in shown[listing]["text"]
    solution = next(index for index, cell in enumerate(cells) if cell["cell_type"] == "code"
                    and "solution" in cell["metadata"].get("tags", []) and "def lstm_step" in "".join(cell["source"]))
    assert shown[solution]["collapsed"]  # JupyterLab previews a collapsed cell's first line, never its body
    assert "z = x_t @ kernel + h_prev @ recurrent_kernel + bias" not in "\n".join(seen["text"] for seen in shown)
