"""The chapters' Markdown as every front end shows it: numbers and library code baked in, once.

Not part of the model, and not part of the book build. Jupyter Book (MyST) understands roles such
as ``{glue:text}`key` ``, ``{doc}``, ``{ref}``, ``(label)=`` targets and ``literalinclude``;
JupyterLab without an extension, Colab and GitHub show them as raw text. So a committed chapter
holds only what any Markdown renderer shows, and the book renders that same text as it is:

| the chapter holds                                        | written by `bake_notebook` from      |
| -------------------------------------------------------- | ------------------------------------ |
| ``<span data-glue="key">108.3</span>``                   | the glue output stored in the chapter |
| ``<!-- source: textgen_course.m.f -->`` + a python fence | the library's current source         |
| ``[title](other.ipynb)``, ``[title](other.ipynb#label)`` | ``{doc}``, ``{ref}`` (old forms)     |
| ``<a id="label"></a>``                                   | ``(label)=`` (old form)              |

Prose runs one way: the executed chapter and the library are the sources, the Markdown is
written from them by `bake_notebook` (the command `scripts/bake_prose.py`, or
`python -m authoring.prose`), and nothing reads the Markdown back when the book builds (the
HTML and the PDF show the baked text; book/_ext/chapter_targets.py only turns the parsed
``<a id>`` targets into Sphinx targets). `problems` is what the tests check: a number that is
not the stored glue value, a listing that is not the library's source, raw MyST.

A hand edit inside a baked region is never overwritten silently: each bake records what it wrote
(`RECORD`, in the notebook's metadata), and the next bake refuses (`HandEdited`) to replace text
that is neither what it last wrote nor the current value, unless forced.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from textgen_course.exercises.checking import resolve

# A quoted number: its text is everything up to the span's end tag (a `<` in it is written `\<`).
GLUE_SPAN = re.compile(r'<span data-glue="(?P<key>[^"]*)">(?P<text>(?:(?!<span data-glue=).)*?)</span>', re.DOTALL)
GLUE_OPENING = re.compile(r'<span data-glue="(?P<key>[^"]*)">')
GLUE_ROLE = re.compile(r"\{glue:text\}`(?P<key>[^`:]+)`")
MYST_TARGET = re.compile(r"^\((?P<label>[\w-]+)\)=[ \t]*(?P<end>\n\n?|\Z)", re.MULTILINE)
SOURCE_MARKER = re.compile(r"^<!-- source: (?P<name>[\w.]+) -->[ \t]*\n```python[ \t]*\n(?P<code>.*?)^```[ \t]*$",
                           re.MULTILINE | re.DOTALL)
LITERALINCLUDE = re.compile(r"^(?P<fence>```+|:::+)\{literalinclude\}\s*(?P<path>\S+)\s*\n"
                            r":pyobject:\s*(?P<object>[\w.]+)\s*\n(?P=fence)[ \t]*$", re.MULTILINE)
XREF_ROLE = re.compile(r"\{(?P<role>doc|ref)\}`(?:(?P<text>[^`<]*?)\s*<(?P<target>[^`>]+)>|(?P<plain>[^`]+))`")
BACKTICK_DIRECTIVE = re.compile(r"^(?P<fence>`{3,})\{(?P<name>exercise|solution-start|solution-end|solution|note|tip|"
                                r"warning|important|hint|admonition|caution|seealso|attention)\}(?P<rest>[^\n]*)\n"
                                r"(?P<body>.*?)^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$", re.MULTILINE)
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$|#])")
# What must never show in a chapter's committed Markdown: raw MyST that a plain renderer prints.
RAW_MYST = re.compile(r"\{(?:glue(?::\w+)?|doc|ref|numref|eq|term|download)\}`|^\([\w-]+\)=\s*$|:pyobject:"
                      r"|^`{3,}\{", re.MULTILINE)
# The notebook metadata where a bake records what it wrote: {"glue": {key: text}, "listings": {name: digest}}.
RECORD = "baked_prose"
PLACEHOLDERS = ("", "?")  # what an author writes in a new span or listing for the bake to fill


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


def canonical_name(name: str) -> str:
    """Where the object really lives (a re-exported function names its own module)."""
    thing = resolve(name)[2]
    return f"{thing.__module__}.{thing.__qualname__}"


def library_source(name: str) -> str:
    """The current source of a library function or class, dedented, without a trailing newline."""
    return textwrap.dedent(inspect.getsource(resolve(name)[2])).rstrip("\n")


def digest(code: str) -> str:
    """A listing's fingerprint in the bake's record (the listing itself is in the cell)."""
    return hashlib.sha256(code.rstrip("\n").encode("utf-8")).hexdigest()[:16]


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


class HandEdited(Exception):
    """A bake would overwrite baked text that it did not write; one line per span or listing."""


@dataclass
class Baker:
    """Bakes the Markdown cells of one chapter; keeps what it wrote and what it refused to overwrite.

    last: the record of the previous bake (`RECORD`); None when the chapter has none yet, and then
    the text found counts as what the last bake wrote (the tests kept it equal to the glue values).
    """

    here: str
    glue: dict[str, str]
    titles: dict[str, str]
    labels: dict[str, tuple[str, str]]
    book: Path | None = None
    last: dict | None = None
    force: bool = False
    wrote: dict[str, dict[str, str]] = field(default_factory=lambda: {"glue": {}, "listings": {}})
    refused: list[str] = field(default_factory=list)

    def keep(self, kind: str, name: str, fingerprint: str) -> None:
        """Text the bake cannot check now (nothing glues the key yet, the object is missing) keeps its
        record: the previous bake's, or, with no record yet, the text as it stands."""
        last = fingerprint if self.last is None else self.last.get(kind, {}).get(name)
        if last is not None:
            self.wrote[kind].setdefault(name, last)

    def replaceable(self, kind: str, name: str, found: str, fingerprint: str) -> bool:
        """May the bake overwrite `found`: a placeholder, no record yet, forced, or what it last wrote?"""
        return (found.strip() in PLACEHOLDERS or self.last is None or self.force
                or self.last.get(kind, {}).get(name) == fingerprint)

    def markdown(self, text: str) -> str:
        """One Markdown cell in the committed form: old MyST converted, baked numbers and code refreshed."""
        text = BACKTICK_DIRECTIVE.sub(self.directive, text)
        text = LITERALINCLUDE.sub(self.literalinclude, text)
        text = SOURCE_MARKER.sub(self.listing, text)
        text = GLUE_ROLE.sub(self.glue_role, text)
        text = GLUE_SPAN.sub(self.glue_span, text)
        text = XREF_ROLE.sub(self.xref, text)
        return MYST_TARGET.sub(self.target, text)

    def directive(self, match: re.Match) -> str:  # ```{exercise} -> :::{exercise}: a plain renderer shows text
        return f":::{{{match['name']}}}{match['rest']}\n{match['body']}:::"

    def literalinclude(self, match: re.Match) -> str:
        module = match["path"].replace("../", "").removesuffix(".py").replace("/", ".")
        return source_block(canonical_name(f"{module}.{match['object']}"))

    def listing(self, match: re.Match) -> str:
        name, found = match["name"], match["code"].rstrip("\n")
        try:
            expected = library_source(name)
        except (ImportError, AttributeError, OSError, TypeError):
            self.keep("listings", name, digest(found))
            return match[0]  # `problems` names it
        if found != expected and not self.replaceable("listings", name, found, digest(found)):
            self.refused.append(
                f"{self.here}: the listing of {name} is neither the library's source nor what the last bake "
                "wrote: it was edited by hand. Change the library's code instead (the listing shows it), "
                "or pass --force to overwrite the listing.")
            return match[0]
        self.wrote["listings"][name] = digest(expected)
        return f"<!-- source: {name} -->\n```python\n{expected}\n```"

    def glue_role(self, match: re.Match) -> str:
        return f'<span data-glue="{match["key"]}">{baked_text(self.glue.get(match["key"], "?"))}</span>'

    def glue_span(self, match: re.Match) -> str:
        key, found = match["key"], match["text"]
        if key not in self.glue:
            self.keep("glue", key, found)
            return match[0]  # `problems` names it
        expected = baked_text(self.glue[key])
        if found != expected and not self.replaceable("glue", key, found, found):
            last = (self.last or {}).get("glue", {}).get(key)
            wrote = "no bake wrote it" if last is None else f"the last bake wrote {last!r}"
            self.refused.append(
                f"{self.here}: the span {key!r} holds {found!r}, but the stored glue value is {expected!r} "
                f"and {wrote}: it was edited by hand. Change the cell that glues {key!r} (or the words "
                "around the span), or pass --force to overwrite it.")
            return match[0]
        self.wrote["glue"][key] = expected
        return f'<span data-glue="{key}">{expected}</span>'

    def xref(self, match: re.Match) -> str:
        target = (match["target"] or match["plain"]).strip()
        text = (match["text"] or "").strip()
        if match["role"] == "doc":
            stem = Path(target).name
            suffix = ".md" if self.book is not None and (self.book / f"{stem}.md").exists() else ".ipynb"
            return f"[{text or self.titles.get(stem, stem)}]({stem}{suffix})"
        if target not in self.labels:
            raise ValueError(f"{self.here}: {{ref}} to {target!r}, which no chapter defines")
        stem, title = self.labels[target]
        return f"[{text or title}]({'' if stem == self.here else stem + '.ipynb'}#{target})"

    @staticmethod
    def target(match: re.Match) -> str:
        return f'<a id="{match["label"]}"></a>' + ("\n\n" if match["end"] else "")


