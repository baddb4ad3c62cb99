"""The count-based baselines (textgen_course/baselines.py)."""

import numpy as np

import textgen_course as tc
from textgen_course.baselines import KneserNeyTrigram, UnigramModel
from textgen_course.evaluation import evaluate


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


def test_baselines_are_scored_through_the_same_function():
    rng = np.random.default_rng(3)
    ids = rng.integers(1, 20, 3000)
    windows, targets = tc.make_windows(ids, 5)
    trigram, unigram = KneserNeyTrigram([ids[:2000]], 20), UnigramModel(ids[:2000], 20)
    for baseline in (trigram, unigram):
        assert baseline.evaluate(windows, targets) == evaluate(baseline, windows, targets)
    np.testing.assert_allclose(trigram.window_probabilities(windows[:3]), trigram.probabilities(windows[:3, -2:]))
