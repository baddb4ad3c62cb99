"""Shared fixtures: small configs, models with trained (not initial) weights, a small text."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import textgen_course as tc  # noqa: E402

SMALL = tc.ModelConfig(vocab_size=500, sequence_length=8, embedding_dim=16, lstm1_units=24, lstm2_units=12)


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
