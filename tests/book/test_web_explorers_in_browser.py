"""Every explorer of the built book, live in headless Chromium with no Python kernel, over http and file://.

For each explorer: change every control, check that the view changes and that what it shows
equals what the Python explorer (the tested reference) computes for the same input; bad input
gets a message beside its control; no console errors; with JavaScript off, the saved first
view and one "needs JavaScript" line remain.

The book and the browser: tests/browser_session.py (TEXTGEN_BUILT_BOOK, a built _build/html
folder, or the book built as the README says; the session's one Chromium). Needs Debian's
chromium and chromedriver.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse

import numpy as np
import pytest
from chromium import console_errors, wait_for

import textgen_course as tc
from authoring import web_export
from textgen_course.explorers import embedding as embedding_explorer
from textgen_course.explorers import lstm_context, lstm_summary, softmax_head, text_to_ids, why_two_lstms
from textgen_course.explorers.welcome import continuation_with_candidates

pytestmark = [pytest.mark.browser, pytest.mark.notebook]

# the built book, its server (bases: http and file://) and the session's one Chromium: tests/browser_session.py
SHOWN = (
    2.5e-3  # a shown probability/cosine (3 decimals) may differ by the float16 weights (< 5e-3, measured) + rounding
)


@pytest.fixture(scope="module")
def library():
    """The Python reference: the shipped model and its vocabulary."""
    model, vocabulary = tc.load_pretrained()
    return model, vocabulary, tc.NumpyTextGenerator.from_keras(model)


def open_explorer(driver, url: str) -> None:
    driver.get_log("browser")
    driver.get(url)
    wait_for(driver, "return document.querySelector('.textgen-explorer[data-textgen-ready]') !== null")


SET = """
const [label, value] = arguments;
const input = Array.from(document.querySelectorAll('.textgen-explorer label'))
    .find(l => l.textContent === label).control;
input.value = value;
input.dispatchEvent(new Event('input', {bubbles: true}));
input.dispatchEvent(new Event('change', {bubbles: true}));
"""


def change(driver, label: str, value) -> str:
    """Set a control by its label, wait until the view is recomputed, return the view's text."""
    before = view_text(driver)
    driver.execute_script(SET, label, str(value))
    wait_for(driver, "return !/Writing: /.test(document.querySelector('.textgen-explorer-view').innerText)")
    return view_text(driver) if view_text(driver) != before else view_text(driver)


def view_text(driver) -> str:
    return driver.execute_script("return document.querySelector('.textgen-explorer-view').innerText")


def message(driver, label: str) -> str:
    return driver.execute_script(
        "const l = Array.from(document.querySelectorAll('.textgen-explorer label'))"
        ".find(l => l.textContent === arguments[0]);"
        "return l.parentElement.querySelector('.textgen-message').textContent",
        label,
    )


ROWS = """
return Array.from(document.querySelectorAll('.textgen-explorer-view tr'))
  .filter(row => row.cells.length && row.cells[0].innerText.trim() === arguments[0])
  .map(row => row.innerText.replace(/\\s+/g, ' '));
"""


def row_numbers(driver, first_cell: str, which: int = 0) -> list[float]:
    """The decimal numbers in a table row of the view whose first cell is first_cell."""
    rows = driver.execute_script(ROWS, first_cell)
    assert rows, f"no row starting with {first_cell!r} in the view"
    return [float(x) for x in re.findall(r"-?\d+\.\d+", rows[which])]


@pytest.mark.parametrize("where", ["http", "file"])
def test_text_to_ids_explorer(driver, bases, library, where):
    _, vocabulary, _ = library
    open_explorer(driver, f"{bases[where]}/book/text_to_ids.html")
    first = view_text(driver)
    text = "Thou art a villain, xyzzy!"
    shown = change(driver, "Text:", text)
    assert shown != first
    report = text_to_ids.describe_text(vocabulary, text, 13)
    chips = driver.execute_script(
        "return Array.from(document.querySelectorAll('.textgen-explorer-view .textgen-chip small'))"
        ".map(s => Number(s.textContent))"
    )
    assert chips == list(report.ids) + list(report.window)
    assert "xyzzy" in shown
    assert not console_errors(driver)


