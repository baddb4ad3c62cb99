"""Shared fixtures: small configs, models with trained (not initial) weights, a small text."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import textgen_course as tc  # noqa: E402

# the browser tests' session fixtures (one Chromium, the built book, its server): tests/browser_session.py
pytest_plugins = ["browser_session"]

SMALL = tc.ModelConfig(vocab_size=500, sequence_length=8, embedding_dim=16, lstm_1_units=24, lstm_2_units=12)


def random_ids(config: tc.ModelConfig, batch: int = 64, seed: int = 0) -> np.ndarray:
    """(batch, sequence_length) random word ids."""
    return np.random.default_rng(seed).integers(0, config.vocab_size, (batch, config.sequence_length))


def train_a_few_steps(model, steps: int = 5, learning_rate: float = 0.02, seed: int = 0):
    """Move the weights well away from their initial values with a few large Adam steps on a learnable rule."""
    config = tc.model.config_of(model)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, config.vocab_size, (64 * steps, config.sequence_length))
    y = x[:, -1] % 20 + 2  # a learnable rule (the last word decides the next), so the model grows confident
    trainer = keras.Model(model.input, model.output)
    trainer.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    trainer.fit(x, y, batch_size=64, epochs=1, verbose=0, shuffle=False)
    return model


@pytest.fixture(scope="session")
def model():
    """The full-size model with default (initial) weights."""
    return tc.build_model(tc.ModelConfig(), seed=0)


@pytest.fixture(scope="session")
def trained_model():
    """The full-size model after a few large training steps: saturated gates, large logits."""
    return train_a_few_steps(tc.build_model(tc.ModelConfig(), seed=1))


@pytest.fixture(scope="session")
def small_model():
    """A small config (500 words, 8-word windows), trained a few steps."""
    return train_a_few_steps(tc.build_model(SMALL, seed=2))


def write_small_text(words: int = 6000, seed: int = 0) -> str:
    """A made-up text with learnable patterns: sentences from a tiny grammar."""
    rng = np.random.default_rng(seed)
    subjects = ["the king", "the queen", "my lord", "the fool", "a soldier", "thy brother", "her father"]
    verbs = ["loves", "fears", "serves", "follows", "betrays", "forgives", "remembers"]
    objects = ["the crown", "his daughter", "the sea", "our cause", "the night", "thy name", "the fool"]
    endings = [".", "!", "?", ";"]
    sentences, count = [], 0
    while count < words:
        sentence = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}"
        if rng.random() < 0.3:
            sentence += f", and {rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}"
        sentence += rng.choice(endings)
        sentences.append(sentence)
        count += len(sentence.split())
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs)


@pytest.fixture(scope="session")
def small_text() -> str:
    return write_small_text()


@pytest.fixture()
def small_text_file(tmp_path, small_text):
    path = tmp_path / "small.txt"
    path.write_text(small_text, encoding="utf-8")
    return path


# ---- the plain-RNN model (test_plain_rnn.py, test_analysis_lstm_context.py) --------------------


@pytest.fixture(scope="session")
def plain():
    """The plain-RNN model at the small config, trained a few large steps (weights far from their start)."""
    from textgen_course.plain_rnn import build_plain_rnn

    return train_a_few_steps(build_plain_rnn(SMALL, seed=2))


def without_recurrence(model, layers):
    """A copy of a plain-RNN model whose named layers forget: their recurrent weights are zero."""
    from textgen_course.plain_rnn import build_plain_rnn

    copy = build_plain_rnn(SMALL, seed=0)
    copy.set_weights(model.get_weights())
    for name in layers:
        kernel, recurrent_kernel, bias = copy.get_layer(name).get_weights()
        copy.get_layer(name).set_weights([kernel, np.zeros_like(recurrent_kernel), bias])
    return copy


# ---- a trained artifact folder (training and artifacts tests) --------------------------------

TINY = tc.ModelConfig(vocab_size=30, sequence_length=6, embedding_dim=8, lstm_1_units=12, lstm_2_units=8)


def _quick():
    from textgen_course.training import TrainingConfig

    return TrainingConfig(epochs=3, batch_size=64, learning_rate=1e-2, final_learning_rate=1e-3, patience=3)


QUICK = _quick()


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory, small_text):
    """(TrainingResult, corpus path): the TINY model trained for QUICK's three epochs on the small text."""
    from textgen_course.training import train

    folder = tmp_path_factory.mktemp("run") / "artifact"
    corpus = folder.parent / "small.txt"
    corpus.write_text(small_text, encoding="utf-8")
    return train(folder, corpus, TINY, QUICK, verbose=0), corpus


def copy_folder(folder, tmp_path):
    """A copy of an artifact folder, to damage without touching the shared one."""
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target


# ---- an otter-grader assignment of the fixture chapter (assign and grade tests) ---------------

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_CHAPTER = FIXTURES / "exercise_chapter.ipynb"

CORRECT_SOFTMAX = """def softmax(logits, temperature=1.0):
    scaled = logits / temperature
    exps = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)"""


@pytest.fixture(scope="session")
def assignment(tmp_path_factory):
    """`otter assign` run once on the fixture chapter (it executes the chapter: about a minute)."""
    from authoring import assign

    output = tmp_path_factory.mktemp("assignments")
    return assign.assign(FIXTURE_CHAPTER, output, files=[FIXTURES / "fixture_checks.py"])


# ---- order ----------------------------------------------------------------------------------
# The tiers are folders: tests/library/ is the fast tier (no browser, server, notebook execution,
# book build, training or full-data scoring), tests/book/ holds the rest.


def pytest_collection_modifyitems(config, items):
    """The tests of the built book run last (in their order): under `python3 tasks.py test` the book
    is built beside the other tests, and they wait for it (test_book_in_browser.built_book)."""
    items.sort(key=lambda item: "built_book" in getattr(item, "fixturenames", ()))  # stable: order kept
