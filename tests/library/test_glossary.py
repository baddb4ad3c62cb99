"""The glossary is linked where a reader first meets each term, and its own entries define their words.

Reading order is `_toc.yml`'s (welcome first). For each term of book/glossary.ipynb (and its
variants and plurals, `TERMS`), its first use in the book's prose must be a link to its entry:
`[gradients](glossary.ipynb#glossary-gradient)`, which the book build turns into a MyST
reference (authoring.prose.to_myst) and which JupyterLab, Colab and GitHub follow as it is.
Prose means Markdown cells without code, listings, math, headings, HTML, quoted numbers,
directive lines and the text of other links (a link cannot hold a link). Every link to a
section (`[...](chapter.ipynb#label)`, `[...](#label)`) must name a target that exists.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = "glossary"

# Each glossary entry -> the words that name it: (term as reported, regex). Matched without
# regard to case unless the pattern says (?-i:...), and only as whole words (a hyphen binds:
# "top-k" is not "top"). A term of several words in one entry ("batch and epoch") is linked
# where the reader first meets each of them.
TERMS: dict[str, list[tuple[str, str]]] = {
    "glossary-neural-network": [("neural network", r"neural networks?"), ("layer", r"layers?")],
    "glossary-matrix-product": [("matrix product", r"matrix products?|matrix multiplications?")],
    "glossary-forward-pass": [("forward pass", r"forward pass(?:es)?")],
    "glossary-token": [("token", r"tokens?")],
    "glossary-vocabulary": [("vocabulary", r"vocabular(?:y|ies)")],
    "glossary-word-id": [("word ID", r"(?-i:(?:[Ww]ord )?IDs?)")],
    "glossary-window": [("window", r"windows?")],
    "glossary-target": [("target", r"targets?")],
    "glossary-training-validation": [("validation text", r"validation"),
                                     ("training text", r"training (?:text|data|set|windows?)")],
    "glossary-one-hot": [("one-hot vector", r"one[- ]hot")],
    "glossary-embedding": [("embedding", r"embeddings?")],
    "glossary-parameter": [("parameter", r"parameters?"), ("weight", r"weights?")],
    "glossary-svd": [("SVD", r"(?-i:SVD)|singular value decompositions?"),
                     ("principal component analysis", r"principal component analysis")],
    "glossary-twin": [("twin", r"twins?")],
    "glossary-float32": [("float32", r"float32")],
    "glossary-recurrent": [("recurrent layer", r"recurrent (?:neural )?(?:layers?|networks?)|(?-i:RNNs?)")],
    "glossary-lstm": [("LSTM", r"(?-i:LSTMs?(?:-[12])?)|long short-term memory")],
    "glossary-unit": [("unit", r"units?")],
    "glossary-cell-state": [("cell state", r"cell states?")],
    "glossary-hidden-state": [("hidden state", r"hidden states?")],
    "glossary-gate": [("gate", r"gates?")],
    "glossary-sigmoid-tanh": [("sigmoid", r"sigmoids?"), ("tanh", r"tanh")],
    "glossary-dense-layer": [("dense layer", r"dense(?: layers?)?"), ("bias", r"bias(?:es)?")],
    "glossary-logit": [("logit", r"logits?")],
    "glossary-softmax": [("softmax", r"softmax(?:es)?")],
    "glossary-temperature": [("temperature", r"temperatures?")],
    "glossary-entropy": [("entropy", r"entrop(?:y|ies)")],
    "glossary-greedy": [("greedy decoding", r"greedy"), ("top-k", r"top-k"), ("top-p", r"top-p")],
    "glossary-cross-entropy": [("cross-entropy", r"cross[- ]entropy"), ("loss", r"loss(?:es)?")],
    "glossary-log-probability": [("log-probability", r"log[- ]probabilit(?:y|ies)")],
    "glossary-nats": [("nats", r"nats?")],
    "glossary-perplexity": [("perplexity", r"perplexit(?:y|ies)")],
    "glossary-accuracy": [("top-1 accuracy", r"top-[15]|accuracy|accuracies")],
    "glossary-standard-error": [("standard error", r"standard errors?"),
                                ("standard deviation", r"standard deviations?")],
    "glossary-gradient": [("gradient", r"gradients?")],
    "glossary-backpropagation": [("backpropagation", r"backprop(?:agation)?|back-propagation"),
                                 ("autograd", r"autograd|automatic differentiation")],
    "glossary-optimizer": [("optimizer", r"optimi[sz]ers?"), ("learning rate", r"learning rates?"),
                           ("gradient descent", r"gradient descent")],
    "glossary-adam": [("Adam", r"(?-i:Adam)")],
    "glossary-batch-epoch": [("batch", r"batch(?:es)?"), ("epoch", r"epochs?")],
    "glossary-baseline": [("unigram", r"unigrams?"), ("trigram", r"trigrams?"), ("baseline", r"baselines?")],
    "glossary-kneser-ney": [("Kneser-Ney", r"Kneser[- ]Ney")],
    "glossary-overfitting": [("overfitting", r"over-?fit(?:ting|s|ted)?")],
    "glossary-dropout": [("dropout", r"dropout")],
}

ANCHOR = re.compile(r'<a id="(?P<label>[\w-]+)"></a>|^\((?P<myst>[\w-]+)\)=[ \t]*$|^:label:\s*(?P<exercise>[\w-]+)',
                    re.MULTILINE)
LINK = re.compile(r"(?P<image>!?)\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]*)\)")
# What is not prose, masked before terms are looked for (in this order).
NOT_PROSE = [
    re.compile(r"^(?P<fence>`{3,}|~{3,}).*?^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL),  # code fences
    re.compile(r"<!--.*?-->", re.DOTALL),  # comments (the listings' markers)
    re.compile(r'<span data-glue="[^"]*">[^<]*</span>'),  # quoted numbers
    re.compile(r"</?[a-zA-Z][^>\n]*>"),  # HTML tags (targets)
    re.compile(r"\$\$.*?\$\$", re.DOTALL),  # display math
    re.compile(r"(?<![\\$])\$(?!\s)[^$\n]+?(?<![\s\\])\$"),  # inline math
    re.compile(r"(?P<ticks>`+).+?(?P=ticks)", re.DOTALL),  # inline code
    re.compile(r"^#{1,6}[ \t].*$", re.MULTILINE),  # headings
    re.compile(r"^:{3,}.*$|^:[\w-]+:.*$", re.MULTILINE),  # directive fences and their options
    re.compile(r"https?://\S+"),  # bare addresses
]
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


@dataclass(frozen=True)
class Use:
    """Where a term is first met: document, cell index, the words around it, the entry it links to."""

    document: str
    cell: int
    context: str
    linked_to: str | None


def reading_order(root: Path = ROOT) -> list[Path]:
    """The book's documents in _toc.yml's order (root first)."""
    toc = (root / "_toc.yml").read_text(encoding="utf-8")
    paths = []
    for entry in re.findall(r"(?:file|root):\s*(\S+)", toc):
        for suffix in (".ipynb", ".md"):
            if (root / f"{entry}{suffix}").exists():
                paths.append(root / f"{entry}{suffix}")
                break
    return paths


def markdown_cells(path: Path) -> list[str]:
    """A notebook's Markdown cells (an .md document is one cell)."""
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")]
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(cell["source"]) if cell["cell_type"] == "markdown" else "" for cell in notebook["cells"]]


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def prose(markdown: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The cell with everything but prose blanked out (same length), and its links as
    (start, end, url) of their text: links to other places are blanked too, a link's text is
    prose only when it links to the glossary."""
    text = markdown
    for pattern in NOT_PROSE[:4]:  # before links: a comment or a tag may hold brackets
        text = pattern.sub(lambda match: re.sub(r"[^\n]", " ", match[0]), text)
    lines, in_list, previous_blank, in_code = text.split("\n"), False, True, False
    for index, line in enumerate(lines):  # indented code blocks (not a list item's continuation)
        if not line.strip():
            previous_blank = True
            continue
        indented = line.startswith("    ") or line.startswith("\t")
        if indented and not in_list and (previous_blank or in_code):
            lines[index], in_code = " " * len(line), True
        else:
            in_code = False
            if not indented:
                in_list = bool(LIST_ITEM.match(line)) or (in_list and not previous_blank)
        previous_blank = False
    text = "\n".join(lines)
    links = []
    for match in LINK.finditer(text):
        if match["image"] or GLOSSARY + ".ipynb#" not in match["url"] and not match["url"].startswith("#glossary-"):
            text = _blank(text, match.start(), match.end())
            continue
        links.append((match.start("text"), match.end("text"), match["url"]))
        text = _blank(text, match.end("text"), match.end())
        text = _blank(text, match.start(), match.start() + 1)
    for pattern in NOT_PROSE[4:]:
        text = pattern.sub(lambda match: re.sub(r"[^\n]", " ", match[0]), text)
    return text, links


def term_pattern(regex: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{regex})(?![\w-])", re.IGNORECASE)


def glossary_anchor(url: str) -> str | None:
    return url.split("#", 1)[1] if url.startswith("#glossary-") or url.startswith(GLOSSARY + ".ipynb#") else None


def first_uses(documents: list[Path], terms: dict[str, list[tuple[str, str]]] = TERMS) -> dict[tuple[str, str], Use]:
    """(entry, term) -> where the reader first meets the term, in reading order."""
    patterns = {(anchor, name): term_pattern(regex) for anchor, named in terms.items() for name, regex in named}
    found: dict[tuple[str, str], Use] = {}
    for path in documents:
        if path.stem == GLOSSARY:
            continue
        for index, markdown in enumerate(markdown_cells(path)):
            text, links = prose(markdown)
            for key, pattern in patterns.items():
                if key in found:
                    continue
                match = pattern.search(text)
                if match is None:
                    continue
                linked = next((glossary_anchor(url) for start, end, url in links
                               if start <= match.start() and match.end() <= end), None)
                context = " ".join(markdown[max(0, match.start() - 60):match.end() + 60].split())
                found[key] = Use(path.stem, index, context, linked)
    return found


def unlinked_first_uses(documents: list[Path], terms: dict[str, list[tuple[str, str]]] = TERMS) -> list[str]:
    return [f"{use.document} cell {use.cell}: first use of {name!r} is not a link to glossary.ipynb#{anchor}"
            + (f" (it links to {use.linked_to})" if use.linked_to else "") + f": ...{use.context}..."
            for (anchor, name), use in first_uses(documents, terms).items() if use.linked_to != anchor]


def targets(path: Path) -> set[str]:
    """The labels a link can name in one document."""
    found = set()
    for markdown in markdown_cells(path):
        found |= {match["label"] or match["myst"] or match["exercise"] for match in ANCHOR.finditer(markdown)}
    return found


def broken_links(documents: list[Path]) -> list[str]:
    """Links to a document that is not in the book, or to a target that document does not define."""
    labels = {path.stem: targets(path) for path in documents}
    found = []
    for path in documents:
        for index, markdown in enumerate(markdown_cells(path)):
            markdown = NOT_PROSE[0].sub("", markdown)  # a link inside a code fence is code
            for match in LINK.finditer(markdown):
                url = match["url"]
                if "://" in url or match["image"] or not (url.startswith("#") or ".ipynb" in url or ".md" in url):
                    continue
                document, _, label = url.partition("#")
                stem = Path(document).stem if document else path.stem
                if stem not in labels:
                    found.append(f"{path.stem} cell {index}: links to {url!r}, which is not in the book")
                elif label and label not in labels[stem]:
                    found.append(f"{path.stem} cell {index}: links to {url!r}, but {stem} has no target {label!r}")
    return found


def glossary_entries(path: Path) -> list[tuple[str, str]]:
    """The glossary's entries in page order: (anchor, Markdown of the entry)."""
    text = "\n".join(markdown_cells(path))
    starts = [(match.start(), match["label"]) for match in ANCHOR.finditer(text) if match["label"]]
    return [(label, text[start:(starts[number + 1][0] if number + 1 < len(starts) else len(text))])
            for number, (start, label) in enumerate(starts)]


def undefined_in_definitions(path: Path, terms: dict[str, list[tuple[str, str]]] = TERMS) -> list[str]:
    """Terms a glossary entry uses before the page defines them, without linking to their entry."""
    entries = glossary_entries(path)
    order = {anchor: number for number, (anchor, _) in enumerate(entries)}
    found = []
    for number, (anchor, markdown) in enumerate(entries):
        text, links = prose(markdown)
        for other, named in terms.items():
            if order.get(other, -1) < number or other == anchor:
                continue
            for name, regex in named:
                for match in term_pattern(regex).finditer(text):
                    linked = next((glossary_anchor(url) for start, end, url in links
                                   if start <= match.start() and match.end() <= end), None)
                    if linked != other:
                        context = " ".join(markdown[max(0, match.start() - 50):match.end() + 50].split())
                        found.append(f"the entry {anchor} uses {name!r} before the page defines it, without a "
                                     f"link to #{other}: ...{context}...")
                        break
    return found


# --------------------------------------------------------------------------------------------
# The book


def test_every_glossary_entry_has_its_words_listed_and_every_listed_entry_exists():
    entries = {anchor for anchor, _ in glossary_entries(ROOT / "book" / f"{GLOSSARY}.ipynb")}
    assert entries == set(TERMS), (f"entries without words in TERMS: {sorted(entries - set(TERMS))}; "
                                   f"TERMS naming no entry: {sorted(set(TERMS) - entries)}")


def test_the_first_use_of_every_glossary_term_links_to_its_entry():
    problems = unlinked_first_uses(reading_order())
    assert not problems, "\n".join(problems)


def test_every_link_to_a_section_names_a_target_that_exists():
    problems = broken_links(reading_order())
    assert not problems, "\n".join(problems)


def test_the_glossary_links_a_term_it_uses_before_defining_it():
    problems = undefined_in_definitions(ROOT / "book" / f"{GLOSSARY}.ipynb")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------
# The checks themselves, on made-up notebooks


def write_notebook(path: Path, *markdown: str) -> Path:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text} for text in markdown]
    cells.insert(1, {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [], "execution_count": 1})
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


