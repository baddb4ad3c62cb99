"""Self-checks for the exercises of book/learning.ipynb (how the model learns).

    check_answer_initial_loss(answer_initial_loss)           predict: the loss of an untrained model
    check_cross_entropy_gradient(cross_entropy_gradient)     implement: d loss / d logits

check_cross_entropy_gradient runs the learner's function and the reference on the same
seeded logits. When they differ it recomputes the answer with each typical mistake (not
averaged over the batch, the sign flipped, the softmax forgotten, the gradient with respect
to the probabilities instead of the logits...) and names the one that reproduces the
learner's numbers. The learner's function runs with the library's gradient and autograd
switched off, so handing the work to them is rejected with a message that says so.
"""

from __future__ import annotations

import math

import numpy as np

from .checking import Passed, WrongAnswer, call_learner, check_number, compare, library_switched_off, passed

VOCAB_SIZE = 4818  # the course's vocabulary
BATCH, VOCAB = 4, 6  # small and different, so a mean over the wrong axis gives different numbers

GRADIENT_ANSWERS = (  # every ready-made gradient within reach: switched off while the learner's function runs
    "textgen_course.learning.cross_entropy_gradient",
    "textgen_course.learning.torch_logit_gradient",
    "textgen_course.learning.keras_dense_gradients",
    "textgen_course.exercises.learning.reference_cross_entropy_gradient",
    "torch.autograd.backward",
    "torch.autograd.grad",
    "torch.func.grad",
    "jax.grad",
)


def check_answer_initial_loss(answer_initial_loss, quiet: bool = False) -> Passed:
    """The loss, in nats, of a model that gives all 4,818 words the same probability."""
    expected = math.log(VOCAB_SIZE)
    check_number(
        answer_initial_loss,
        expected,
        "answer_initial_loss",
        rel=0.01,
        hints={
            VOCAB_SIZE: "that is the number of words. The loss is -log p(target), and p = 1 / 4,818.",
            1 / VOCAB_SIZE: "that is the probability of the right word, 1 / 4,818. The loss is -log of it.",
            -expected: "the sign is off: -log p is positive for p < 1, since log p is negative.",
            math.log10(VOCAB_SIZE): "that uses log base 10. Cross-entropy in nats uses the natural log, ln.",
            math.log2(VOCAB_SIZE): "that is the loss in bits (log base 2). Keras and PyTorch use the natural "
                                   "log, so their losses are in nats.",
            math.log(500): "that is the miniature model of this chapter, with 500 words. The question is about the "
                           "full model's 4,818.",
        },
    )
    return passed(f"ln(4,818) = {expected:.2f} nats: a uniform guess gives every word p = 1 / 4,818, and "
                  "-log(1 / 4,818) = ln(4,818). Training starts near this number.", quiet)


def reference_cross_entropy_gradient(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The right answer: (softmax(logits) - onehot(targets)) / batch."""
    logits = np.asarray(logits, dtype=np.float64)
    exps = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probabilities = exps / exps.sum(axis=-1, keepdims=True)
    onehot = np.eye(logits.shape[-1])[np.asarray(targets)]
    return (probabilities - onehot) / len(logits)


def _inputs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(BATCH, VOCAB) logits of the size real logits have and (BATCH,) targets."""
    rng = np.random.default_rng(seed)
    return rng.normal(scale=2.0, size=(BATCH, VOCAB)), np.array([2, 0, 5, 2])


def _mistakes(logits: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
    """What each typical mistake returns for these logits and targets."""
    batch = len(logits)
    exps = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probabilities = exps / exps.sum(axis=-1, keepdims=True)
    onehot = np.eye(logits.shape[-1])[targets]
    first_columns = np.eye(logits.shape[-1])[np.arange(batch) % logits.shape[-1]]  # 1 at column row, not the target
    wrt_probabilities = np.zeros_like(logits)
    wrt_probabilities[np.arange(batch), targets] = -1 / probabilities[np.arange(batch), targets] / batch
    return {
        "you did not divide by the batch size. The loss is the MEAN over the batch, so each row's gradient is "
        "(p - onehot) / batch.": probabilities - onehot,
        "the sign is flipped: the gradient is p - onehot (the loss falls when the target's logit rises, so its "
        "gradient there is negative).": (onehot - probabilities) / batch,
        "you used the logits where the probabilities belong: take the softmax of the logits first, then subtract "
        "the one-hot target.": (logits - onehot) / batch,
        "you forgot to subtract the one-hot target: every row needs -1 at the word that came next.":
            probabilities / batch,
        "you divided by the vocabulary size; the loss is a mean over the batch (the rows), so divide by the "
        "number of rows.": (probabilities - onehot) / logits.shape[-1],
        "you used log-probabilities where the probabilities belong: the gradient is softmax(logits) - onehot.":
            (np.log(probabilities) - onehot) / batch,
        "that is the gradient with respect to the probabilities (-1/p at the target). The exercise asks for "
        "the gradient with respect to the logits, which goes through the softmax: p - onehot.": wrt_probabilities,
        "the onehot is in the wrong place: put the 1 at column targets[row] of each row "
        "(onehot[np.arange(batch), targets] = 1).": (probabilities - first_columns) / batch,
    }


def _call(function, name: str, logits: np.ndarray, targets: np.ndarray):
    __tracebackhide__ = True
    with np.errstate(all="ignore"), library_switched_off(
            name, GRADIENT_ANSWERS, function,
            advice="Derive it and write it with NumPy: softmax of the logits, minus 1 at each row's target, "
            "divided by the batch size."):
        return call_learner(function, name, logits, targets)


def check_cross_entropy_gradient(cross_entropy_gradient, quiet: bool = False) -> Passed:
    """The learner's cross_entropy_gradient(logits, targets) against the reference."""
    __tracebackhide__ = True
    name = "cross_entropy_gradient"
    logits, targets = _inputs()
    got = _call(cross_entropy_gradient, name, logits.copy(), targets.copy())
    compare(got, reference_cross_entropy_gradient(logits, targets), f"{name}(logits, targets)",
            _mistakes(logits, targets), atol=1e-8)
    big = logits * 400.0  # a confident model's logits: exp of them overflows
    got = np.asarray(_call(cross_entropy_gradient, name, big, targets.copy()), dtype=np.float64)
    if got.shape == big.shape and not np.all(np.isfinite(got)):
        raise WrongAnswer(f"{name} returns NaN or inf for large logits (exp(1000) overflows): subtract each row's "
                          "largest logit before the exp, or use the course's softmax.")
    compare(got, reference_cross_entropy_gradient(big, targets), f"{name} on large logits", atol=1e-8)
    return passed("cross_entropy_gradient: (softmax(logits) - onehot) / batch. Each row sums to 0: the "
                  "target's logit is pushed up by 1 - p, every other word's down by its p.", quiet)