@pytest.mark.parametrize("where", ["http", "file"])
def test_embedding_explorer(driver, bases, library, where):
    model, vocabulary, _ = library
    open_explorer(driver, f"{bases[where]}/book/embedding.html")
    first = view_text(driver)
    shown = change(driver, "Word:", "love")
    assert shown != first and "love" in shown
    shown = change(driver, "Neighbours:", 5)
    matrix = tc.embedding.embedding_matrix(model.get_layer("embedding"))
    report = embedding_explorer.word_neighbours(matrix, vocabulary, "love", 5)
    rows = [line.split("\t") for line in shown.splitlines()[2:] if line.strip()]
    assert len(rows) == 5
    for (word, cosine, *_), (expected_word, expected) in zip(rows, report.neighbours):
        assert abs(float(cosine) - expected) < SHOWN
    assert [row[0] for row in rows][:3] == [word for word, _ in report.neighbours][:3]
    assert "not in the vocabulary" in change(driver, "Word:", "qwertyuiop")
    assert not console_errors(driver)


@pytest.mark.parametrize("where", ["http", "file"])
def test_lstm_context_explorer(driver, bases, library, where):
    model, vocabulary, _ = library
    open_explorer(driver, f"{bases[where]}/book/lstm_context.html")
    first = view_text(driver)
    text = "my kingdom for a horse"
    change(driver, "Sentence:", text)
    shown = change(driver, "Step:", 11)
    assert shown != first
    expected = lstm_context.gate_step(lstm_context.trace_sentence(model, vocabulary, text), 11)
    for name, label in lstm_context.GATE_LABELS.items():
        assert abs(row_numbers(driver, label)[0] - expected.gate_means[name]) <= 0.011
    assert f"reads {expected.word}" in shown
    assert not console_errors(driver)


@pytest.mark.parametrize("where", ["http", "file"])
def test_lstm_summary_explorer(driver, bases, library, where):
    model, vocabulary, _ = library
    open_explorer(driver, f"{bases[where]}/book/lstm_summary.html")
    first = view_text(driver)
    text = "good night, sweet prince"
    change(driver, "Sentence:", text)
    shown = change(driver, "Words read:", 2)
    assert shown != first
    growth = lstm_summary.summaries_as_words_are_added(model, vocabulary, text, top=5)
    for word, probability in growth.next_words[2][:3]:
        assert abs(row_numbers(driver, word, -1)[-1] - probability) < SHOWN
    assert not console_errors(driver)


@pytest.mark.parametrize("where", ["http", "file"])
def test_softmax_head_explorer(driver, bases, library, where):
    _, vocabulary, engine = library
    open_explorer(driver, f"{bases[where]}/book/softmax_head.html")
    first = view_text(driver)
    context = "give me my robe, put on my"
    change(driver, "Context:", context)
    change(driver, "Strategy:", "top_k")
    shown = change(driver, "top-k:", 5)
    assert shown != first and "Words the strategy can draw: 5." in shown
    view = softmax_head.distribution_view(
        tc.generation.next_word_distribution(engine, vocabulary, context),
        vocabulary,
        strategy="top_k",
        top_k=5,
        top=15,
    )
    for word, p, q in list(zip(view.words, view.model_probabilities, view.sampling_probabilities))[:3]:
        assert np.allclose(row_numbers(driver, word), [p, q], atol=SHOWN)
    shown = change(driver, "Strategy:", "top_p")
    shown = change(driver, "top-p:", 0.5)
    expected = softmax_head.distribution_view(
        tc.generation.next_word_distribution(engine, vocabulary, context), vocabulary, strategy="top_p", top_p=0.5
    )
    assert f"Words the strategy can draw: {expected.kept_words}." in shown
    # the page says what the Python view says: the "model" column is rescaled without <unk>
    assert f"(which had {expected.removed_probability:.3f}), rescaled to sum to 1" in shown
    shown = change(driver, "Temperature:", 2)
    assert "Effective number" in shown
    assert not console_errors(driver)


