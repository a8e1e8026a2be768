"""Jira wiki markup turned into blocks (headings, labels, paragraphs, code) line by line."""

from __future__ import annotations

import html
import re

# ("h", heading, "") | ("l", label, rest of the line) | ("p", paragraph text, "") | ("c", code, "")
Block = tuple[str, str, str]

# Spans are bounded so that lines full of unmatched markers stay linear to scan.
_SPAN = r"[^\n]{1,300}?"

# --- Jira wiki markup ---------------------------------------------------------------------

_WIKI_VERBATIM = re.compile(r"\{(code|noformat)(?::[^}\n]{0,200})?\}(.*?)(?:\{\1\}|\Z)", re.S)
_WIKI_HEADING = re.compile(r"^[ \t]*h[1-6]\.[ \t]+(.*)$")
_WIKI_BQ = re.compile(r"^[ \t]*bq\.[ \t]+")
_WIKI_TITLED = re.compile(
    r"\{(?:panel|info|note|tip|warning|expand):[^}\n]{0,300}?title=([^|}\n]{1,200})[^}\n]{0,300}\}"
)
_WIKI_MACRO = re.compile(
    r"\{(?:quote|panel|color|info|note|tip|warning|expand|anchor|section|column|status|toc"
    r"|div|span|center|align)(?::[^{}\n]{0,300})?\}"
)
_WIKI_BREAK = re.compile(r"[ \t]*\\\\[ \t]*")
_WIKI_RULE = re.compile(r"^[ \t]*-{4,}[ \t]*$")
_WIKI_LIST = re.compile(r"^[ \t]*[*#-]+[ \t]+")
_WIKI_BOLD_LABEL = re.compile(r"^[ \t]*\*([^*\n]{1,60}?)(:?)\*[ \t]*(:?)[ \t]*(.*)$")
# (pattern, replacement, substring without which the pattern cannot match: a cheap skip)
_WIKI_INLINE = (
    (re.compile(r"\[~(?:accountid:)?([^\]\n]{1,200})\]"), r"@\1", "[~"),
    (re.compile(r"\[([^\[\]|\n]{1,300})\|[^\[\]\n]{0,500}\]"), r"\1", "["),
    # [#anchor], [^attachment.pdf] and [https://…] are links; other [words] stay as written,
    # so a template's "[describe the value]" is still seen as a placeholder.
    (re.compile(r"\[(?:[#^]|(?=(?:https?|ftp|file|mailto):))([^\[\]|\n]{1,500})\]"), r"\1", "["),
    (
        re.compile(
            r"!(?=\S)[^!\n]{1,300}?\.(?:png|jpe?g|gif|svg|webp|bmp|pdf|mp4|mov)(?:\|[^!\n]{0,200})?!",
            re.I,
        ),
        "",
        "!",
    ),
    (re.compile(r"\{\{([^\n]{1,300}?)\}\}"), r"\1", "{{"),
    (re.compile(r"\?\?([^\n]{1,300}?)\?\?"), r"\1", "??"),
    (re.compile(rf"(?<![\w*])\*(?=\S)({_SPAN})(?<=\S)\*(?![\w*])"), r"\1", "*"),
    (re.compile(rf"(?<![\w_])_(?=\S)({_SPAN})(?<=\S)_(?![\w_])"), r"\1", "_"),
    (re.compile(rf"(?<![\w+])\+(?=\S)({_SPAN})(?<=\S)\+(?![\w+])"), r"\1", "+"),
    (re.compile(rf"(?<![\w-])-(?=\S)({_SPAN})(?<=\S)-(?![\w-])"), r"\1", "-"),
    (re.compile(rf"(?<![\w^])\^(?=\S)({_SPAN})(?<=\S)\^(?![\w^])"), r"\1", "^"),
    (re.compile(rf"(?<![\w~])~(?=\S)({_SPAN})(?<=\S)~(?![\w~])"), r"\1", "~"),
)


def _wiki_inline(text: str) -> str:
    for pattern, repl, needed in _WIKI_INLINE:
        if needed in text:
            text = pattern.sub(repl, text)
    if "|" in text:
        text = " | ".join(c.strip() for c in text.replace("||", "|").strip().strip("|").split("|"))
    if "\\\\" in text:
        text = _WIKI_BREAK.sub("\n", text)
    text = text.strip()
    return html.unescape(text) if "&" in text else text


# Headings and bold labels that share a line with the text before them (descriptions saved
# on one line): each is moved onto a line of its own.
_WIKI_INLINE_HEADING = re.compile(r"(?<=\S)[ \t]+(?=h[1-6]\.[ \t])")
_WIKI_INLINE_LABEL = re.compile(r"(?<=\S)[ \t]+(?=\*[A-Za-z][A-Za-z /&'-]{0,40}(?::\*|\*:)[ \t])")


def wiki_blocks(source: str) -> list[Block]:
    """Split Jira wiki markup into headings, labels, paragraphs and code (kind "c")."""
    blocks: list[Block] = []
    position = 0
    for match in _WIKI_VERBATIM.finditer(source):
        blocks.extend(_wiki_markup_blocks(source[position : match.start()]))
        code = match.group(2).strip("\n")
        if code.strip():
            blocks.append(("c", code, ""))
        position = match.end()
    blocks.extend(_wiki_markup_blocks(source[position:]))
    return blocks


def _wiki_markup_blocks(source: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(("p", "\n".join(para), ""))
            para.clear()

    if "h" in source:
        source = _WIKI_INLINE_HEADING.sub("\n", source)
    if "*" in source:
        source = _WIKI_INLINE_LABEL.sub("\n", source)
    for raw_line in source.splitlines():
        line = raw_line
        if "{" in line:
            title = _WIKI_TITLED.search(line)
            if title:
                flush()
                blocks.append(("h", _wiki_inline(title.group(1)), ""))
            line = _WIKI_MACRO.sub("", _WIKI_TITLED.sub("", line))
        if not line.strip():
            flush()
            continue
        match = _WIKI_HEADING.match(line)
        if match:
            flush()
            blocks.append(("h", _wiki_inline(match.group(1)), ""))
            continue
        if _WIKI_RULE.match(line):
            flush()
            continue
        line = _WIKI_BQ.sub("", line)
        match = _WIKI_BOLD_LABEL.match(line)
        if match and (match.group(2) or match.group(3) or not match.group(4)):
            flush()
            blocks.append(("l", _wiki_inline(match.group(1)), _wiki_inline(match.group(4))))
            continue
        match = _WIKI_LIST.match(line)
        if match:
            line = line[match.end() :]
        para.append(_wiki_inline(line.strip()))
    flush()
    return blocks
