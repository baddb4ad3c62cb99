"""Writing text one word at a time (chapters: book/softmax_head.ipynb, book/data_flow.ipynb).

Each step turns the last 13 words into a next-word distribution, picks a word with one
of four strategies, appends it and slides the window:
    greedy        the most likely word, always (deterministic, often repetitive)
    temperature   sample from p ** (1 / T), renormalized: T < 1 safer, T > 1 wilder
    top_k         sample among the k most likely words only
    top_p         sample among the fewest words whose probabilities add up to p ("nucleus")
Temperature applies before top-k and top-p. Padding is never emitted, and the unknown
word only when allow_unknown=True.

Also here, for the chapters: the window a seed text becomes (seed_window), and the model's
next-word distribution after it and its top words. How spread out a distribution is and how
varied a generated text is are measured in analysis/softmax_head.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import config_of, next_word_probabilities
from .numpy_model import NumpyTextGenerator
from .text import PUNCTUATION, detokenize, tokenize
from .vocabulary import PAD_ID, UNKNOWN_ID, Vocabulary
from .windows import pad_left

STRATEGIES = ("greedy", "temperature", "top_k", "top_p")
ENGINES = ("numpy", "keras")  # what runs a Keras model's forward pass in generate


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Reshape a distribution: p_i ** (1 / temperature), renormalized (same as softmax(logits / T))."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}.")
    logs = np.log(np.maximum(np.asarray(probabilities, dtype=np.float64), 1e-300)) / temperature
    logs -= logs.max(axis=-1, keepdims=True)
    weights = np.exp(logs) * (np.asarray(probabilities) > 0)
    return weights / weights.sum(axis=-1, keepdims=True)


def top_k_filter(probabilities: np.ndarray, k: int) -> np.ndarray:
    """Keep the k most likely words (ties broken by lower id), renormalized."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= probabilities.shape[-1]:
        raise ValueError(f"top_k must be an integer in 1..{probabilities.shape[-1]}, got {k!r}.")
    order = np.argsort(-probabilities, axis=-1, kind="stable")
    kept = np.zeros_like(probabilities, dtype=bool)
    np.put_along_axis(kept, order[..., :k], True, axis=-1)
    filtered = np.where(kept, probabilities, 0.0)
    return filtered / filtered.sum(axis=-1, keepdims=True)


def top_p_filter(probabilities: np.ndarray, p: float) -> np.ndarray:
    """Keep the fewest most likely words whose total probability reaches p, renormalized."""
    if not 0 < p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {p}.")
    probabilities = np.asarray(probabilities, dtype=np.float64)
    order = np.argsort(-probabilities, axis=-1, kind="stable")
    sorted_probabilities = np.take_along_axis(probabilities, order, axis=-1)
    before = np.cumsum(sorted_probabilities, axis=-1) - sorted_probabilities  # mass above each word
    keep_sorted = before < p * sorted_probabilities.sum(axis=-1, keepdims=True)  # always keeps the first
    kept = np.zeros_like(keep_sorted)
    np.put_along_axis(kept, order, keep_sorted, axis=-1)
    filtered = np.where(kept, probabilities, 0.0)
    return filtered / filtered.sum(axis=-1, keepdims=True)


class Mulberry32:
    """The random numbers of sampled generation: mulberry32, a tiny 32-bit generator (Tommy Ettinger, 2017).

    The same few lines run in the book's pages (book/web/textgen_engine.mjs, `mulberry32`), so
    a seed gives the same sampled words in Python, on the command line and in the browser.
    Every operation is on unsigned 32-bit integers (JavaScript's Math.imul, >>> and |0 are
    written here as `& 0xFFFFFFFF`). The seed is taken modulo 2**32; seed=None picks one at random.
    Each call to random() returns one float in [0, 1) with 32 random bits.
    """

    MASK = 0xFFFFFFFF

    def __init__(self, seed: int | None = None) -> None:
        if seed is None:
            import secrets

            seed = secrets.randbits(32)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"seed must be a whole number or None, got {seed!r}.")
        self.state = int(seed) & self.MASK

    def random(self) -> float:
        """The next number in [0, 1)."""
        mask = self.MASK
        self.state = (self.state + 0x6D2B79F5) & mask  # a = a + 0x6D2B79F5 | 0
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & mask  # Math.imul(a ^ a >>> 15, a | 1)
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & mask)) & mask  # t ^= t + Math.imul(t ^ t >>> 7, t | 61)
        return ((t ^ (t >> 14)) & mask) / 4294967296.0  # ((t ^ t >>> 14) >>> 0) / 2 ** 32


