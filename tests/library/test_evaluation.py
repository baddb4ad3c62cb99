import numpy as np
import pytest

import textgen_course as tc
from textgen_course.evaluation import evaluate, score_probabilities
from conftest import SMALL, random_ids


def test_a_uniform_model_has_perplexity_equal_to_the_vocabulary_size():
    targets = np.arange(10) % 7
    result = score_probabilities([np.full((10, 7), 1 / 7)], targets)
    assert result.perplexity == pytest.approx(7.0)


def test_accuracy_and_top5_count_the_words_ranked_above_the_target():
    row = [0.3, 0.2, 0.15, 0.12, 0.1, 0.09, 0.04]
    result = score_probabilities([np.array([row, row, row])], np.array([0, 4, 6]))
    assert result.accuracy == pytest.approx(1 / 3)  # only target 0 is the top word
    assert result.top5_accuracy == pytest.approx(2 / 3)  # target 4 is fifth, target 6 seventh


def test_evaluate_matches_keras_loss(small_model):
    import keras

    x, y = random_ids(SMALL, batch=300, seed=1), np.random.default_rng(2).integers(2, 500, 300)
    ours = evaluate(small_model, x, y)
    trainer = keras.Model(small_model.input, small_model.output)
    trainer.compile(loss="sparse_categorical_crossentropy")
    assert ours.loss == pytest.approx(trainer.evaluate(x, y, verbose=0), rel=1e-4)


def test_perplexity_is_the_inverse_geometric_mean_of_the_target_probabilities():
    from textgen_course.evaluation import perplexity_from_probabilities

    assert perplexity_from_probabilities(np.full(9, 1 / 50)) == pytest.approx(50.0)
    p = np.array([0.5, 0.25, 0.125])
    assert perplexity_from_probabilities(p) == pytest.approx((0.5 * 0.25 * 0.125) ** (-1 / 3))
    with pytest.raises(ValueError, match="must be in \\(0, 1\\]"):
        perplexity_from_probabilities(np.array([0.5, 0.0]))
    with pytest.raises(ValueError, match="non-empty 1-D"):
        perplexity_from_probabilities(np.ones((2, 2)) / 2)


def test_target_scores_give_the_same_evaluation_and_score_any_subset(small_model):
    from textgen_course.evaluation import score_targets

    x, y = random_ids(SMALL, batch=120, seed=5), np.random.default_rng(6).integers(2, 500, 120)
    scores = score_targets(small_model, x, y, batch_size=50)  # three batches, the last one short
    assert scores.log_probability.shape == (120,) and scores.rank.shape == (120,)
    assert scores.evaluation() == evaluate(small_model, x, y)
    mask = np.arange(120) % 3 == 0
    subset = scores.evaluation(mask)
    assert subset.windows == 40
    assert subset.loss == pytest.approx(evaluate(small_model, x[mask], y[mask]).loss, rel=1e-6)
    with pytest.raises(ValueError, match="selects no targets"):
        scores.evaluation(np.zeros(120, bool))


def test_the_twin_and_the_keras_model_get_the_same_scores(small_model):
    x, y = random_ids(SMALL, batch=64, seed=7), np.random.default_rng(8).integers(2, 500, 64)
    keras_result = evaluate(small_model, x, y)
    twin_result = evaluate(tc.torch_model_from_keras(small_model), x, y)
    assert twin_result.loss == pytest.approx(keras_result.loss, rel=1e-5)
    assert twin_result.top5_accuracy == keras_result.top5_accuracy


def test_clipped_loss_counts_tiny_probabilities_as_keras_does():
    from textgen_course.evaluation import TargetScores

    scores = TargetScores(np.log(np.array([0.5, 1e-9])), np.zeros(2, int))
    assert scores.evaluation().loss == pytest.approx((np.log(2) + np.log(1e9)) / 2)
    assert scores.clipped_loss() == pytest.approx((np.log(2) + np.log(1e7)) / 2)


def test_a_strided_sample_spreads_over_the_whole_set_and_keeps_pairs_together():
    from textgen_course.evaluation import strided_sample

    windows = np.arange(1000 * 13).reshape(1000, 13)
    targets = np.arange(1000)
    x, y = strided_sample(windows, targets, 200)
    assert x.shape == (200, 13) and len(y) == 200
    np.testing.assert_array_equal(y, np.arange(0, 1000, 5))  # every 5th pair, first to last
    np.testing.assert_array_equal(x[:, 0], y * 13)  # each window still with its own target
    with pytest.raises(ValueError, match="count must be in 1..1000"):
        strided_sample(windows, targets, 1001)


def test_a_perplexity_estimate_has_the_standard_error_of_its_mean_loss():
    from textgen_course.evaluation import TargetScores, estimate_perplexity

    losses = np.random.default_rng(0).exponential(4.7, size=4000)  # (n,) per-window losses in nats
    estimate = estimate_perplexity(TargetScores(-losses, np.zeros(4000, dtype=int)))
    assert estimate.perplexity == pytest.approx(np.exp(losses.mean()))
    se_of_loss = losses.std(ddof=1) / np.sqrt(4000)
    # exp(mean ± se) brackets the perplexity ± its standard error to first order
    assert estimate.standard_error == pytest.approx((np.exp(losses.mean() + se_of_loss)
                                                     - np.exp(losses.mean() - se_of_loss)) / 2, rel=1e-3)
    assert "estimate from 4,000 windows" in str(estimate)
    halves = [estimate_perplexity(TargetScores(-part, np.zeros(2000, dtype=int))) for part in np.split(losses, 2)]
    assert halves[0].standard_error > estimate.standard_error  # fewer windows, wider error
