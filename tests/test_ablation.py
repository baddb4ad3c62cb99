import dataclasses
import math

import numpy as np
import pytest

import textgen_course as tc
from textgen_course.ablation import (
    ARCHITECTURES,
    MODEL_NAMES,
    SECOND_RACE,
    TRAINED,
    architecture_of,
    build_architecture,
    build_one_lstm,
    full_budget_results as ablation_results,
    load_experiment,
    matched_units,
    parameter_count,
    single_thread,
    validation_curves,
    with_units,
)
from textgen_course.evaluation import evaluate
from textgen_course.training import TrainingConfig
from conftest import SMALL, random_ids, train_a_few_steps


@pytest.fixture(scope="module")
def small_one_lstm():
    return train_a_few_steps(build_one_lstm(SMALL, seed=2))


def test_one_lstm_model_drops_lstm1_and_keeps_the_other_stages(small_one_lstm):
    names = [layer.name for layer in small_one_lstm.layers]
    assert names == ["word_ids", "embedding", "lstm_2", "dense_softmax"]
    assert small_one_lstm.get_layer("lstm_2").units == SMALL.lstm2_units
    assert small_one_lstm.get_layer("lstm_2").return_sequences is False  # final state only
    probabilities = tc.next_word_probabilities(small_one_lstm, random_ids(SMALL, batch=5))
    assert probabilities.shape == (5, SMALL.vocab_size)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("config", [SMALL, tc.ModelConfig()], ids=["small", "notes"])
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_parameter_formula_equals_what_keras_counts(architecture, config):
    model = build_architecture(architecture, config, seed=0)
    assert parameter_count(architecture, config) == model.count_params()


def test_parameter_counts_of_the_notes_sizes():
    assert parameter_count("two_lstms") == 1_219_418
    assert parameter_count("one_lstm") == 481_800 + 80_400 + 486_618  # embedding + LSTM(100) + dense


@pytest.mark.parametrize("config", [tc.ModelConfig(), SMALL], ids=["notes", "small"])
def test_matched_width_is_the_closest_whole_number(config):
    match = matched_units(config)
    count = {units: parameter_count("one_lstm", with_units(config, units)) for units in range(1, 600)}
    best = min(count, key=lambda units: abs(count[units] - match.target))
    assert match.units == best
    assert match.parameters == count[best]
    assert match.a * match.exact_units ** 2 + match.b * match.exact_units + match.c == pytest.approx(match.target)


def test_matched_width_of_the_notes_model():
    match = matched_units()
    assert match.units == 128 and match.parameters == 1_220_570 and match.difference == 1_152
    assert match.exact_units == pytest.approx(127.8, abs=0.05)
    assert "128 units" in str(match) and "1,219,418" in str(match)


def test_one_lstm_starts_from_the_same_embedding_as_the_two_lstm_model():
    one, two = build_one_lstm(SMALL, seed=5), tc.build_model(SMALL, seed=5)
    np.testing.assert_array_equal(one.get_layer("embedding").get_weights()[0],
                                  two.get_layer("embedding").get_weights()[0])
    again = build_one_lstm(SMALL, seed=5)
    for a, b in zip(one.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)  # seeded: the same initial weights every time


def test_architecture_is_read_from_the_layers(small_one_lstm, small_model):
    assert architecture_of(small_one_lstm) == "one_lstm"
    assert architecture_of(small_model) == "two_lstms"
    assert architecture_of(tc.torch_model_from_keras(small_model)) == "two_lstms"


def test_unknown_architecture_is_rejected_with_the_allowed_names():
    with pytest.raises(ValueError, match=r"architecture must be one of \('two_lstms', 'one_lstm'\), got 'three_lstms'"):
        build_architecture("three_lstms", SMALL)
    with pytest.raises(ValueError, match="architecture must be one of"):
        parameter_count("one-lstm", SMALL)


