import numpy as np
import pytest

import textgen_course as tc
from textgen_course.generation import (
    apply_temperature,
    generate,
    sampling_distribution,
    top_k_filter,
    top_p_filter,
)
from textgen_course.vocabulary import Vocabulary


@pytest.fixture(scope="module")
def vocabulary(small_text):
    return Vocabulary.from_text(
        small_text * 3 + " " + " ".join("q" + chr(97 + i // 26) + chr(97 + i % 26) for i in range(500)), size=500
    )


def test_temperature_reshapes_like_softmax_of_scaled_logits():
    p = np.array([0.5, 0.3, 0.2])
    expected = np.exp(np.log(p) / 0.5) / np.exp(np.log(p) / 0.5).sum()
    np.testing.assert_allclose(apply_temperature(p, 0.5), expected)
    np.testing.assert_allclose(apply_temperature(p, 1.0), p)


def test_top_k_and_top_p_keep_the_right_words():
    p = np.array([0.1, 0.4, 0.3, 0.2])
    np.testing.assert_allclose(top_k_filter(p, 2), [0, 4 / 7, 3 / 7, 0])
    np.testing.assert_allclose(top_p_filter(p, 0.7), [0, 4 / 7, 3 / 7, 0])  # 0.4 + 0.3 reaches 0.7
    np.testing.assert_allclose(top_p_filter(p, 0.71), [0, 0.4, 0.3, 0.2] / np.float64(0.9))
    np.testing.assert_allclose(top_p_filter(p, 0.01), [0, 1, 0, 0])  # always at least one word
    np.testing.assert_allclose(top_p_filter(p, 1.0), p)


def test_padding_and_unknown_are_never_drawn_unless_asked():
    p = np.array([0.5, 0.3, 0.2])
    assert sampling_distribution(p, "greedy").argmax() == 2
    assert sampling_distribution(p, "greedy", allow_unknown=True).argmax() == 1
    assert sampling_distribution(p, "temperature")[:2].sum() == 0


def test_generation_adds_the_requested_words(small_model, vocabulary):
    result = generate(small_model, vocabulary, "the king loves", num_words=7)
    assert len(result.new_ids) == 7 and result.text.startswith("The king loves")
    assert 0 not in result.new_ids and 1 not in result.new_ids


@pytest.mark.parametrize(
    "strategy, options",
    [
        ("temperature", {"temperature": 1.5}),
        ("top_k", {"top_k": 20}),
        ("top_p", {"top_p": 0.9}),
    ],
)
def test_sampling_is_reproducible_with_a_seed(small_model, vocabulary, strategy, options):
    runs = [
        generate(small_model, vocabulary, "the queen", 15, strategy=strategy, seed=seed, **options)
        for seed in (3, 3, 4)
    ]
    assert runs[0].new_ids == runs[1].new_ids != runs[2].new_ids


def test_engines_and_the_twin_write_the_same_greedy_text(small_model, vocabulary):
    keras_run = generate(small_model, vocabulary, "the fool", 12, engine="keras")
    numpy_run = generate(small_model, vocabulary, "the fool", 12, engine="numpy")
    twin_run = generate(tc.torch_model_from_keras(small_model), vocabulary, "the fool", 12)
    assert keras_run.new_ids == numpy_run.new_ids == twin_run.new_ids


def test_unknown_words_are_reported_and_long_seeds_use_the_last_words(small_model, vocabulary):
    result = generate(small_model, vocabulary, "the zebra and the quokka", 3)
    assert result.unknown_words == ("zebra", "quokka")
    assert "zebra" in repr(result) and result.text.startswith("The zebra and the quokka")
    long_seed = "qab " * 20 + "the king loves"
    short_seed = "qab " * 5 + "the king loves"  # the same last 8 words
    assert (
        generate(small_model, vocabulary, long_seed, 5).new_ids
        == generate(small_model, vocabulary, short_seed, 5).new_ids
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"seed_text": ""}, "seed_text is empty"),
        ({"seed_text": " -- ... "}, "seed_text is empty"),
        ({"num_words": 0}, "num_words must be a whole number >= 1"),
        ({"strategy": "beam"}, "strategy must be one of"),
        ({"strategy": "temperature", "temperature": 0}, "temperature must be > 0"),
        ({"strategy": "temperature", "temperature": -1}, "temperature must be > 0"),
        ({"strategy": "top_k", "top_k": 0}, r"top_k must be an integer in 1..500"),
        ({"strategy": "top_k", "top_k": 501}, r"top_k must be an integer in 1..500"),
        ({"strategy": "top_k"}, "needs top_k"),
        ({"strategy": "top_p", "top_p": 0}, r"top_p must be in \(0, 1\]"),
        ({"strategy": "top_p", "top_p": 1.2}, r"top_p must be in \(0, 1\]"),
        ({"temperature": 0.5}, "greedy always picks"),
        ({"top_p": 0.9}, "top_p is only used with strategy='top_p'"),
    ],
)
def test_bad_settings_get_clear_errors(small_model, vocabulary, kwargs, message):
    arguments = {"seed_text": "the king", "num_words": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        generate(small_model, vocabulary, **arguments)


def test_a_vocabulary_of_another_model_is_refused(small_model):
    with pytest.raises(ValueError, match="the vocabulary has 5 words but the model predicts 500"):
        generate(small_model, Vocabulary.from_text("a b c", size=5), "a b", 2)


def test_seed_window_is_the_last_words_left_padded(vocabulary):
    window = tc.generation.seed_window(vocabulary, "the king loves", sequence_length=8)
    assert window.shape == (8,) and window.dtype == np.int32
    assert window[:5].tolist() == [0] * 5 and window[5:].tolist() == vocabulary.encode("the king loves")
    long_seed = tc.generation.seed_window(vocabulary, "qab " * 20 + "the king", 8)
    assert long_seed[-2:].tolist() == vocabulary.encode("the king")
    with pytest.raises(ValueError, match="seed_text is empty"):
        tc.generation.seed_window(vocabulary, " ... ")


def test_next_word_distribution_is_what_greedy_generation_picks_from(small_model, vocabulary):
    from textgen_course.generation import next_word_distribution

    probabilities = next_word_distribution(small_model, vocabulary, "the king loves")
    assert probabilities.shape == (500,)
    np.testing.assert_allclose(probabilities.sum(), 1.0, atol=1e-5)
    window = tc.generation.seed_window(vocabulary, "the king loves", 8)[None, :]
    np.testing.assert_allclose(probabilities, tc.next_word_probabilities(small_model, window)[0], atol=1e-5)
    probabilities[:2] = 0  # generation never writes padding or <unk>
    assert generate(small_model, vocabulary, "the king loves", 1).new_ids[0] == probabilities.argmax()


def test_top_words_are_sorted_and_named(vocabulary):
    from textgen_course.generation import top_words

    probabilities = np.zeros(500)
    probabilities[[7, 3, 9]] = [0.5, 0.3, 0.2]
    assert top_words(probabilities, vocabulary, 2) == [(vocabulary.words[7], 0.5), (vocabulary.words[3], 0.3)]
    with pytest.raises(ValueError, match=r"expected one distribution of shape \(500,\)"):
        top_words(np.ones((2, 500)), vocabulary)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        top_words(probabilities, vocabulary, 0)


def test_lower_temperature_gives_less_varied_text(small_model, vocabulary):
    from textgen_course.analysis.softmax_head import distinct_fraction

    def variety(temperature):
        return np.mean(
            [
                distinct_fraction(
                    generate(
                        small_model,
                        vocabulary,
                        "the king",
                        40,
                        strategy="temperature",
                        temperature=temperature,
                        seed=seed,
                    ).new_ids
                )
                for seed in range(3)
            ]
        )

    assert variety(0.2) < variety(2.0)
