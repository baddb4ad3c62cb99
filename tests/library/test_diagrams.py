"""textgen_course.diagrams: the pictures are drawn from the config, so they change when it does."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import textgen_course as tc  # noqa: E402
from textgen_course import diagrams  # noqa: E402
from textgen_course.lstm_gates import LstmWeights, run_lstm  # noqa: E402

SMALL = tc.ModelConfig(vocab_size=500, sequence_length=8, embedding_dim=16, lstm_1_units=24, lstm_2_units=12)
WORDS = "now is the winter of our discontent made glorious summer by this sun".split()


def texts(figure) -> str:
    """Every string drawn on the figure (titles, labels, box texts), joined."""
    found = [text.get_text() for ax in figure.axes for text in ax.texts]
    found += [ax.get_title(loc) for ax in figure.axes for loc in ("left", "center")]
    found += [label.get_text() for ax in figure.axes for label in ax.get_xticklabels() + ax.get_yticklabels()]
    plt.close(figure)
    return "\n".join(found)


def test_the_cell_shows_its_gates_and_the_sizes_of_the_config():
    full, small = texts(diagrams.draw_lstm_cell(tc.ModelConfig())), texts(diagrams.draw_lstm_cell(SMALL))
    for gate in ("forget", "input", "candidate", "output", "h_t", "h_0 = c_0 = 0"):
        assert gate in full
    assert "(100)" in full and "150" in full and "kernel[:, 450:600] (100 × 150)" in full
    assert "(16)" in small and "24" in small and "150" not in small and "kernel[:, 72:96] (16 × 24)" in small
    assert "(150)" in texts(diagrams.draw_lstm_cell(tc.ModelConfig(), layer="lstm_2"))  # LSTM-2 reads 150 numbers
    with pytest.raises(ValueError, match="upto must be one of"):
        diagrams.draw_lstm_cell(upto="everything")


def test_the_cell_is_built_up_part_by_part_with_each_parts_weights():
    inputs = texts(diagrams.draw_lstm_cell(upto="inputs"))
    assert "forget" not in inputs and "150,600 weights: kernel (100, 600)" in inputs
    forget = texts(diagrams.draw_lstm_cell(upto="forget"))
    assert "forget $f$" in forget and "input $i$" not in forget and "kernel[:, 150:300]" in forget
    write = texts(diagrams.draw_lstm_cell(upto="write"))
    assert "candidate $g$" in write and "output $o$" not in write and "kernel[:, 300:450]" in write


def test_the_plain_rnn_cell_has_one_box_and_a_quarter_of_the_weights():
    drawn = texts(diagrams.draw_plain_rnn_cell(tc.ModelConfig()))
    assert "tanh" in drawn and "forget" not in drawn and f"{150 * (100 + 150 + 1):,} weights" in drawn


def steps_drawn(figure) -> list[str]:
    return [text.get_text() for text in figure.axes[0].texts if text.get_text().isdigit()]


def test_the_unrolled_layer_has_one_step_per_word_of_the_window():
    figure = diagrams.draw_unrolled(tc.ModelConfig(), WORDS)
    assert steps_drawn(figure) == [str(t) for t in range(1, 14)]
    drawn = texts(figure)
    assert all(word in drawn for word in WORDS) and "150,600" in drawn
    small = diagrams.draw_unrolled(SMALL, WORDS[:8])
    assert steps_drawn(small) == [str(t) for t in range(1, 9)] and "24 units" in texts(small)
    with pytest.raises(ValueError, match="expected 8 words"):
        diagrams.draw_unrolled(SMALL, WORDS)


def test_backpropagation_through_time_brings_the_gradient_into_lstm_1_at_every_step():
    figure = diagrams.draw_backprop_through_time(tc.ModelConfig(), WORDS)
    arrows = [text.arrow_patch for text in figure.axes[0].texts if getattr(text, "arrow_patch", None)]
    red = [arrow for arrow in arrows if matplotlib.colors.to_hex(arrow.get_edgecolor()) == diagrams.GRADIENT_COLOUR]
    drawn = texts(figure)
    assert "from LSTM-2, at every step" in drawn and "13 steps" in drawn
    assert len(red) == 13 + 12  # one gradient coming in per step, one back along each link
    assert "from the loss, at the last step" in texts(diagrams.draw_unrolled(tc.ModelConfig(), WORDS, "lstm_2", True))


def test_the_two_layers_unrolled_hand_only_the_last_state_on():
    drawn = texts(diagrams.draw_two_layers_unrolled(tc.ModelConfig(), WORDS))
    assert "LSTM-1\n150 units" in drawn and "LSTM-2\n100 units" in drawn
    assert "$h_{13}$ only, to the dense softmax layer" in drawn


def test_the_stack_shows_real_shapes_and_parameter_counts():
    model = tc.build_model(SMALL, seed=0)
    drawn = texts(diagrams.draw_model_stack(SMALL))
    for shape in ("(8,)", "(8, 16)", "(8, 24)", "(12,)", "(500,)"):
        assert shape in drawn
    for name in ("embedding", "lstm_1", "lstm_2", "dense_softmax"):
        assert f"{model.get_layer(name).count_params():,}\nparameters" in drawn
    assert f"{model.count_params():,} parameters in all" in drawn
    assert "(13, 150)" in texts(diagrams.draw_model_stack(tc.ModelConfig()))


def test_named_units_over_words_show_every_value():
    model = tc.build_model(SMALL, seed=0)
    weights = LstmWeights.from_keras(model.get_layer("lstm_1"))
    inputs = np.random.default_rng(0).normal(size=(1, 8, 16)).astype(np.float32)
    trace = run_lstm(inputs, weights)
    figure = diagrams.draw_units_over_words(trace, WORDS[:8], {"first": 0, "a counter": 5})
    assert len(figure.axes) == 2 + 3  # two panels, three colour bars
    images = figure.axes[0].images  # gates 0..1, g and h -1..1, the cell state over its own range
    assert [image.get_clim() for image in images[:2]] == [(0.0, 1.0), (-1.0, 1.0)]
    assert images[0].get_cmap().name == "viridis" and images[2].get_clim()[1] >= np.abs(trace.cell[0, :, [0, 5]]).max()
    drawn = texts(figure)
    assert "unit 5: a counter" in drawn and "forget gate f" in drawn and f"{trace.cell[0, 3, 5]:.1f}" in drawn
    with pytest.raises(ValueError, match="expected 8 words"):
        diagrams.draw_units_over_words(trace, WORDS, {"first": 0})


def test_text_by_unit_colours_each_word_by_its_value():
    figure = diagrams.draw_text_by_unit([WORDS[:3]], [np.array([-1.0, 0.0, 1.0])], ["unit 7"])
    words = [text for text in figure.axes[0].texts if text.get_text() in WORDS[:3]]
    colours = [text.get_bbox_patch().get_facecolor() for text in words]
    assert len(words) == 3
    assert colours[0][2] > colours[0][0] and colours[2][0] > colours[2][2]  # blue for -1, red for +1
    plt.close(figure)
    with pytest.raises(ValueError, match="3 words and 2 values"):
        diagrams.draw_text_by_unit([WORDS[:3]], [np.zeros(2)], ["unit 7"])