@pytest.mark.parametrize("where", ["http", "file"])
def test_data_flow_explorer_writes_what_the_library_writes(driver, bases, library, where):
    _, vocabulary, engine = library
    open_explorer(driver, f"{bases[where]}/book/data_flow.html")
    first = view_text(driver)
    change(driver, "Strategy:", "greedy")
    change(driver, "Words:", 12)
    shown = change(driver, "Seed text:", "the king is")
    assert shown != first
    assert tc.generate(engine, vocabulary, "the king is", 12).text in shown
    for label, value in (
        ("Strategy:", "temperature"),
        ("Temperature:", 0.7),
        ("Random seed:", 5),
        ("Strategy:", "top_k"),
        ("top-k:", 3),
        ("Strategy:", "top_p"),
        ("top-p:", 0.8),
    ):
        before = view_text(driver)
        assert change(driver, label, value) != before, (label, value)
    assert not console_errors(driver)


@pytest.mark.parametrize("where", ["http", "file"])
def test_why_two_lstms_explorer(driver, bases, library, where):
    model, vocabulary, _ = library
    open_explorer(driver, f"{bases[where]}/book/why_two_lstms.html")
    first = view_text(driver)
    context = "i pray you, sir, let me"
    change(driver, "Context:", context)
    shown = change(driver, "Words read:", 4)
    assert shown != first and "read 4 word(s)" in shown
    expected = why_two_lstms.compare_next_words({"two LSTMs": model}, vocabulary, context, 4)
    for word, probability in expected.guesses["two LSTMs"][:3]:
        assert abs(row_numbers(driver, word)[0] / 100 - probability) < SHOWN
    assert not console_errors(driver)


@pytest.fixture(scope="module")
def web_engine(html_folder):
    """The library's NumPy engine on exactly the page's (float16) weights."""
    folder = html_folder / "textgen-web"
    manifest = json.loads((folder / web_export.MANIFEST_FILE).read_text())
    return web_export.numpy_generator_from_web(manifest, (folder / web_export.WEIGHTS_FILE).read_bytes())


@pytest.mark.parametrize("where", ["http", "file"])
def test_try_the_model_panel_writes_text_and_shows_candidates(driver, bases, library, web_engine, where):
    _, vocabulary, engine = library
    open_explorer(driver, f"{bases[where]}/book/welcome.html")
    first = view_text(driver)
    change(driver, "Strategy:", "greedy")
    change(driver, "Words:", 8)
    shown = change(driver, "Seed text:", "o romeo, romeo")
    assert shown != first
    expected = continuation_with_candidates(engine, vocabulary, "o romeo, romeo", 8, "greedy")
    assert expected.text in shown
    for word, candidates in zip(expected.words[:3], expected.candidates[:3]):
        cells = driver.execute_script(
            "return Array.from(document.querySelectorAll('.textgen-explorer-view tr'))"
            ".slice(1, 4).map(r => r.innerText)"
        )
        assert any(c.startswith(word) for c in cells)
    first_row = [
        float(x)
        for x in re.findall(
            r"\d\.\d{3}",
            driver.execute_script("return document.querySelectorAll('.textgen-explorer-view tr')[1].innerText"),
        )
    ]
    assert np.allclose(first_row, [p for _, p in expected.candidates[0]], atol=SHOWN)
    # sampled: the same words as the library on the page's weights, for the same seed
    change(driver, "Strategy:", "top_p")
    change(driver, "top-p:", 0.9)
    shown = change(driver, "Random seed:", 7)
    sampled = tc.generate(web_engine, vocabulary, "o romeo, romeo", 8, strategy="top_p", top_p=0.9, seed=7)
    assert sampled.text in shown
    assert not console_errors(driver)


BAD_INPUT = (  # (label, value, what the message beside it says)
    ("Seed text:", "", "Empty"),
    ("Seed text:", "?! ... ;", "No words"),
    ("Seed text:", "🙂🙂 日本語 Ελληνικά", "No words"),
    ("Words:", 0, "from 1 to 500"),
    ("Words:", 501, "from 1 to 500"),
    ("Temperature:", 0, "above 0"),
    ("Temperature:", -1, "above 0"),
    ("top-p:", 0, "above 0"),
    ("top-p:", 1.5, "at most 1"),
    ("top-k:", 0, "from 1 to 4818"),
    ("top-k:", 5000, "from 1 to 4818"),
)