def test_evaluate_and_keras_generation_accept_the_one_lstm_model(small_one_lstm):
    windows = random_ids(SMALL, batch=50, seed=3)
    targets = np.random.default_rng(4).integers(2, SMALL.vocab_size, 50)
    result = evaluate(small_one_lstm, windows, targets)
    assert result.windows == 50 and math.isfinite(result.perplexity) and result.perplexity > 1
    words = [f"w{i}" for i in range(SMALL.vocab_size - 2)]
    vocabulary = tc.Vocabulary(("<pad>", "<unk>", *words))
    first = tc.generate(small_one_lstm, vocabulary, "w3 w4 w5", num_words=6, strategy="top_k", top_k=5,
                        seed=1, engine="keras")
    again = tc.generate(small_one_lstm, vocabulary, "w3 w4 w5", num_words=6, strategy="top_k", top_k=5,
                        seed=1, engine="keras")
    assert len(first.new_ids) == 6 and first == again


def test_unknown_experiment_lists_the_shipped_ones():
    with pytest.raises(ValueError, match="no experiment 'two_lstm'; the shipped ones are"):
        load_experiment("two_lstm")


# The shipped results of scripts/train_ablations.py: they must describe the runs and recipes the book says.

RIVALS = {  # experiment -> (architecture, LSTM-2 width, recipe)
    "two_lstms_first_recipe": ("two_lstms", 100, "first"),
    "one_lstm": ("one_lstm", 100, "first"),
    "one_lstm_matched": ("one_lstm", matched_units().units, "first"),
    "one_lstm_matched_gain4": ("one_lstm", matched_units().units, "shipped"),
}


def test_the_two_recipes_differ_only_in_the_start_of_lstm2s_input_weights():
    shipped = TrainingConfig(**tc.artifacts.pretrained_manifest()["training"])
    assert shipped.summary_input_gain == 4.0 and TrainingConfig().summary_input_gain == 1.0
    assert dataclasses.replace(shipped, summary_input_gain=1.0) == TrainingConfig()  # the first recipe


def test_shipped_rivals_were_trained_with_their_races_recipe_on_the_same_corpus():
    shipped = tc.artifacts.pretrained_manifest()
    recipes = {"first": dataclasses.asdict(TrainingConfig()),
               "shipped": dataclasses.asdict(TrainingConfig(**shipped["training"]))}
    for variant, (architecture, units, recipe) in RIVALS.items():
        run = load_experiment(variant)
        assert f"train {variant}" in run["command"] or variant == "two_lstms_first_recipe"
        assert run["architecture"] == architecture and run["units"] == units and run["recipe"] == recipe
        assert run["training"] == recipes[recipe] and run["corpus"] == shipped["corpus"]
        config = tc.ModelConfig.from_dict(run["model_config"])
        assert run["parameters"] == parameter_count(architecture, config)
        assert {k: v for k, v in run["model_config"].items() if k != "lstm2_units"} == \
            {k: v for k, v in shipped["model_config"].items() if k != "lstm2_units"}
        history, metrics = run["history"], run["metrics"]
        assert len(history) == metrics["epochs_run"] <= run["training"]["epochs"]
        assert metrics["best_epoch"] == 1 + int(np.argmin([r["val_loss"] for r in history]))
        assert metrics["validation_perplexity"] == pytest.approx(math.exp(metrics["validation_loss"]))
        assert run["weights_sha256"] != shipped["files"]["weights"]["sha256"]


