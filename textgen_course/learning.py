"""How the model learns: the loss, its gradient, Adam, and a training run twice (chapter: book/learning.ipynb).

Training nudges every weight to lower the cross-entropy, -log p(the word that came next).
For the logits z of the dense softmax layer the gradient of the batch's mean loss is

    d loss / d z = (softmax(z) - onehot(target)) / batch          (batch, vocab_size)

and backpropagation carries it down the layers and back through the 13 steps of each LSTM
(backpropagation through time). Adam turns each gradient into a step. Here: that gradient
checked against autograd in Keras (torch backend) and in PyTorch, Adam in NumPy, and one
short training run done twice from the same starting weights: Keras's `fit`, and a plain
PyTorch loop on the twin.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import keras
import numpy as np
import torch

from .config import ModelConfig
from .model import TextGenerator, build_model, torch_model_from_keras
from .softmax_head import softmax
from .training import one_torch_thread  # noqa: F401  (also imported from here by fine_tuning)
from .vocabulary import UNKNOWN_ID
from .windows import make_windows


@dataclass(frozen=True)
class LearningConfig:
    """The miniature training run of the chapter: small enough to run twice in a few seconds."""

    vocab_size: int = 500  # the 498 most frequent words; every other word becomes <unk>
    embedding_dim: int = 16  # the full model has 100
    lstm_1_units: int = 32  # the full model has 150
    lstm_2_units: int = 16  # the full model has 100
    windows: int = 2048  # training windows, cut from the start of the text
    batch_size: int = 64  # windows per gradient step (32 steps per epoch with 2,048 windows)
    epochs: int = 2  # passes over the windows, in the same order every time
    learning_rate: float = 3e-3  # Adam's step size
    # Adam's epsilon. Keras adds it to sqrt(square), PyTorch to the bias-corrected sqrt(square), so with
    # Keras's default 1e-7 the two libraries move weights whose gradients are tiny (rare words) differently.
    # At 1e-10 both compute the same update.
    adam_epsilon: float = 1e-10
    seed: int = 0  # initial weights

    def __post_init__(self) -> None:
        for name in ("vocab_size", "embedding_dim", "lstm_1_units", "lstm_2_units", "windows", "batch_size", "epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"LearningConfig: {name} must be a positive integer, got {value!r}.")
        if self.windows % self.batch_size:
            raise ValueError(f"LearningConfig: windows ({self.windows}) must be a multiple of batch_size "
                             f"({self.batch_size}), so that every step sees a full batch.")
        if not self.learning_rate > 0:
            raise ValueError(f"LearningConfig: learning_rate must be > 0, got {self.learning_rate!r}.")

    @property
    def model_config(self) -> ModelConfig:
        """The model's sizes: the course's 13-word windows, smaller everything else."""
        return ModelConfig(vocab_size=self.vocab_size, embedding_dim=self.embedding_dim,
                           lstm_1_units=self.lstm_1_units, lstm_2_units=self.lstm_2_units)

    @property
    def steps(self) -> int:
        """Gradient steps in the whole run."""
        return self.epochs * self.windows // self.batch_size


def miniature_windows(ids, config: LearningConfig) -> tuple[np.ndarray, np.ndarray]:
    """The first config.windows windows of a text's ids, words beyond vocab_size mapped to <unk>.

    ids: word ids from the course's vocabulary (most frequent first), so keeping ids below
    vocab_size keeps the most frequent words. Returns x (windows, 13) and y (windows,), int32.
    """
    ids = np.asarray(ids)
    needed = config.windows + config.model_config.sequence_length
    if len(ids) < needed:
        raise ValueError(f"miniature_windows: need at least {needed} ids, got {len(ids)}.")
    ids = ids[:needed]
    ids = np.where(ids < config.vocab_size, ids, UNKNOWN_ID)  # rarer words -> <unk>
    return make_windows(ids, config.model_config.sequence_length)


# ---- the loss and its gradient ----------------------------------------------------------------

def cross_entropy_gradient(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """d(mean cross-entropy) / d logits: (batch, vocab_size) and (batch,) -> (batch, vocab_size).

    Each row is the softmax's probabilities minus 1 at the target word, divided by the batch
    size because the loss is the mean over the batch.
    """
    logits = np.asarray(logits, dtype=np.float64)
    targets = np.asarray(targets)
    if logits.ndim != 2 or targets.shape != logits.shape[:1]:
        raise ValueError(f"cross_entropy_gradient: expected logits (batch, vocab_size) and targets (batch,), "
                         f"got {logits.shape} and {targets.shape}.")
    onehot = np.zeros_like(logits)  # (batch, vocab_size)
    onehot[np.arange(len(targets)), targets] = 1.0
    return (softmax(logits) - onehot) / len(targets)


def dense_gradients(summary: np.ndarray, logit_gradient: np.ndarray) -> dict[str, np.ndarray]:
    """The chain rule through logits = summary @ kernel + bias.

    summary (batch, lstm_2_units), logit_gradient (batch, vocab_size) ->
    kernel (lstm_2_units, vocab_size) and bias (vocab_size,) gradients.
    """
    return {"kernel": np.asarray(summary, dtype=np.float64).T @ logit_gradient, "bias": logit_gradient.sum(axis=0)}


def torch_logit_gradient(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """PyTorch's autograd on F.cross_entropy (the mean over the batch): d loss / d logits."""
    logits = torch.tensor(np.asarray(logits), dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(logits, torch.as_tensor(np.asarray(targets), dtype=torch.long))
    loss.backward()
    return logits.grad.numpy()


def keras_dense_gradients(model: TextGenerator, ids: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
    """Autograd on Keras's own loss, for the dense layer's weights: kernel and bias gradients.

    The model computes probabilities (its softmax is inside the Dense layer) and
    keras.losses.SparseCategoricalCrossentropy scores them. Keras 3 has no backend-neutral
    "gradient" call; on the torch backend its variables are torch tensors and
    loss.backward() fills in their .grad, which is how Keras's own fit() gets gradients.
    """
    if keras.backend.backend() != "torch":
        raise ValueError(f"keras_dense_gradients needs Keras's torch backend, got {keras.backend.backend()!r}.")
    dense = model.get_layer("dense_softmax")
    for variable in model.trainable_variables:
        variable.value.grad = None
    probabilities = model(np.asarray(ids), training=True)  # (batch, vocab_size)
    loss = keras.losses.SparseCategoricalCrossentropy()(np.asarray(targets), probabilities)  # the batch mean
    loss.backward()
    return {"kernel": dense.kernel.value.grad.detach().cpu().numpy().astype(np.float64),
            "bias": dense.bias.value.grad.detach().cpu().numpy().astype(np.float64)}


# ---- backpropagation through time: the shared weights sum the steps' shares ------------------

def kernel_gradient_by_step(model: TextGenerator, ids: np.ndarray,
                            targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LSTM-1's kernel gradient, step by step and whole, for the mean loss of a batch (float64).

    LSTM-1 uses one kernel (input_dim, 4 * units) at all 13 steps. Here it runs unrolled, each
    step with its own copy of the kernel; autograd then gives every copy its own gradient, the
    step's share. Returns (shares (steps, input_dim, 4 * units), whole (input_dim, 4 * units)),
    whole being the gradient autograd computes for the twin's torch.nn.LSTM, whose weights are
    shared. Backpropagation through time says whole = shares.sum(axis=0).
    """
    twin = torch_model_from_keras(model).double()
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    targets = torch.as_tensor(np.asarray(targets), dtype=torch.long)
    meaning = twin.embedding(ids).detach()  # (batch, steps, input_dim)

    def loss_from(context: torch.Tensor) -> torch.Tensor:
        every_step, _ = twin.lstm_2(context)  # (batch, steps, lstm_2_units)
        return torch.nn.functional.cross_entropy(twin.dense_softmax.logits(every_step[:, -1]), targets)

    layer = twin.lstm_1
    recurrent_kernel, bias = layer.weight_hh_l0.detach().T, (layer.bias_ih_l0 + layer.bias_hh_l0).detach()
    copies = [layer.weight_ih_l0.detach().T.clone().requires_grad_(True) for _ in range(meaning.shape[1])]
    h = c = torch.zeros(len(ids), layer.hidden_size, dtype=torch.float64)
    hidden = []
    for t, kernel in enumerate(copies):  # the LSTM equations, one kernel copy per step
        z_input, z_forget, z_candidate, z_output = (meaning[:, t] @ kernel + h @ recurrent_kernel + bias).chunk(4, -1)
        c = torch.sigmoid(z_forget) * c + torch.sigmoid(z_input) * torch.tanh(z_candidate)
        h = torch.sigmoid(z_output) * torch.tanh(c)
        hidden.append(h)
    shares = torch.autograd.grad(loss_from(torch.stack(hidden, dim=1)), copies)
    loss_from(layer(meaning)[0]).backward()  # the ordinary way: one shared weight
    whole = layer.weight_ih_l0.grad.T
    return torch.stack(shares).numpy(), whole.numpy()


# ---- Adam -------------------------------------------------------------------------------------

def adam_step(weight: np.ndarray, gradient: np.ndarray, mean: np.ndarray, square: np.ndarray, step: int,
              learning_rate: float = 1e-3, beta_1: float = 0.9, beta_2: float = 0.999,
              epsilon: float = 1e-7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adam update, as Keras writes it; returns (new weight, new mean, new square).

    mean and square are running averages of the gradient and of its square (zeros before
    step 1); step counts from 1. Each weight moves by about learning_rate in the direction
    its recent gradients agree on, whatever the gradient's size.
    """
    mean = beta_1 * mean + (1 - beta_1) * gradient  # momentum: the recent direction
    square = beta_2 * square + (1 - beta_2) * gradient**2  # the recent size of the gradient
    corrected_rate = learning_rate * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)  # both averages start at 0
    return weight - corrected_rate * mean / (np.sqrt(square) + epsilon), mean, square


# ---- one training run, twice ------------------------------------------------------------------

def starting_model(config: LearningConfig) -> TextGenerator:
    """The seeded, untrained Keras model both runs start from."""
    keras.utils.set_random_seed(config.seed)
    return build_model(config.model_config, seed=config.seed)


class _BatchLosses(keras.callbacks.Callback):
    """Records each step's own loss; Keras's logs hold the running mean since the epoch began."""

    def __init__(self) -> None:
        super().__init__()
        self.losses: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._previous_mean, self._seen = 0.0, 0

    def on_train_batch_end(self, batch, logs=None):
        running_mean = float(logs["loss"])
        self._seen += 1
        self.losses.append(self._seen * running_mean - (self._seen - 1) * self._previous_mean)  # undo the mean
        self._previous_mean = running_mean


def train_with_keras(model: TextGenerator, x: np.ndarray, y: np.ndarray, config: LearningConfig) -> np.ndarray:
    """model.fit with Adam, in order (no shuffling); returns the loss of every step, (steps,)."""
    optimizer = keras.optimizers.Adam(config.learning_rate, epsilon=config.adam_epsilon)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    record = _BatchLosses()
    with one_torch_thread():
        model.fit(x, y, batch_size=config.batch_size, epochs=config.epochs, shuffle=False, verbose=0,
                  callbacks=[record])
    return np.array(record.losses)


def train_with_torch(twin: torch.nn.Module, x: np.ndarray, y: np.ndarray, config: LearningConfig) -> np.ndarray:
    """A plain PyTorch loop on the twin, the same batches in the same order; returns each step's loss."""
    for name, parameter in twin.named_parameters():
        parameter.requires_grad_("bias_hh" not in name)  # Keras has one LSTM bias: keep the copy's second at 0
    trainable = [parameter for parameter in twin.parameters() if parameter.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=config.learning_rate, eps=config.adam_epsilon)
    losses = []
    with one_torch_thread():
        for _ in range(config.epochs):
            for start in range(0, len(x), config.batch_size):
                batch_x = torch.from_numpy(x[start:start + config.batch_size])  # (batch, 13) word ids
                batch_y = torch.from_numpy(y[start:start + config.batch_size]).long()  # (batch,) next words
                loss = torch.nn.functional.cross_entropy(twin.logits(batch_x), batch_y)  # mean -log p(next)
                optimizer.zero_grad()  # forget the previous step's gradients
                loss.backward()  # backpropagation: through the dense layer, LSTM-2, LSTM-1, all 13 steps
                optimizer.step()  # Adam moves every trainable weight
                losses.append(loss.item())
    return np.array(losses)


@dataclass(frozen=True)
class TwinRun:
    """The same training run done by Keras's fit and by a PyTorch loop."""

    keras_losses: np.ndarray  # (steps,): each step's mean cross-entropy, in nats
    torch_losses: np.ndarray  # (steps,)

    @property
    def largest_difference(self) -> float:
        """max over the steps of |Keras loss - PyTorch loss|."""
        return float(np.abs(self.keras_losses - self.torch_losses).max())

    def agrees(self, tolerance: float) -> bool:
        return self.largest_difference <= tolerance


def train_twice(x: np.ndarray, y: np.ndarray, config: LearningConfig) -> TwinRun:
    """Train from one set of starting weights twice: Keras's fit, and the twin in a PyTorch loop."""
    model = starting_model(config)
    twin = torch_model_from_keras(model)  # copied before Keras trains: the same starting weights
    torch.manual_seed(config.seed)
    torch_losses = train_with_torch(twin, x, y, config)
    keras_losses = train_with_keras(model, x, y, config)
    return TwinRun(keras_losses, torch_losses)


def losses_by_learning_rate(x: np.ndarray, y: np.ndarray, config: LearningConfig,
                            learning_rates: tuple[float, ...]) -> dict[float, np.ndarray]:
    """The PyTorch loop's loss curve for each learning rate, every run from the same starting weights."""
    curves = {}
    for rate in learning_rates:
        twin = torch_model_from_keras(starting_model(config))  # seeded: the same weights every time
        curves[rate] = train_with_torch(twin, x, y, dataclasses.replace(config, learning_rate=rate))
    return curves
