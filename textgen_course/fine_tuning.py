"""Train it yourself: fine-tune the dense softmax layer on a reader's own text (chapter: book/learning.ipynb).

The embedding and both LSTMs stay frozen, so LSTM-2's summary of each 13-word window of the
text is computed once. Then the dense layer learns, step by step, as the learning chapter
writes it:

    logits = summary @ kernel + bias                    (batch, 100) -> (batch, 4818)
    loss   = mean over the batch of -log softmax(logits)[next word]
    d loss / d logits = (softmax(logits) - onehot(next word)) / batch
    kernel and bias gradients by the chain rule (learning.dense_gradients)
    Adam, as Keras writes it (learning.adam_step)

The windows are used in order, batch after batch (no shuffling); the last tenth of them is
held out and only scored. `train_head` is the plain NumPy version, `keras_fit_head` the same
training done by Keras's `fit` on a Dense layer with the same weights (the tests hold them
within 1e-4 after 20 steps), and `fine_tune_head` the whole thing on a text: what the
"train it yourself" explorer shows. The book's page runs the same steps in JavaScript
(book/web/textgen_engine.mjs: readTrainingText, trainHead, ...; tests/library/js/ checks it).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .generation import generate
from .learning import adam_step, dense_gradients
from .lstm_summary import Summarizer
from .numpy_model import NumpyTextGenerator
from .softmax_head import softmax
from .text import PUNCTUATION, tokenize
from .training import one_torch_thread
from .vocabulary import PAD_ID, UNKNOWN_ID, Vocabulary
from .windows import make_windows

BATCH_SIZE = 64  # windows per step
HELD_OUT_SHARE = 0.1  # the last tenth of the windows is only scored, never trained on
MAX_CHARACTERS = 100_000  # a longer paste is cut here first (a 5 MB paste must not freeze a page)
MAX_TOKENS = 10_000  # then at most this many tokens are trained on
MOST_PASSES = 100
ADAM_EPSILON = 1e-7  # Keras's default
EXAMPLE_TEXTS = {
    "a sonnet (Sonnet 18)": (
        "Shall I compare thee to a summer's day? Thou art more lovely and more temperate: rough winds do "
        "shake the darling buds of May, and summer's lease hath all too short a date; sometime too hot the "
        "eye of heaven shines, and often is his gold complexion dimm'd; and every fair from fair sometime "
        "declines, by chance or nature's changing course untrimm'd; but thy eternal summer shall not fade, "
        "nor lose possession of that fair thou ow'st; nor shall death brag thou wander'st in his shade, when "
        "in eternal lines to time thou grow'st: so long as men can breathe or eyes can see, so long lives "
        "this, and this gives life to thee."),
    "a speech from the plays (As You Like It)": (
        "All the world's a stage, and all the men and women merely players: they have their exits and their "
        "entrances; and one man in his time plays many parts, his acts being seven ages. At first the infant, "
        "mewling and puking in the nurse's arms. And then the whining school-boy, with his satchel and shining "
        "morning face, creeping like snail unwillingly to school. And then the lover, sighing like furnace, "
        "with a woeful ballad made to his mistress' eyebrow. Then a soldier, full of strange oaths and bearded "
        "like the pard, jealous in honour, sudden and quick in quarrel, seeking the bubble reputation even in "
        "the cannon's mouth."),
    "modern English (a weather report)": (
        "Tomorrow will be cloudy in the morning, with light rain in the north and a cold wind from the sea. "
        "In the afternoon the clouds will break and the sun will come out in the south, but the wind will "
        "stay strong along the coast. Tomorrow night will be clear and cold, with frost in the valleys. "
        "On Sunday the rain will come back from the west, heavy at times, and the wind will be strong again. "
        "Drivers should take care on the roads, which will be wet, and in the hills there may be snow."),
}


# ---- reading the text and the settings ------------------------------------------------------

@dataclass(frozen=True)
class TrainingText:
    """What the model will train on: a text's ids, and what the reader should be told about it."""

    ids: tuple[int, ...]  # the tokens' ids, unknown words as <unk>
    unknown_share: float  # the share of the words (not punctuation) outside the vocabulary
    unknown_words: tuple[str, ...]  # those words, in order, each once
    notes: tuple[str, ...]  # what was cut or read as <unk>, in words


