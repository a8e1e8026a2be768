"""Markdown (and GitHub issue-form bodies) turned into blocks with a CommonMark parser.

Parsing is left to pulldown-cmark (through pyromark): fences of four backticks that hold a
three-backtick fence, headings inside lists and quotes, setext headings and HTML blocks read
as CommonMark says, at about 10 µs a description (markdown-it-py measured 280 µs on the same
bodies). What Refinery adds is the mapping onto its blocks: headings, bold "**Why**:"
labels (one per line of a paragraph), paragraphs, table rows, and code, which is kept apart
because it never states a reason or a target.
"""

from __future__ import annotations

import re
from typing import Any

import pyromark

from connectors.text.markup import Block

_OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,300}>")
# Inline pieces of a line: ("text", value) | ("strong", "open" / "close")
Piece = tuple[str, str]
_BREAKS = ("SoftBreak", "HardBreak")
_INLINE_TEXT = ("Text", "Code", "InlineMath", "DisplayMath", "FootnoteReference")
_CELL_ENDS = ("TableHead", "TableRow")


def markdown_blocks(source: str) -> list[Block]:
    """Split Markdown into headings, labels, paragraphs and code (kind "c")."""
    reader = _Reader()
    for event in pyromark.events(_COMMENT.sub("", source), options=_OPTIONS):
        reader.feed(event)
    reader.flush()
    return reader.blocks


class _Reader:
    """Folds pyromark's events into blocks: inline pieces gather until a block ends."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines: list[list[Piece]] = [[]]
        self.kind = ""  # "h" heading, "c" code, "html", or "" for prose
        self.code: list[str] = []
        self.cells: list[str] | None = None

    def feed(self, event: Any) -> None:
        if isinstance(event, str):
            if event in _BREAKS:
                self.lines.append([])
            elif event == "Rule":
                self.flush()
            return
        ((name, value),) = event.items()
        if name == "Start":
            self.start(_tag(value))
        elif name == "End":
            self.end(_tag(value))
        elif self.kind in ("c", "html"):
            self.code.append(str(value))
        elif name in _INLINE_TEXT:
            self.lines[-1].append(("text", str(value)))
        elif name == "InlineHtml":
            self.lines[-1].append(("text", " "))
        elif name == "Html":
            self.code.append(str(value))

    def start(self, tag: str) -> None:
        if tag == "Strong":
            self.lines[-1].append(("strong", "open"))
            return
        if tag in ("Emphasis", "Strikethrough", "Link", "Image", "Superscript", "Subscript"):
            return
        self.flush()
        if tag == "Heading":
            self.kind = "h"
        elif tag == "CodeBlock":
            self.kind = "c"
        elif tag == "HtmlBlock":
            self.kind = "html"
        elif tag in _CELL_ENDS:
            self.cells = []

    def end(self, tag: str) -> None:
        if tag == "Strong":
            self.lines[-1].append(("strong", "close"))
        elif tag == "TableCell" and self.cells is not None:
            self.cells.append(" ".join(_text(self.pieces()).split()))
            self.lines = [[]]
        elif tag in _CELL_ENDS and self.cells is not None:
            if any(self.cells):
                self.blocks.append(("p", " | ".join(self.cells), ""))
            self.cells = None
        elif tag not in ("Emphasis", "Strikethrough", "Link", "Image", "Superscript", "Subscript"):
            self.flush()

    def pieces(self) -> list[Piece]:
        return [piece for line in self.lines for piece in line]

    def flush(self) -> None:
        """End the block being gathered (a heading, code, HTML or a paragraph)."""
        kind, self.kind = self.kind, ""
        lines, self.lines = self.lines, [[]]
        code, self.code = "".join(self.code), []
        if kind == "c":
            if code.strip():
                self.blocks.append(("c", code.strip("\n"), ""))
        elif kind == "html":
            text = _TAG.sub(" ", code).strip()
            if text:
                self.blocks.append(("p", text, ""))
        elif kind == "h":
            self.blocks.append(("h", "\n".join(_text(line) for line in lines).strip(), ""))
        elif any(lines):
            self.blocks.extend(_paragraph(lines))


def _tag(value: Any) -> str:
    """The element's name: "Paragraph", or the one key of {"Heading": {...}}."""
    if isinstance(value, dict):
        return str(next(iter(value)))
    return str(value)


def _paragraph(lines: list[list[Piece]]) -> list[Block]:
    """One paragraph's lines: a line opening with a bold label is a block of its own."""
    out: list[Block] = []
    plain: list[str] = []
    for line in lines:
        label = _bold_label(line)
        if label is None:
            plain.append(_text(line).strip())
            continue
        if plain:
            out.append(("p", "\n".join(plain), ""))
            plain = []
        out.append(("l", *label))
    if plain:
        out.append(("p", "\n".join(plain), ""))
    return out


def _bold_label(line: list[Piece]) -> tuple[str, str] | None:
    """("Why", "rest") for "**Why**: rest" or "**Why:** rest" or a line that is only "**Why**"."""
    start = next((i for i, p in enumerate(line) if p[0] != "text" or p[1].strip()), None)
    if start is None or line[start] != ("strong", "open"):
        return None
    close = next((i for i, p in enumerate(line) if p == ("strong", "close")), None)
    if close is None:
        return None
    label = _text(line[start + 1 : close]).strip()
    rest = _text(line[close + 1 :]).strip()
    if not label or len(label) > 60:
        return None
    if label.endswith(":") or rest.startswith(":") or not rest:
        return label.rstrip(":").strip(), rest.lstrip(":").strip()
    return None


def _text(pieces: list[Piece]) -> str:
    return "".join(value for kind, value in pieces if kind == "text")
