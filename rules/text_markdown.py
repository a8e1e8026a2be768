"""Markdown (and GitHub issue-form bodies) turned into blocks with markdown-it-py.

CommonMark parsing is left to a maintained parser: fences of four backticks that hold a
three-backtick fence, headings inside lists and quotes, setext headings and HTML blocks all
read as CommonMark says. What Refinery adds is the mapping onto its blocks: headings, bold
"**Why**:" labels (one per line of a paragraph), paragraphs, table rows, and code, which is
kept apart because it never states a reason or a target.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from rules.text_markup import Block

_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,300}>")
_BREAKS = ("softbreak", "hardbreak")


def markdown_blocks(source: str) -> list[Block]:
    """Split Markdown into headings, labels, paragraphs and code (kind "c")."""
    source = _COMMENT.sub("", source)
    blocks: list[Block] = []
    heading = False
    row: list[str] | None = None
    for token in _PARSER.parse(source):
        kind = token.type
        if kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            if row is not None and any(row):
                blocks.append(("p", " | ".join(row), ""))
            row = None
        elif kind in ("fence", "code_block"):
            code = token.content.strip("\n")
            if code.strip():
                blocks.append(("c", code, ""))
        elif kind == "html_block":
            text = _TAG.sub(" ", token.content).strip()
            if text:
                blocks.append(("p", text, ""))
        elif kind == "inline":
            children = token.children or []
            if heading:
                blocks.append(("h", _text(children).strip(), ""))
            elif row is not None:
                row.append(" ".join(_text(children).split()))
            else:
                blocks.extend(_paragraph(children))
    return blocks


def _paragraph(children: Sequence[Token]) -> list[Block]:
    """One paragraph's lines: a line opening with a bold label is a block of its own."""
    out: list[Block] = []
    plain: list[str] = []
    for line in _lines(children):
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


def _lines(children: Sequence[Token]) -> list[list[Token]]:
    lines: list[list[Token]] = [[]]
    for child in children:
        if child.type in _BREAKS:
            lines.append([])
        else:
            lines[-1].append(child)
    return lines


def _bold_label(line: Sequence[Token]) -> tuple[str, str] | None:
    """("Why", "rest") for "**Why**: rest" or "**Why:** rest" or a line that is only "**Why**"."""
    start = next((i for i, t in enumerate(line) if t.type != "text" or t.content.strip()), None)
    if start is None or line[start].type != "strong_open":
        return None
    close = next((i for i, t in enumerate(line) if t.type == "strong_close"), None)
    if close is None:
        return None
    label = _text(line[start + 1 : close]).strip()
    rest = _text(line[close + 1 :]).strip()
    if not label or len(label) > 60:
        return None
    if label.endswith(":") or rest.startswith(":") or not rest:
        return label.rstrip(":").strip(), rest.lstrip(":").strip()
    return None


def _text(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        kind = token.type
        if kind in ("text", "code_inline"):
            parts.append(token.content)
        elif kind in _BREAKS:
            parts.append("\n")
        elif kind == "image":
            parts.append(_text(token.children or []))
        elif kind == "html_inline":
            parts.append(" ")
    return "".join(parts)