@pytest.mark.parametrize("where", ["http", "file"])
def test_bad_input_gets_a_message_beside_its_control(driver, bases, where):
    open_explorer(driver, f"{bases[where]}/book/welcome.html")
    strategies = {"Temperature:": "temperature", "top-p:": "top_p", "top-k:": "top_k"}
    for label, value, expected in BAD_INPUT:
        change(driver, "Strategy:", strategies.get(label, "greedy"))
        change(driver, label, value)
        assert expected in message(driver, label), (label, value, message(driver, label))
        change(
            driver, label, {"Seed text:": "to be", "Words:": 5, "Temperature:": 1, "top-p:": 0.9, "top-k:": 40}[label]
        )
        assert message(driver, label) == "", (label, message(driver, label))
    change(driver, "Strategy:", "greedy")
    change(driver, "Seed text:", "xyzzy plugh")
    assert "<unk>" in message(driver, "Seed text:")
    change(driver, "Seed text:", "to be or not " * 1000)  # 13,000 characters
    assert "Only the last 13" in message(driver, "Seed text:")
    assert not console_errors(driver)


def test_a_500_word_generation_keeps_the_page_responsive(driver, bases):
    open_explorer(driver, f"{bases['http']}/book/welcome.html")
    driver.execute_script(SET, "Strategy:", "greedy")
    driver.execute_script(SET, "Words:", "500")  # starts writing
    started = time.monotonic()
    slowest = 0.0
    while "Writing:" in view_text(driver) or time.monotonic() - started < 0.5:
        tick = time.monotonic()
        driver.execute_script("return 1")  # the page answers between chunks
        slowest = max(slowest, time.monotonic() - tick)
        if time.monotonic() - started > 120:
            pytest.fail("500 words took more than 2 minutes")
        time.sleep(0.05)
    # one WebDriver round trip takes ~1 s on a busy 2-core machine; writing 500 words without
    # yielding would block the page for the whole generation (tens of seconds)
    assert slowest < 5.0, f"the page froze for {slowest:.1f} s"
    assert driver.execute_script("return document.querySelectorAll('.textgen-explorer-view tr').length") == 501
    assert not console_errors(driver)


@pytest.mark.parametrize(
    "page",
    [
        "welcome",
        "text_to_ids",
        "embedding",
        "lstm_context",
        "lstm_summary",
        "softmax_head",
        "data_flow",
        "why_two_lstms",
    ],
)
def test_without_javascript_the_saved_view_and_one_line_remain(javascript_off, html_folder, page):
    from selenium.webdriver.common.by import By

    browser = javascript_off
    browser.get((html_folder / "book" / f"{page}.html").resolve().as_uri())
    explorers = browser.find_elements(By.CSS_SELECTOR, ".textgen-explorer")
    assert len(explorers) == 1
    assert not browser.find_elements(By.CSS_SELECTOR, ".textgen-controls, .textgen-loading")  # nothing ran
    assert explorers[0].find_element(By.CSS_SELECTOR, ".textgen-explorer-view").text.strip()  # the saved first view
    assert "needs JavaScript" in explorers[0].text, explorers[0].text[-300:]


# ---- the learning chapter's trainer (explorers/learning.py, fine_tuning.py) -----------------

PLOT_LABEL = "return document.querySelector('.textgen-explorer-view svg.textgen-loss-plot').getAttribute('aria-label')"
CLICK = """
const button = Array.from(document.querySelectorAll('.textgen-explorer button'))
    .find(b => b.textContent === arguments[0]);
button.click();
"""


def press(driver, name: str) -> None:
    driver.execute_script(CLICK, name)


def status(driver) -> str:
    return driver.execute_script("return document.querySelector('.textgen-buttons .textgen-message').textContent")


def train_and_wait(driver, timeout: float = 120.0) -> str:
    press(driver, "Train")
    wait_for(driver, "return /Done: |Stopped after/.test(document.querySelector('.textgen-explorer-view').innerText)",
             timeout)
    return view_text(driver)


