"""Self-checks for the exercises of book/softmax_head.ipynb (the dense softmax layer).

    check_answer_dense_parameters(answer_dense_parameters)   predict: the layer's size for 10,000 words
    check_answer_cold_temperature(answer_cold_temperature)   predict: what temperature -> 0 does
    check_softmax_with_temperature(softmax_with_temperature) implement: softmax(logits / T), stably

check_softmax_with_temperature runs the learner's function and the reference on the same
seeded logits. When they differ it recomputes the answer with each typical mistake
(temperature multiplied, temperature ignored, the wrong axis normalised, exp forgotten...)
and names the one that reproduces the learner's numbers. Then it feeds large logits, where
a softmax that does not subtract the maximum first overflows to NaN.
"""

from __future__ import annotations

import numpy as np

from .checking import (Passed, WrongAnswer, as_array, call_learner, check_number, compare, library_switched_off, passed,
                       require_answer)

BATCH, VOCAB = 4, 7  # different sizes, so normalising the wrong axis gives different numbers
TEMPERATURES = (0.5, 2.0)  # one below 1, one above: dividing and multiplying differ for both
SOFTMAX_ANSWERS = (  # every ready-made softmax within reach: switched off while the learner's function runs
    "textgen_course.softmax_head.softmax",
    "textgen_course.generation.apply_temperature",
    "textgen_course.generation.sampling_distribution",
    "textgen_course.exercises.softmax_head.reference_softmax_with_temperature",
    "scipy.special.softmax",
    "scipy.special.log_softmax",
    "keras.ops.softmax",
    "keras.ops.log_softmax",
    "keras.activations.softmax",
    "torch.softmax",
    "torch.nn.functional.softmax",
    "torch.special.softmax",
    "torch.Tensor.softmax",
    "torch.log_softmax",  # exp(log_softmax) is the softmax too
    "torch.nn.functional.log_softmax",
    "torch.special.log_softmax",
    "torch.Tensor.log_softmax",
)


def check_answer_dense_parameters(answer_dense_parameters, quiet: bool = False) -> Passed:
    """The dense softmax layer for a 10,000-word vocabulary, reading LSTM-2's 100 numbers."""
    summary, vocab = 100, 10_000
    check_number(
        answer_dense_parameters,
        (summary + 1) * vocab,
        "answer_dense_parameters",
        hints={
            summary * vocab: "you forgot the bias: the layer adds one number per word (10,000 of them).",
            summary * vocab + summary: "the bias has one entry per output word, not one per input number.",
            (summary + 1) * 4818: "that is the course's layer, for 4,818 words. The question has 10,000.",
            (150 + 1) * vocab: "the dense layer reads LSTM-2's 100-number summary, not LSTM-1's 150 numbers.",
            summary * vocab * 2: "the layer has one weight per (summary number, word) pair plus one bias per word.",
        },
    )
    return passed(f"{(summary + 1) * vocab:,} = (100 + 1) x 10,000: a weight from every summary number to every "
                  "word, plus a bias per word. The layer grows in step with the vocabulary.", quiet)


COLD_TEMPERATURE_CHOICES = {
    "a": "the distribution becomes uniform: every word equally likely",
    "b": "all the probability goes to the most likely word: sampling becomes greedy",
    "c": "nothing changes: the temperature only rescales the logits, and softmax undoes that",
    "d": "the probabilities stop summing to 1",
}


def check_answer_cold_temperature(answer_cold_temperature, quiet: bool = False) -> Passed:
    """What softmax(logits / T) tends to as T -> 0 (one letter from COLD_TEMPERATURE_CHOICES)."""
    require_answer(answer_cold_temperature, "answer_cold_temperature")
    answer = str(answer_cold_temperature).strip().lower().strip("()")
    why_not = {
        "a": "that is the opposite limit, T -> infinity: dividing by a huge T pushes every logit towards 0.",
        "c": "dividing by T stretches the gaps between logits, and softmax is sensitive to gaps: "
             "exp(z1 / T) / exp(z2 / T) = exp((z1 - z2) / T) grows without bound when z1 > z2 and T -> 0.",
        "d": "softmax always sums to 1, whatever the temperature: it divides by the total.",
    }
    if answer in why_not:
        raise WrongAnswer(f"answer_cold_temperature = {answer_cold_temperature!r} is not right: {why_not[answer]}")
    if answer != "b":
        letters = ", ".join(COLD_TEMPERATURE_CHOICES)
        raise WrongAnswer(f"answer_cold_temperature should be one of the letters {letters}, "
                          f"got {answer_cold_temperature!r}.")
    return passed("(b): as T -> 0 the gap between the top logit and every other one is stretched without "
                  "bound, so sampling always picks the most likely word, like greedy decoding.", quiet)