def read_training_text(vocabulary: Vocabulary, text: str, sequence_length: int = 13) -> TrainingText:
    """The text's ids, cut at MAX_CHARACTERS then MAX_TOKENS; ValueError for a text that cannot train.

    The page's readTrainingText gives the same ids and notes (tests/library/js/).
    """
    if not isinstance(text, str):
        raise ValueError(f"The text must be a string, got {type(text).__name__}.")
    notes = []
    if len(text) > MAX_CHARACTERS:
        notes.append(f"The text has {len(text):,} characters: the model trains on its first {MAX_CHARACTERS:,}.")
        text = text[:MAX_CHARACTERS]
    tokens = tokenize(text)
    if len(tokens) > MAX_TOKENS:
        notes.append(f"The text has {len(tokens):,} tokens: the model trains on its first {MAX_TOKENS:,}.")
        tokens = tokens[:MAX_TOKENS]
    needed = sequence_length + 1
    if len(tokens) < needed:
        raise ValueError(f"The text has {len(tokens)} token(s): it needs at least {needed} (the model reads "
                         f"{sequence_length} words and learns the next one).")
    words = [token for token in tokens if token not in PUNCTUATION]
    unknown = [word for word in words if word not in vocabulary]
    share = len(unknown) / len(words) if words else 1.0
    if not words or share == 1.0:
        raise ValueError("None of the text's words is in the model's vocabulary (100% unknown): every one would "
                         "be read as <unk>, so there is nothing to learn. Try a text in English.")
    unknown_words = tuple(dict.fromkeys(unknown))
    if unknown:
        notes.append(f"{share:.0%} of the words are not in the vocabulary and are read as <unk>"
                     f" ({', '.join(unknown_words[:8])}{', ...' if len(unknown_words) > 8 else ''}).")
    return TrainingText(tuple(vocabulary.encode(tokens)), share, unknown_words, tuple(notes))


def check_settings(learning_rate: float, passes: int) -> None:
    """ValueError unless 0 < learning_rate <= 1 and passes is a whole number from 1 to MOST_PASSES."""
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or not (
            0 < learning_rate <= 1):
        raise ValueError("The learning rate must be a number above 0 and at most 1 (try 0.003), "
                         f"got {learning_rate!r}.")
    if isinstance(passes, bool) or not isinstance(passes, (int, np.integer)) or not 1 <= passes <= MOST_PASSES:
        raise ValueError(f"The number of passes must be a whole number from 1 to {MOST_PASSES}, got {passes!r}.")


def split_windows(ids, sequence_length: int = 13):
    """The text's windows: (x, y) to train on and (x, y) held out (the last tenth; none under 10 windows)."""
    x, y = make_windows(np.asarray(ids, dtype=np.int64), sequence_length)
    held = int(len(x) * HELD_OUT_SHARE)
    cut = len(x) - held
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


# ---- the dense layer's loss, gradient and training ------------------------------------------

def head_loss(kernel: np.ndarray, bias: np.ndarray, summaries: np.ndarray, targets: np.ndarray,
              batch_size: int = 1024) -> tuple[float, np.ndarray]:
    """Mean cross-entropy over the windows, and the mean probability of each word: (vocab_size,).

    Computed batch by batch (a whole text's probabilities at once would be large).
    """
    total, mean_probabilities = 0.0, np.zeros(kernel.shape[1])
    for start in range(0, len(summaries), batch_size):
        p = softmax(summaries[start:start + batch_size] @ kernel + bias)  # (batch, vocab_size)
        rows = np.arange(len(p))
        total += -np.log(p[rows, targets[start:start + batch_size]]).sum()
        mean_probabilities += p.sum(axis=0)
    return total / len(summaries), mean_probabilities / len(summaries)


def head_step(kernel, bias, summaries, targets):
    """One batch: (its mean loss, the kernel and bias gradients). The chapter's formulas, in float64."""
    p = softmax(np.asarray(summaries, dtype=np.float64) @ kernel + bias)  # (batch, vocab_size)
    rows = np.arange(len(targets))
    loss = float(-np.log(p[rows, targets]).mean())
    logit_gradient = p.copy()
    logit_gradient[rows, targets] -= 1.0  # p - onehot ...
    logit_gradient /= len(targets)  # ... / batch (learning.cross_entropy_gradient)
    return loss, dense_gradients(summaries, logit_gradient)


@dataclass(frozen=True)
class HeadRun:
    """A fine-tuning run of the dense layer."""

    kernel: np.ndarray  # (lstm_2_units, vocab_size), after training
    bias: np.ndarray  # (vocab_size,)
    step_losses: np.ndarray  # (steps,): each batch's mean loss, before its step
    pass_losses: np.ndarray  # (passes,): the mean loss over each pass's windows (Keras's "loss")
    held_out_losses: np.ndarray  # (passes,): the held-out windows' mean loss after each pass ("val_loss")


