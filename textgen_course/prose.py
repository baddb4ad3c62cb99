"""The chapters' Markdown as every front end shows it: numbers and library code baked in.

Not part of the model. Jupyter Book (MyST) understands roles such as ``{glue:text}`key` ``,
``{doc}``, ``{ref}``, ``(label)=`` targets and ``literalinclude``; JupyterLab without an
extension, Colab and GitHub show them as raw text. So the committed notebooks hold only what
any Markdown renderer shows, and the book turns it back into MyST when it builds
(book/_ext/course_book.py calls `to_myst`):

| the chapter holds                                     | the book reads               |
| ----------------------------------------------------- | ---------------------------- |
| ``<span data-glue="key">108.3</span>``                | ``{glue:text}`key` ``        |
| ``<!-- source: textgen_course.m.f -->`` + a python fence | the fence (checked against the library) |
| ``[title](other.ipynb)``, ``[title](#label)``           | the same links (MyST resolves them) |
| ``<a id="label"></a>``                                | ``(label)=``                 |

`bake_notebook` converts the old MyST forms into these and refreshes the baked text: each
number from the glue output stored in the same notebook, each listing from the library's
current source (`library_source`). `problems` lists what is stale, for the tests.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import textwrap
from pathlib import Path

GLUE_SPAN = re.compile(r'<span data-glue="(?P<key>[\w.-]+)">(?P<text>[^<]*)</span>')
GLUE_ROLE = re.compile(r"\{glue:text\}`(?P<key>[^`:]+)`")
ANCHOR = re.compile(r'^<a id="(?P<label>[\w-]+)"></a>[ \t]*$', re.MULTILINE)
MYST_TARGET = re.compile(r"^\((?P<label>[\w-]+)\)=[ \t]*(?P<end>\n\n?|\Z)", re.MULTILINE)
SOURCE_MARKER = re.compile(r"^<!-- source: (?P<name>[\w.]+) -->[ \t]*\n```python[ \t]*\n(?P<code>.*?)^```[ \t]*$",
                           re.MULTILINE | re.DOTALL)
LITERALINCLUDE = re.compile(r"^(?P<fence>```+|:::+)\{literalinclude\}\s*(?P<path>\S+)\s*\n"
                            r":pyobject:\s*(?P<object>[\w.]+)\s*\n(?P=fence)[ \t]*$", re.MULTILINE)
XREF_ROLE = re.compile(r"\{(?P<role>doc|ref)\}`(?:(?P<text>[^`<]*?)\s*<(?P<target>[^`>]+)>|(?P<plain>[^`]+))`")
BACKTICK_DIRECTIVE = re.compile(r"^(?P<fence>`{3,})\{(?P<name>exercise|solution-start|solution-end|solution|note|tip|"
                                r"warning|important|hint|admonition|caution|seealso|attention)\}(?P<rest>[^\n]*)\n"
                                r"(?P<body>.*?)^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
SECTION_LINK = re.compile(r"\]\((?P<doc>[\w-]+)\.ipynb#(?P<label>[\w-]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$", re.MULTILINE)
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$|#])")
# What must never show in a chapter's committed Markdown: raw MyST that a plain renderer prints.
RAW_MYST = re.compile(r"\{(?:glue(?::\w+)?|doc|ref|numref|eq|term|download)\}`|^\([\w-]+\)=\s*$|:pyobject:"
                      r"|^`{3,}\{", re.MULTILINE)


def glue_values(notebook: dict) -> dict[str, str]:
    """Every glued name of a notebook and its text as ``{glue:text}`` shows it (from stored outputs)."""
    values = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if not scrapbook:
                continue
            plain = output.get("data", {}).get(scrapbook.get("mime_prefix", "") + "text/plain")
            if plain is None:
                continue
            values[scrapbook["name"]] = plain_text(plain)
    return values


def plain_text(plain: str | list[str]) -> str:
    """A glued text/plain output as ``{glue:text}`` shows it (myst_nb's format_plain_text)."""
    plain = "".join(plain) if isinstance(plain, list) else plain
    try:  # a repr loses its quotes
        return str(ast.literal_eval(plain))
    except (SyntaxError, ValueError):
        return plain


def baked_text(value: str) -> str:
    """A glued value as it stands between the span's tags: one line, Markdown characters escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(value.split()))


def library_object(name: str):
    """The object a dotted name such as ``textgen_course.lstm_gates.lstm_step`` points to."""
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            thing = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            thing = getattr(thing, attribute)
        return thing
    raise ImportError(f"cannot import {name!r}")


def canonical_name(name: str) -> str:
    """Where the object really lives (a re-exported function names its own module)."""
    thing = library_object(name)
    return f"{thing.__module__}.{thing.__qualname__}"


def library_source(name: str) -> str:
    """The current source of a library function or class, dedented, without a trailing newline."""
    return textwrap.dedent(inspect.getsource(library_object(name))).rstrip("\n")


def source_block(name: str) -> str:
    return f"<!-- source: {name} -->\n```python\n{library_source(name)}\n```"


# --------------------------------------------------------------------------------------------
# From the old MyST forms to what every renderer shows


def book_index(book: Path) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Titles of the book's documents, and every target label -> (document stem, section title)."""
    titles, labels = {}, {}
    for path in sorted(book.glob("*.ipynb")) + sorted(book.glob("*.md")):
        if path.suffix == ".ipynb":
            notebook = json.loads(path.read_text(encoding="utf-8"))
            text = "\n\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
        else:
            text = path.read_text(encoding="utf-8")
        heading = HEADING.search(text)
        if heading:
            titles[path.stem] = heading["title"]
        targets = r'^(?:\((?P<myst>[\w-]+)\)=|<a id="(?P<html>[\w-]+)"></a>)[ \t]*$'
        for match in re.finditer(targets, text, re.MULTILINE):
            following = HEADING.search(text, match.end())
            label = match["myst"] or match["html"]
            labels[label] = (path.stem, following["title"] if following else label)
    return titles, labels


def plain_markdown(text: str, here: str, glue: dict[str, str], titles: dict[str, str],
                   labels: dict[str, tuple[str, str]], book: Path | None = None) -> str:
    """One Markdown cell in the committed form: old MyST converted, baked numbers and code refreshed."""
    def directive(match: re.Match) -> str:  # ```{exercise} -> :::{exercise}: a plain renderer shows text, not code
        return f":::{{{match['name']}}}{match['rest']}\n{match['body']}:::"

    def literalinclude(match: re.Match) -> str:
        module = match["path"].replace("../", "").removesuffix(".py").replace("/", ".")
        return source_block(canonical_name(f"{module}.{match['object']}"))

    def glue_role(match: re.Match) -> str:
        return f'<span data-glue="{match["key"]}">{baked_text(glue.get(match["key"], "?"))}</span>'

    def glue_span(match: re.Match) -> str:
        key = match["key"]
        return f'<span data-glue="{key}">{baked_text(glue[key])}</span>' if key in glue else match[0]

    def xref(match: re.Match) -> str:
        target = (match["target"] or match["plain"]).strip()
        text = (match["text"] or "").strip()
        if match["role"] == "doc":
            stem = Path(target).name
            suffix = ".md" if book is not None and (book / f"{stem}.md").exists() else ".ipynb"
            return f"[{text or titles.get(stem, stem)}]({stem}{suffix})"
        if target not in labels:
            raise ValueError(f"{here}: {{ref}} to {target!r}, which no chapter defines")
        stem, title = labels[target]
        return f"[{text or title}]({'' if stem == here else stem + '.ipynb'}#{target})"

    def target(match: re.Match) -> str:
        return f'<a id="{match["label"]}"></a>' + ("\n\n" if match["end"] else "")

    def code_block(match: re.Match) -> str:
        return source_block(match["name"])

    text = BACKTICK_DIRECTIVE.sub(directive, text)
    text = LITERALINCLUDE.sub(literalinclude, text)
    text = SOURCE_MARKER.sub(code_block, text)
    text = GLUE_ROLE.sub(glue_role, text)
    text = GLUE_SPAN.sub(glue_span, text)
    text = XREF_ROLE.sub(xref, text)
    text = MYST_TARGET.sub(target, text)
    return text


def solution_cells(notebook: dict) -> list[int]:
    """Indexes of the cells wholly inside a gated solution: its code, its explanation, its end."""
    opening = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>solution-start|solution-end)\}")
    inside, found = False, []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            if inside or "solution" in cell.get("metadata", {}).get("tags", []):
                found.append(index)
            continue
        lines, in_solution, fence, directive = "".join(cell["source"]).split("\n"), [], None, None
        for line in lines:
            if fence is None and (match := opening.match(line)):
                fence, directive = match["fence"], match["name"]
                in_solution.append(directive == "solution-end")
                continue
            if fence is not None:
                in_solution.append(directive == "solution-end")
                if line.strip() == fence:
                    inside, fence = directive == "solution-start", None
                continue
            if line.strip():
                in_solution.append(inside)
        if in_solution and all(in_solution):
            found.append(index)
    return found


