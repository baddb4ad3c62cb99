"""What the LSTM-1 chapter measures (chapter: book/lstm_context.ipynb, and its appendix).

The stage itself (builder, twin, cross-check) is in lstm_context.py, the plain-RNN model in
plain_rnn.py. Here, the chapter's measurements:

    why gates     train_recall (delayed recall: the answer is the word k back),
                  memory_by_distance and influence_by_distance (gradients by distance)
    the gates     position_correlation (counting units), feature_correlation and words_since
                  (units that follow the language)
    the vectors   word_identity_share, probe_recall, recall_by_width, keep_main_directions
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import torch

from ..config import ModelConfig
from ..embedding import torch_embedding_from_keras
from ..input_checks import check_word_ids
from ..lstm_context import build_lstm_context
from ..lstm_gates import LstmWeights, run_lstm, torch_lstm_from_keras
from ..plain_rnn import logits_from_meaning, recurrent_pair, torch_rnn_from_keras
from ..softmax_head import torch_softmax_head_from_keras
from ..training import one_torch_thread

# ---- why gates: delayed recall ------------------------------------------------------------------

RECALL_KINDS = ("plain RNN", "LSTM")  # keras.layers.SimpleRNN, keras.layers.LSTM


@dataclass(frozen=True)
class RecallConfig:
    """The delayed-recall task, and the one recipe both kinds of layer are trained with.

    Each sequence holds `length` words drawn from `words`; exactly one of them is marked (it
    comes in as a different id, like a word in capitals), and the answer is the marked word.
    It sits k words before the last, k = 1 .. length - 1, a different k in every sequence.
    """

    words: int = 10  # distinct words: guessing gets 1 in 10 right
    length: int = 13  # words per sequence, as in the course's windows
    embedding_dim: int = 16  # numbers per word going in
    # the word vectors start uniform in +-input_scale: about 2.3 long, as long as the shipped
    # model's trained word vectors (2.6 on average), where Keras's default start is 20 times shorter
    input_scale: float = 1.0
    units: int = 32  # the recurrent layer's width, the same for both kinds
    steps: int = 800  # Adam steps, each on a fresh batch of random sequences
    batch_size: int = 64  # sequences per step
    learning_rate: float = 0.01  # Adam's step size
    test_sequences: int = 500  # fresh sequences per distance k the accuracy is measured on

    @property
    def chance(self) -> float:
        """The accuracy of a guess: 1 / words."""
        return 1 / self.words

    @property
    def distances(self) -> np.ndarray:
        """The distances k measured: 1 .. length - 1."""
        return np.arange(1, self.length)


def recall_task(count: int, config: RecallConfig, rng: np.random.Generator,
                steps_back: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """count sequences of word ids (count, length) and their answers (count,), the marked words.

    Word w comes in as id w, and marked as id words + w. The marked word sits steps_back
    words before the last (k = 1 .. length - 1); steps_back None draws k for each sequence.
    """
    if steps_back is not None and not 1 <= steps_back < config.length:
        raise ValueError(f"recall_task: steps_back must lie in 1..{config.length - 1}, got {steps_back}.")
    ids = rng.integers(config.words, size=(count, config.length))  # (count, length)
    back = rng.integers(1, config.length, size=count) if steps_back is None else np.full(count, steps_back)
    rows, marked = np.arange(count), config.length - 1 - back
    answers = ids[rows, marked].copy()
    ids[rows, marked] += config.words  # the marked form of the same word
    return ids, answers


def build_recall_model(kind: str, config: RecallConfig, seed: int = 0) -> keras.Model:
    """Word ids (batch, length) -> embedding -> SimpleRNN or LSTM (last step only) -> softmax over the words.

    Both kinds start the way the course's layers start (Glorot input weights, orthogonal
    recurrent weights) and have the same width; the LSTM has four times the weights per unit.
    """
    if kind not in RECALL_KINDS:
        raise ValueError(f"kind must be one of {RECALL_KINDS}, got {kind!r}.")
    layer_type = keras.layers.SimpleRNN if kind == "plain RNN" else keras.layers.LSTM
    scale = config.input_scale
    word_ids = keras.Input(shape=(config.length,), dtype="int32")
    start = keras.initializers.RandomUniform(-scale, scale, seed)
    meaning = keras.layers.Embedding(2 * config.words, config.embedding_dim, name="embedding",
                                     embeddings_initializer=start)(word_ids)
    memory = layer_type(config.units, name="recurrent",  # (batch, units): the state after the last word
                        kernel_initializer=keras.initializers.GlorotUniform(seed),
                        recurrent_initializer=keras.initializers.Orthogonal(seed=seed))(meaning)
    answer = keras.layers.Dense(config.words, activation="softmax", name="dense_softmax",
                                kernel_initializer=keras.initializers.GlorotUniform(seed + 1))(memory)
    return keras.Model(word_ids, answer, name=f"recall_{kind.replace(' ', '_').lower()}")


class TorchRecallModel(torch.nn.Module):
    """The PyTorch twin of build_recall_model's model, holding a copy of its weights."""

    def __init__(self, model: keras.Model) -> None:
        super().__init__()
        recurrent = model.get_layer("recurrent")
        self.embedding = torch_embedding_from_keras(model.get_layer("embedding"))
        is_lstm = isinstance(recurrent, keras.layers.LSTM)
        self.recurrent = torch_lstm_from_keras(recurrent) if is_lstm else torch_rnn_from_keras(recurrent)
        self.head = torch_softmax_head_from_keras(model.get_layer("dense_softmax"))

    def logits(self, ids: torch.Tensor) -> torch.Tensor:
        """(batch, length) word ids -> (batch, words) scores."""
        every_step, _ = self.recurrent(self.embedding(ids))  # (batch, length, units)
        return self.head.logits(every_step[:, -1])


