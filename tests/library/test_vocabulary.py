import json

import numpy as np
import pytest

from textgen_course.text import tokenize
from textgen_course.vocabulary import PAD_ID, UNKNOWN_ID, Vocabulary, coverage_by_size, ranked_counts


def test_size_is_exact_with_padding_and_unknown_first(small_text):
    vocabulary = Vocabulary.from_text(small_text, size=20)
    assert len(vocabulary) == 20
    assert vocabulary.words[PAD_ID] == "<pad>" and vocabulary.words[UNKNOWN_ID] == "<unk>"


def test_ids_follow_frequency_and_ties_break_alphabetically():
    vocabulary = Vocabulary.from_text("b b b a a c c d", size=6)
    assert vocabulary.words == ("<pad>", "<unk>", "b", "a", "c", "d")
    assert Vocabulary.from_text("c c d d a a b", size=5).words[2:] == ("a", "c", "d")


def test_encode_and_decode(small_text):
    vocabulary = Vocabulary.from_text(small_text, size=30)
    ids = vocabulary.encode("The king loves the zebra.")
    assert ids[-2] == UNKNOWN_ID and all(isinstance(i, int) for i in ids)
    assert vocabulary.decode(ids) == "The king loves the <unk>."
    assert vocabulary.unknown_words("the zebra and the yak and the zebra") == ["zebra", "yak"]
    assert vocabulary.encode(tokenize("the king")) == vocabulary.encode("the king")


def test_decode_skips_padding_and_rejects_unknown_ids(small_text):
    vocabulary = Vocabulary.from_text(small_text, size=30)
    assert vocabulary.decode([0, 0, vocabulary.id_of("king")]) == "King"
    with pytest.raises(ValueError, match=r"id 30 is outside \[0, 30\)"):
        vocabulary.decode([30])


def test_json_round_trip(tmp_path, small_text):
    vocabulary = Vocabulary.from_text(small_text, size=30)
    assert Vocabulary.from_json(vocabulary.to_json()) == vocabulary
    vocabulary.save(tmp_path / "v.json")
    assert Vocabulary.load(tmp_path / "v.json") == vocabulary


def test_bad_json_and_missing_files_get_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="not a saved vocabulary"):
        Vocabulary.from_json("{not json")
    with pytest.raises(ValueError, match="not a saved vocabulary"):
        Vocabulary.from_json(json.dumps({"words": ["a"]}))
    with pytest.raises(FileNotFoundError, match="no file at"):
        Vocabulary.load(tmp_path / "missing.json")


def test_statistics(small_text):
    vocabulary = Vocabulary.from_text(small_text, size=20)
    stats = vocabulary.statistics(small_text)
    assert stats.tokens == len(tokenize(small_text)) and stats.vocabulary_size == 20
    assert stats.coverage + stats.unknown_share == pytest.approx(1.0)
    assert 0.5 < stats.coverage < 1.0


@pytest.mark.parametrize("text, size, message", [
    ("", 10, "no words"), ("a b c", 10, "needs at least 8 distinct tokens, the text has 3"),
    ("a b", 2, "size must be an integer >= 3"),
])
def test_impossible_vocabularies_are_refused(text, size, message):
    with pytest.raises(ValueError, match=message):
        Vocabulary.from_text(text, size=size)


@pytest.fixture(scope="module")
def shakespeare_tokens():
    from textgen_course.text import load_corpus

    return tokenize(load_corpus())


def test_shakespeare_vocabulary_coverage(shakespeare_tokens):
    vocabulary = Vocabulary.from_tokens(shakespeare_tokens, size=4818)
    stats = vocabulary.statistics(shakespeare_tokens)
    assert len(vocabulary) == 4818
    assert stats.tokens == 1_005_531 and stats.word_tokens == 835_989 and stats.types == 25_279
    assert round(stats.coverage, 3) == 0.945


def test_the_shipped_vocabulary_is_the_one_the_corpus_gives(shakespeare_tokens):
    from textgen_course.artifacts import PRETRAINED

    shipped = Vocabulary.load(PRETRAINED / "vocabulary.json")
    assert shipped.words == Vocabulary.from_tokens(shakespeare_tokens, size=len(shipped)).words


def test_ranked_counts_is_the_vocabulary_order():
    assert ranked_counts("b b b a a c c d".split()) == [("b", 3), ("a", 2), ("c", 2), ("d", 1)]
    assert ranked_counts([]) == []


def test_coverage_by_size_counts_the_two_special_entries(small_text):
    tokens = tokenize(small_text)
    sizes = [2, 3, 10, 20, 10_000]
    coverage = coverage_by_size(tokens, sizes)
    assert coverage[0] == 0.0 and coverage[-1] == 1.0  # specials only; every type
    assert np.all(np.diff(coverage) >= 0)
    for size, share in zip(sizes[1:4], coverage[1:4]):  # the same share Vocabulary.statistics reports
        assert share == pytest.approx(Vocabulary.from_tokens(tokens, size).statistics(tokens).coverage, abs=1e-12)


def test_coverage_by_size_by_hand():
    tokens = "a a a a b b c d".split()  # a: 4, b: 2, c: 1, d: 1 of 8
    np.testing.assert_allclose(coverage_by_size(tokens, [3, 4, 5, 6]), [4 / 8, 6 / 8, 7 / 8, 1.0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("sizes, message", [([1, 5], "integers >= 2"), ([2.5], "integers >= 2"), ([], "integers >= 2")])
def test_coverage_by_size_rejects_impossible_sizes(sizes, message):
    with pytest.raises(ValueError, match=message):
        coverage_by_size(["a", "b"], sizes)
