"""The fused CPU path (textgen_course/fused_lstm.py) is the same model as Keras's own step loop."""

import inspect
from unittest import mock

import keras
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

import textgen_course as tc
from textgen_course import fused_lstm
from textgen_course.ablation import build_architecture
from textgen_course.training import TrainingConfig, train

TOLERANCE = 1e-5  # float32: the two paths sum the same products in a different order


def outputs_and_gradients(model, ids, targets, fused: bool) -> tuple[np.ndarray, dict, list[np.ndarray]]:
    """Softmax outputs, the loss's gradient w.r.t. every weight (by path) and w.r.t. each LSTM's input."""
    with fused_lstm.enabled(fused):
        x = model.layers[1](ids)  # the embedding: (batch, 13, 100)
        lstm_inputs = []
        for layer in model.layers[2:]:  # layer by layer, to differentiate by each LSTM's input
            if isinstance(layer, keras.layers.LSTM):
                lstm_inputs.append(x)
            x = layer(x, training=True)
        loss = torch.nn.functional.nll_loss(torch.log(x), torch.as_tensor(targets).long())
        weights = [v for v in model.trainable_variables if not v.path.startswith("embedding")]
        gradients = torch.autograd.grad(loss, [v.value for v in weights] + lstm_inputs)
    by_path = {v.path: g.numpy() for v, g in zip(weights, gradients)}
    return x.detach().numpy(), by_path, [g.numpy() for g in gradients[len(weights):]]


def assert_same_model(model, batch: int = 64) -> None:
    config = model.config
    ids = np.random.default_rng(0).integers(1, config.vocab_size, (batch, config.sequence_length)).astype("int32")
    targets = np.random.default_rng(1).integers(0, config.vocab_size, batch)
    with mock.patch.object(torch._VF, "lstm", wraps=torch._VF.lstm) as kernel:
        loop = outputs_and_gradients(model, ids, targets, fused=False)
        assert kernel.call_count == 0  # Keras's own loop
        fused = outputs_and_gradients(model, ids, targets, fused=True)
        lstms = sum(isinstance(layer, keras.layers.LSTM) for layer in model.layers)
        assert kernel.call_count == lstms  # the fused kernel, once per LSTM layer
    assert_allclose(fused[0], loop[0], rtol=TOLERANCE, atol=TOLERANCE)
    assert set(fused[1]) == set(loop[1]) and len(loop[1]) >= 5
    for name in loop[1]:
        assert_allclose(fused[1][name], loop[1][name], rtol=TOLERANCE, atol=TOLERANCE, err_msg=name)
    for fused_input_gradient, loop_input_gradient in zip(fused[2], loop[2]):
        assert_allclose(fused_input_gradient, loop_input_gradient, rtol=TOLERANCE, atol=TOLERANCE)


@pytest.fixture(scope="module")
def shipped_model():
    return tc.load_pretrained()[0]


def test_fused_kernel_is_the_same_model_as_keras_loop_on_the_shipped_model(shipped_model):
    assert_same_model(shipped_model)


def test_fused_kernel_is_the_same_model_on_the_one_lstm_model(shipped_model):
    """The one-LSTM model with trained weights: the shipped embedding, head and LSTM-2 (its first 100 input rows)."""
    one_lstm = build_architecture("one_lstm", tc.ModelConfig(), seed=3)
    kernel, recurrent_kernel, bias = shipped_model.get_layer("lstm_2").get_weights()  # (150, 400), (100, 400), (400,)
    one_lstm.get_layer("lstm_2").set_weights([kernel[:100], recurrent_kernel, bias])
    for name in ("embedding", "dense_softmax"):
        one_lstm.get_layer(name).set_weights(shipped_model.get_layer(name).get_weights())
    assert_same_model(one_lstm)


def test_the_fused_kernel_runs_and_the_switch_turns_it_off(shipped_model, monkeypatch):
    calls = []
    real = torch._VF.lstm
    monkeypatch.setattr(torch._VF, "lstm", lambda *args: calls.append(1) or real(*args), raising=False)
    ids = np.ones((4, 13), dtype="int32")
    with fused_lstm.enabled():
        assert fused_lstm.is_enabled()
        shipped_model(ids)
    assert len(calls) == 2  # both LSTMs, one call each
    assert not fused_lstm.is_enabled()  # restored on leaving
    with fused_lstm.enabled(False):
        shipped_model(ids)
    shipped_model(ids)  # outside any block: Keras's own function
    monkeypatch.setenv(fused_lstm.ENVIRONMENT_SWITCH, "0")
    with fused_lstm.enabled() as used:
        assert not used and not fused_lstm.is_enabled()
        shipped_model(ids)
    assert len(calls) == 2


class _Asked(Exception):
    pass