COLAB_INSTALL = re.compile(r'^(?P<indent>[ \t]*)%pip install -q "textgen-course @ git\+[^"]*".*$', re.MULTILINE)


def colab_install_line(root: Path) -> str:
    """The Colab cell's install: the library from the repository (_config.yml's repository.url), and
    each of its runtime dependencies (pyproject.toml) at the version requirements.txt pins."""
    import tomllib

    config = (root / "_config.yml").read_text(encoding="utf-8")
    repository = re.search(r"^repository:\s*\n\s+url:\s*(\S+)", config, re.MULTILINE)[1]
    pins = dict(re.findall(r"^([\w.-]+)==(\S+)", (root / "requirements.txt").read_text(encoding="utf-8"), re.MULTILINE))
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.match(r"[\w.-]+", dependency)[0] for dependency in project["dependencies"]]
    return f'%pip install -q "textgen-course @ git+{repository}" ' + " ".join(f"{name}=={pins[name]}" for name in names)


def bake_notebook(path: Path) -> bool:
    """Rewrite one chapter in the committed form; returns True when the file changed."""
    path = Path(path)
    original = path.read_text(encoding="utf-8")
    notebook = json.loads(original)
    titles, labels = book_index(path.parent)
    glue = glue_values(notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        baked = plain_markdown(source, path.stem, glue, titles, labels, path.parent)
        if baked != source:
            cell["source"] = baked.splitlines(keepends=True)
    root = path.resolve().parent.parent
    if (root / "_config.yml").exists() and (root / "pyproject.toml").exists():
        install = colab_install_line(root)
        for cell in notebook["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "google.colab" in source:
                baked = COLAB_INSTALL.sub(lambda match: match["indent"] + install, source)
                if baked != source:
                    cell["source"] = baked.splitlines(keepends=True)
    for index in solution_cells(notebook):
        cell = notebook["cells"][index]
        jupyter = cell["metadata"].setdefault("jupyter", {})
        jupyter["source_hidden"] = True  # collapsed in JupyterLab, like the book's dropdown
        if cell["cell_type"] == "code" and cell.get("outputs"):
            jupyter["outputs_hidden"] = True
    text = json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"  # as nbformat writes
    if text == original:
        return False
    path.write_text(text, encoding="utf-8")
    return True


# --------------------------------------------------------------------------------------------
# Checks (the tests and the book build)


def problems(notebook: dict, name: str, raw_myst: bool = True) -> list[str]:
    """What is wrong with a committed chapter's Markdown: raw MyST (unless raw_myst=False), stale
    numbers, stale code."""
    found = []
    glue = glue_values(notebook)
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        for match in RAW_MYST.finditer(source) if raw_myst else ():
            line = source[source.rfind("\n", 0, match.start()) + 1:].split("\n", 1)[0]
            found.append(f"{name} cell {index}: raw MyST a plain renderer would show: {line.strip()!r}")
        for match in GLUE_SPAN.finditer(source):
            key, text = match["key"], match["text"]
            if key not in glue:
                found.append(f"{name} cell {index}: {key!r} is quoted but no cell of the chapter glues it")
            elif text != baked_text(glue[key]):
                found.append(f"{name} cell {index}: the prose says {text!r} for {key!r}, the stored glue output "
                             f"is {glue[key]!r}; run scripts/bake_prose.py")
        for match in SOURCE_MARKER.finditer(source):
            try:
                current = library_source(match["name"])
            except (ImportError, AttributeError, OSError, TypeError) as error:
                found.append(f"{name} cell {index}: shows {match['name']}, which cannot be found ({error})")
                continue
            if match["code"].rstrip("\n") != current:
                found.append(f"{name} cell {index}: the listing of {match['name']} differs from the library's "
                             "source; run scripts/bake_prose.py")
    return found


def to_myst(markdown: str) -> str:
    """What the book builds from a committed Markdown cell: glue roles, MyST targets, project links."""
    markdown = GLUE_SPAN.sub(lambda match: f"{{glue:text}}`{match['key']}`", markdown)
    markdown = ANCHOR.sub(lambda match: f"({match['label']})=", markdown)
    markdown = SECTION_LINK.sub(lambda match: f"](#{match['label']})", markdown)  # MyST finds a label in any chapter
    return markdown


def main(argv: list[str] | None = None) -> int:
    """`python -m textgen_course.prose book/x.ipynb ...` (or --all): bake each chapter's prose."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebook under book/")
    args = parser.parse_args(argv)
    book = Path(__file__).resolve().parents[1] / "book"
    paths = sorted(book.glob("*.ipynb")) if args.all else args.notebooks
    if not paths:
        parser.error("name notebooks, or pass --all")
    for path in paths:
        changed = bake_notebook(path)
        left = problems(json.loads(Path(path).read_text(encoding="utf-8")), Path(path).stem)
        print(f"{Path(path).name:<28} {'baked' if changed else 'unchanged'}", *left, sep="\n  ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
