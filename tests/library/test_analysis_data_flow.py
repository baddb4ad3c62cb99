"""What the data flow chapter measures (textgen_course/analysis/data_flow.py): the diagram with real
shapes and the parameter ledger. (Other tests use them too: test_model.py.)"""

import pytest

import textgen_course as tc
from conftest import SMALL, random_ids
from textgen_course.analysis.data_flow import ParameterLedger, data_flow_diagram, parameter_ledger


def test_the_package_names_are_the_analysis_functions():
    assert tc.data_flow_diagram is data_flow_diagram and tc.parameter_ledger is parameter_ledger


def test_the_ledger_counts_every_stage_three_ways(model):
    ledger = parameter_ledger(model)
    assert isinstance(ledger, ParameterLedger) and [row.stage for row in ledger.rows] == list(tc.model.STAGE_NAMES)
    assert [row.expected for row in ledger.rows] == [481_800, 150_600, 100_400, 486_618]
    assert ledger.torch_total - ledger.keras_total == 4 * 150 + 4 * 100  # torch's second LSTM bias
    assert "4 x 150 x (100+150+1)" in str(ledger)


def test_the_diagram_names_the_predicted_words_given_a_vocabulary(small_model):
    from textgen_course.vocabulary import Vocabulary

    vocabulary = Vocabulary(words=("<pad>", "<unk>", *(f"w{i}" for i in range(498))))
    activations = tc.stage_activations(small_model, random_ids(SMALL, batch=3))
    best = activations["dense_softmax"].argmax(axis=1)
    last_line = tc.data_flow_diagram(activations, vocabulary).splitlines()[-1]
    assert last_line.startswith("Next-word prediction  (3,): ")
    for row, word_id in enumerate(best):
        assert f"{vocabulary.words[word_id]!r} (p = {activations['dense_softmax'][row, word_id]:.3f})" in last_line
    assert tc.data_flow_diagram(activations).splitlines()[-1] == f"Next-word prediction  (3,): ids {best.tolist()}"
    assert len(tc.data_flow_diagram(activations, vocabulary, windows_shown=1).splitlines()[-1].split("(p =")) == 2
    with pytest.raises(ValueError, match="the vocabulary has 5 words but the model predicts 500"):
        tc.data_flow_diagram(activations, Vocabulary.from_text("a b c", size=5))
