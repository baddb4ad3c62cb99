import pytest

from textgen_course.text import default_corpus_files, detokenize, load_corpus, spoken_lines, tokenize


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("To be, or NOT to be", ["to", "be", ",", "or", "not", "to", "be"]),  # rule 1: lower case
        ("*[Aside.]* Help me! [Within]", ["help", "me", "!"]),  # rule 2: bracketed directions go
        ("o'er the damn'd hills, I'll", ["o'er", "the", "damn'd", "hills", ",", "i'll"]),  # rule 3
        ("'Tis 'gainst 'em", ["'tis", "'gainst", "'em"]),  # rule 4: clipped words keep the apostrophe
        ("'Certes,' says he", ["certes", ",", "says", "he"]),  # rule 4: quotation marks are dropped
        ("o' the soldiers' wi' me", ["o'", "the", "soldiers", "wi'", "me"]),  # rule 5
        ("What?! No... knee-crooking -- 1599", ["what", "?", "!", "no", ".", "knee", "crooking"]),  # rule 6
    ],
)
def test_tokenization_rules(text, tokens):
    assert tokenize(text) == tokens


def test_detokenize_reads_like_text():
    tokens = tokenize("to be , or not to be : that is the question . i think o , 'tis so !")
    assert detokenize(tokens) == "To be, or not to be: that is the question. I think O, 'tis so!"


def test_round_trip_keeps_the_tokens():
    text = "Now, fair Hippolyta, our nuptial hour draws on apace; four happy days bring in another moon!"
    assert tokenize(detokenize(tokenize(text))) == tokenize(text)


def test_tokenize_rejects_non_strings():
    with pytest.raises(ValueError, match="expected a string, got list"):
        tokenize(["to", "be"])


def test_speeches_keep_spoken_lines_only():
    markdown = (
        "# Hamlet\n\n## ACT I\n\n_Enter HAMLET_\n\n**HAMLET**  \n[Aside]_  \nTo be, or not to be:  \n"
        "that is the question.\n\n_Exit, pursued\nby a bear_\n\n**OPHELIA**  \nGood my lord,\n\n_Exit HAMLET_\n\n"
        "How does your honour?"
    )
    assert spoken_lines(markdown) == [
        "To be, or not to be:\nthat is the question.", "Good my lord,", "How does your honour?"  # she goes on
    ]


def test_default_corpus_is_the_38_plays_offline():
    files = default_corpus_files()
    assert len(files) == 38 and all(path.suffix == ".md" for path in files)
    text = load_corpus()
    tokens = tokenize(text)
    assert len(tokens) == 1_005_531
    assert "**" not in text and "ACT I" not in text and "Exeunt" not in text  # labels and directions dropped
    assert "to be, or not to be" in text.lower()


def test_a_text_file_loads_the_same_way(small_text_file, small_text):
    assert load_corpus(small_text_file) == small_text
    assert load_corpus(str(small_text_file)) == small_text


def test_missing_and_empty_files_get_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file at .*nothing.txt"):
        load_corpus(tmp_path / "nothing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("  -- 123 --\n", encoding="utf-8")
    with pytest.raises(ValueError, match="contains no words"):
        load_corpus(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ValueError, match="not UTF-8"):
        load_corpus(binary)


def test_one_play_can_be_read_raw_by_name():
    from textgen_course.text import play_markdown

    hamlet = play_markdown("hamlet")
    assert hamlet.startswith("# Hamlet") and "**HAMLET**" in hamlet  # the raw Markdown, labels included
    with pytest.raises(ValueError, match="no play named 'hamlett'; the plays are .*hamlet"):
        play_markdown("hamlett")