@pytest.fixture
def made_up_book(tmp_path):
    """A glossary with two entries and a two-chapter book in _toc.yml's order."""
    book = tmp_path / "book"
    book.mkdir()
    write_notebook(book / "glossary.ipynb", '# Glossary\n\n<a id="glossary-gradient"></a>\n\n## gradient\n\n'
                   'How the loss moves.\n\n<a id="glossary-cross-entropy"></a>\n\n## cross-entropy\n\nThe loss.')
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/first\nchapters:\n"
                                       "  - file: book/second\n  - file: book/glossary\n")
    return book


TWO_TERMS = {"glossary-gradient": [("gradient", r"gradients?")],
             "glossary-cross-entropy": [("cross-entropy", r"cross[- ]entropy"), ("loss", r"loss(?:es)?")]}


def test_a_made_up_book_that_links_each_first_use_passes(made_up_book):
    write_notebook(made_up_book / "first.ipynb", "# Gradients\n\nThe `gradients` of the $loss$ are "
                   "[gradients](glossary.ipynb#glossary-gradient) of the [cross-entropy loss]"
                   "(glossary.ipynb#glossary-cross-entropy).", "More gradients and losses, unlinked.")
    write_notebook(made_up_book / "second.ipynb", "# Second\n\nThe loss again.")
    documents = reading_order(made_up_book.parent)
    assert [path.stem for path in documents] == ["first", "second", "glossary"]
    assert unlinked_first_uses(documents, TWO_TERMS) == []
    assert broken_links(documents) == []