def recall_accuracy(twin: TorchRecallModel, config: RecallConfig) -> np.ndarray:
    """The share of right answers at each distance k = 1 .. length - 1: (length - 1,).

    The test sequences come from one fixed seed, so every model is scored on the same ones.
    """
    rng = np.random.default_rng(12345)
    accuracy = []
    with torch.no_grad():
        for k in config.distances:
            ids, answers = recall_task(config.test_sequences, config, rng, steps_back=int(k))
            guesses = twin.logits(torch.from_numpy(ids)).argmax(dim=-1).numpy()
            accuracy.append(float((guesses == answers).mean()))
    return np.array(accuracy)


def train_recall(kind: str, config: RecallConfig = RecallConfig(), seed: int = 0) -> np.ndarray:
    """Train one model on delayed recall; return its accuracy at each distance k = 1 .. length - 1.

    The model is built in Keras (build_recall_model, seeded) and trained through its PyTorch
    twin with Adam, config.steps steps of fresh random sequences (the learning chapter shows
    that Keras's fit and such a loop train alike; the loop is several times faster for a
    model this small). The twin's second bias stays at 0, as in learning.train_with_torch.
    It trains in float64: a plain RNN's training on this task is chaotic, and float32's
    rounding, which differs between CPUs, would decide where it ends.
    """
    twin = TorchRecallModel(build_recall_model(kind, config, seed)).double()  # see below
    for name, parameter in twin.named_parameters():
        parameter.requires_grad_("bias_hh" not in name)
    optimizer = torch.optim.Adam([p for p in twin.parameters() if p.requires_grad], lr=config.learning_rate)
    rng = np.random.default_rng(seed)
    with one_torch_thread():
        for _ in range(config.steps):
            ids, answers = recall_task(config.batch_size, config, rng)
            loss = torch.nn.functional.cross_entropy(twin.logits(torch.from_numpy(ids)), torch.from_numpy(answers))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return recall_accuracy(twin, config)


# ---- why gates: how much the word k back moves the memory and the prediction --------------------

def _first_layer_memory(twin, meaning: torch.Tensor) -> torch.Tensor:
    """What the first recurrent layer carries on after the last word: the LSTM's cell state, the RNN's h."""
    first, _ = recurrent_pair(twin)
    _, state = first(meaning)
    memory = state[1] if isinstance(state, tuple) else state  # LSTM: (h, c), keep c; plain RNN: h
    return memory[0]  # (batch, units)


def _meaning_of(twin, ids, name: str) -> torch.Tensor:
    """The windows' meaning vectors (batch, 13, 100), as a leaf tensor the gradients are taken with respect to."""
    recurrent_pair(twin)  # a clear error for anything but the two twins
    config = twin.config
    ids = check_word_ids(ids, config.vocab_size, config.sequence_length, name)
    if len(ids) == 0:
        raise ValueError(f"{name}: need at least one window, got none.")
    with torch.no_grad():
        meaning = twin.embedding(torch.as_tensor(ids))  # (batch, 13, 100)
    return meaning.clone().requires_grad_(True)


