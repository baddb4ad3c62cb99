"""What book/why_two_lstms.ipynb computes from the races (textgen_course/analysis/why_two_lstms.py):
the results table, paired gaps, the breakdowns by kind of word and by words of context, and the
seed study with the records it reads."""

import dataclasses
import hashlib
import io

import numpy as np
import pytest

import textgen_course as tc
from textgen_course.ablation import (
    EXPERIMENTS,
    MODEL_NAMES,
    SECOND_RACE,
    SEED_STUDY,
    SEEDS,
    TRAINED,
    load_experiment,
    shipped_recipe,
    variant_recipe,
)
from textgen_course.analysis import why_two_lstms as study
from textgen_course.analysis.why_two_lstms import (
    TOKEN_TYPES,
    breakdown,
    context_length_curve,
    full_budget_results,
    gap_by_token_type,
    keep_last_words,
    paired_difference,
    token_type_groups,
    validation_curves,
)
from textgen_course.baselines import KneserNeyTrigram, UnigramModel
from textgen_course.evaluation import TargetScores


# ---- the races, the paired gaps, the breakdowns ------------------------------------------------

def test_full_budget_table_has_every_model_in_order():
    table = full_budget_results()
    assert [row.key for row in table.rows] == list(MODEL_NAMES)
    assert table["two_lstms"].parameters == 1_219_418 and table["unigram"].parameters is None
    assert table["two_lstms"].summary_input_gain == 4 and table["one_lstm_matched_gain4"].summary_input_gain == 4
    assert table["two_lstms_first_recipe"].summary_input_gain == 1 and table["unigram"].summary_input_gain is None
    shipped = tc.artifacts.pretrained_manifest()["metrics"]
    assert table["two_lstms"].perplexity == shipped["validation_perplexity"]  # the exact scorer, every window
    assert "one LSTM, parameter-matched" in str(table) and f"{table.windows:,} windows" in str(table)
    race = full_budget_results(SECOND_RACE)
    assert [row.key for row in race.rows] == list(SECOND_RACE) and race["unigram"] == table["unigram"]
    curves = validation_curves()
    assert set(curves) == set(TRAINED)
    assert len(curves["two_lstms"]) == table["two_lstms"].epochs_run
    assert min(curves["one_lstm"]) == pytest.approx(table["one_lstm"].perplexity, rel=1e-2)  # Keras clips, we do not
    with pytest.raises(KeyError, match="no model 'three_lstms'"):
        table["three_lstms"]
    with pytest.raises(KeyError, match="no model 'three_lstms'"):
        full_budget_results(("two_lstms", "three_lstms"))


def test_the_gap_split_by_kind_of_word_adds_up_to_the_whole_gap():
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


def test_keep_last_words_pads_on_the_left_like_a_short_seed():
    windows = np.arange(2, 28).reshape(2, 13)
    shortened = keep_last_words(windows, 3)
    np.testing.assert_array_equal(shortened[0], [0] * 10 + [12, 13, 14])
    np.testing.assert_array_equal(keep_last_words(windows, 13), windows)
    assert windows[0, 0] == 2  # the input is not changed
    for bad in (0, 14, 2.5):
        with pytest.raises(ValueError, match="count must be a whole number in 1..13"):
            keep_last_words(windows, bad)


def test_context_length_curve_is_flat_for_unigrams_and_beyond_two_words_for_trigrams():
    rng = np.random.default_rng(4)
    ids = rng.integers(2, 15, 4000)
    windows, targets = tc.make_windows(ids, 6)
    unigram_curve = context_length_curve(UnigramModel(ids, 15), windows, targets, lengths=(1, 3, 6))
    assert len({round(result.loss, 12) for result in unigram_curve.values()}) == 1
    trigram_curve = context_length_curve(KneserNeyTrigram([ids], 15), windows, targets, lengths=(1, 2, 4, 6))
    assert trigram_curve[2].loss == pytest.approx(trigram_curve[6].loss) == pytest.approx(trigram_curve[4].loss)
    assert trigram_curve[1].loss != pytest.approx(trigram_curve[2].loss)  # one word: only the bigram part