def test_an_unlinked_first_use_fails_and_is_named(made_up_book):
    """Code, math, headings, numbers and other links are not prose: the first use is the sentence after them."""
    write_notebook(made_up_book / "first.ipynb", "# First\n\nThe [gradient](glossary.ipynb#glossary-gradient) "
                   "is a number.")
    write_notebook(made_up_book / "second.ipynb", "# The loss\n\n    loss = 1  # code, not prose\n\n"
                   "A [loss](softmax_head.ipynb) link is no glossary link; `loss`, $\\text{loss}$ and "
                   "<!-- loss --> are not prose.", "Training lowers the losses; [the loss](glossary.ipynb#"
                   "glossary-cross-entropy) comes too late.")
    problems = unlinked_first_uses(reading_order(made_up_book.parent), TWO_TERMS)
    assert len(problems) == 1, problems
    assert problems[0].startswith("second cell 2: first use of 'loss' is not a link to "
                                  "glossary.ipynb#glossary-cross-entropy: ...Training lowers the losses;"), problems


def test_a_first_use_linked_to_the_wrong_entry_fails(made_up_book):
    write_notebook(made_up_book / "first.ipynb", "# First\n\nThe [loss gradient](glossary.ipynb#glossary-gradient)"
                   " and the [loss](glossary.ipynb#glossary-cross-entropy).")
    write_notebook(made_up_book / "second.ipynb", "# Second")
    problems = unlinked_first_uses(reading_order(made_up_book.parent), TWO_TERMS)
    assert len(problems) == 1, problems
    assert "first use of 'loss' is not a link to glossary.ipynb#glossary-cross-entropy (it links to " \
           "glossary-gradient)" in problems[0]