def test_training_turns_it_on_by_default_and_train_can_turn_it_off(tmp_path, small_text, monkeypatch):
    def stop_at_the_first_fit(on=True):  # what train() asks for, then stop before any training
        raise _Asked(on)

    monkeypatch.setattr(fused_lstm, "enabled", stop_at_the_first_fit)
    corpus = tmp_path / "small.txt"
    corpus.write_text(small_text, encoding="utf-8")
    tiny = tc.ModelConfig(vocab_size=30, sequence_length=6, embedding_dim=8, lstm_1_units=12, lstm_2_units=8)
    asked = []
    for name, options in (("default", {}), ("off", {"fused_lstm": False})):
        with pytest.raises(_Asked) as stopped:
            train(tmp_path / name, corpus, tiny, TrainingConfig(epochs=1), verbose=0, **options)
        asked.append(stopped.value.args[0])
    assert asked == [True, False]
    assert "fused_lstm" not in inspect.signature(TrainingConfig).parameters  # not part of the recipe


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("go_backwards", [True, False])
def test_layer_options_give_the_same_results(return_sequences, go_backwards):
    layer = keras.layers.LSTM(7, return_sequences=return_sequences, go_backwards=go_backwards, return_state=True,
                              kernel_initializer=keras.initializers.RandomNormal(stddev=0.8, seed=1),
                              recurrent_initializer=keras.initializers.RandomNormal(stddev=0.8, seed=2),
                              bias_initializer=keras.initializers.RandomNormal(stddev=0.5, seed=3))
    x = np.random.default_rng(0).normal(size=(5, 6, 4)).astype("float32")
    with fused_lstm.enabled(False):
        loop = [t.detach().numpy() for t in layer(x)]
    with fused_lstm.enabled():
        fused = [t.detach().numpy() for t in layer(x)]
    for a, b in zip(fused, loop):
        assert_allclose(a, b, rtol=TOLERANCE, atol=TOLERANCE)
    assert fused[0].shape == ((5, 6, 7) if return_sequences else (5, 7))


@pytest.mark.parametrize("options", [dict(activation="relu"), dict(recurrent_activation="hard_sigmoid"),
                                     dict(use_bias=False), dict(recurrent_dropout=0.5), dict(unroll=True)])
def test_what_the_kernel_cannot_do_goes_to_keras_own_loop(options, monkeypatch):
    calls = []
    real = torch._VF.lstm
    monkeypatch.setattr(torch._VF, "lstm", lambda *args: calls.append(1) or real(*args), raising=False)
    layer = keras.layers.LSTM(5, **options)
    x = np.random.default_rng(0).normal(size=(3, 4, 2)).astype("float32")
    with fused_lstm.enabled(False):
        loop = layer(x).detach().numpy()
    with fused_lstm.enabled():
        fused = layer(x).detach().numpy()
    assert calls == []
    assert_allclose(fused, loop, rtol=1e-6, atol=1e-6)


def test_a_mask_goes_to_keras_own_loop(monkeypatch):
    calls = []
    real = torch._VF.lstm
    monkeypatch.setattr(torch._VF, "lstm", lambda *args: calls.append(1) or real(*args), raising=False)
    inputs = keras.Input((4,), dtype="int32")
    outputs = keras.layers.LSTM(5)(keras.layers.Embedding(10, 3, mask_zero=True)(inputs))
    model = keras.Model(inputs, outputs)
    ids = np.array([[0, 0, 3, 4], [1, 2, 3, 4]], dtype="int32")
    with fused_lstm.enabled():
        fused = model(ids).detach().numpy()
    loop = model(ids).detach().numpy()
    assert calls == []
    assert_allclose(fused, loop, rtol=1e-6, atol=1e-6)


def test_layers_and_saved_files_are_the_same_with_and_without_it(tmp_path):
    """Fit one step with the fused kernel: same layer class and config, same weights layout in the saved file."""
    import h5py

    model = tc.build_model(tc.ModelConfig(vocab_size=50, sequence_length=5, embedding_dim=6, lstm_1_units=7,
                                          lstm_2_units=4), seed=0)
    configs = [layer.get_config() for layer in model.layers]
    model.save_weights(tmp_path / "before.weights.h5")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    ids = np.random.default_rng(0).integers(0, 50, (32, 5)).astype("int32")
    with fused_lstm.enabled():
        model.fit(ids, ids[:, -1], batch_size=32, verbose=0)
        assert [layer.get_config() for layer in model.layers] == configs
        model.save_weights(tmp_path / "fused.weights.h5")
    assert type(model.get_layer("lstm_1")) is keras.layers.LSTM

    def datasets(path):
        with h5py.File(path, "r") as file:
            found = {}
            file.visititems(lambda name, item: found.update({name: item[()]})
                            if isinstance(item, h5py.Dataset) else None)
            return found

    before, fused = datasets(tmp_path / "before.weights.h5"), datasets(tmp_path / "fused.weights.h5")
    layer_shapes = {name: value.shape for name, value in fused.items() if name.startswith("layers/")}
    assert layer_shapes == {name: value.shape for name, value in before.items()}  # the optimizer's state aside
    model.save_weights(tmp_path / "loop.weights.h5")  # the same trained weights saved outside the block
    loop = datasets(tmp_path / "loop.weights.h5")
    assert set(loop) == set(fused)
    for name in loop:
        np.testing.assert_array_equal(fused[name], loop[name])
    copy = tc.build_model(model.config, seed=None)
    copy.load_weights(tmp_path / "fused.weights.h5")
    assert_allclose(copy.predict(ids, verbose=0), model.predict(ids, verbose=0), rtol=0, atol=0)


def test_keras_private_interface_is_what_the_module_was_checked_against():
    """Fails loudly after a Keras upgrade that moves or changes what fused_lstm patches and calls."""
    problems = fused_lstm.interface_problems()
    assert problems == [], "Keras changed under textgen_course/fused_lstm.py: " + "; ".join(problems)
    _, torch_rnn = fused_lstm.keras_backend_modules()
    assert tuple(inspect.signature(fused_lstm.fused_lstm).parameters) == fused_lstm.LSTM_PARAMETERS
    assert keras.__version__ in fused_lstm.KERAS_VERSIONS_CHECKED
    assert torch_rnn.lstm is keras.src.backend.lstm  # the layer looks the function up where we swap it
