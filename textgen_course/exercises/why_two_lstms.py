"""Self-checks for the exercises of book/why_two_lstms.ipynb.

    check_one_lstm_parameters(answer_parameters)   predict: the one-LSTM model's size
    check_perplexity(perplexity)                   implement: perplexity from target probabilities
"""

from __future__ import annotations

import math

import numpy as np

from ..ablation import parameter_count
from ..config import ModelConfig
from .checking import Passed, WrongAnswer, as_array, call_learner, check_number, library_switched_off, passed

PERPLEXITY_ANSWERS = ("textgen_course.evaluation.perplexity_from_probabilities",
                      "textgen_course.evaluation.estimate_perplexity",
                      "textgen_course.softmax_head.perplexity",
                      "textgen_course.exercises.why_two_lstms._reference_perplexity")  # off while perplexity runs


def check_one_lstm_parameters(answer_parameters, quiet: bool = False) -> Passed:
    """The one-LSTM model (Embedding -> LSTM(100, final state) -> Dense softmax) at the notes' sizes."""
    config = ModelConfig()
    vocab, embedding, units = config.vocab_size, config.embedding_dim, config.lstm_2_units
    embedding_count = vocab * embedding
    lstm_count = 4 * units * (embedding + units + 1)
    dense_count = (units + 1) * vocab
    expected = parameter_count("one_lstm", config)
    hints = {
        parameter_count("two_lstms", config): "that is the two-LSTM model's count. Remove LSTM-1: the one "
        "LSTM left reads the 100-number meaning vectors directly.",
        embedding_count + 4 * units * (config.lstm_1_units + units + 1) + dense_count: "the single LSTM reads "
        f"the embedding's {embedding} numbers per word, not LSTM-1's {config.lstm_1_units}: its input kernel is "
        f"{embedding} x {4 * units}.",
        embedding_count + 4 * units * (embedding + units) + dense_count: "each of the four gates also has a "
        f"bias per unit: the LSTM has 4 x {units} x ({embedding} + {units} + 1) parameters.",
        embedding_count + 4 * units * (embedding + 1) + dense_count: "each gate also reads the previous hidden "
        f"state: the LSTM has {units} x {4 * units} recurrent weights as well.",
        embedding_count + lstm_count + units * vocab: f"the dense layer also has one bias per word: "
        f"({units} + 1) x {vocab}.",
        lstm_count + dense_count: f"the embedding's {vocab} x {embedding} weights are trained too, so they count.",
        expected + 4 * units: "that is PyTorch's count, with its second bias vector; Keras keeps one bias per gate.",
        lstm_count: "that is the LSTM alone; the question asks for the whole model.",
    }
    check_number(answer_parameters, expected, "answer_parameters", hints)
    return passed(f"{expected:,} parameters: embedding {embedding_count:,} + LSTM {lstm_count:,} + "
                  f"dense {dense_count:,}, {parameter_count('two_lstms', config) - expected:,} fewer than "
                  "two LSTMs.", quiet)


def _reference_perplexity(probabilities: np.ndarray) -> float:
    return float(np.exp(-np.mean(np.log(probabilities))))


def _perplexity_mistakes(probabilities: np.ndarray) -> dict[str, float]:
    """{message: the value that mistake returns}, the usual ways to get perplexity wrong."""
    log_p = np.log(probabilities)
    same_base = ("Use one base throughout: exp(-mean(ln p)), or equivalently 2 ** (-mean(log2 p)).")
    return {
        "this is the mean negative log-probability, the loss in nats; perplexity is exp of it.":
            float(-log_p.mean()),
        "this is the cross-entropy in bits (log base 2); perplexity is 2 ** of it, which equals exp of the "
        "loss in nats.": float(-np.log2(probabilities).mean()),
        "it mixes bases: log base 2 inside, exp outside. " + same_base: float(np.exp(-np.log2(probabilities).mean())),
        "it mixes bases: natural log inside, 2 ** outside. " + same_base: float(2.0 ** (-log_p.mean())),
        "it uses log base 10 with exp. " + same_base: float(np.exp(-np.log10(probabilities).mean())),
        "it averages the probabilities: 1 / mean(p). Perplexity averages log-probabilities (a geometric "
        "mean), so that one very unlikely word costs much more than one likely word gains.":
            float(1.0 / probabilities.mean()),
        "it averages 1 / p. Perplexity averages log-probabilities and then takes exp: "
        "exp(-mean(ln p)).": float(np.mean(1.0 / probabilities)),
        "it sums the log-probabilities instead of averaging them: perplexity must not grow with the number "
        "of words scored. Use the mean.": float(np.exp(-log_p.sum())),
        "the minus sign is missing: this is 1 / perplexity, a number below 1. A perplexity is at least 1.":
            float(np.exp(log_p.mean())),
    }


def check_perplexity(perplexity, quiet: bool = False) -> Passed:
    """perplexity(target_probabilities) -> one number, exp(-mean(ln p)), on seeded probabilities."""
    __tracebackhide__ = True
    rng = np.random.default_rng(7)
    cases = [
        ("12 probabilities between 0.01 and 0.6", rng.uniform(0.01, 0.6, 12)),
        ("a uniform guess among 50 words, 8 times", np.full(8, 1 / 50)),
        ("one certain word", np.array([1.0])),
    ]
    for description, probabilities in cases:
        expected = _reference_perplexity(probabilities)
        with library_switched_off("perplexity", PERPLEXITY_ANSWERS, perplexity,
                                  advice="Compute it from the probabilities with NumPy: exp(-mean(ln p))."):
            result = call_learner(perplexity, "perplexity", probabilities.copy())
        values = as_array(result, "perplexity")
        if values.shape not in ((), (1,)):
            raise WrongAnswer(
                f"perplexity returned {values.size} numbers (shape {values.shape}) for {description}; a "
                "perplexity is one number for the whole set: take the mean over the targets before the exp."
            )
        value = float(values.reshape(()))
        if math.isclose(value, expected, rel_tol=1e-6):
            continue
        for message, wrong in _perplexity_mistakes(probabilities).items():
            if math.isclose(value, wrong, rel_tol=1e-6) and not math.isclose(wrong, expected, rel_tol=1e-6):
                raise WrongAnswer(f"perplexity returned {value:.6g} for {description}, expected {expected:.6g}: "
                                  f"{message}")
        raise WrongAnswer(f"perplexity returned {value:.6g} for {description}, expected {expected:.6g}. "
                          "Perplexity is exp(-mean(ln p)) over the probabilities of the words that came next.")
    return passed("perplexity is exp(-mean(ln p)): a uniform guess among 50 words scores 50, a certain "
                  "word scores 1.", quiet)