def train_head(kernel, bias, summaries, targets, learning_rate: float, passes: int, batch_size: int = BATCH_SIZE,
               held_out: tuple[np.ndarray, np.ndarray] | None = None, epsilon: float = ADAM_EPSILON) -> HeadRun:
    """Fine-tune (kernel, bias) on the summaries' next words with Adam, in NumPy (float64).

    summaries (windows, lstm_2_units), targets (windows,), the windows in order; held_out:
    (summaries, targets) scored after each pass. The page's trainHead does the same steps.
    """
    check_settings(learning_rate, passes)
    weights = {"kernel": np.array(kernel, dtype=np.float64), "bias": np.array(bias, dtype=np.float64)}
    means = {name: np.zeros_like(value) for name, value in weights.items()}  # Adam's running averages
    squares = {name: np.zeros_like(value) for name, value in weights.items()}
    summaries = np.asarray(summaries, dtype=np.float64)
    step_losses, pass_losses, held_out_losses, step = [], [], [], 0
    for _ in range(passes):
        seen = 0.0
        for start in range(0, len(summaries), batch_size):
            batch, batch_targets = summaries[start:start + batch_size], targets[start:start + batch_size]
            loss, gradients = head_step(weights["kernel"], weights["bias"], batch, batch_targets)
            step += 1
            for name in weights:
                weights[name], means[name], squares[name] = adam_step(
                    weights[name], gradients[name], means[name], squares[name], step, learning_rate,
                    epsilon=epsilon)
            step_losses.append(loss)
            seen += loss * len(batch)
        pass_losses.append(seen / len(summaries))
        if held_out is not None and len(held_out[0]):
            held_out_losses.append(head_loss(weights["kernel"], weights["bias"], *held_out)[0])
    return HeadRun(weights["kernel"], weights["bias"], np.array(step_losses), np.array(pass_losses),
                   np.array(held_out_losses))


def _step_losses(keras, windows: int, batch_size: int):
    """A callback that records each step's own loss. Keras's logs hold the mean since the pass
    began, weighted by each batch's size (the last batch of a pass may be smaller): undo it."""
    sizes = [min(batch_size, windows - start) for start in range(0, windows, batch_size)]

    class StepLosses(keras.callbacks.Callback):
        losses: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self.total, self.seen = 0.0, 0

        def on_train_batch_end(self, batch, logs=None):
            self.seen += sizes[batch]
            total = float(logs["loss"]) * self.seen  # the loss summed over the pass's windows so far
            self.losses.append((total - self.total) / sizes[batch])
            self.total = total

    record = StepLosses()
    record.losses = []
    return record


