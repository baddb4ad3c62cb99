"""How good is a next-word model? Perplexity, accuracy and baselines (chapter: book/why_two_lstms.ipynb).

Perplexity is exp(mean cross-entropy): the number of words the model is, on average,
as unsure as if it were choosing uniformly among them. Lower is better; a model that
knows nothing scores vocab_size. Every model here is scored on the same targets (the
validation windows' next words), so the numbers compare directly:
    UnigramModel       word frequencies alone, ignoring the context (add-one smoothed)
    KneserNeyTrigram   the classic count-based model: the last two words, with
                       interpolated Kneser-Ney smoothing
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import next_word_probabilities


@dataclass(frozen=True)
class Evaluation:
    """Scores of one model on one set of (context, next word) pairs."""

    loss: float  # mean cross-entropy in nats
    perplexity: float  # exp(loss)
    accuracy: float  # share of targets that are the model's most likely word
    top5_accuracy: float  # share of targets among the model's five most likely words
    windows: int  # how many targets were scored

    def __str__(self) -> str:
        return (f"perplexity {self.perplexity:.1f}, accuracy {self.accuracy:.1%}, "
                f"top-5 accuracy {self.top5_accuracy:.1%} ({self.windows:,} windows)")


def score_probabilities(probability_batches, targets: np.ndarray) -> Evaluation:
    """Evaluate from batches of full next-word distributions (n_i, vocab) matching targets."""
    losses, hits, top5 = [], 0, 0
    start = 0
    for probabilities in probability_batches:
        batch_targets = targets[start : start + len(probabilities)]
        start += len(probabilities)
        rows = np.arange(len(batch_targets))
        target_probability = probabilities[rows, batch_targets]
        losses.append(-np.log(np.maximum(target_probability.astype(np.float64), 1e-30)))
        # rank = how many words the model finds strictly more likely than the target
        rank = (probabilities > target_probability[:, None]).sum(axis=1)
        hits += int((rank == 0).sum())
        top5 += int((rank < 5).sum())
    if start != len(targets):
        raise ValueError(f"score_probabilities: got {start} distributions for {len(targets)} targets.")
    loss = float(np.concatenate(losses).mean())
    return Evaluation(loss, float(np.exp(loss)), hits / start, top5 / start, start)


def evaluate(model, windows: np.ndarray, targets: np.ndarray, batch_size: int = 2048) -> Evaluation:
    """Score a model (Keras, twin or NumPy engine) on windows (n, 13) and next ids (n,)."""
    windows, targets = np.asarray(windows), np.asarray(targets)
    if len(windows) != len(targets) or len(targets) == 0:
        raise ValueError(f"evaluate: need as many targets as windows (and at least one), got "
                         f"{len(windows)} windows and {len(targets)} targets.")
    batches = (next_word_probabilities(model, windows[i : i + batch_size]) for i in range(0, len(windows), batch_size))
    return score_probabilities(batches, targets)


class UnigramModel:
    """p(word) from training counts, add-one smoothed; the context is ignored."""

    def __init__(self, train_ids, vocab_size: int) -> None:
        counts = np.bincount(np.asarray(train_ids), minlength=vocab_size).astype(np.float64)
        counts[0] = 0.0  # padding is never a next word
        self.probabilities = (counts + 1.0) / (counts + 1.0).sum()
        self.probabilities[0] = 0.0
        self.probabilities /= self.probabilities.sum()

    def evaluate(self, windows: np.ndarray, targets: np.ndarray, batch_size: int = 4096) -> Evaluation:
        batches = (np.broadcast_to(self.probabilities, (len(targets[i : i + batch_size]), len(self.probabilities)))
                   for i in range(0, len(targets), batch_size))
        return score_probabilities(batches, np.asarray(targets))


class KneserNeyTrigram:
    """Interpolated Kneser-Ney trigram model over word ids (Chen & Goodman 1998, one discount).

        p(w | u, v) = max(c(u,v,w) - d, 0) / c(u,v,.) + gamma(u,v) * p2(w | v)
        p2(w | v)   = max(N(.,v,w) - d, 0) / N(.,v,.) + gamma(v) * p1(w)
        p1(w)       = (N(.,w) + add) / (N(.,.) + add * V)
    c counts occurrences, N counts distinct left neighbours (continuation counts), and
    gamma is the mass the discount frees. Unseen contexts fall back to the lower order.
    With add=0 this is nltk.lm.KneserNeyInterpolated(order=3); tests check that, and
    this vectorized version scores 100,000 windows in seconds where nltk takes hours.
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

    def evaluate(self, windows: np.ndarray, targets: np.ndarray, batch_size: int = 2048) -> Evaluation:
        """Score on the same windows as the neural model, using each window's last two ids."""
        windows = np.asarray(windows)
        batches = (self.probabilities(windows[i : i + batch_size, -2:]) for i in range(0, len(windows), batch_size))
        return score_probabilities(batches, np.asarray(targets))
