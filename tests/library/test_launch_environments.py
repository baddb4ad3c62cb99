"""Binder, Colab and a JupyterHub install what the course is tested with, from one set of settings.

requirements.txt pins the versions; _config.yml holds the repository URL and the JupyterHub URL.
Binder (binder/), each chapter's Colab install cell (written by scripts/bake_prose.py), the README
and the instructor guide must agree with them.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from authoring import prose

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
PIN = re.compile(r"^([\w.-]+)==([^\s#+]+)(\+\S+)?", re.MULTILINE)


def pins(path: Path) -> dict[str, str]:
    return {name.lower(): version for name, version, _ in PIN.findall(path.read_text(encoding="utf-8"))}


def config_value(section: str, key: str) -> str:
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    block = re.search(rf"^{section}:\s*\n((?:[ \t]+.*\n)+)", config, re.MULTILINE)
    assert block, f"_config.yml has no {section}: section"
    value = re.search(rf"^\s+{key}:\s*(\S+)", block[1], re.MULTILINE)
    assert value, f"_config.yml has no {section}.{key}"
    return value[1]


REPOSITORY = config_value("repository", "url")
HUB = config_value("launch_buttons", "jupyterhub_url")


def test_requirements_pin_jupyterlab_myst_so_jupyterlab_renders_the_chapters():
    assert "jupyterlab-myst" in pins(ROOT / "requirements.txt")


def test_binder_installs_what_requirements_txt_pins():
    binder = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^-r \.\./requirements\.txt\s*$", binder, re.MULTILINE), "binder/ must install requirements.txt"
    pinned = pins(ROOT / "requirements.txt")
    for name, version in pins(ROOT / "binder" / "requirements.txt").items():  # torch==2.13.0+cpu: the CPU build
        assert pinned.get(name) == version, f"binder/requirements.txt pins {name}=={version}, requirements.txt " \
                                            f"{pinned.get(name)}"
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    floor = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert runtime == f"python-{floor.removeprefix('>=')}", f"binder/runtime.txt {runtime!r} vs {floor!r}"


def test_the_colab_install_line_pins_every_runtime_dependency_as_requirements_txt_does():
    line = prose.colab_install_line(ROOT)
    assert f'"textgen-course @ git+{REPOSITORY}"' in line
    pinned = pins(ROOT / "requirements.txt")
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for dependency in dependencies:
        name = re.match(r"[\w.-]+", dependency)[0]
        assert f" {name}=={pinned[name.lower()]}" in line


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_each_chapter_installs_in_colab_what_the_course_pins(chapter):
    cells = [cell for cell in json.loads(chapter.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]
    colab = [cell for cell in cells if "google.colab" in "".join(cell["source"])]
    uses_library = any("textgen_course" in "".join(cell["source"]) for cell in cells)
    if not uses_library:
        pytest.skip(f"{chapter.name} runs no library code")
    assert colab, f"{chapter.name} imports textgen_course but has no Colab install cell"
    assert cells.index(colab[0]) == 0, f"{chapter.name}: the Colab install cell must be the first code cell"
    source = "".join(colab[0]["source"])
    assert prose.colab_install_line(ROOT) in source, \
        f"{chapter.name}: the Colab cell does not install the pinned course; run scripts/bake_prose.py"


def test_readme_and_instructor_guide_name_the_repository_and_hub_of_config_yml():
    owner_repo = REPOSITORY.removeprefix("https://github.com/")
    for document in (ROOT / "README.md", ROOT / "book" / "instructor_guide.md"):
        text = document.read_text(encoding="utf-8")
        for url in re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", text):
            if "textgen" in url and not url.startswith("https://github.com/you/"):  # "you/...": the reader's copy
                assert url == REPOSITORY, f"{document.name} links {url}, _config.yml says {REPOSITORY}"
        for url in re.findall(r"https://hub\.[\w.-]+", text):
            assert url == HUB, f"{document.name} names the hub {url}, _config.yml says {HUB}"
        assert owner_repo not in text or REPOSITORY in text
