import json

import pytest

from textgen_course.text import tokenize
from textgen_course.vocabulary import PAD_ID, UNKNOWN_ID, Vocabulary


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
    ("", 10, "no words"), ("a b c", 10, "needs at least 8 distinct tokens, the text has 3"), ("a b", 2, "size must be an integer >= 3"),
])
def test_impossible_vocabularies_are_refused(text, size, message):
    with pytest.raises(ValueError, match=message):
        Vocabulary.from_text(text, size=size)


def test_shakespeare_vocabulary_coverage():
    from textgen_course.text import load_corpus

    text = load_corpus()
    vocabulary = Vocabulary.from_text(text, size=4818)
    stats = vocabulary.statistics(text)
    assert len(vocabulary) == 4818
    assert stats.tokens == 946_462 and stats.types == 24_662
    assert round(stats.coverage, 3) == 0.945