def draw_word(distribution: np.ndarray, uniform: float) -> int:
    """The word id a uniform number in [0, 1) picks from a distribution (vocab_size,): the inverse CDF.

    The first id whose running total exceeds uniform * total; side='right' can never land on
    a zero-probability word. Running totals are summed left to right in float64, as in the page.
    """
    cumulative = np.cumsum(np.asarray(distribution, dtype=np.float64))  # (vocab_size,)
    next_id = int(np.searchsorted(cumulative, uniform * cumulative[-1], side="right"))
    return min(next_id, len(cumulative) - 1)


def check_strategy(strategy: str, temperature: float, top_k: int | None, top_p: float | None) -> None:
    """Reject settings that do not fit the strategy, with a message saying what is allowed."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}.")
    if not (isinstance(temperature, (int, float)) and temperature > 0):
        raise ValueError(f"temperature must be > 0, got {temperature!r}.")
    if strategy == "greedy" and temperature != 1.0:
        raise ValueError("greedy always picks the most likely word; temperature needs a sampling strategy.")
    if strategy == "top_k" and top_k is None:
        raise ValueError("strategy='top_k' needs top_k, e.g. top_k=40.")
    if strategy == "top_p" and top_p is None:
        raise ValueError("strategy='top_p' needs top_p in (0, 1], e.g. top_p=0.9.")
    if top_k is not None and strategy != "top_k":
        raise ValueError(f"top_k is only used with strategy='top_k', not {strategy!r}.")
    if top_p is not None and strategy != "top_p":
        raise ValueError(f"top_p is only used with strategy='top_p', not {strategy!r}.")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}.")


def sampling_distribution(
    probabilities: np.ndarray,
    strategy: str = "greedy",
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    allow_unknown: bool = False,
) -> np.ndarray:
    """The distribution a strategy draws the next word from (greedy: all mass on the argmax)."""
    check_strategy(strategy, temperature, top_k, top_p)
    probabilities = np.array(probabilities, dtype=np.float64)
    probabilities[..., PAD_ID] = 0.0
    if not allow_unknown:
        probabilities[..., UNKNOWN_ID] = 0.0
    probabilities /= probabilities.sum(axis=-1, keepdims=True)
    if strategy == "greedy":
        one_hot = np.zeros_like(probabilities)
        np.put_along_axis(one_hot, probabilities.argmax(axis=-1)[..., None], 1.0, axis=-1)
        return one_hot
    probabilities = apply_temperature(probabilities, temperature)
    if strategy == "top_k":
        return top_k_filter(probabilities, top_k)
    if strategy == "top_p":
        return top_p_filter(probabilities, top_p)
    return probabilities


def seed_tokens(seed_text: str) -> list[str]:
    """The tokens of a seed text; a ValueError when it holds no word to continue."""
    if not isinstance(seed_text, str):
        raise ValueError(f"seed_text must be a string, got {type(seed_text).__name__}.")
    tokens = tokenize(seed_text)
    if not any(token not in PUNCTUATION for token in tokens):
        raise ValueError(
            f"seed_text is empty (no words in {seed_text!r}): give at least one word to continue, e.g. 'to be or not'."
        )
    return tokens


def seed_window(vocabulary: Vocabulary, seed_text: str, sequence_length: int = 13) -> np.ndarray:
    """The window the model reads for a seed text: its last sequence_length ids, left-padded with 0.

    Returns (sequence_length,) int32; unknown words become the unknown id, as in generate.
    """
    return pad_left(vocabulary.encode(seed_tokens(seed_text)), sequence_length)


def next_word_distribution(model, vocabulary: Vocabulary, seed_text: str) -> np.ndarray:
    """The model's next-word probabilities after seed_text: (vocab_size,), summing to 1.

    model: a Keras model (read through the NumPy engine, as generate does), its twin or a
    NumpyTextGenerator.
    """
    config = config_of(model)
    if hasattr(model, "get_layer"):
        model = NumpyTextGenerator.from_keras(model)
    window = seed_window(vocabulary, seed_text, config.sequence_length)[None, :]  # (1, 13)
    return next_word_probabilities(model, window)[0]  # (vocab_size,)


def top_words(probabilities: np.ndarray, vocabulary: Vocabulary, k: int = 10) -> list[tuple[str, float]]:
    """The k most likely words of one distribution (vocab_size,), most likely first, as (word, p)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 1 or len(probabilities) != len(vocabulary):
        raise ValueError(
            f"top_words: expected one distribution of shape ({len(vocabulary)},), got {probabilities.shape}."
        )
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"top_words: k must be a positive integer, got {k!r}.")
    order = np.argsort(-probabilities, kind="stable")[:k]  # ties: lower id first
    return [(vocabulary.words[i], float(probabilities[i])) for i in order]


