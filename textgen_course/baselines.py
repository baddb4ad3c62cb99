"""The count-based baselines every neural model is compared with (chapter: book/why_two_lstms.ipynb).

    UnigramModel       word frequencies alone, ignoring the context (add-one smoothed)
    KneserNeyTrigram   the classic count-based model: the last two words, with
                       interpolated Kneser-Ney smoothing
Both have window_probabilities(windows), so evaluation.evaluate scores them on the same
validation windows as the neural models; fit_baselines counts them on the training part.
"""

from __future__ import annotations

import numpy as np

from .evaluation import Evaluation, evaluate
from .windows import split_ids


class UnigramModel:
    """p(word) from training counts, add-one smoothed; the context is ignored."""

    def __init__(self, train_ids, vocab_size: int) -> None:
        counts = np.bincount(np.asarray(train_ids), minlength=vocab_size).astype(np.float64)
        counts[0] = 0.0  # padding is never a next word
        self.probabilities = (counts + 1.0) / (counts + 1.0).sum()
        self.probabilities[0] = 0.0
        self.probabilities /= self.probabilities.sum()

    def window_probabilities(self, windows: np.ndarray) -> np.ndarray:
        """The same distribution (n, vocab_size) for every window (n, 13)."""
        return np.broadcast_to(self.probabilities, (len(windows), len(self.probabilities)))

    def evaluate(self, windows: np.ndarray, targets: np.ndarray, batch_size: int = 4096) -> Evaluation:
        return evaluate(self, windows, targets, batch_size)


class KneserNeyTrigram:
    """Interpolated Kneser-Ney trigram model over word ids (Chen & Goodman 1998, one discount).

        p(w | u, v) = max(c(u,v,w) - d, 0) / c(u,v,.) + gamma(u,v) * p2(w | v)
        p2(w | v)   = max(N(.,v,w) - d, 0) / N(.,v,.) + gamma(v) * p1(w)
        p1(w)       = (N(.,w) + add) / (N(.,.) + add * V)
    c counts occurrences, N counts distinct left neighbours (continuation counts), and
    gamma is the mass the discount frees. Unseen contexts fall back to the lower order.
    With add=0 this is nltk.lm.KneserNeyInterpolated(order=3); tests check that. It is
    vectorized over the windows, so scoring every validation window stays practical.
    """

    def __init__(self, train_pieces, vocab_size: int, discount: float = 0.75, add: float = 1.0) -> None:
        if not 0 < discount < 1:
            raise ValueError(f"KneserNeyTrigram: discount must be in (0, 1), got {discount}.")
        self.vocab_size, self.discount = vocab_size, discount
        V = vocab_size
        trigrams = np.concatenate([self._ngram_keys(np.asarray(p, np.int64), 3) for p in train_pieces])
        bigrams = np.concatenate([self._ngram_keys(np.asarray(p, np.int64), 2) for p in train_pieces])
        tri_keys, tri_counts = np.unique(trigrams, return_counts=True)
        self._tri_keys, self._tri_counts = tri_keys, tri_counts.astype(np.float64)
        # highest order: totals and distinct continuations per (u, v) context
        context = tri_keys // V
        self._context_keys, first = np.unique(context, return_index=True)
        self._context_total = np.add.reduceat(self._tri_counts, first)
        self._context_types = np.diff(np.append(first, len(context))).astype(np.float64)
        # middle order: N(., v, w) = distinct u before (v, w), from the distinct trigrams
        continuation = np.bincount(tri_keys % (V * V), minlength=V * V).astype(np.float64).reshape(V, V)
        totals = continuation.sum(axis=1, keepdims=True)
        types = (continuation > 0).sum(axis=1, keepdims=True)
        safe = np.maximum(totals, 1.0)
        # p1 from bigram continuation counts: N(., w) = distinct v before w
        left_neighbours = np.bincount(np.unique(bigrams) % V, minlength=V).astype(np.float64)
        left_neighbours[0] = 0.0
        p1 = (left_neighbours + add) / (left_neighbours.sum() + add * V)
        if add > 0:
            p1[0] = 0.0
            p1 /= p1.sum()
        self.unigram = p1
        gamma = np.where(totals > 0, discount * types / safe, 1.0)
        self.bigram = (np.maximum(continuation - discount, 0.0) / safe + gamma * p1).astype(np.float32)  # (V, V)

    def _ngram_keys(self, ids: np.ndarray, n: int) -> np.ndarray:
        if len(ids) < n:
            return np.empty(0, np.int64)
        windows = np.lib.stride_tricks.sliding_window_view(ids, n)
        keys = np.zeros(len(windows), np.int64)
        for column in range(n):
            keys = keys * self.vocab_size + windows[:, column]
        return keys

    def probabilities(self, contexts: np.ndarray) -> np.ndarray:
        """Full next-word distributions (n, V) for contexts (n, 2) = the last two word ids."""
        contexts = np.asarray(contexts, np.int64)
        V, d = self.vocab_size, self.discount
        u, v = contexts[:, 0], contexts[:, 1]
        context_keys = u * V + v
        where = np.searchsorted(self._context_keys, context_keys)
        where = np.minimum(where, len(self._context_keys) - 1)
        seen = self._context_keys[where] == context_keys
        total = np.where(seen, self._context_total[where], 1.0)
        gamma = np.where(seen, d * self._context_types[where] / total, 1.0)
        result = gamma[:, None] * self.bigram[v].astype(np.float64)
        # add the discounted trigram counts of the seen contexts
        starts = np.searchsorted(self._tri_keys, context_keys * V)
        ends = np.searchsorted(self._tri_keys, (context_keys + 1) * V)
        for row in np.flatnonzero(seen):
            keys = self._tri_keys[starts[row] : ends[row]]
            result[row, keys % V] += np.maximum(self._tri_counts[starts[row] : ends[row]] - d, 0.0) / total[row]
        return result

    def window_probabilities(self, windows: np.ndarray) -> np.ndarray:
        """Next-word distributions (n, V) for windows (n, 13): only the last two ids count."""
        return self.probabilities(np.asarray(windows)[:, -2:])

    def evaluate(self, windows: np.ndarray, targets: np.ndarray, batch_size: int = 2048) -> Evaluation:
        """Score on the same windows as the neural model, using each window's last two ids."""
        return evaluate(self, windows, targets, batch_size)


def fit_baselines(ids, vocab_size: int, validation_fraction: float = 0.1) -> tuple[UnigramModel, KneserNeyTrigram]:
    """Both baselines, counted on the training part of ids only: the split that train() uses."""
    train_pieces, _ = split_ids(np.asarray(ids), validation_fraction)
    return UnigramModel(np.concatenate(train_pieces), vocab_size), KneserNeyTrigram(train_pieces, vocab_size)