def reference_softmax_with_temperature(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """The right answer: softmax of logits / temperature along the last axis, shifted for stability."""
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    exps = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


def _softmax_inputs(seed: int = 0) -> np.ndarray:
    """(BATCH, VOCAB) seeded logits of the size real logits have (a few units)."""
    return np.random.default_rng(seed).normal(scale=2.0, size=(BATCH, VOCAB))


def _large_logits() -> np.ndarray:
    """Logits like those of a very confident model: exp of them overflows float64 (and float32)."""
    return np.array([[1000.0, 998.0, 990.0, 0.0, -5.0, 3.0, 999.5],
                     [-1000.0, -998.0, -1001.0, -999.0, -1000.5, -997.0, -1003.0]])


def _softmax_mistakes(logits: np.ndarray, temperature: float) -> dict[str, np.ndarray]:
    """What each typical mistake returns for these logits."""
    with np.errstate(all="ignore"):
        exps = np.exp(logits / temperature)
        scaled = logits / temperature
        return {
            "you multiplied by the temperature; divide the logits by it instead (softmax(z / T)), so that "
            "T < 1 sharpens and T > 1 flattens the distribution.":
                reference_softmax_with_temperature(logits * temperature),
            "the temperature has no effect in your answer: divide the logits by it before the exp.":
                reference_softmax_with_temperature(logits),
            "you normalised down the batch (axis 0): each row is one context and must sum to 1 over the "
            "vocabulary, the last axis. Use .sum(axis=-1, keepdims=True).": exps / exps.sum(axis=0, keepdims=True),
            "you divided by the sum over the whole array: each row (one context) must sum to 1 on its own. "
            "Use .sum(axis=-1, keepdims=True).": exps / exps.sum(),
            "you forgot the exp: dividing the scaled logits by their sum gives negative 'probabilities'. "
            "Take exp of the scaled logits first.": scaled / scaled.sum(axis=-1, keepdims=True),
            "you forgot to normalise: after the exp, divide by the sum of each row so it adds up to 1.": exps,
            "you forgot to normalise: subtracting the max is right, but then divide by the sum of each row so "
            "it adds up to 1.": np.exp(scaled - scaled.max(axis=-1, keepdims=True)),
            "you returned the scaled logits (logits / T); softmax still has to turn them into probabilities.": scaled,
            "you returned log-probabilities (a log-softmax); the exercise asks for the probabilities themselves.":
                np.log(reference_softmax_with_temperature(logits, temperature)),
        }


def check_softmax_with_temperature(softmax_with_temperature, quiet: bool = False) -> Passed:
    """The learner's softmax_with_temperature(logits, temperature) against the reference."""
    __tracebackhide__ = True
    name = "softmax_with_temperature"
    logits = _softmax_inputs()
    for temperature in TEMPERATURES:
        got = _call(softmax_with_temperature, name, logits.copy(), temperature)
        compare(got, reference_softmax_with_temperature(logits, temperature),
                f"{name}(logits, temperature={temperature})", _softmax_mistakes(logits, temperature), atol=1e-6)
    large = _large_logits()
    with np.errstate(all="ignore"):
        got = as_array(_call(softmax_with_temperature, name, large.copy(), 1.0), name)
    if got.shape == large.shape and not np.all(np.isfinite(got)):
        raise WrongAnswer(
            f"{name} returns NaN or inf for large logits such as 1000: exp(1000) overflows to inf, and "
            "inf / inf is NaN. Subtract each row's largest logit before the exp (softmax(z) = softmax(z - max z)), "
            "so the largest exponent is exp(0) = 1."
        )
    compare(got, reference_softmax_with_temperature(large), f"{name} on large logits", atol=1e-6)
    return passed("softmax_with_temperature: rows sum to 1, the temperature divides the logits, and "
                  "large logits give no overflow.", quiet)


def _call(function, name: str, logits: np.ndarray, temperature: float):
    """call_learner, with a hint when the error is the classic missing keepdims."""
    __tracebackhide__ = True
    try:
        with np.errstate(all="ignore"), library_switched_off(
                name, SOFTMAX_ANSWERS, function,
                advice="Write it with NumPy: divide by the temperature, subtract each row's maximum, take exp, "
                "divide by the row sums."):
            return call_learner(function, name, logits, temperature)
    except WrongAnswer as error:
        if "broadcast" in str(error):
            raise WrongAnswer(f"{error}\nDividing a (batch, vocab) array by its row sums needs the sums as a "
                              "column: .sum(axis=-1, keepdims=True).") from None
        raise