@dataclass(frozen=True)
class Generation:
    """A generated text, with what the model read and what it could not."""

    text: str  # the seed followed by the new words, as readable text
    continuation: str  # only the new words
    new_ids: tuple[int, ...]
    unknown_words: tuple[str, ...]  # seed words outside the vocabulary (read as <unk>)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        note = f"\n(read as <unk>: {', '.join(self.unknown_words)})" if self.unknown_words else ""
        return self.text + note


def generate(
    model,
    vocabulary: Vocabulary,
    seed_text: str,
    num_words: int = 20,
    strategy: str = "greedy",
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    seed: int | None = None,
    allow_unknown: bool = False,
    engine: str = "numpy",
) -> Generation:
    """Continue seed_text by num_words words.

    model: a Keras model of either architecture (build_architecture, load_pretrained,
    load_artifact), the PyTorch twin, or a NumpyTextGenerator. With a Keras model,
    engine="numpy" (default) reads its current weights into the NumPy forward pass, which
    tests hold equal to Keras and which is faster for one window; engine="keras" calls the
    Keras model each step. Other models run as they are (engine="keras" is refused).
    seed makes the sampling strategies reproducible (Mulberry32: the same words as the book's pages give).
    """
    check_strategy(strategy, temperature, top_k, top_p)
    tokens = seed_tokens(seed_text)
    if isinstance(num_words, bool) or not isinstance(num_words, int) or num_words < 1:
        raise ValueError(f"num_words must be a whole number >= 1, got {num_words!r}.")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}.")
    if engine == "keras" and not hasattr(model, "get_layer"):
        raise ValueError(f"engine='keras' needs a Keras model, got {type(model).__name__}: "
                         "it runs as it is, so leave engine at its default.")
    config = config_of(model)
    if len(vocabulary) != config.vocab_size:
        raise ValueError(
            f"the vocabulary has {len(vocabulary)} words but the model predicts {config.vocab_size}: "
            "use the vocabulary the model was trained with."
        )
    if engine == "numpy" and hasattr(model, "get_layer"):
        model = NumpyTextGenerator.from_keras(model)
    rng = Mulberry32(seed)
    ids = vocabulary.encode(tokens)
    new_ids: list[int] = []
    for _ in range(num_words):
        window = pad_left(ids, config.sequence_length)[None, :]  # (1, 13)
        probabilities = next_word_probabilities(model, window)[0]  # (vocab_size,)
        distribution = sampling_distribution(probabilities, strategy, temperature, top_k, top_p, allow_unknown)
        if strategy == "greedy":
            next_id = int(distribution.argmax())
        else:
            next_id = draw_word(distribution, rng.random())
        ids.append(next_id)
        new_ids.append(next_id)
    return Generation(
        text=detokenize(tokens + vocabulary.tokens(new_ids)),  # the seed as typed
        continuation=vocabulary.decode(new_ids),
        new_ids=tuple(new_ids),
        unknown_words=tuple(vocabulary.unknown_words(tokens)),
    )