def losses_from_label(label: str) -> list[float]:
    """'Loss over 10 steps: on the text from 4.90 to 4.11 and on the held-out part from 4.77 to 4.59.'"""
    return [float(x) for x in re.findall(r"from (\d+\.\d+) to (\d+\.\d+)", label) for x in x]


@pytest.mark.parametrize("where", ["http", "file"])
def test_the_trainer_fine_tunes_in_the_page_as_the_library_does(driver, bases, library, web_engine, where):
    from textgen_course.fine_tuning import EXAMPLE_TEXTS, fine_tune_head

    _, vocabulary, _ = library
    open_explorer(driver, f"{bases[where]}/book/learning.html")
    assert "Ready to train" in view_text(driver)
    change(driver, "Example:", "modern English (a weather report)")
    change(driver, "Seed text:", "the wind")
    change(driver, "Random seed:", 3)
    shown = train_and_wait(driver)
    text_before, text_after, held_before, held_after = losses_from_label(driver.execute_script(PLOT_LABEL))
    assert text_after < text_before - 0.3 and held_after < held_before  # both losses fall
    expected = fine_tune_head(web_engine, vocabulary, EXAMPLE_TEXTS["modern English (a weather report)"], 0.003, 5,
                              "the wind", 3)  # the library, on the page's (float16) weights
    assert abs(text_before - expected.loss_before) < 0.006
    assert abs(held_after - expected.run.held_out_losses[-1]) < 0.006
    lines = [line for line in shown.splitlines() if line.startswith(("Before:", "After:"))]
    before, after = (line.split(":", 1)[1].strip() for line in lines)
    assert before != after  # the continuation changed
    assert before == expected.continuation_before and after == expected.continuation_after
    rows = driver.execute_script("return document.querySelectorAll('.textgen-explorer-view tr').length")
    assert rows == 11  # the ten words whose probability rose most, and a header
    assert not console_errors(driver)


def test_the_trainer_stays_responsive_stops_resets_and_refuses_a_second_train(driver, bases):
    open_explorer(driver, f"{bases['http']}/book/learning.html")
    text = " ".join(["the king is dead, long live the king, and all his men are glad of it."] * 150)  # 2,400 words
    change(driver, "Text:", text)
    change(driver, "Passes:", 50)
    press(driver, "Train")
    started, slowest = time.monotonic(), 0.0
    while time.monotonic() - started < 3:
        tick = time.monotonic()
        driver.execute_script("return 1")  # the page answers between slices
        slowest = max(slowest, time.monotonic() - tick)
        time.sleep(0.05)
    assert slowest < 5.0, f"the page froze for {slowest:.1f} s"
    press(driver, "Train")  # pressed twice
    assert "already running" in status(driver)
    press(driver, "Stop")
    wait_for(driver, "return /Stopped after/.test(document.querySelector('.textgen-explorer-view').innerText)")
    assert "After:" in view_text(driver)
    press(driver, "Reset")
    assert "Ready to train" in view_text(driver) and "shipped one again" in status(driver)
    assert not console_errors(driver)


TRAINER_BAD_INPUT = (  # (label, value, what the message beside it says)
    ("Text:", "to be or not to be", "needs at least 14"),
    ("Text:", "xyzzy plugh frobozz quux " * 5, "100% unknown"),
    ("Text:", "", "0 token(s)"),
    ("Learning rate:", 0, "above 0 and at most 1"),
    ("Learning rate:", -0.1, "above 0 and at most 1"),
    ("Learning rate:", 2, "above 0 and at most 1"),
    ("Passes:", 0, "from 1 to 100"),
    ("Passes:", 1000, "from 1 to 100"),
)