def test_shipped_baselines_and_breakdown_score_the_first_race_on_every_validation_window():
    shipped = tc.artifacts.pretrained_manifest()
    windows = shipped["corpus"]["validation_windows"]
    baselines, breakdown = load_experiment("baselines"), load_experiment("breakdown")
    assert "train_ablations.py baselines" in baselines["command"] and "breakdown" in breakdown["command"]
    first = load_experiment("two_lstms_first_recipe")
    assert breakdown["two_lstms_first_recipe_weights_sha256"] == first["weights_sha256"]
    assert set(breakdown["models"]) == {"two_lstms_first_recipe", "one_lstm", "one_lstm_matched",
                                        "kneser_ney_trigram", "unigram"}
    for key in ("unigram", "kneser_ney_trigram"):
        assert baselines[key]["windows"] == windows
        assert breakdown["models"][key]["overall"]["perplexity"] == pytest.approx(baselines[key]["perplexity"])
    for key, model in breakdown["models"].items():
        assert model["overall"]["windows"] == windows
        assert sum(part["windows"] for part in model["by_token_type"].values()) == windows
        assert [int(k) for k in model["by_context_length"]] == breakdown["context_lengths"]["lengths"]
    assert sum(breakdown["token_types"]["shares"].values()) == pytest.approx(1.0)
    # our scorer, with Keras's clipping of tiny probabilities, gives the validation loss Keras reported in training
    for key in ("two_lstms_first_recipe", "one_lstm", "one_lstm_matched"):
        run, scored = load_experiment(key), breakdown["models"][key]
        keras_loss = run["metrics"].get("keras_validation_loss", run["metrics"]["validation_loss"])
        assert scored["clipped_loss"] == pytest.approx(keras_loss, rel=1e-5)
        assert scored["overall"]["loss"] >= scored["clipped_loss"]
        assert scored["overall"]["accuracy"] == pytest.approx(run["metrics"]["validation_accuracy"], abs=1e-6)


def test_seed_variation_summarizes_its_runs():
    seeds = load_experiment("seed_variation")
    assert "train_ablations.py seeds" in seeds["command"]
    for architecture in ("two_lstms", "one_lstm"):
        values = [run["validation_perplexity"] for run in seeds["runs"][architecture]]
        assert [run["seed"] for run in seeds["runs"][architecture]] == list(range(len(values)))
        assert seeds["validation_perplexity"][architecture]["std"] == pytest.approx(np.std(values, ddof=1))


def test_full_budget_table_has_every_model_in_order():
    table = ablation_results()
    assert [row.key for row in table.rows] == list(MODEL_NAMES)
    assert table["two_lstms"].parameters == 1_219_418 and table["unigram"].parameters is None
    assert table["two_lstms"].summary_input_gain == 4 and table["one_lstm_matched_gain4"].summary_input_gain == 4
    assert table["two_lstms_first_recipe"].summary_input_gain == 1 and table["unigram"].summary_input_gain is None
    shipped = tc.artifacts.pretrained_manifest()["metrics"]
    assert table["two_lstms"].perplexity == shipped["validation_perplexity"]  # the exact scorer, every window
    assert "one LSTM, parameter-matched" in str(table) and f"{table.windows:,} windows" in str(table)
    race = ablation_results(SECOND_RACE)
    assert [row.key for row in race.rows] == list(SECOND_RACE) and race["unigram"] == table["unigram"]
    curves = validation_curves()
    assert set(curves) == set(TRAINED)
    assert len(curves["two_lstms"]) == table["two_lstms"].epochs_run
    assert min(curves["one_lstm"]) == pytest.approx(table["one_lstm"].perplexity, rel=1e-2)  # Keras clips, we do not
    with pytest.raises(KeyError, match="no model 'three_lstms'"):
        table["three_lstms"]
    with pytest.raises(KeyError, match="no model 'three_lstms'"):
        ablation_results(("two_lstms", "three_lstms"))


def test_multiply_adds_count_the_matrix_products_of_one_window():
    from textgen_course.ablation import multiply_adds

    assert multiply_adds("two_lstms") == 13 * 4 * 150 * 250 + 13 * 4 * 100 * 250 + 100 * 4818
    assert multiply_adds("one_lstm") == 13 * 4 * 100 * 200 + 100 * 4818
    with pytest.raises(ValueError, match="architecture must be one of"):
        multiply_adds("deep")