def plain_markdown(text: str, here: str, glue: dict[str, str], titles: dict[str, str],
                   labels: dict[str, tuple[str, str]], book: Path | None = None) -> str:
    """One Markdown cell in the committed form (no record of an earlier bake: nothing is refused)."""
    return Baker(here, glue, titles, labels, book).markdown(text)


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


def bake_notebook(path: Path, force: bool = False) -> bool:
    """Rewrite one chapter in the committed form; returns True when the file changed.

    Raises HandEdited, and writes nothing, when a span or listing holds text that is neither the
    current value nor what the last bake wrote (force: overwrite it anyway).
    """
    path = Path(path)
    original = path.read_text(encoding="utf-8")
    notebook = json.loads(original)
    titles, labels = book_index(path.parent)
    baker = Baker(path.stem, glue_values(notebook), titles, labels, path.parent,
                  last=notebook["metadata"].get(RECORD), force=force)
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        baked = baker.markdown(source)
        if baked != source:
            cell["source"] = baked.splitlines(keepends=True)
    if baker.refused:
        raise HandEdited("\n".join(baker.refused))
    notebook["metadata"][RECORD] = baker.wrote
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
# Checks (the tests; the book build reads nothing back)


def markdown_cells(notebook: dict):
    """(index, source) of each Markdown cell."""
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown":
            yield index, "".join(cell["source"])


