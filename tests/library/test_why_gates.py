"""The tool behind experiments/why_gates.json: trains like train(), measures both models alike."""

import json

import numpy as np
import pytest

import textgen_course as tc
from authoring import why_gates
from textgen_course.training import TrainingConfig, corpus_windows, train
from conftest import TINY

ONE_EPOCH = TrainingConfig(epochs=1, batch_size=64, learning_rate=1e-2, final_learning_rate=1e-3)


@pytest.fixture(scope="module")
def tiny_data(small_text):
    vocabulary = tc.Vocabulary.from_text(small_text, TINY.vocab_size)
    return corpus_windows(small_text, vocabulary, TINY, ONE_EPOCH)


def test_fit_like_train_gives_the_weights_train_gives(tmp_path, small_text, tiny_data):
    corpus = tmp_path / "small.txt"
    corpus.write_text(small_text, encoding="utf-8")
    reference = train(tmp_path / "run", corpus, TINY, ONE_EPOCH, verbose=0).model
    model, _ = why_gates.build("two_lstms", TINY, ONE_EPOCH.seed)
    why_gates.fit_like_train(model, tiny_data, ONE_EPOCH)
    for mine, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(mine, theirs, atol=1e-5)


def test_one_seed_measures_both_models_before_and_after_training(tiny_data):
    windows, targets = tiny_data.validation_x[:40], tiny_data.validation_y[:40]
    records = why_gates.run_seed(0, tiny_data, windows, targets, TINY, ONE_EPOCH)
    assert set(records) == set(why_gates.MODELS) == {"two_lstms", "plain_rnn"}
    for record in records.values():
        assert record["seed"] == 0 and 1 < record["validation_perplexity"] < TINY.vocab_size
        for curve in ("memory", "output"):
            for stage in ("fresh", "trained"):
                values = record[curve][stage]
                assert len(values) == TINY.sequence_length and values[0] == 1.0
    cells = records["two_lstms"]["lstm_1"]
    assert "lstm_1" not in records["plain_rnn"]
    assert abs(cells["fresh"]["forget_gate_mean"] - 0.73) < 0.05  # Keras's unit_forget_bias: sigmoid(1)
    assert cells["fresh"]["units"] == TINY.lstm_1_units and 0 <= cells["trained"]["counting_units"] <= TINY.lstm_1_units
    assert 0 <= cells["trained"]["saturated_share"] <= 1


def test_an_unknown_model_is_refused():
    with pytest.raises(ValueError, match="model must be one of"):
        why_gates.build("gru", TINY, 0)


def test_the_command_line_refuses_nonsense(capsys):
    with pytest.raises(SystemExit):
        why_gates.main(["--seeds", "0"])
    assert "--seeds, --windows and --steps must be positive" in capsys.readouterr().err


def test_the_recall_task_writes_both_kinds_for_every_seed(tmp_path):
    out = tmp_path / "recall.json"
    assert why_gates.main(["--task", "recall", "--seeds", "2", "--steps", "3", "--out", str(out)]) == 0
    record = json.loads(out.read_text())
    assert record["distances"] == list(range(1, 13)) and record["task"]["steps"] == 3
    for kind in ("plain RNN", "LSTM"):
        assert [run["seed"] for run in record["runs"][kind]] == [0, 1]
        assert all(len(run["accuracy"]) == 12 for run in record["runs"][kind])


def test_the_committed_recall_record_is_complete_and_what_the_chapter_reads():
    from textgen_course.ablation import load_experiment

    record = load_experiment("why_gates_recall")
    assert "--task recall" in record["command"] and record["distances"] == list(range(1, 13))
    seeds = {kind: [run["seed"] for run in runs] for kind, runs in record["runs"].items()}
    assert seeds["plain RNN"] == seeds["LSTM"] and len(seeds["LSTM"]) >= 3  # the same seeds, three at least
    for runs in record["runs"].values():
        assert all(len(run["accuracy"]) == 12 and all(0 <= value <= 1 for value in run["accuracy"]) for run in runs)
