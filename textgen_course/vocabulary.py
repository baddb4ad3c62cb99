"""Vocabulary: words <-> ids (chapter: book/text_to_ids.ipynb).

Id 0 is padding (fills short windows on the left), id 1 stands for every word outside
the vocabulary, and ids 2.. are the most frequent tokens of the training text, most
frequent first; ties are broken alphabetically so the same text always gives the same ids.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .text import PUNCTUATION, CorpusStatistics, detokenize, tokenize

PAD_ID = 0
UNKNOWN_ID = 1
PAD = "<pad>"
UNKNOWN = "<unk>"
FORMAT = "textgen_course.vocabulary/1"


def ranked_counts(tokens: Iterable[str]) -> list[tuple[str, int]]:
    """Every distinct token with its count, in vocabulary order: most frequent first, ties alphabetical."""
    return sorted(Counter(tokens).items(), key=lambda item: (-item[1], item[0]))


def coverage_by_size(tokens: list[str], sizes) -> np.ndarray:
    """For each vocabulary size: the share of running tokens a vocabulary of that size knows.

    A vocabulary of size n holds padding, unknown and the n - 2 most frequent tokens, as
    Vocabulary.from_tokens builds it. Returns an array with one share per size; a size
    larger than the text's distinct tokens + 2 covers everything (1.0).
    """
    sizes = np.asarray(sizes)
    if sizes.ndim > 1 or sizes.size == 0 or not np.issubdtype(sizes.dtype, np.integer) or sizes.min() < 2:
        raise ValueError(f"coverage_by_size: sizes must be integers >= 2, got {sizes.tolist()!r}.")
    counts = np.array([count for _, count in ranked_counts(tokens)], dtype=np.int64)
    if counts.size == 0:
        raise ValueError("coverage_by_size: the text contains no tokens.")
    covered = np.concatenate([[0], np.cumsum(counts)])  # covered[k]: tokens among the k most frequent types
    real_words = np.minimum(sizes - 2, counts.size)  # the two special entries cover nothing
    return covered[real_words] / covered[-1]


@dataclass(frozen=True)
class Vocabulary:
    """An ordered list of words; a word's position is its id."""

    words: tuple[str, ...]  # words[0] == "<pad>", words[1] == "<unk>"
    counts: tuple[int, ...] = ()  # training-text frequency of each entry (0 for the specials)
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.words) < 3 or self.words[PAD_ID] != PAD or self.words[UNKNOWN_ID] != UNKNOWN:
            raise ValueError(
                f"Vocabulary: expected ('{PAD}', '{UNKNOWN}', word, ...), got {self.words[:3]}."
            )
        if len(set(self.words)) != len(self.words):
            raise ValueError("Vocabulary: words must be unique.")
        if self.counts and len(self.counts) != len(self.words):
            raise ValueError("Vocabulary: counts must give one count per word.")
        object.__setattr__(self, "_index", {word: i for i, word in enumerate(self.words)})

    @classmethod
    def from_text(cls, text: str, size: int = 4818) -> "Vocabulary":
        """The size - 2 most frequent tokens of text, after padding and unknown."""
        return cls.from_tokens(tokenize(text), size)

    @classmethod
    def from_tokens(cls, tokens: list[str], size: int = 4818) -> "Vocabulary":
        """Like from_text, for text that is already tokenized."""
        if isinstance(size, bool) or not isinstance(size, int) or size < 3:
            raise ValueError(f"Vocabulary: size must be an integer >= 3, got {size!r}.")
        ranked = ranked_counts(tokens)  # most frequent first, ties alphabetical
        if not ranked:
            raise ValueError("Vocabulary: the text contains no words to build a vocabulary from.")
        if len(ranked) < size - 2:
            raise ValueError(
                f"Vocabulary: size={size} needs at least {size - 2} distinct tokens, the text has "
                f"{len(ranked)}. Use a smaller size or a longer text."
            )
        kept = ranked[: size - 2]
        return cls(
            words=(PAD, UNKNOWN, *(word for word, _ in kept)),
            counts=(0, 0, *(count for _, count in kept)),
        )

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self._index

    def id_of(self, word: str) -> int:
        """A word's id; UNKNOWN_ID for words outside the vocabulary."""
        return self._index.get(word, UNKNOWN_ID)

    def encode(self, text: str | list[str]) -> list[int]:
        """Text (or a list of tokens) -> ids, unknown words -> UNKNOWN_ID."""
        tokens = tokenize(text) if isinstance(text, str) else list(text)
        return [self._index.get(token, UNKNOWN_ID) for token in tokens]

    def unknown_words(self, text: str | list[str]) -> list[str]:
        """The tokens of text that are not in the vocabulary, in order, each once."""
        tokens = tokenize(text) if isinstance(text, str) else list(text)
        return list(dict.fromkeys(token for token in tokens if token not in self._index))

    def tokens(self, ids) -> list[str]:
        """Ids -> tokens (padding is skipped)."""
        tokens = []
        for raw in ids:
            i = int(raw)
            if not 0 <= i < len(self.words):
                raise ValueError(f"Vocabulary: id {i} is outside [0, {len(self.words)}).")
            if i != PAD_ID:
                tokens.append(self.words[i])
        return tokens

    def decode(self, ids) -> str:
        """Ids -> readable text (padding skipped, unknown shown as <unk>)."""
        return detokenize(self.tokens(ids))

    def statistics(self, text: str | list[str]) -> CorpusStatistics:
        """Tokens, types, coverage and unknown share of text under this vocabulary."""
        tokens = tokenize(text) if isinstance(text, str) else list(text)
        if not tokens:
            raise ValueError("Vocabulary.statistics: the text contains no tokens.")
        known = sum(1 for token in tokens if token in self._index)
        return CorpusStatistics(
            tokens=len(tokens),
            word_tokens=sum(1 for token in tokens if token not in PUNCTUATION),
            types=len(set(tokens)),
            vocabulary_size=len(self),
            coverage=known / len(tokens),
            unknown_share=1 - known / len(tokens),
        )

    def to_json(self) -> str:
        """The vocabulary as JSON text (what an artifact stores)."""
        return json.dumps({"format": FORMAT, "words": list(self.words), "counts": list(self.counts)})

    @classmethod
    def from_json(cls, text: str) -> "Vocabulary":
        """Read to_json() output; anything else gets a clear error."""
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
            return cls(words=tuple(data["words"]), counts=tuple(data.get("counts", ())))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as error:
            raise ValueError(f"Vocabulary.from_json: not a saved vocabulary ({error}).") from None

    def save(self, path: str | Path) -> None:
        """Write the vocabulary to a JSON file."""
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "Vocabulary":
        """Read a vocabulary saved with save()."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"Vocabulary.load: no file at {str(path)!r}.")
        return cls.from_json(path.read_text(encoding="utf-8"))
