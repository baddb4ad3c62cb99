"""The shipped model for the web page: one binary weights file and a JSON manifest (chapter: book/welcome.ipynb).

The built book runs the model in the reader's browser (book/web/textgen_engine.mjs), with no
Python kernel. The book's Sphinx hook (book/_ext/textgen_web.py) calls export_web_model at
build time, so the web copy is always derived from textgen_course/pretrained/ and never
committed. It writes, into one folder:

    textgen-model.bin    every weight, tensor after tensor, little-endian float16 (or float32)
    textgen-model.json   the manifest: config, vocabulary, tokenizer lists, each tensor's
                         dtype/shape/byte offset, the SHA-256 and size of every other file
    textgen-model.js     the same two as a classic <script> (base64 weights + manifest in one
                         global), because a page opened from disk (file://) may not fetch() files
    textgen-engine.js    the engine as a classic <script> (written from the ES module by
                         classic_script), for the same reason

Why float16 (measured by tests/library/test_web_export.py and README): the float32 weights are about
4.9 MB and gzip barely shrinks them (random mantissas), over the 3 MB budget; float16 halves
them, and its rounding moves the next-word probabilities by at most a few 1e-4.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT = "textgen_course.web_model/1"
WEIGHTS_FILE = "textgen-model.bin"
MANIFEST_FILE = "textgen-model.json"
MODEL_SCRIPT = "textgen-model.js"
ENGINE_SCRIPT = "textgen-engine.js"
ENGINE_GLOBAL = "TextgenEngine"  # the classic script sets globalThis.TextgenEngine
MODEL_GLOBAL = "TEXTGEN_MODEL"  # the model script sets globalThis.TEXTGEN_MODEL = {manifest, weights}
DTYPES = ("float16", "float32")


def model_tensors(model) -> dict[str, np.ndarray]:
    """The shipped model's weights by name, in Keras's layout, in the order they are written."""
    from textgen_course.numpy_model import NumpyTextGenerator

    engine = model if isinstance(model, NumpyTextGenerator) else NumpyTextGenerator.from_keras(model)
    return {
        "embedding": engine.embedding,  # (vocab_size, embedding_dim)
        "lstm_1.kernel": engine.lstm_1.kernel,  # (embedding_dim, 4 * lstm_1_units), gates i, f, c, o
        "lstm_1.recurrent_kernel": engine.lstm_1.recurrent_kernel,  # (lstm_1_units, 4 * lstm_1_units)
        "lstm_1.bias": engine.lstm_1.bias,  # (4 * lstm_1_units,)
        "lstm_2.kernel": engine.lstm_2.kernel,  # (lstm_1_units, 4 * lstm_2_units)
        "lstm_2.recurrent_kernel": engine.lstm_2.recurrent_kernel,  # (lstm_2_units, 4 * lstm_2_units)
        "lstm_2.bias": engine.lstm_2.bias,  # (4 * lstm_2_units,)
        "dense.kernel": engine.dense_kernel,  # (lstm_2_units, vocab_size)
        "dense.bias": engine.dense_bias,  # (vocab_size,)
    }


def weights_bytes(tensors: dict[str, np.ndarray], dtype: str = "float16") -> tuple[bytes, list[dict]]:
    """All tensors back to back in dtype (little-endian), and where each one starts."""
    if dtype not in DTYPES:
        raise ValueError(f"weights_bytes: dtype must be one of {DTYPES}, got {dtype!r}.")
    chunks, entries, offset = [], [], 0
    for name, values in tensors.items():
        data = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()
        entries.append({"name": name, "dtype": dtype, "shape": list(values.shape), "offset": offset,
                        "bytes": len(data)})
        chunks.append(data)
        offset += len(data)
    return b"".join(chunks), entries


def web_tensors(manifest: dict, data: bytes) -> dict[str, np.ndarray]:
    """Read the weights back as the page does: float32 arrays from the binary file (a test's reference)."""
    tensors = {}
    for entry in manifest["tensors"]:
        raw = np.frombuffer(data, dtype=np.dtype(entry["dtype"]).newbyteorder("<"),
                            count=int(np.prod(entry["shape"])), offset=entry["offset"])
        tensors[entry["name"]] = raw.astype(np.float32).reshape(entry["shape"])
    return tensors


def numpy_generator_from_web(manifest: dict, data: bytes):
    """A NumpyTextGenerator holding exactly the weights the page reads (float16 rounding included)."""
    from textgen_course.config import ModelConfig
    from textgen_course.lstm_gates import LstmWeights
    from textgen_course.numpy_model import NumpyTextGenerator

    t = web_tensors(manifest, data)
    return NumpyTextGenerator(
        config=ModelConfig.from_dict(manifest["config"]),
        embedding=t["embedding"],
        lstm_1=LstmWeights(t["lstm_1.kernel"], t["lstm_1.recurrent_kernel"], t["lstm_1.bias"]),
        lstm_2=LstmWeights(t["lstm_2.kernel"], t["lstm_2.recurrent_kernel"], t["lstm_2.bias"]),
        dense_kernel=t["dense.kernel"],
        dense_bias=t["dense.bias"],
    )


def classic_script(module_source: str, global_name: str = ENGINE_GLOBAL) -> str:
    """An ES module's text as a classic script: `export function f` -> a property of globalThis[global_name].

    Only the forms the engine uses are supported: `export function`, `export const`. A
    classic script loads from a file:// page, where browsers refuse ES modules.
    """
    names = re.findall(r"^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)",
                       module_source, flags=re.MULTILINE)
    if re.search(r"^\s*(import|export\s+(default|\{|\*))", module_source, flags=re.MULTILINE):
        raise ValueError("classic_script: the module may only use `export function/const/let/class` and no imports.")
    body = re.sub(r"^export\s+", "", module_source, flags=re.MULTILINE)
    exported = ", ".join(names)
    return (f"// Generated from textgen_engine.mjs at build time (authoring.web_export.classic_script).\n"
            f"(function () {{\n{body}\nglobalThis.{global_name} = {{ {exported} }};\n}})();\n")


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of some bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class WebExport:
    """What export_web_model wrote and how big it is."""

    folder: Path
    dtype: str
    weights_bytes: int  # the binary file
    model_script_bytes: int  # the classic script a page loads (base64 weights + manifest)
    model_script_gzip_bytes: int  # what a reader downloads from a server that compresses
    manifest: dict


def export_web_model(destination: str | Path, dtype: str = "float16", engine_module: str | Path | None = None,
                     model=None, vocabulary=None) -> WebExport:
    """Write the web copy of a model (default: the shipped one) into destination; see the module docstring.

    engine_module: the engine's ES module (book/web/textgen_engine.mjs); when given, its classic
    script form is written beside the model and listed in the manifest.
    """
    from textgen_course.artifacts import load_pretrained, pretrained_manifest
    from textgen_course.model import config_of
    from textgen_course.text import ELIDED_WORDS, PUNCTUATION

    if (model is None) != (vocabulary is None):
        raise ValueError("export_web_model: give both model and vocabulary, or neither (the shipped model).")
    if model is None:
        model, vocabulary = load_pretrained()
        source = {"artifact": "textgen_course/pretrained",
                  "weights_sha256": pretrained_manifest()["files"]["weights"]["sha256"]}
    else:
        source = {"artifact": "given model"}
    folder = Path(destination)
    folder.mkdir(parents=True, exist_ok=True)
    data, tensors = weights_bytes(model_tensors(model), dtype)
    (folder / WEIGHTS_FILE).write_bytes(data)
    files = {"weights": {"name": WEIGHTS_FILE, "bytes": len(data), "sha256": sha256_hex(data)}}
    if engine_module is not None:
        engine = classic_script(Path(engine_module).read_text(encoding="utf-8")).encode("utf-8")
        (folder / ENGINE_SCRIPT).write_bytes(engine)
        files["engine"] = {"name": ENGINE_SCRIPT, "bytes": len(engine), "sha256": sha256_hex(engine)}
    manifest = {
        "format": FORMAT,
        "dtype": dtype,
        "config": config_of(model).to_dict(),
        "vocabulary": list(vocabulary.words),
        "tokenizer": {"punctuation": list(PUNCTUATION), "elided_words": sorted(ELIDED_WORDS)},
        "tensors": tensors,
        "files": files,
        "source": source,
    }
    manifest_text = json.dumps(manifest, separators=(",", ":"))
    (folder / MANIFEST_FILE).write_text(manifest_text, encoding="utf-8")
    script = (f"// The course's model for pages opened from disk (file://): see authoring/web_export.py.\n"
              f"globalThis.{MODEL_GLOBAL} = {{\"manifest\": {manifest_text},\n"
              f"\"weights\": \"{base64.b64encode(data).decode('ascii')}\"}};\n").encode("utf-8")
    (folder / MODEL_SCRIPT).write_bytes(script)
    return WebExport(folder, dtype, len(data), len(script), len(gzip.compress(script, 9)), manifest)
