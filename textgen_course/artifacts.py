"""Trained-model artifacts: one folder, saved atomically, loaded safely (chapter: book/data_flow.ipynb).

A folder holds:
    artifact.json            the manifest: architecture, config, training settings, history,
                             metrics, and a SHA-256 checksum for every file below
    vocabulary.json          the Vocabulary
    weights-epoch-NN.weights.h5   the best weights so far (Keras weights format)
    resume-epoch-NN.weights.h5    while training runs: last weights and optimizer state

Saving writes new files under new names first and then replaces artifact.json in one
atomic rename, so a run killed mid-save leaves the previous artifact intact. Loading
verifies every checksum and uses safe formats only (JSON and Keras .weights.h5, no pickle),
so a truncated, corrupt or mismatched artifact gets a clear error.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import h5py

from .architectures import build_architecture
from .config import ModelConfig, check_architecture
from .model import TextGenerator
from .vocabulary import Vocabulary

MANIFEST = "artifact.json"
FORMAT = "textgen_course.artifact/1"
PRETRAINED = Path(__file__).parent / "pretrained"


def sha256_of(path: Path) -> str:
    """The file's SHA-256 checksum, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _replace_atomically(target: Path, write) -> None:
    """Call write(temporary_path), flush it to disk, then rename it onto target."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(temporary)
    try:
        write(temporary)
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_json_atomically(path: Path, data: Any) -> None:
    """Write JSON so that readers see the old file or the new one, never half of one."""
    _replace_atomically(path, lambda tmp: tmp.write_text(json.dumps(data, indent=1), encoding="utf-8"))


def file_entry(folder: Path, name: str) -> dict:
    """A manifest entry for a file in folder: its name, size and checksum."""
    path = folder / name
    return {"name": name, "bytes": path.stat().st_size, "sha256": sha256_of(path)}


def save_weights(model, folder: Path, name: str) -> dict:
    """Save Keras weights under name (atomically) and return the manifest entry.

    A compiled model's file also holds the optimizer state (three times the size);
    that is what resuming needs. For the weights alone, pass an uncompiled copy.
    """
    staging = folder / f".{name}.{os.getpid()}.partial.weights.h5"
    try:
        model.save_weights(staging)
        with open(staging, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(staging, folder / name)
    finally:
        staging.unlink(missing_ok=True)
    return file_entry(folder, name)


def commit_manifest(folder: Path, manifest: dict) -> None:
    """Replace the manifest in one rename, then delete files it no longer names."""
    manifest = {**manifest, "format": FORMAT}
    write_json_atomically(folder / MANIFEST, manifest)
    named = {MANIFEST, *(entry["name"] for entry in _entries(manifest))}
    for path in folder.iterdir():
        if path.is_file() and path.name not in named and (
            path.name.startswith(("weights-epoch-", "resume-epoch-")) or path.name.startswith(".")
        ):
            path.unlink(missing_ok=True)


def _entries(manifest: dict) -> list[dict]:
    files = manifest.get("files", {})
    return [entry for entry in files.values() if entry]


def read_manifest(folder: str | Path) -> dict:
    """The manifest of an artifact folder, with every file's checksum verified."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise FileNotFoundError(f"No artifact folder at {str(folder)!r}.")
    if not path.is_file():
        raise FileNotFoundError(
            f"{folder} is not a trained-model artifact: it has no {MANIFEST}. "
            "Train one with: python -m textgen_course train --out DIR"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is corrupt (not valid JSON: {error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ValueError(f"{path}: unknown artifact format {found!r}, expected {FORMAT!r}.")
    for entry in _entries(manifest):
        file = folder / entry["name"]
        if not file.is_file():
            raise ValueError(f"Artifact {folder} is incomplete: {entry['name']} is missing.")
        size = file.stat().st_size
        if size != entry["bytes"]:
            raise ValueError(
                f"Artifact {folder}: {entry['name']} is truncated or altered "
                f"({size:,} bytes, expected {entry['bytes']:,})."
            )
        if sha256_of(file) != entry["sha256"]:
            raise ValueError(f"Artifact {folder}: {entry['name']} is corrupt (checksum mismatch).")
    return manifest


def architecture_in(manifest: dict) -> str:
    """The manifest's "architecture"; artifacts made before the ablation existed are "two_lstms"."""
    return manifest.get("architecture", "two_lstms")


def load_artifact(folder: str | Path) -> tuple[TextGenerator, Vocabulary, dict]:
    """Rebuild the model from an artifact folder: (model, vocabulary, manifest).

    The manifest's "architecture" says which model to build: "two_lstms" (the default, and
    the shipped model) or "one_lstm" (the ablation of book/why_two_lstms.ipynb).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    try:
        architecture = check_architecture(architecture_in(manifest))
    except ValueError as error:
        raise ValueError(f"Artifact {folder}: {error}") from None
    try:
        config = ModelConfig.from_dict(manifest["model_config"])
        files = manifest["files"]
        vocabulary = Vocabulary.load(folder / files["vocabulary"]["name"])
        weights = folder / files["weights"]["name"]
    except (KeyError, TypeError) as error:
        raise ValueError(f"Artifact {folder}: the manifest lacks {error}.") from None
    if len(vocabulary) != config.vocab_size:
        raise ValueError(
            f"Artifact {folder} is mismatched: the vocabulary has {len(vocabulary)} words "
            f"but the model config says vocab_size={config.vocab_size}."
        )
    model = build_architecture(architecture, config)
    load_weights_checked(model, weights)
    return model, vocabulary, manifest


def load_weights_checked(model, path: Path) -> None:
    """model.load_weights, with a clear error when the file's shapes do not fit the model."""
    try:
        with h5py.File(path, "r") as file:
            stored = []
            file.visititems(lambda name, item: stored.append((name, item.shape))
                            if isinstance(item, h5py.Dataset) else None)
    except OSError as error:
        raise ValueError(f"{path} is not a readable Keras weights file ({error}).") from None
    expected = sorted(tuple(weight.shape) for weight in model.weights)
    found = sorted(tuple(shape) for name, shape in stored if name.startswith("layers/"))
    if expected != found:
        missing = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected))
        raise ValueError(
            f"{path} does not fit this model: the model needs weight shapes {missing} that the "
            f"file lacks, and the file has {extra}. Was it trained with another vocab_size, other sizes "
            "or another architecture?"
        )
    model.load_weights(path)


def export_artifact(source: str | Path, destination: str | Path) -> Path:
    """Copy a finished (or running) artifact's best weights, vocabulary and manifest to a new folder.

    The resume state is left behind, so the copy is the ~5 MB that ships with the course
    (textgen_course/pretrained/ is made this way). The source is verified first.
    """
    source, destination = Path(source), Path(destination)
    manifest = read_manifest(source)
    manifest["files"] = {key: entry for key, entry in manifest["files"].items() if key != "resume_weights"}
    destination.mkdir(parents=True, exist_ok=True)
    for entry in manifest["files"].values():
        shutil.copyfile(source / entry["name"], destination / entry["name"])
    commit_manifest(destination, manifest)  # also removes older weights files in destination
    read_manifest(destination)
    return destination


def load_pretrained() -> tuple[TextGenerator, Vocabulary]:
    """The model trained on the default corpus that ships with the course: (model, vocabulary)."""
    model, vocabulary, _ = load_artifact(PRETRAINED)
    return model, vocabulary


def pretrained_manifest() -> dict:
    """The shipped model's manifest: training settings, history and recorded metrics."""
    return read_manifest(PRETRAINED)
