"""Generation speed: words per second, one window at a time, through every path the course offers.

    .venv/bin/python bench/generation_speed.py           # about a minute on a quiet 2-core machine
    .venv/bin/python bench/generation_speed.py --quick   # ten words per path: checks the script works

Each path writes 200 greedy words and 200 sampled words (top-p 0.9, seeded) after the
same seed text, batch of one, with the shipped model:
    keras               tc.generate(keras_model, ...): the default engine, a NumPy forward pass
                        over the Keras model's weights (read once per call)
    keras_model_call    tc.generate(keras_model, ..., engine="keras"): the Keras model is called
                        once per word (model(ids), no gradients)
    torch_twin          tc.generate(tc.torch_model_from_keras(model), ...): the PyTorch twin
    model_predict_loop  model.predict(window) once per word, the loop people write first
                        (greedy only, fewer words: it is slow)
At the default thread count and with torch and NumPy's BLAS limited to one thread (for
a single window, waking a second thread can cost more than it saves on a busy machine).
Paths are measured in alternation; ratios are against the twin in the same round.
Writes generate_* keys to bench/results.json.
"""

from __future__ import annotations

import argparse
import sys
import time

import measure

SEED_TEXT = "to be or not to be"
PATHS = {
    "keras": "tc.generate on the Keras model, default engine: NumPy forward pass over the Keras weights",
    "keras_model_call": "tc.generate on the Keras model with engine='keras': the Keras model called once per word",
    "torch_twin": "tc.generate on the PyTorch twin (tc.torch_model_from_keras)",
    "model_predict_loop": "a loop calling keras model.predict once per word (greedy), the slow way",
}


def predict_loop(model, vocabulary, seed_text: str, num_words: int) -> list[int]:
    """Greedy generation the naive way: model.predict once per word."""
    import textgen_course as tc
    from textgen_course.vocabulary import PAD_ID, UNKNOWN_ID

    ids = vocabulary.encode(tc.tokenize(seed_text))
    for _ in range(num_words):
        window = tc.pad_left(ids, model.config.sequence_length)[None, :]  # (1, 13)
        probabilities = model.predict(window, verbose=0)[0]  # (4818,)
        probabilities[[PAD_ID, UNKNOWN_ID]] = 0  # never emitted, as in tc.generate
        ids.append(int(probabilities.argmax()))
    return ids


def words_per_second(function, num_words: int) -> float:
    started = time.perf_counter()
    function()
    return num_words / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=200)
    parser.add_argument("--predict-words", type=int, default=20, help="words for the model.predict loop")
    parser.add_argument("--repeats", type=int, default=3)
    measure.add_common_arguments(parser)
    args = parser.parse_args(argv)
    if args.quick:  # a few words per path, once: seconds
        args.words, args.predict_words, args.repeats = 10, 3, 1
    clock = measure.RunClock()
    import textgen_course as tc

    model, vocabulary = tc.load_pretrained()
    twin = tc.torch_model_from_keras(model)
    engines = {"keras": (model, {}), "keras_model_call": (model, {"engine": "keras"}), "torch_twin": (twin, {})}
    strategies = {"greedy": {}, "sampled": {"strategy": "top_p", "top_p": 0.9, "seed": 0}}

    def contender(engine: str, strategy: str):
        path_model, options = engines[engine]
        return lambda: words_per_second(
            lambda: tc.generate(path_model, vocabulary, SEED_TEXT, args.words, **strategies[strategy], **options),
            args.words)

    greedy_texts = {name: tc.generate(m, vocabulary, SEED_TEXT, args.words, **o).new_ids  # also the warm-up
                    for name, (m, o) in engines.items()}
    naive = predict_loop(model, vocabulary, SEED_TEXT, args.predict_words)[-args.predict_words:]
    same_text = len({ids for ids in greedy_texts.values()}) == 1 and list(greedy_texts["keras"][: len(naive)]) == naive

    by_threads = {}
    for label, threads in (("default", None), ("one_thread", 1)):
        with measure.thread_count(threads) as thread_info:
            contenders = {f"{e}/{s}": contender(e, s) for e in engines for s in strategies}
            contenders["model_predict_loop/greedy"] = lambda: words_per_second(
                lambda: predict_loop(model, vocabulary, SEED_TEXT, args.predict_words), args.predict_words)
            rates = measure.alternate(contenders, args.repeats)
        table = {}
        for name, values in rates.items():
            engine, strategy = name.split("/")
            reference = rates[f"torch_twin/{strategy}"]
            table.setdefault(engine, {})[strategy] = measure.median(values)
            table[engine][f"{strategy}_to_torch_twin"] = measure.paired_ratio(values, reference)
            table[engine][f"{strategy}_runs"] = [round(v, 1) for v in values]
        by_threads[label] = {"threads": thread_info, "words_per_s": table}

    default = by_threads["default"]["words_per_s"]
    values = {
        "generate_words_per_s": {engine: {s: default[engine].get(s) for s in strategies} for engine in default},
        "generate_paths": {**PATHS, "words": args.words, "predict_loop_words": args.predict_words,
                           "seed_text": SEED_TEXT, "sampling": "top_p 0.9, seed 0"},
        "generate_by_threads": by_threads,
        "generate_same_greedy_text": same_text,
    }
    data = measure.update_results("generation_speed", values, clock, measure.results_path(args),
                                  measure.script_command(__file__, argv), quick=args.quick)

    for label, block in by_threads.items():
        print(f"\nWords per second, batch of 1, {args.words} words (median of {args.repeats}), threads: "
              f"{block['threads']}; {measure.conditions_text(data['runs']['generation_speed'])}")
        rows = [[engine, row.get("greedy"), row.get("sampled"), row.get("greedy_to_torch_twin")]
                for engine, row in block["words_per_s"].items()]
        print(measure.format_table(["path", "greedy", "sampled (top-p)", "greedy ÷ twin"], rows))
    print("\n" + "\n".join(f"{name:<19}{text}" for name, text in PATHS.items()))
    print(f"same greedy words on every path: {'yes' if same_text else 'NO'}")
    for engine, row in default.items():
        slowest = min(row[s] for s in strategies if s in row)
        print(f"target >= 300 words/s, {engine}: {'met' if slowest >= 300 else 'NOT met'} ({slowest:,.0f} at worst)")
    print(f"written to {measure.results_path(args)}" + (" (--quick: the figures mean nothing)" if args.quick else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
