"""The seed study (textgen_course/analysis/why_two_lstms.py) and the records it reads."""

import dataclasses
import hashlib
import io

import numpy as np
import pytest

from textgen_course.ablation import EXPERIMENTS, SEED_STUDY, SEEDS, load_experiment, shipped_recipe, variant_recipe
from textgen_course.analysis import why_two_lstms as study
from textgen_course.evaluation import TargetScores


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