def test_token_type_groups_split_every_target_into_exactly_one_group():
    text = "the king , the queen . a fool ! the crown ; my lord : what ? " * 20 + "rare words appear once ."
    vocabulary = tc.Vocabulary.from_text(text, size=14)
    targets = np.array(vocabulary.encode("the king , zebra . crown"))
    groups = token_type_groups(targets, vocabulary, frequent=2)
    assert tuple(groups) == TOKEN_TYPES
    assert np.array_equal(sum(mask.astype(int) for mask in groups.values()), np.ones(len(targets), int))
    words = vocabulary.tokens(targets)
    assert [w for w, m in zip(words, groups["punctuation"]) if m] == [",", "."]
    assert [w for w, m in zip(words, groups["unknown word"]) if m] == ["<unk>"]
    assert [w for w, m in zip(words, groups["frequent words"]) if m] == ["the"]
    scores = TargetScores(np.log(np.full(len(targets), 0.5)), np.zeros(len(targets), int))
    parts = breakdown(scores, groups)
    assert parts["other words"].windows == 2 and parts["punctuation"].perplexity == pytest.approx(2.0)


def test_paired_difference_measures_the_gap_and_its_block_standard_error():
    rng = np.random.default_rng(0)
    b = np.log(rng.uniform(0.01, 0.5, 4000))
    a = b + 0.1  # model A gives every target e^0.1 times the probability
    ranks = np.zeros(4000, int)
    result = paired_difference(TargetScores(a, ranks), TargetScores(b, ranks), block=500)
    assert result.loss_difference == pytest.approx(0.1) and result.standard_error == pytest.approx(0, abs=1e-12)
    assert result.blocks == 8
    noisy = paired_difference(TargetScores(b + rng.normal(0, 1, 4000), ranks), TargetScores(b, ranks), block=100)
    assert noisy.standard_error == pytest.approx(1 / np.sqrt(4000), rel=0.3)  # independent noise: sigma / sqrt(n)
    with pytest.raises(ValueError, match="same targets"):
        paired_difference(TargetScores(a[:10], ranks[:10]), TargetScores(b, ranks))
    with pytest.raises(ValueError, match="need at least 2000 targets"):
        paired_difference(TargetScores(a[:1500], ranks[:1500]), TargetScores(b[:1500], ranks[:1500]))


# ---- the seed question ---------------------------------------------------------------------------


def stand_in(loss: float, windows: int = 4000, seed: int = 0) -> TargetScores:
    """Scores of a made-up model whose mean loss is about `loss` nats."""
    rng = np.random.default_rng(seed)
    losses = np.abs(rng.normal(loss, 2.0, windows))
    return TargetScores(-losses, rng.integers(0, 300, windows))


def test_the_verdict_says_two_lstms_win_when_they_win_for_every_seed():
    base = {seed: stand_in(4.7, seed=seed) for seed in SEEDS}

    def scores(run):
        model, seed = run.rsplit("_seed", 1)
        clean = base[int(seed)]
        shift = 0.0 if model == "two_lstms" else 0.015 + 0.002 * int(seed)  # the rival is worse by ~0.015 nats
        return TargetScores(clean.log_probability - shift, clean.rank)

    verdict = study.seed_verdict(scores=scores)
    assert verdict.seeds == [0, 1, 2] and verdict.wins == 3
    assert verdict.mean_gap == pytest.approx(0.017, abs=1e-9)
    low, high = verdict.interval
    assert 0 < low < verdict.mean_gap < high
    assert "not the luck of one seed" in verdict.answer()
    two, one = verdict.models
    assert two.model == "two_lstms" and one.perplexity[1] > two.perplexity[1]
    assert "95% interval over seeds" in str(verdict)