def test_a_link_to_a_target_that_does_not_exist_fails(made_up_book):
    write_notebook(made_up_book / "first.ipynb", "# First\n\nThe [gradient](glossary.ipynb#glossary-gradients), "
                   "[a section](#nowhere), [a chapter](missing.ipynb) and [fine](second.ipynb#second-here).")
    write_notebook(made_up_book / "second.ipynb", '<a id="second-here"></a>\n\n# Second')
    problems = broken_links(reading_order(made_up_book.parent))
    assert len(problems) == 3, problems
    assert "first cell 0: links to 'glossary.ipynb#glossary-gradients', but glossary has no target" in problems[0]
    assert "'#nowhere'" in problems[1] and "'missing.ipynb', which is not in the book" in problems[2]


def test_a_glossary_entry_that_uses_a_later_term_must_link_it(tmp_path):
    glossary = write_notebook(tmp_path / "glossary.ipynb",
                              '# Glossary\n\n<a id="glossary-gradient"></a>\n\n## gradient\n\nHow the loss moves.\n\n'
                              '<a id="glossary-cross-entropy"></a>\n\n## cross-entropy\n\nThe loss; its gradient.')
    problems = undefined_in_definitions(glossary, TWO_TERMS)
    assert len(problems) == 1 and "glossary-gradient uses 'loss'" in problems[0], problems
    write_notebook(glossary, '# Glossary\n\n<a id="glossary-gradient"></a>\n\n## gradient\n\nHow the '
                   '[loss](#glossary-cross-entropy) moves.\n\n<a id="glossary-cross-entropy"></a>\n\n'
                   "## cross-entropy\n\nThe loss; its gradient.")
    assert undefined_in_definitions(glossary, TWO_TERMS) == []