def test_the_gap_split_by_kind_of_word_adds_up_to_the_whole_gap():
    from textgen_course.ablation import gap_by_token_type

    def model(losses):
        return {"by_token_type": {kind: {"loss": loss} for kind, loss in losses.items()}}

    breakdown = {"token_types": {"order": ["punctuation", "other words"], "shares": {"punctuation": 0.25,
                                                                                      "other words": 0.75}},
                 "models": {"two_lstms_first_recipe": model({"punctuation": 1.0, "other words": 5.0}),
                            "one_lstm_matched": model({"punctuation": 1.4, "other words": 5.2})}}
    split = gap_by_token_type(breakdown)
    assert split["punctuation"][0] == pytest.approx(0.4) and split["other words"][0] == pytest.approx(0.2)
    # overall gap 0.25 * 0.4 + 0.75 * 0.2 = 0.25: punctuation explains 0.1 / 0.25 of it
    assert split["punctuation"][1] == pytest.approx(0.4) and split["other words"][1] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="no gap to split"):
        gap_by_token_type(breakdown, model="one_lstm_matched", rival="one_lstm_matched")


def test_single_thread_runs_torch_on_one_thread_and_restores_the_count_even_after_an_error():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with single_thread():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError, match="inside"):
            with single_thread():
                raise RuntimeError("inside")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_spread_at_start_shows_why_the_deeper_model_starts_slowly():
    from textgen_course.ablation import spread_at_start

    two, one = spread_at_start("two_lstms"), spread_at_start("one_lstm")
    assert list(two) == ["embedding", "lstm_1", "lstm_2"] and list(one) == ["embedding", "lstm_2"]
    assert two["embedding"] == one["embedding"]  # the same seeds: the same starting vectors
    assert two["lstm_1"] < two["embedding"] / 3  # LSTM-1's outputs barely differ from window to window
    assert two["lstm_2"] < one["lstm_2"] / 2  # so the summary the head reads differs less than the rival's
    boosted = spread_at_start("two_lstms", summary_input_gain=4.0)
    assert boosted["lstm_1"] == two["lstm_1"] and boosted["lstm_2"] > one["lstm_2"]
    small = spread_at_start("two_lstms", SMALL, windows=16)
    assert set(small) == {"embedding", "lstm_1", "lstm_2"}


def test_second_race_scores_the_shipped_model_and_its_same_recipe_rival_on_every_window():
    race, shipped = load_experiment("second_race"), tc.artifacts.pretrained_manifest()
    assert "train_ablations.py second-race" in race["command"]
    assert race["shipped_weights_sha256"] == shipped["files"]["weights"]["sha256"], \
        "the shipped model changed: rerun scripts/train_ablations.py second-race"
    assert race["rival_weights_sha256"] == load_experiment("one_lstm_matched_gain4")["weights_sha256"]
    table = ablation_results(SECOND_RACE)
    for key, scored in race["models"].items():
        assert scored["overall"]["windows"] == race["validation_windows"] == table.windows
        assert scored["overall"]["perplexity"] == pytest.approx(table[key].perplexity, rel=1e-6)  # one scorer
        assert sum(part["windows"] for part in scored["by_token_type"].values()) == table.windows
    models = race["models"]
    gap = models["one_lstm_matched_gain4"]["overall"]["loss"] - models["two_lstms"]["overall"]["loss"]
    assert race["paired_difference"]["loss_difference"] == pytest.approx(gap, rel=1e-6)


def test_slow_start_records_the_first_steps_of_both_starts():
    start = load_experiment("slow_start")
    assert "train_ablations.py start" in start["command"]
    curves = start["validation_perplexity_by_gain"]
    assert set(curves) == {"1", "4"} and start["steps"][0] == 0
    assert all(len(curve) == len(start["steps"]) for curve in curves.values())
    assert curves["1"][0] == pytest.approx(curves["4"][0], rel=0.05)  # before any step: both near uniform
