"""A small Sphinx extension: the chapters' `<a id="label"></a>` targets, and links to them.

The chapters are committed as plain Markdown that every renderer shows (CONTRIBUTING.md, "The
committed form of the prose"): a section other pages link to starts with `<a id="label"></a>`, a
blank line, then its heading, and a link to it is `[title](#label)` or `[title](other.ipynb#label)`.
The book renders that text as it is (quoted numbers are inline HTML spans with plain text between
the tags: the HTML page shows it, the LaTeX writer drops the tags and keeps the text). Two things
need help, and both work on the parsed document, not on the Markdown:

- `AnchorTargets`, a transform: MyST parses the anchor as inline raw HTML (`<a id="label">`, then
  `</a>`), which Sphinx does not know as a label. The pair becomes the target MyST makes for
  `(label)=` (a paragraph holding only the anchor becomes a block target), before docutils moves
  targets onto the section that follows (priority 260) and before Sphinx and MyST collect labels.
  So `[title](#label)` resolves, `-n -W` checks it, and the id stays in the HTML (on the section).
  An `<a id>` of another shape in a paragraph (with text, or attributes besides `id`) is a
  warning, so `-W` names it. Cells' HTML outputs and HTML blocks are left alone.
- `LinksToLabels`, a post-transform: for `[title](other.ipynb#label)` MyST looks for `label` only
  among the other document's heading slugs and warns. When `label` is a label of that document,
  the link goes to it, before MyST's resolver runs (priority 9). A label of another document
  still gets MyST's warning.
"""

from __future__ import annotations

from html.parser import HTMLParser

from docutils import nodes
from docutils.transforms import Transform
from sphinx import addnodes
from sphinx.errors import NoUri
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

LOGGER = logging.getLogger(__name__)


class _Events(HTMLParser):
    """The tags and text of a piece of HTML, in order (blank text left out)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.events.append(("start", tag, tuple(attrs)))
        self.events.append(("end", tag))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.events.append(("data", data))

    def handle_comment(self, data):
        self.events.append(("comment", data))


def lone_anchor(html: str) -> str | None:
    """The label of HTML that is exactly one empty `<a id="label"></a>`, else None."""
    events = _Events(html).events
    if len(events) == 2 and events[0][:2] == ("start", "a") and events[1] == ("end", "a"):
        attributes = dict(events[0][2])
        if list(attributes) == ["id"] and attributes["id"]:
            return attributes["id"]
    return None


def has_anchor(html: str) -> bool:
    return any(event[:2] == ("start", "a") and "id" in dict(event[2]) for event in _Events(html).events)


def _is_html(node) -> bool:
    return isinstance(node, nodes.raw) and "html" in node.get("format", "").split()


def _is_inline_html(node) -> bool:
    """Inline HTML of a Markdown paragraph (not a cell's HTML output, not an HTML block)."""
    return _is_html(node) and isinstance(node.parent, nodes.paragraph)


class AnchorTargets(Transform):
    """`<a id="label"></a>` (MyST parses it as two inline raw HTML nodes) -> the target node of `(label)=`."""

    default_priority = 250  # before docutils' PropagateTargets (260) moves targets onto the next section

    def apply(self, **kwargs) -> None:
        taken = set()  # the end tags of the anchors already replaced
        for raw in list(self.document.findall(_is_inline_html)):
            if id(raw) in taken:
                continue
            end = raw.next_node(descend=False, siblings=True)
            label = lone_anchor(raw.astext())
            if label is None and _is_html(end) and (label := lone_anchor(raw.astext() + end.astext())):
                end.parent.remove(end)
                taken.add(id(end))
            if label is None:
                if has_anchor(raw.astext()):
                    LOGGER.warning(f"an <a id> target must be an empty <a id=\"label\"></a>: {raw.astext()!r}",
                                   location=raw)
                continue
            target = nodes.target("", "", names=[nodes.fully_normalize_name(label)])
            target.source, target.line = raw.source, raw.line
            self.document.note_explicit_target(target, target)
            paragraph = raw.parent
            if isinstance(paragraph, nodes.paragraph) and all(
                    child is raw or (isinstance(child, nodes.Text) and not child.strip()) for child in paragraph):
                paragraph.replace_self(target)  # on its own line: a block target, for the section that follows
            else:
                raw.replace_self(target)


class LinksToLabels(SphinxPostTransform):
    """`[title](other.ipynb#label)` -> a reference to `label` when that document defines it."""

    default_priority = 8  # before MyST's MystReferenceResolver (9)

    def run(self, **kwargs) -> None:
        std = self.env.get_domain("std")
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain") != "doc" or not node.get("reftargetid"):
                continue
            label = node["reftargetid"]
            docname, labelid = std.anonlabels.get(label, (None, None))
            if docname != node["reftarget"]:
                continue  # a heading slug, or a label of another document: MyST resolves or warns
            if node.get("refexplicit"):
                inner = nodes.inline(node.astext(), "", classes=["std", "std-ref"])
                inner.extend(node[0].children)
            else:
                title = std.labels.get(label, (None, None, label))[2]
                inner = nodes.inline(title, title, classes=["std", "std-ref"])
            try:
                reference = make_refnode(self.app.builder, node.get("refdoc", self.env.docname), docname,
                                         labelid, inner)
            except NoUri:
                reference = inner
            node.replace_self(reference)


def setup(app):
    app.add_transform(AnchorTargets)
    app.add_post_transform(LinksToLabels)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
