"""textgen_course.learning: the gradient p - onehot, Adam, and one training run done by Keras and by PyTorch."""

import dataclasses

import keras
import numpy as np
import pytest
import torch

from textgen_course import learning
from textgen_course.learning import (
    LearningConfig, adam_step, cross_entropy_gradient, dense_gradients, keras_dense_gradients, miniature_windows,
    torch_logit_gradient, train_twice,
)
from textgen_course.model import stage_activations

TINY = LearningConfig(vocab_size=60, embedding_dim=8, lstm_1_units=12, lstm_2_units=8, windows=128, batch_size=32,
                      epochs=4, learning_rate=0.02)


def tiny_data(config=TINY, seed=0):
    rng = np.random.default_rng(seed)
    ids = np.tile(np.arange(2, 42), config.windows // 40 + 2)[: config.windows + 13]  # a cycle: learnable
    ids[rng.random(len(ids)) < 0.1] = 100  # with some rare words (ids above vocab_size become <unk>)
    return miniature_windows(ids, config)


def test_gradient_is_probabilities_minus_onehot_over_the_batch():
    logits = np.random.default_rng(0).normal(scale=3.0, size=(5, 7))
    targets = np.array([0, 6, 3, 3, 1])
    gradient = cross_entropy_gradient(logits, targets)
    assert gradient.shape == (5, 7)
    np.testing.assert_allclose(gradient.sum(axis=1), 0.0, atol=1e-12)  # each row sums to zero
    np.testing.assert_allclose(gradient, torch_logit_gradient(logits, targets), atol=1e-12)
    assert np.all(gradient[np.arange(5), targets] < 0) and np.all(np.delete(gradient[0], 0) > 0)


def test_gradient_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="targets"):
        cross_entropy_gradient(np.zeros((3, 4)), np.array([0, 1]))


def test_keras_autograd_on_its_own_loss_gives_the_chain_rule_through_the_dense_layer():
    model = learning.starting_model(TINY)
    x, y = tiny_data()
    x, y = x[:16], y[:16]
    activations = stage_activations(model, x)
    by_hand = dense_gradients(activations["lstm_2"], cross_entropy_gradient(activations["logits"], y))
    by_keras = keras_dense_gradients(model, x, y)
    for name in ("kernel", "bias"):
        assert by_keras[name].shape == by_hand[name].shape
        np.testing.assert_allclose(by_keras[name], by_hand[name], rtol=1e-4, atol=1e-8)  # float32
        assert np.abs(by_hand[name]).max() > 1e-4  # not trivially zero


def test_adam_step_matches_keras_and_torch_over_three_steps():
    rng = np.random.default_rng(1)
    start = rng.normal(size=(4, 3)).astype(np.float32)
    gradients = [rng.normal(size=(4, 3)).astype(np.float32) for _ in range(3)]
    weight, mean, square = start.astype(np.float64), np.zeros((4, 3)), np.zeros((4, 3))
    for step, gradient in enumerate(gradients, start=1):
        weight, mean, square = adam_step(weight, gradient, mean, square, step, learning_rate=0.1, epsilon=1e-10)
    variable = keras.Variable(start)
    optimizer = keras.optimizers.Adam(0.1, epsilon=1e-10)  # the libraries place epsilon differently
    for gradient in gradients:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(gradient), variable)])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), weight, atol=1e-5)  # float32
    parameter = torch.nn.Parameter(torch.from_numpy(start.copy()))
    torch_optimizer = torch.optim.Adam([parameter], lr=0.1, eps=1e-10)
    for gradient in gradients:
        parameter.grad = torch.from_numpy(gradient)
        torch_optimizer.step()
    np.testing.assert_allclose(parameter.detach().numpy(), weight, atol=1e-5)
    assert np.abs(weight - start).max() > 0.1  # the steps moved the weights


def test_keras_fit_and_the_pytorch_loop_give_the_same_loss_curve():
    x, y = tiny_data()
    run = train_twice(x, y, TINY)
    assert run.keras_losses.shape == run.torch_losses.shape == (TINY.steps,)
    np.testing.assert_allclose(run.keras_losses[0], np.log(TINY.vocab_size), atol=0.05)  # starts near uniform
    assert run.agrees(1e-3), run.largest_difference
    assert run.torch_losses[-1] < run.torch_losses[0] - 0.2  # it learned


def test_with_both_torch_biases_trained_the_curves_part():
    """The twin's second LSTM bias must stay frozen at 0: Adam would move the sum of two biases twice as fast."""
    x, y = tiny_data()
    model = learning.starting_model(TINY)
    twin = learning.torch_model_from_keras(model)
    keras_losses = learning.train_with_keras(model, x, y, TINY)
    original = learning.train_with_torch
    trainable = [parameter for parameter in twin.parameters()]
    optimizer = torch.optim.Adam(trainable, lr=TINY.learning_rate, eps=TINY.adam_epsilon)
    losses = []
    for start in list(range(0, len(x), TINY.batch_size)) * TINY.epochs:
        loss = torch.nn.functional.cross_entropy(twin.logits(torch.from_numpy(x[start:start + 32])),
                                                 torch.from_numpy(y[start:start + 32]).long())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert original is learning.train_with_torch
    assert np.abs(np.array(losses) - keras_losses).max() > 1e-3


def test_the_learning_rate_changes_the_curve():
    x, y = tiny_data()
    curves = learning.losses_by_learning_rate(x, y, TINY, (1e-4, 1e-2))
    np.testing.assert_allclose(curves[1e-4][0], curves[1e-2][0], atol=1e-6)  # the same start
    assert curves[1e-2][-1] < curves[1e-4][-1] - 0.1


def test_miniature_windows_keep_the_frequent_words_and_the_shape():
    x, y = tiny_data()
    assert x.shape == (TINY.windows, 13) and y.shape == (TINY.windows,)
    assert x.max() < TINY.vocab_size and (x == 1).any()


@pytest.mark.parametrize("change, message", [
    ({"windows": 100}, "multiple of batch_size"),
    ({"learning_rate": 0.0}, "learning_rate"),
    ({"epochs": 0}, "epochs"),
])
def test_learning_config_rejects_bad_values(change, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(TINY, **change)


def test_the_kernels_gradient_is_the_sum_of_the_steps_shares():
    from textgen_course.config import ModelConfig
    from textgen_course.learning import kernel_gradient_by_step
    from textgen_course.model import build_model

    config = ModelConfig(vocab_size=50, sequence_length=5, embedding_dim=4, lstm_1_units=3, lstm_2_units=2)
    model = build_model(config, seed=1)
    ids = np.random.default_rng(0).integers(0, 50, size=(6, 5))
    shares, whole = kernel_gradient_by_step(model, ids, ids[:, 0])
    assert shares.shape == (5, 4, 12) and whole.shape == (4, 12)
    np.testing.assert_allclose(shares.sum(axis=0), whole, rtol=1e-10, atol=1e-14)
    assert np.all(np.abs(shares).reshape(5, -1).max(axis=1) > 0)  # every step adds a share of its own
