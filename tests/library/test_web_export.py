"""The page's JavaScript engine against the library: reference cases written here, checked by `node --test`.

The web copy of the shipped model (authoring/web_export.py) is float16; these tests
also measure what that rounding costs against the shipped float32 weights.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import textgen_course as tc
from authoring import web_export
from textgen_course import fine_tuning
from textgen_course.generation import Mulberry32
from textgen_course.lstm_summary import Summarizer

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "book" / "web" / "textgen_engine.mjs"
NODE_TESTS = ROOT / "tests" / "library" / "js"  # parity.test.mjs, fine_tuning.test.mjs
FLOAT16_BOUND = 5e-3  # measured: the largest probability moves by 2.6e-3 over 200 random windows
SEED_TEXTS = (
    "to be or not to be",
    "Shall I compare thee to a summer's day?",
    "my lord, the xyzzy qwerty",  # two unknown words
    "now is the winter of our discontent made glorious summer by this sun of york; and all the clouds",  # > 13 words
    "o'er the hills 'tis night",
)
STRATEGY_OPTIONS = (  # (the library's keyword arguments, the engine's options)
    ({"strategy": "greedy"}, {"strategy": "greedy"}),
    (
        {"strategy": "temperature", "temperature": 0.8, "seed": 1},
        {"strategy": "temperature", "temperature": 0.8, "seed": 1},
    ),
    ({"strategy": "top_k", "top_k": 40, "seed": 2}, {"strategy": "top_k", "topK": 40, "seed": 2}),
    (
        {"strategy": "top_p", "top_p": 0.9, "temperature": 1.2, "seed": 3},
        {"strategy": "top_p", "topP": 0.9, "temperature": 1.2, "seed": 3},
    ),
)
TOKENIZER_CASES = (
    "To be, or not to be: that is the question!!",
    "'Tis o'er, th' king's men [Aside] -- 'twas the soldiers' fault...",
    "I'll go; O, 'gainst thee? \\*Exit\\* 123 émigré naïve 日本語 🙂",
    "  ",
    "?!?",
)


@pytest.fixture(scope="module")
def web_folder(tmp_path_factory):
    """The web export of the shipped model, with reference.json beside it."""
    folder = tmp_path_factory.mktemp("web")
    export = web_export.export_web_model(folder, engine_module=ENGINE)
    model, vocabulary = tc.load_pretrained()
    shipped = tc.NumpyTextGenerator.from_keras(model)
    web = web_export.numpy_generator_from_web(export.manifest, (folder / web_export.WEIGHTS_FILE).read_bytes())
    windows = np.random.default_rng(14).integers(2, len(vocabulary), (20, 13))
    windows[:5, :6] = 0  # five short (left-padded) windows
    generations = []  # every strategy with the page's (float16) weights; greedy also with the shipped ones
    for seed_text in SEED_TEXTS:
        for options, js_options in STRATEGY_OPTIONS:
            for weights, generator in (("web", web), ("shipped", shipped)):
                if weights == "shipped" and options["strategy"] != "greedy":
                    continue  # float16 rounding can move a sampled draw across a boundary: see README
                result = tc.generate(generator, vocabulary, seed_text, 30, **options)
                generations.append(
                    {
                        "seed_text": seed_text,
                        "options": {"numWords": 30, **js_options},
                        "weights": weights,
                        "new_ids": list(result.new_ids),
                        "text": result.text,
                    }
                )
    reference = {
        "windows": windows.tolist(),
        "web_probabilities": web.probabilities(windows).tolist(),
        "shipped_probabilities": shipped.probabilities(windows).tolist(),
        "float16_bound": FLOAT16_BOUND,
        "generations": generations,
        "tokenize": [[text, tc.text.tokenize(text)] for text in TOKENIZER_CASES],
        "detokenize": [
            [tokens, tc.text.detokenize(tokens)]
            for tokens in (["i'll", "go", ";", "o", ",", "'tis", "night", "."], [",", "and", "i", "?", "'gainst"])
        ],
        "mulberry32": [
            [seed, [generator.random() for _ in range(5)]]
            for seed, generator in ((s, Mulberry32(s)) for s in (0, 1, 42, 2**32 - 1, 123456789))
        ],
    }
    reference["fine_tuning"] = fine_tuning_cases(web, vocabulary, folder)
    (folder / "reference.json").write_text(json.dumps(reference))
    return folder, export, shipped, web, windows


SPEECH, WEATHER = (fine_tuning.EXAMPLE_TEXTS[name] for name in (
    "a speech from the plays (As You Like It)", "modern English (a weather report)"))
FINE_TUNING_CASES = (  # (name, text, learning rate, passes, seed text, random seed)
    # 313 tokens: 300 windows, 270 trained on (5 steps a pass, the last of 14 windows), 30 held out; 4 passes = 20 steps
    ("20 steps", " ".join(tc.text.tokenize(SPEECH * 3)[:313]), 1e-3, 4, "all the world", 0),
    ("the explorer's defaults", WEATHER, 0.003, 5, "the wind", 3),
)
TEXT_CASES = (  # read_training_text: its notes, or its error, in the page's words too
    "to be or not to be",
    "xyzzy plugh frobozz " * 10,
    "the king xyzzy loves the qwerty crown, and the queen is glad.",
    "to be or not to be, " * 20_000,
)


def fine_tuning_cases(web, vocabulary, folder) -> dict:
    """fine_tuning's answers on the page's weights: train_head from the same windows, for the node tests."""
    summarize = Summarizer(web.embedding, web.lstm_1, web.lstm_2)
    cases = []
    for name, text, learning_rate, passes, seed_text, seed in FINE_TUNING_CASES:
        result = fine_tuning.fine_tune_head(web, vocabulary, text, learning_rate, passes, seed_text, seed)
        reading, run = result.text, result.run  # train_head's run, from the windows split_windows cut
        (x, _), (held_x, _) = fine_tuning.split_windows(reading.ids)
        kernel_file = f"fine_tuning_kernel_{len(cases)}.bin"
        run.kernel.astype("<f8").tofile(folder / kernel_file)
        cases.append({"name": name, "text": text, "learning_rate": learning_rate, "passes": passes,
                      "ids": list(reading.ids), "windows": len(x), "held_out_windows": len(held_x),
                      "summaries": summarize(x[:5]).tolist(), "step_losses": run.step_losses.tolist(),
                      "pass_losses": run.pass_losses.tolist(), "held_out_losses": run.held_out_losses.tolist(),
                      "kernel_file": kernel_file, "bias": run.bias.tolist(),
                      "loss_before": result.loss_before, "rising": [word for word, _, _ in result.rising],
                      "seed_text": seed_text, "seed": seed, "continuation_after": result.continuation_after})
    texts = []
    for text in TEXT_CASES:
        try:
            reading = fine_tuning.read_training_text(vocabulary, text)
            texts.append({"text": text, "ids": list(reading.ids[:20]), "length": len(reading.ids),
                          "notes": list(reading.notes)})
        except ValueError as error:
            texts.append({"text": text, "error": str(error)})
    return {"cases": cases, "texts": texts, "tolerance": 1e-4}


def run_node_test(folder, name: str):
    """node --test on one file of tests/library/js, with the exported model and reference.json in folder."""
    node = shutil.which("node")
    assert node, "node is needed for the JavaScript parity tests (Debian: apt-get install nodejs)"
    return subprocess.run(
        [node, "--test", str(NODE_TESTS / name)],
        env={"TEXTGEN_WEB_DIR": str(folder), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_page_fine_tunes_the_dense_layer_as_the_library_does_in_node(web_folder):
    run = run_node_test(web_folder[0], "fine_tuning.test.mjs")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 5" in run.stdout, run.stdout[-2000:]


# Node runs the model for 620 words and 20 windows, then greedy again without WebAssembly: about 5 s
def test_the_javascript_engine_matches_the_library_in_node(web_folder):
    run = run_node_test(web_folder[0], "parity.test.mjs")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 11" in run.stdout, run.stdout[-2000:]


def test_the_model_download_is_at_most_3_mb_compressed(web_folder):
    export = web_folder[1]
    assert export.dtype == "float16"
    assert export.model_script_gzip_bytes <= 3_000_000
    float32_weights = sum(entry["bytes"] for entry in export.manifest["tensors"]) * 2
    assert float32_weights > 3_000_000  # why float16: float32 alone would not fit


def test_float16_weights_move_probabilities_less_than_the_stated_bound(web_folder):
    _, _, shipped, web, windows = web_folder
    difference = np.abs(web.probabilities(windows).astype(np.float64) - shipped.probabilities(windows)).max()
    assert 0 < difference < FLOAT16_BOUND


def test_the_manifest_describes_every_file_with_its_sha256(web_folder):
    folder, export = web_folder[:2]
    for entry in export.manifest["files"].values():
        data = (folder / entry["name"]).read_bytes()
        assert len(data) == entry["bytes"] and web_export.sha256_hex(data) == entry["sha256"]
    offsets = [(t["offset"], t["bytes"]) for t in export.manifest["tensors"]]
    assert offsets[0][0] == 0 and all(a + n == b for (a, n), (b, _) in zip(offsets, offsets[1:]))
    assert len(export.manifest["vocabulary"]) == export.manifest["config"]["vocab_size"]


def test_classic_script_turns_exports_into_one_global():
    script = web_export.classic_script("export const A = 1;\nexport function f() { return A; }\n", "Demo")
    assert "globalThis.Demo = { A, f }" in script and "export" not in script.split("\n", 1)[1]
    with pytest.raises(ValueError, match="no imports"):
        web_export.classic_script("import x from './y.mjs';\nexport function f() {}\n")


def test_mulberry32_is_the_documented_generator():
    generator = Mulberry32(0)
    assert [round(generator.random(), 12) for _ in range(3)] == [0.266429208685, 0.000329745701, 0.223272027448]
    assert Mulberry32(-1).random() == Mulberry32(2**32 - 1).random()  # seeds are taken modulo 2**32
    with pytest.raises(ValueError, match="whole number"):
        Mulberry32(1.5)