def test_the_verdict_says_so_when_seeds_disagree():
    base = {seed: stand_in(4.7, seed=seed) for seed in SEEDS}
    shifts = {0: 0.015, 1: -0.02, 2: 0.004}

    def scores(run):
        model, seed = run.rsplit("_seed", 1)
        shift = 0.0 if model == "two_lstms" else shifts[int(seed)]
        return TargetScores(base[int(seed)].log_probability - shift, base[int(seed)].rank)

    verdict = study.seed_verdict(scores=scores)
    assert verdict.wins == 2 and verdict.interval[0] < 0 < verdict.interval[1]
    assert "cannot tell the two models apart" in verdict.answer()


def test_the_interval_uses_students_t_for_three_seeds():
    gaps = [0.01, 0.02, 0.03]
    verdict = study.SeedVerdict(models=(), gaps={i: study.PairedDifference(g, 0.001, 100) for i, g in enumerate(gaps)})
    low, high = verdict.interval
    assert high - low == pytest.approx(2 * 4.303 * 0.01 / np.sqrt(3))


def test_bad_input_gets_clear_errors():
    with pytest.raises(ValueError, match="model must be one of"):
        study.run_name("three_lstms", 0)
    with pytest.raises(ValueError, match="at least 2 seeds"):
        study.seed_verdict(seeds=(0,))


def test_packed_scores_come_back_within_float16():
    scores = stand_in(4.7, windows=1000)
    with np.load(io.BytesIO(study.pack_scores(scores))) as stored:
        assert stored["loss"].dtype == np.float16 and stored["rank"].dtype == np.uint8
        assert np.abs(stored["loss"] + scores.log_probability).max() < 0.01
        assert (stored["rank"] == np.minimum(scores.rank, study.RANK_CAP)).all()


# ---- the records the chapter reads -------------------------------------------------------------

RECORDED = [run for run in ("two_lstms_seed0", *SEED_STUDY) if (EXPERIMENTS / f"{run}.json").exists()]


def test_the_shipped_model_is_seed_0_of_the_study():
    assert "two_lstms_seed0" in RECORDED, "run: scripts/train_ablations.py seed-scores two_lstms_seed0"
    from textgen_course.artifacts import pretrained_manifest

    record = load_experiment("two_lstms_seed0")
    assert record["weights_sha256"] == pretrained_manifest()["files"]["weights"]["sha256"]


@pytest.mark.parametrize("run", RECORDED)
def test_each_record_has_the_recipe_its_name_says(run):
    record = load_experiment(run)
    _, shipped_training, _ = shipped_recipe()
    seed = int(run.rsplit("_seed", 1)[1])
    if run == "two_lstms_seed0":
        architecture, training = "two_lstms", shipped_training
    else:
        architecture, _, training = variant_recipe(run)
    assert record["architecture"] == architecture
    assert record["training"] == dataclasses.asdict(training)
    assert record["training"]["seed"] == seed  # the seed is the only difference from the shipped recipe
    assert dataclasses.replace(training, seed=0) == shipped_training
    # same data, so the same windows in the same order for the two models of one seed
    assert record["corpus"]["sha256"] == shipped_recipe()[2]["corpus"]["sha256"]
    assert record["corpus"]["train_windows"] == shipped_recipe()[2]["corpus"]["train_windows"]


@pytest.mark.parametrize("run", [run for run in RECORDED if "validation_scores" in load_experiment(run)])
def test_the_scores_are_recomputed_from_the_stored_window_losses(run):
    record = load_experiment(run)
    entry = record["validation_scores"]
    data = study.losses_path(run).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    recomputed = study.window_scores(run).evaluation()
    assert recomputed.windows == entry["windows"] == shipped_recipe()[2]["corpus"]["validation_windows"]
    assert recomputed.perplexity == pytest.approx(entry["perplexity"], rel=2e-4)  # float16 losses
    assert recomputed.accuracy == pytest.approx(entry["accuracy"], abs=1e-12)
    assert recomputed.top5_accuracy == pytest.approx(entry["top5_accuracy"], abs=1e-12)
    if "validation_perplexity" in record["metrics"]:  # the training run's own exact scoring agrees
        assert entry["perplexity"] == pytest.approx(record["metrics"]["validation_perplexity"], rel=1e-3)
