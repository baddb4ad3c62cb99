"""Explorer for book/embedding.ipynb: pick or type a word, see its nearest neighbours in the embedding.

word_neighbours computes what is shown (plain data, tested without widgets);
neighbours_html draws it; neighbour_explorer wires a word box and a slider to them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from ..analysis.embedding import nearest_neighbours
from ..embedding import embedding_matrix
from ..vocabulary import PAD_ID, UNKNOWN, UNKNOWN_ID, Vocabulary
from .web import live_explorer

SPECIAL_IDS = (PAD_ID, UNKNOWN_ID)  # never shown as neighbours


@dataclass(frozen=True)
class NeighbourReport:
    """A word's nearest neighbours by cosine similarity of their embedding rows."""

    word: str  # what was asked for (lower-cased, stripped)
    word_id: int  # its id; UNKNOWN_ID when the word is outside the vocabulary
    known: bool  # False: the model sees the word as <unk>, so these are <unk>'s neighbours
    neighbours: tuple[tuple[str, float], ...]  # (word, cosine similarity), most similar first

    def __str__(self) -> str:
        heading = (f"{self.word!r} (id {self.word_id})" if self.known
                   else f"{self.word!r} is not in the vocabulary: the model sees {UNKNOWN} (id {UNKNOWN_ID})")
        rows = [f"  {word:<14}{similarity:6.3f}" for word, similarity in self.neighbours]
        return "\n".join([f"nearest neighbours of {heading}", *rows])

    __repr__ = __str__


def word_neighbours(matrix: np.ndarray, vocabulary: Vocabulary, word: str, count: int = 10) -> NeighbourReport:
    """The count words whose embedding rows point most nearly the same way as word's row.

    matrix: (vocab_size, embedding_dim), the embedding's weights (row i = word i).
    """
    if len(matrix) != len(vocabulary):
        raise ValueError(f"word_neighbours: the matrix has {len(matrix)} rows but the vocabulary "
                         f"{len(vocabulary)} words; use the vocabulary the model was trained with.")
    word = word.strip().lower()
    word_id = vocabulary.id_of(word)
    ids, similarities = nearest_neighbours(matrix, word_id, count, exclude=SPECIAL_IDS)
    return NeighbourReport(
        word=word,
        word_id=word_id,
        known=word in vocabulary,
        neighbours=tuple((vocabulary.words[int(i)], round(float(s), 4)) for i, s in zip(ids, similarities)),
    )


def neighbours_html(report: NeighbourReport) -> str:
    """The report as an HTML table with a bar per similarity."""
    if report.known:
        heading = f"Nearest neighbours of <b>{html.escape(report.word)}</b> (id {report.word_id})"
    else:
        heading = (f"<b>{html.escape(report.word) or '(empty)'}</b> is not in the vocabulary: the model "
                   f"reads it as <b>{html.escape(UNKNOWN)}</b>. These are {html.escape(UNKNOWN)}'s neighbours.")
    rows = "".join(
        f"<tr><td style='padding:1px 8px;font-family:monospace'>{html.escape(word)}</td>"
        f"<td style='padding:1px 8px;text-align:right'>{similarity:.3f}</td>"
        f"<td><div style='background:#4a7fb0;height:10px;width:{max(0.0, similarity) * 150:.0f}px'></div></td></tr>"
        for word, similarity in report.neighbours
    )
    return (f"<div>{heading}</div><table><tr><th style='text-align:left'>word</th><th>cosine</th><th></th></tr>"
            f"{rows}</table>")


def neighbour_explorer(model, vocabulary: Vocabulary, word: str = "king", count: int = 10, choices: int = 300):
    """A word box (type, or pick one of the `choices` most frequent words) and a slider for the count."""
    import ipywidgets as widgets

    matrix = embedding_matrix(model.get_layer("embedding"))  # (vocab_size, embedding_dim)
    options = [w for w in vocabulary.words[len(SPECIAL_IDS):len(SPECIAL_IDS) + choices]]
    box = widgets.Combobox(value=word, options=options, ensure_option=False, description="Word:",
                           placeholder="type or pick a word")
    slider = widgets.IntSlider(value=count, min=3, max=30, description="Neighbours:")
    view = widgets.HTML(neighbours_html(word_neighbours(matrix, vocabulary, word, count)))  # the initial view

    def update(_change) -> None:
        view.value = neighbours_html(word_neighbours(matrix, vocabulary, box.value, slider.value))

    box.observe(update, names="value")
    slider.observe(update, names="value")
    return live_explorer([widgets.HBox([box, slider]), view], "neighbour_explorer",
                         {"word": word, "count": count, "choices": options}, view)