def keras_fit_head(kernel, bias, summaries, targets, learning_rate: float, passes: int,
                   batch_size: int = BATCH_SIZE, held_out: tuple[np.ndarray, np.ndarray] | None = None,
                   epsilon: float = ADAM_EPSILON) -> HeadRun:
    """The same training by Keras: `fit` on a Dense layer holding the same weights (float32).

    The layer has no activation and the loss takes logits (from_logits=True): the same
    softmax and cross-entropy, and the exact gradient p - onehot (Keras's loss on
    probabilities clips them at 1e-7, which changes the gradient of very unlikely words).
    """
    import keras

    check_settings(learning_rate, passes)
    kernel = np.asarray(kernel, dtype=np.float32)
    inputs = keras.Input(shape=(kernel.shape[0],))
    dense = keras.layers.Dense(kernel.shape[1], name="dense_softmax")
    head = keras.Model(inputs, dense(inputs))
    dense.set_weights([kernel, np.asarray(bias, dtype=np.float32)])
    head.compile(optimizer=keras.optimizers.Adam(learning_rate, epsilon=epsilon),
                 loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    record = _step_losses(keras, len(summaries), batch_size)
    validation = None
    if held_out is not None and len(held_out[0]):
        validation = (np.asarray(held_out[0], dtype=np.float32), np.asarray(held_out[1]))
    with one_torch_thread():
        history = head.fit(np.asarray(summaries, dtype=np.float32), np.asarray(targets), batch_size=batch_size,
                           epochs=passes, shuffle=False, verbose=0, callbacks=[record], validation_data=validation)
    trained_kernel, trained_bias = dense.get_weights()
    return HeadRun(trained_kernel.astype(np.float64), trained_bias.astype(np.float64), np.array(record.losses),
                   np.array(history.history["loss"]), np.array(history.history.get("val_loss", [])))


def numpy_and_keras(model, vocabulary: Vocabulary, text: str | None = None, tokens: int = 313,
                    learning_rate: float = 1e-3, passes: int = 4) -> tuple[HeadRun, HeadRun]:
    """The same fine-tuning twice from the model's dense weights: train_head (NumPy), keras_fit_head (Keras).

    Default: the first 313 tokens of a speech from the plays, three times over: 300 windows,
    5 steps a pass (the last of 44 windows), 4 passes = 20 steps; its last 40 windows held out.
    """
    engine = NumpyTextGenerator.from_keras(model) if hasattr(model, "get_layer") else model
    text = EXAMPLE_TEXTS["a speech from the plays (As You Like It)"] * 3 if text is None else text
    x, y = make_windows(np.array(vocabulary.encode(tokenize(text))[:tokens]), engine.config.sequence_length)
    summaries = Summarizer(engine.embedding, engine.lstm_1, engine.lstm_2)(x)  # computed once
    held_out = (summaries[-40:], y[-40:])
    return tuple(train(engine.dense_kernel, engine.dense_bias, summaries, y, learning_rate, passes,
                       held_out=held_out) for train in (train_head, keras_fit_head))


# ---- the whole thing on a text --------------------------------------------------------------

def rising_words(before: np.ndarray, after: np.ndarray, vocabulary: Vocabulary,
                 count: int = 10) -> list[tuple[str, float, float]]:
    """The words whose mean probability rose most: (word, before, after), the largest rise first.

    before, after: each word's mean probability over the text's windows; <pad> and <unk> are
    left out; ties go to the lower id (a stable sort, as the page's).
    """
    rise = np.asarray(after, dtype=np.float64) - before
    rise[[PAD_ID, UNKNOWN_ID]] = -np.inf
    order = np.argsort(-rise, kind="stable")[:count]
    return [(vocabulary.words[i], float(before[i]), float(after[i])) for i in order]


@dataclass(frozen=True)
class FineTuning:
    """What the "train it yourself" explorer shows."""

    text: TrainingText
    windows: int  # windows trained on
    held_out_windows: int
    run: HeadRun
    loss_before: float  # on the training windows, before the first step
    held_out_before: float | None  # on the held-out windows (None: the text is too short to hold any out)
    rising: list[tuple[str, float, float]]  # rising_words
    seed_text: str
    continuation_before: str  # the seed text continued by the shipped model ...
    continuation_after: str  # ... and by the fine-tuned one, with the same random seed


def fine_tune_head(model, vocabulary: Vocabulary, text: str, learning_rate: float = 0.003, passes: int = 5,
                   seed_text: str | None = None, seed: int = 0, num_words: int = 20, count: int = 10,
                   batch_size: int = BATCH_SIZE) -> FineTuning:
    """Fine-tune the model's dense layer on text (a copy: the model is not changed) and say what changed.

    model: a Keras model or a NumpyTextGenerator. seed_text: what to continue before and after
    (default: the text's first five tokens); the continuations use top-p 0.9 with the same seed.
    """
    check_settings(learning_rate, passes)
    engine = NumpyTextGenerator.from_keras(model) if hasattr(model, "get_layer") else model
    length = engine.config.sequence_length
    reading = read_training_text(vocabulary, text, length)
    (x, y), (held_x, held_y) = split_windows(reading.ids, length)
    summarize = Summarizer(engine.embedding, engine.lstm_1, engine.lstm_2)  # frozen: computed once
    summaries = summarize(x).astype(np.float64)  # (windows, 100)
    held_summaries = summarize(held_x).astype(np.float64) if len(held_x) else summaries[:0]
    kernel, bias = engine.dense_kernel.astype(np.float64), engine.dense_bias.astype(np.float64)
    loss_before, mean_before = head_loss(kernel, bias, summaries, y)
    held_before = head_loss(kernel, bias, held_summaries, held_y)[0] if len(held_x) else None
    run = train_head(kernel, bias, summaries, y, learning_rate, passes, batch_size, (held_summaries, held_y))
    mean_after = head_loss(run.kernel, run.bias, summaries, y)[1]
    seed_text = seed_text if seed_text is not None else " ".join(vocabulary.tokens(reading.ids[:5]))
    tuned = dataclasses.replace(engine, dense_kernel=run.kernel, dense_bias=run.bias)
    before, after = (generate(e, vocabulary, seed_text, num_words, strategy="top_p", top_p=0.9, seed=seed).text
                     for e in (engine, tuned))
    return FineTuning(reading, len(x), len(held_x), run, loss_before, held_before,
                      rising_words(mean_before, mean_after, vocabulary, count), seed_text, before, after)