def number_problems(notebook: dict, name: str) -> list[str]:
    """Every quoted number that is not the stored glue value as the bake writes it (a `<` as `\\<`),
    is quoted but never glued, or has no end tag."""
    found = []
    glue = glue_values(notebook)
    for index, source in markdown_cells(notebook):
        spans = list(GLUE_SPAN.finditer(source))
        ended = {match.start() for match in spans}
        for opening in GLUE_OPENING.finditer(source):
            if opening.start() not in ended:
                found.append(f"{name} cell {index}: the span {opening['key']!r} has no </span>")
        for match in spans:
            key, text = match["key"], match["text"]
            if key not in glue:
                found.append(f"{name} cell {index}: {key!r} is quoted but no cell of the chapter glues it")
            elif text != baked_text(glue[key]):
                found.append(f"{name} cell {index}: the prose says {text!r} for {key!r}, the stored glue output "
                             f"is {glue[key]!r} (baked: {baked_text(glue[key])!r}); run scripts/bake_prose.py, "
                             "which refuses to overwrite a hand edit")
    return found


def listing_problems(notebook: dict, name: str) -> list[str]:
    """Every library listing that is not the library's current source."""
    found = []
    for index, source in markdown_cells(notebook):
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


def raw_myst_problems(notebook: dict, name: str) -> list[str]:
    """Every line of raw MyST that Colab, GitHub or a plain JupyterLab would show as it is."""
    found = []
    for index, source in markdown_cells(notebook):
        for match in RAW_MYST.finditer(source):
            line = source[source.rfind("\n", 0, match.start()) + 1:].split("\n", 1)[0]
            found.append(f"{name} cell {index}: raw MyST a plain renderer would show: {line.strip()!r}")
    return found


def problems(notebook: dict, name: str) -> list[str]:
    """What is wrong with a committed chapter's Markdown: raw MyST, stale or hand-edited numbers, stale code."""
    return raw_myst_problems(notebook, name) + number_problems(notebook, name) + listing_problems(notebook, name)


def main(argv: list[str] | None = None) -> int:
    """Bake each chapter's prose: `python -m authoring.prose book/x.ipynb ...` (or --all).

    Run it after scripts/execute_notebooks.py. Exits 1 when it refused to overwrite a hand edit or
    when a problem is left (a number quoted but never glued, a listing of a missing object).
    """
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebook under book/")
    parser.add_argument("--force", action="store_true",
                        help="overwrite spans and listings edited by hand (they are refused otherwise)")
    args = parser.parse_args(argv)
    book = Path(__file__).resolve().parents[1] / "book"
    paths = sorted(book.glob("*.ipynb")) if args.all else args.notebooks
    if not paths:
        parser.error("name notebooks, or pass --all")
    status = 0
    for path in paths:
        try:
            verdict = "baked" if bake_notebook(path, force=args.force) else "unchanged"
        except HandEdited as refused:
            verdict, status = "not baked (nothing written):\n" + textwrap.indent(str(refused), "    "), 1
        left = problems(json.loads(Path(path).read_text(encoding="utf-8")), Path(path).stem)
        status = status or int(bool(left))
        print(f"{Path(path).name:<28} {verdict}", *left, sep="\n  ")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
