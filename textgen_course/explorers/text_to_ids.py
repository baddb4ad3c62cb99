"""Explorer for book/text_to_ids.ipynb: type a sentence, see its tokens, ids, unknown words and window.

describe_text computes everything shown (plain data, tested without widgets);
report_html draws it; text_explorer wires a text box to them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..text import tokenize
from ..vocabulary import PAD_ID, UNKNOWN_ID, Vocabulary
from ..windows import pad_left
from .web import live_explorer

DEFAULT_TEXT = "Shall I compare thee to a summer's day? Thou art more lovely and more temperate."


@dataclass(frozen=True)
class TextReport:
    """What the model would read for one piece of text."""

    tokens: tuple[str, ...]  # the text after the tokenization rules
    ids: tuple[int, ...]  # one id per token; UNKNOWN_ID (1) for words outside the vocabulary
    unknown_words: tuple[str, ...]  # the tokens that became UNKNOWN_ID, each once, in order
    window: tuple[int, ...]  # the sequence_length ids the model reads: the last ones, left-padded with 0
    window_tokens: tuple[str, ...]  # the vocabulary entry of each window id ('<pad>', '<unk>' included)
    dropped: int  # tokens too early to fit into the window

    def __str__(self) -> str:
        unknown = ", ".join(self.unknown_words) or "none"
        return "\n".join(
            [
                f"tokens ({len(self.tokens)}): {' '.join(self.tokens)}",
                f"ids:           {list(self.ids)}",
                f"unknown words: {unknown}",
                f"window ({len(self.window)} ids): {list(self.window)}",
                f"window words:  {' '.join(self.window_tokens)}",
            ]
            + ([f"({self.dropped} earlier token(s) do not fit into the window)"] if self.dropped else [])
        )

    __repr__ = __str__


def describe_text(vocabulary: Vocabulary, text: str, sequence_length: int = 13) -> TextReport:
    """Tokenize text, look every token up, and build the window the model would read."""
    if isinstance(sequence_length, bool) or not isinstance(sequence_length, int) or sequence_length < 1:
        raise ValueError(f"describe_text: sequence_length must be a positive integer, got {sequence_length!r}.")
    tokens = tokenize(text)
    ids = vocabulary.encode(tokens)
    window = pad_left(ids, sequence_length)  # (sequence_length,) int32
    return TextReport(
        tokens=tuple(tokens),
        ids=tuple(ids),
        unknown_words=tuple(vocabulary.unknown_words(tokens)),
        window=tuple(int(i) for i in window),
        window_tokens=tuple(vocabulary.words[int(i)] for i in window),
        dropped=max(0, len(tokens) - sequence_length),
    )


_CHIP = ("display:inline-block;margin:2px;padding:2px 6px;border-radius:4px;text-align:center;"
         "font-family:monospace;border:1px solid {border};background:{background}")


def _chip(top: str, bottom: str, kind: str) -> str:
    colours = {"word": ("#9ab", "#eef4f8"), "unknown": ("#c33", "#fde2e2"), "pad": ("#bbb", "#f3f3f3")}
    border, background = colours[kind]
    return (f'<span style="{_CHIP.format(border=border, background=background)}">{html.escape(top)}'
            f'<br><small>{html.escape(bottom)}</small></span>')


def report_html(report: TextReport) -> str:
    """The report as HTML: one box per token with its id below; unknown words in red, padding in grey."""
    def kind(token_id: int) -> str:
        return "pad" if token_id == PAD_ID else "unknown" if token_id == UNKNOWN_ID else "word"

    tokens = "".join(_chip(token, str(i), kind(i)) for token, i in zip(report.tokens, report.ids))
    window = "".join(_chip(token, str(i), kind(i)) for token, i in zip(report.window_tokens, report.window))
    unknown = ", ".join(html.escape(word) for word in report.unknown_words) or "none"
    dropped = f" ({report.dropped} earlier token(s) do not fit)" if report.dropped else ""
    return (
        f"<div><b>{len(report.tokens)} tokens and their ids</b><br>{tokens or '<i>no tokens</i>'}</div>"
        f"<div style='margin-top:6px'><b>Unknown words</b> (id {UNKNOWN_ID}): {unknown}</div>"
        f"<div style='margin-top:6px'><b>The {len(report.window)} ids the model reads</b>{dropped}<br>{window}</div>"
    )


def text_explorer(vocabulary: Vocabulary, text: str = DEFAULT_TEXT, sequence_length: int = 13):
    """A text box; below it, the tokens, ids, unknown words and padded window of what is typed."""
    import ipywidgets as widgets

    box = widgets.Text(value=text, description="Text:", layout=widgets.Layout(width="95%"))
    view = widgets.HTML(report_html(describe_text(vocabulary, text, sequence_length)))  # the initial view

    def update(change) -> None:
        view.value = report_html(describe_text(vocabulary, change["new"], sequence_length))

    box.observe(update, names="value")
    return live_explorer([box, view], "text_explorer", {"text": text, "sequence_length": sequence_length}, view)
