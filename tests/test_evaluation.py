import numpy as np
import pytest

import textgen_course as tc
from textgen_course.evaluation import KneserNeyTrigram, UnigramModel, evaluate, score_probabilities
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


def test_unigram_model_is_add_one_smoothed():
    model = UnigramModel(np.array([2, 2, 3]), vocab_size=5)
    np.testing.assert_allclose(model.probabilities, [0, 1 / 7, 3 / 7, 2 / 7, 1 / 7])


def test_kneser_ney_equals_nltk_on_a_toy_text():
    from nltk.lm import KneserNeyInterpolated
    from nltk.util import everygrams

    rng = np.random.default_rng(0)
    ids = np.concatenate([[1], rng.integers(2, 12, 400)])
    tokens = [str(i) for i in ids]
    reference = KneserNeyInterpolated(3, discount=0.75)
    reference.fit([list(everygrams(tokens, max_len=3))], tokens)
    ours = KneserNeyTrigram([ids], vocab_size=12, discount=0.75, add=0.0)
    contexts = np.array([[u, v] for u in range(2, 12) for v in range(2, 12)])
    probabilities = ours.probabilities(contexts)
    expected = np.array([[reference.score(str(w), [str(u), str(v)]) for w in range(2, 12)] for u, v in contexts])
    np.testing.assert_allclose(probabilities[:, 2:], expected, atol=1e-7)


def test_kneser_ney_distributions_are_proper_for_seen_and_unseen_contexts():
    rng = np.random.default_rng(1)
    model = KneserNeyTrigram([rng.integers(1, 30, 2000)], vocab_size=40)
    contexts = np.array([[u, v] for u in range(40) for v in range(40)])
    probabilities = model.probabilities(contexts)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert probabilities[:, 0].max() == 0 and probabilities[:, 35].min() > 0  # unseen words still possible


def test_kneser_ney_beats_unigram_on_patterned_text(small_text):
    from textgen_course.vocabulary import Vocabulary
    from textgen_course.windows import prepare_windows, split_ids

    vocabulary = Vocabulary.from_text(small_text, size=30)
    ids = vocabulary.encode(small_text)
    data = prepare_windows(ids, 6)
    train_pieces, _ = split_ids(ids)
    trigram = KneserNeyTrigram(train_pieces, 30).evaluate(data.validation_x, data.validation_y)
    unigram = UnigramModel(np.concatenate(train_pieces), 30).evaluate(data.validation_x, data.validation_y)
    assert trigram.perplexity < unigram.perplexity


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


def test_baselines_are_scored_through_the_same_function():
    rng = np.random.default_rng(3)
    ids = rng.integers(1, 20, 3000)
    windows, targets = tc.make_windows(ids, 5)
    trigram, unigram = KneserNeyTrigram([ids[:2000]], 20), UnigramModel(ids[:2000], 20)
    for baseline in (trigram, unigram):
        assert baseline.evaluate(windows, targets) == evaluate(baseline, windows, targets)
    np.testing.assert_allclose(trigram.window_probabilities(windows[:3]), trigram.probabilities(windows[:3, -2:]))


def test_keep_last_words_pads_on_the_left_like_a_short_seed():
    from textgen_course.evaluation import keep_last_words

    windows = np.arange(2, 28).reshape(2, 13)
    shortened = keep_last_words(windows, 3)
    np.testing.assert_array_equal(shortened[0], [0] * 10 + [12, 13, 14])
    np.testing.assert_array_equal(keep_last_words(windows, 13), windows)
    assert windows[0, 0] == 2  # the input is not changed
    for bad in (0, 14, 2.5):
        with pytest.raises(ValueError, match="count must be a whole number in 1..13"):
            keep_last_words(windows, bad)


def test_context_length_curve_is_flat_for_unigrams_and_beyond_two_words_for_trigrams():
    from textgen_course.evaluation import context_length_curve

    rng = np.random.default_rng(4)
    ids = rng.integers(2, 15, 4000)
    windows, targets = tc.make_windows(ids, 6)
    unigram_curve = context_length_curve(UnigramModel(ids, 15), windows, targets, lengths=(1, 3, 6))
    assert len({round(result.loss, 12) for result in unigram_curve.values()}) == 1
    trigram_curve = context_length_curve(KneserNeyTrigram([ids], 15), windows, targets, lengths=(1, 2, 4, 6))
    assert trigram_curve[2].loss == pytest.approx(trigram_curve[6].loss) == pytest.approx(trigram_curve[4].loss)
    assert trigram_curve[1].loss != pytest.approx(trigram_curve[2].loss)  # one word: only the bigram part


def test_token_type_groups_split_every_target_into_exactly_one_group():
    from textgen_course.evaluation import TOKEN_TYPES, breakdown, token_type_groups, TargetScores

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
    from textgen_course.evaluation import TargetScores, paired_difference

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


def test_clipped_loss_counts_tiny_probabilities_as_keras_does():
    from textgen_course.evaluation import TargetScores

    scores = TargetScores(np.log(np.array([0.5, 1e-9])), np.zeros(2, int))
    assert scores.evaluation().loss == pytest.approx((np.log(2) + np.log(1e9)) / 2)
    assert scores.clipped_loss() == pytest.approx((np.log(2) + np.log(1e7)) / 2)