def _by_distance(squared_norms: torch.Tensor, name: str) -> np.ndarray:
    """(batch, steps) squared gradient norms -> (steps,) mean norm for k = 0, 1, ... back, relative to k = 0."""
    norms = squared_norms.sqrt().mean(dim=0).numpy()[::-1].astype(np.float64)  # index k: the word k back
    if not norms[0] > 0:
        raise ValueError(f"{name}: the last word does not move the output at all, so there is nothing to "
                         "compare with.")
    return norms / norms[0]


def memory_by_distance(twin, ids) -> np.ndarray:
    """How much the word k positions back moves the first recurrent layer's memory after the last word.

    twin: a PyTorch twin (torch_model_from_keras for the LSTMs, torch_plain_rnn_from_keras for
    the plain RNNs); ids: (batch, 13) windows. The memory is the vector the layer carries to
    the next step, (batch, units): the cell state c_13 of an LSTM, the hidden state h_13 of a
    plain RNN. For each window and each position, the gradient of every memory number with
    respect to that word's meaning vector (a (units, embedding_dim) Jacobian) is measured by
    its size (the Frobenius norm), averaged over the windows. Returns (13,): entry k for the
    word k positions before the last (k = 0 is the last word), divided by entry 0.
    """
    meaning = _meaning_of(twin, ids, "memory_by_distance")
    memory = _first_layer_memory(twin, meaning)  # (batch, units)
    squared = torch.zeros(meaning.shape[:2], dtype=torch.float64)  # (batch, 13)
    for unit in range(memory.shape[1]):  # one backward pass per memory number
        (gradient,) = torch.autograd.grad(memory[:, unit].sum(), meaning, retain_graph=True)  # (batch, 13, 100)
        squared += (gradient.double() ** 2).sum(dim=-1)
    return _by_distance(squared, "memory_by_distance")


def influence_by_distance(twin, ids, targets) -> np.ndarray:
    """How much the word k positions back moves the prediction of the word that came next.

    twin as for memory_by_distance; ids (batch, 13) windows and targets (batch,) the word
    that followed each. The output is log p(target), the number the loss is made of: its
    gradient with respect to each word's meaning vector (batch, 13, embedding_dim) is
    measured by its length, averaged over the windows. Returns (13,): entry k for the word
    k positions before the last, divided by entry 0.
    """
    meaning = _meaning_of(twin, ids, "influence_by_distance")
    targets = np.asarray(targets)
    if targets.shape != (len(meaning),) or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"influence_by_distance: expected one integer target per window, shape ({len(meaning)},), "
                         f"got {targets.dtype} {targets.shape}.")
    if targets.min() < 0 or targets.max() >= twin.config.vocab_size:
        raise ValueError(f"influence_by_distance: targets must lie in [0, {twin.config.vocab_size}).")
    log_probabilities = torch.log_softmax(logits_from_meaning(twin, meaning), dim=-1)  # (batch, vocab_size)
    chosen = log_probabilities[torch.arange(len(targets)), torch.as_tensor(targets, dtype=torch.long)]
    (gradient,) = torch.autograd.grad(chosen.sum(), meaning)  # (batch, 13, 100); the windows do not mix
    return _by_distance((gradient.double() ** 2).sum(dim=-1), "influence_by_distance")


# ---- what single units follow -------------------------------------------------------------------

def position_correlation(cell: np.ndarray) -> np.ndarray:
    """For each unit, how closely its cell state follows the position in the window.

    cell: (n, steps, units), the cell state c_t of n windows. Returns (units,): the
    correlation between c_t and t over all windows and steps. Near +1 or -1 the unit
    works as a counter: its memory grows (or falls) by about the same amount at every
    word, whatever the word is.
    """
    cell = np.asarray(cell, dtype=np.float64)
    if cell.ndim != 3 or cell.shape[1] < 2:
        raise ValueError(f"position_correlation: expected cell states (n, steps >= 2, units), got shape {cell.shape}.")
    position = np.broadcast_to(np.arange(cell.shape[1], dtype=np.float64)[None, :], cell.shape[:2])
    return feature_correlation(cell, position)


