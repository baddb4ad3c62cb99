"""The checks of book/learning.ipynb: the reference passes, typical wrong answers are rejected by name."""

import math

import numpy as np
import pytest

from textgen_course import learning
from textgen_course.exercises.checking import Delegated, WrongAnswer
from textgen_course.exercises.learning import check_answer_initial_loss, check_cross_entropy_gradient
from textgen_course.softmax_head import softmax


def right(logits, targets):
    onehot = np.zeros_like(logits)
    onehot[np.arange(len(targets)), targets] = 1.0
    return (softmax(logits) - onehot) / len(targets)


def test_the_reference_answers_pass():
    assert check_answer_initial_loss(math.log(4818), quiet=True)
    assert check_answer_initial_loss(8.48, quiet=True)
    assert check_cross_entropy_gradient(right, quiet=True)


@pytest.mark.parametrize("answer, message", [
    (4818, "number of words"),
    (1 / 4818, "probability of the right word"),
    (math.log2(4818), "bits"),
    (math.log10(4818), "base 10"),
    (-math.log(4818), "sign"),
    (..., "not answered"),
])
def test_wrong_initial_losses_are_named(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check_answer_initial_loss(answer, quiet=True)


def onehot_of(logits, targets):
    onehot = np.zeros_like(logits)
    onehot[np.arange(len(targets)), targets] = 1.0
    return onehot


WRONG_GRADIENTS = {
    "not divided by the batch": (lambda z, t: softmax(z) - onehot_of(z, t), "did not divide by the batch size"),
    "sign flipped": (lambda z, t: (onehot_of(z, t) - softmax(z)) / len(t), "sign is flipped"),
    "no softmax": (lambda z, t: (z - onehot_of(z, t)) / len(t), "take the softmax"),
    "no onehot": (lambda z, t: softmax(z) / len(t), "forgot to subtract the one-hot"),
    "divided by the vocabulary": (lambda z, t: (softmax(z) - onehot_of(z, t)) / z.shape[1], "vocabulary size"),
    "with respect to p": (
        lambda z, t: -onehot_of(z, t) / np.maximum(softmax(z), 1e-300) / len(t), "with respect to the probabilities"),
    "naive exp": (lambda z, t: (np.exp(z) / np.exp(z).sum(-1, keepdims=True) - onehot_of(z, t)) / len(t),
                  "large logits"),
    "stub": (lambda z, t: ..., "placeholder"),
}


@pytest.mark.parametrize("mistake", WRONG_GRADIENTS, ids=list(WRONG_GRADIENTS))
def test_wrong_gradients_are_rejected_with_the_mistake_named(mistake):
    answer, message = WRONG_GRADIENTS[mistake]
    with np.errstate(all="ignore"), pytest.raises(WrongAnswer, match=message):
        check_cross_entropy_gradient(answer, quiet=True)


def delegate_to_the_library(logits, targets):
    return learning.cross_entropy_gradient(logits, targets)


def delegate_to_autograd(logits, targets):
    import torch

    z = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.cross_entropy(z, torch.as_tensor(targets)).backward()
    return z.grad.numpy()


def delegate_to_torch_autograd_grad(logits, targets):
    import torch

    z = torch.tensor(logits, requires_grad=True)
    return torch.autograd.grad(torch.nn.functional.cross_entropy(z, torch.as_tensor(targets)), z)[0].numpy()


@pytest.mark.parametrize("answer, named", [
    (delegate_to_the_library, "textgen_course.learning.cross_entropy_gradient"),
    (lambda z, t: learning.torch_logit_gradient(z, t), "torch_logit_gradient"),
    (delegate_to_autograd, "torch.autograd.backward"),
    (delegate_to_torch_autograd_grad, "torch.autograd.grad"),
])
def test_answers_that_delegate_to_the_library_or_autograd_are_rejected(answer, named):
    with pytest.raises(Delegated, match=named):
        check_cross_entropy_gradient(answer, quiet=True)


def test_autograd_works_again_after_a_check():
    import torch

    with pytest.raises(Delegated):
        check_cross_entropy_gradient(delegate_to_autograd, quiet=True)
    z = torch.zeros(2, 3, requires_grad=True)
    z.sum().backward()
    assert z.grad is not None
    np.testing.assert_allclose(learning.cross_entropy_gradient(np.zeros((1, 2)), np.array([0])), [[-0.5, 0.5]])