def test_the_trainer_says_what_is_wrong_beside_the_control(driver, bases):
    open_explorer(driver, f"{bases['http']}/book/learning.html")
    good = {"Text:": driver.execute_script("return document.querySelector('.textgen-explorer textarea').value"),
            "Learning rate:": 0.003, "Passes:": 5}
    for label, value, expected in TRAINER_BAD_INPUT:
        change(driver, label, value)
        press(driver, "Train")
        assert expected in message(driver, label), (label, value, message(driver, label))
        assert "Fix the input" in status(driver)
        change(driver, label, good[label])
        assert expected not in message(driver, label), (label, message(driver, label))
    change(driver, "Text:", "the king xyzzy loves the qwerty crown, and the queen is glad.")
    assert "17% of the words are not in the vocabulary and are read as <unk>" in message(driver, "Text:")
    driver.execute_script(  # a 5 MB paste: one event, as a paste gives
        "const box = document.querySelector('.textgen-explorer textarea');"
        "box.value = 'to be or not to be, '.repeat(250000); box.dispatchEvent(new Event('change', {bubbles: true}));")
    assert "trains on its first 100,000" in message(driver, "Text:")
    assert "first 10,000" in message(driver, "Text:")
    assert "longer than 20,000 characters" in driver.execute_script(
        "return document.querySelector('.textgen-explorer .textgen-controls > .textgen-note').textContent")
    assert not console_errors(driver)


# ---- links: every explorer's settings in the page's address ---------------------------------

LINKED = (  # (page, the explorer's kind, a control, a new value)
    ("welcome", "try_the_model", "Seed text:", "o romeo, romeo"),
    ("text_to_ids", "text_explorer", "Text:", "my kingdom for a horse"),
    ("embedding", "neighbour_explorer", "Word:", "love"),
    ("lstm_context", "gate_explorer", "Step:", 7),
    ("lstm_summary", "summary_explorer", "Sentence:", "good night, sweet prince"),
    ("softmax_head", "softmax_explorer", "Strategy:", "top_k"),
    ("data_flow", "generation_explorer", "Words:", 12),
    ("why_two_lstms", "next_word_explorer", "Words read:", 4),
    ("learning", "fine_tune_explorer", "Text:", "a text of my own, " * 5),
)
VALUE = ("return Array.from(document.querySelectorAll('.textgen-explorer label'))"
         ".find(l => l.textContent === arguments[0]).control.value")


@pytest.mark.parametrize("page, kind, label, value", LINKED)
def test_a_link_reopens_the_explorer_as_it_was_left(driver, bases, page, kind, label, value):
    open_explorer(driver, f"{bases['http']}/book/{page}.html")
    change(driver, label, value)
    link = driver.execute_script("return location.href")
    assert f"#textgen-{kind}=" in link
    driver.get("about:blank")
    open_explorer(driver, link)
    assert driver.execute_script(VALUE, label) == str(value)
    assert not driver.execute_script("return document.querySelector('.textgen-explorer p.textgen-note[role=status]')")


HOSTILE = (
    "textgen-try_the_model=%3Cimg%20src%3Dx%20onerror%3D%22document.title%3D'owned'%22%3E",  # not JSON
    "textgen-try_the_model=%7B%22seed_text%22%3A%5B1%2C2%5D%7D",  # JSON, but a list where text belongs
    "textgen-try_the_model=%7B%22nonsense%22%3A1%7D",  # a setting the explorer does not have
    "textgen-try_the_model=%E0%A4%A",  # broken percent-encoding
)


@pytest.mark.parametrize("fragment", HOSTILE)
def test_a_malformed_or_hostile_link_is_ignored_with_a_note(driver, bases, fragment):
    driver.get("about:blank")
    open_explorer(driver, f"{bases['http']}/book/welcome.html#{fragment}")
    assert "The link was partly ignored" in driver.execute_script(
        "return document.querySelector('.textgen-explorer p.textgen-note[role=status]').textContent")
    assert driver.execute_script(VALUE, "Seed text:") == "to be or not to be"  # the usual settings
    assert not driver.execute_script("return document.querySelector('main img[src=x]')")
    assert driver.title != "owned"


def test_html_in_a_link_is_text_never_markup(driver, bases):
    hostile = json.dumps({"seed_text": "<img src=x onerror=\"document.title='owned'\"> to be", "strategy": "greedy"})
    driver.get("about:blank")
    open_explorer(driver, f"{bases['http']}/book/welcome.html#textgen-try_the_model={urllib.parse.quote(hostile)}")
    assert driver.execute_script(VALUE, "Seed text:").startswith("<img src=x")
    wait_for(driver, "return !/Writing: /.test(document.querySelector('.textgen-explorer-view').innerText)")
    assert not driver.execute_script("return document.querySelector('main img[src=x]')") and driver.title != "owned"