def feature_correlation(values: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """For each unit, the correlation of its value with a feature of the text, over every window and step.

    values: (n, steps, units), for example the hidden states; feature: (n, steps), a number
    per word (the position, or the number of words since the last sentence ended); NaN marks
    a word the feature does not apply to, left out. Returns (units,), each in -1..1; 0 for a
    unit that never changes.
    """
    values = np.asarray(values, dtype=np.float64)
    feature = np.asarray(feature, dtype=np.float64)
    if values.ndim != 3 or feature.shape != values.shape[:2]:
        raise ValueError(f"feature_correlation: expected values (n, steps, units) and a feature (n, steps), got "
                         f"{values.shape} and {feature.shape}.")
    known = ~np.isnan(feature)
    values, feature = values[known], feature[known]  # (words, units), (words,)
    if len(feature) < 2:
        raise ValueError("feature_correlation: the feature applies to fewer than 2 words.")
    values_centred = values - values.mean(axis=0)
    feature_centred = (feature - feature.mean())[:, None]  # (words, 1)
    covariance = (values_centred * feature_centred).mean(axis=0)  # (units,)
    spread = values_centred.std(axis=0) * feature_centred.std()
    return np.divide(covariance, spread, out=np.zeros_like(covariance), where=spread > 0)


def words_since(windows: np.ndarray, mark_ids) -> np.ndarray:
    """For each word of each window, how many words ago the last mark (say, a full stop) was read.

    windows: (n, steps) word ids; mark_ids: the ids that count as marks. Returns (n, steps):
    0 at a mark, 1 at the word after it, ...; NaN before the window's first mark (the window
    does not show how long ago the last one was).
    """
    windows = np.asarray(windows)
    if windows.ndim != 2:
        raise ValueError(f"words_since: expected windows (n, steps), got shape {windows.shape}.")
    marked = np.isin(windows, list(mark_ids))
    since = np.full(windows.shape, np.nan)
    count = np.full(len(windows), np.nan)
    for t in range(windows.shape[1]):
        count = np.where(marked[:, t], 0.0, count + 1)  # NaN + 1 stays NaN until the first mark
        since[:, t] = count
    return since


# ---- what the context vectors hold --------------------------------------------------------------

def word_identity_share(vectors: np.ndarray, word_ids: np.ndarray) -> float:
    """How much of the spread of vectors is explained by which word sits at that position.

    vectors: (n, width), one vector per occurrence (say, LSTM-1's output at one step of n
    windows); word_ids: (n,) the word at that step. Returns 1 - (spread among occurrences
    of the same word) / (spread over all occurrences), each spread a variance with its
    degrees of freedom (an adjusted R^2, so rare words seen once do not inflate it).
    1 means the vector is the word's alone (as for the embedding, where every occurrence of
    a word gets the very same vector); 0 means the word tells you nothing about the vector.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    word_ids = np.asarray(word_ids)
    if vectors.ndim != 2 or word_ids.shape != (len(vectors),):
        raise ValueError(
            f"word_identity_share: expected vectors (n, width) and word_ids (n,), got {vectors.shape} "
            f"and {word_ids.shape}."
        )
    total = float(((vectors - vectors.mean(axis=0)) ** 2).sum())
    if total == 0.0:
        raise ValueError("word_identity_share: all vectors are identical, so there is no spread to explain.")
    _, group, counts = np.unique(word_ids, return_inverse=True, return_counts=True)
    if len(counts) >= len(vectors):
        raise ValueError("word_identity_share: every word occurs once; need repeated words to compare occurrences.")
    sums = np.zeros((len(counts), vectors.shape[1]))
    np.add.at(sums, group, vectors)
    within = float((vectors**2).sum() - ((sums**2).sum(axis=1) / counts).sum())  # around each word's mean
    n, groups = len(vectors), len(counts)
    return 1.0 - (within / (n - groups)) / (total / (n - 1))


def probe_recall(features: np.ndarray, targets: np.ndarray, train_share: float = 2 / 3,
                 ridge: float = 1e-3) -> float:
    """How well a linear read-out recovers targets from features, on held-out rows (R^2).

    features (n, width), for example context vectors; targets (n, dims), for example the
    embedding of the word k steps back. A ridge regression is fitted on the first
    train_share of the rows and scored on the rest: 1 means the targets can be read back
    exactly, 0 means no better than guessing their average.
    """
    features = np.asarray(features, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if features.ndim != 2 or targets.ndim != 2 or len(features) != len(targets):
        raise ValueError(
            f"probe_recall: expected features (n, width) and targets (n, dims) with the same n, got "
            f"{features.shape} and {targets.shape}."
        )
    n_train = int(len(features) * train_share)
    if not 2 <= n_train <= len(features) - 2:
        raise ValueError(f"probe_recall: need at least 2 rows to fit and 2 to score, got {len(features)} rows.")
    feature_mean, target_mean = features[:n_train].mean(axis=0), targets[:n_train].mean(axis=0)
    x, y = features[:n_train] - feature_mean, targets[:n_train] - target_mean
    gram = x.T @ x
    penalty = ridge * np.trace(gram) / len(gram)  # scaled to the features, so one value fits all widths
    read_out = np.linalg.solve(gram + penalty * np.eye(len(gram)), x.T @ y)  # (width, dims)
    predicted = (features[n_train:] - feature_mean) @ read_out + target_mean
    held_out = targets[n_train:]
    return 1.0 - float(((predicted - held_out) ** 2).sum() / ((held_out - held_out.mean(axis=0)) ** 2).sum())


def fresh_lstm_weights(input_dim: int, units: int, seed: int = 0) -> LstmWeights:
    """The initial (untrained) weights of an LSTM-1 of any width, as build_lstm_context makes them."""
    config = ModelConfig(embedding_dim=input_dim, lstm_1_units=units)
    layer = build_lstm_context(config, seed)
    layer.build((None, None, input_dim))
    return LstmWeights.from_keras(layer)


def recall_by_width(meaning: np.ndarray, widths: tuple[int, ...], steps_back: tuple[int, ...],
                    seed: int = 0) -> dict[int, list[float]]:
    """Room for the past: untrained LSTM-1s of several widths, probed for earlier words.

    meaning: (n, steps, input_dim) embedded windows. For every width, a fresh layer reads
    them; a linear probe then tries to recover, from the last context vector alone, the
    input vector k steps back (k = 0 is the last word itself). Returns
    {width: [R^2 for each k in steps_back]}. No training is involved, so the numbers show
    how much room a width gives, not what training chooses to keep.
    """
    meaning = np.asarray(meaning, dtype=np.float32)
    if meaning.ndim != 3:
        raise ValueError(f"recall_by_width: expected meaning vectors (n, steps, input_dim), got shape {meaning.shape}.")
    steps = meaning.shape[1]
    if any(not 0 <= k < steps for k in steps_back):
        raise ValueError(f"recall_by_width: steps_back must lie in 0..{steps - 1}, got {steps_back}.")
    table = {}
    for width in widths:
        last_context = run_lstm(meaning, fresh_lstm_weights(meaning.shape[2], width, seed)).hidden[:, -1]
        table[width] = [probe_recall(last_context, meaning[:, steps - 1 - k]) for k in steps_back]
    return table


def keep_main_directions(context: np.ndarray, keep: int) -> np.ndarray:
    """Squeeze context vectors through their `keep` most important directions (PCA).

    context: (n, steps, width). The directions are the principal components of all n * steps
    vectors: the axes along which they vary most. Each vector is replaced by its projection
    onto the first `keep` of them (plus the mean), so only `keep` numbers' worth of it survive.
    keep = width gives the vectors back unchanged.
    """
    context = np.asarray(context)
    width = context.shape[-1]
    if isinstance(keep, bool) or not isinstance(keep, (int, np.integer)) or not 1 <= keep <= width:
        raise ValueError(f"keep_main_directions: keep must be a whole number in 1..{width}, got {keep!r}.")
    flat = context.reshape(-1, width).astype(np.float64)  # (n * steps, width)
    mean = flat.mean(axis=0)
    variances, directions = np.linalg.eigh(np.cov(flat, rowvar=False))  # ascending variance
    main = directions[:, ::-1][:, :keep]  # (width, keep): the `keep` directions of largest variance
    squeezed = (flat - mean) @ main @ main.T + mean
    return squeezed.reshape(context.shape).astype(context.dtype)
