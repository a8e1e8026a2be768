"""Markdown and Jira wiki markup turned into blocks (headings, labels, paragraphs) line by line."""

from __future__ import annotations

import html
import re

# ("h", heading, "") | ("l", label, rest of the line) | ("p", paragraph text, "")
Block = tuple[str, str, str]

# Spans are bounded so that lines full of unmatched markers stay linear to scan.
_SPAN = r"[^\n]{1,300}?"

# --- Markdown -----------------------------------------------------------------------------

_MD_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_MD_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_MD_ATX = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+(.*))?$")
_MD_SETEXT = re.compile(r"^[ \t]{0,3}(?:={2,}|-{2,})[ \t]*$")
_MD_RULE = re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$")
_MD_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_MD_LIST = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[([ xX])\][ \t]+)?")
_MD_BOLD_LABEL = re.compile(
    r"^[ \t]*(?:\*\*|__)([^*_\n]{1,60}?)(:?)(?:\*\*|__)[ \t]*(:?)[ \t]*(.*)$"
)
# (pattern, replacement, substring without which the pattern cannot match: a cheap skip)
_MD_INLINE = (
    (re.compile(r"!\[([^\[\]\n]{0,300})\]\([^)\n]{0,500}\)"), r"\1", "]("),
    (re.compile(r"\[([^\[\]\n]{1,300})\]\([^)\n]{0,500}\)"), r"\1", "]("),
    (re.compile(r"\[([^\[\]\n]{1,300})\]\[[^\]\n]{0,100}\]"), r"\1", "]["),
    (re.compile(r"<(https?://[^>\s]{1,500})>"), r"\1", "<http"),
    (re.compile(r"`{1,2}([^`\n]{1,300}?)`{1,2}"), r"\1", "`"),
    (re.compile(rf"\*\*(?=\S)({_SPAN})(?<=\S)\*\*"), r"\1", "**"),
    (re.compile(rf"__(?=\S)({_SPAN})(?<=\S)__"), r"\1", "__"),
    (re.compile(rf"(?<![\w*])\*(?=\S)({_SPAN})(?<=\S)\*(?![\w*])"), r"\1", "*"),
    (re.compile(rf"(?<![\w_])_(?=\S)({_SPAN})(?<=\S)_(?![\w_])"), r"\1", "_"),
    (re.compile(rf"~~({_SPAN})~~"), r"\1", "~~"),
    (
        re.compile(
            r"</?(?:br|p|div|span|details|summary|b|i|em|strong|sub|sup|img|a|code|pre|kbd|hr"
            r"|ul|ol|li|table|thead|tbody|tr|td|th|h[1-6]|blockquote|del|ins|u|s|small)"
            r"\b[^<>\n]{0,300}>",
            re.I,
        ),
        " ",
        "<",
    ),
)
# Backslash-escaped punctuation is parked in the private-use area while emphasis is stripped.
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_MD_UNPARK = {0xE000 + c: chr(c) for c in range(128)}


def _md_inline(text: str) -> str:
    parked = "\\" in text
    if parked:
        text = _MD_ESCAPE.sub(lambda m: chr(0xE000 + ord(m.group(1))), text)
    for pattern, repl, needed in _MD_INLINE:
        if needed in text:
            text = pattern.sub(repl, text)
    if parked:
        text = text.translate(_MD_UNPARK)
    return html.unescape(text) if "&" in text else text


def markdown_blocks(source: str) -> list[Block]:
    """Split Markdown (incl. GitHub issue-form bodies) into headings, labels and paragraphs."""
    source = _MD_COMMENT.sub("", source)
    blocks: list[Block] = []
    para: list[str] = []
    fence = ""

    def flush() -> None:
        if para:
            blocks.append(("p", "\n".join(para), ""))
            para.clear()

    for line in source.splitlines():
        if fence:
            if line.strip().startswith(fence):
                fence = ""
                flush()
            else:
                para.append(line)
            continue
        match = _MD_FENCE.match(line)
        if match:
            flush()
            fence = match.group(1)[:3]
            continue
        if not line.strip():
            flush()
            continue
        match = _MD_ATX.match(line)
        if match:
            flush()
            blocks.append(("h", _md_inline((match.group(1) or "").rstrip(" \t#")), ""))
            continue
        if para and _MD_SETEXT.match(line):
            heading = para.pop()
            flush()
            blocks.append(("h", heading, ""))
            continue
        if _MD_RULE.match(line) or _MD_TABLE_SEP.match(line):
            flush()
            continue
        line = _MD_QUOTE.sub("", line)
        match = _MD_BOLD_LABEL.match(line)
        if match and (match.group(2) or match.group(3) or not match.group(4)):
            # "**Why**: ..." starts a section; a line that is only "**Why**" is a heading.
            flush()
            blocks.append(("l", _md_inline(match.group(1)), _md_inline(match.group(4))))
            continue
        match = _MD_LIST.match(line)
        if match:
            box = match.group(1)
            line = line[match.end() :]
            if box is not None:
                line = ("[x] " if box in "xX" else "[ ] ") + line
        if "|" in line and line.lstrip().startswith("|"):
            line = " | ".join(c.strip() for c in line.strip().strip("|").split("|"))
        para.append(_md_inline(line.strip()) if line.strip() else "")
    flush()
    return blocks


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
    (re.compile(r"\[[#^]?([^\[\]|\n]{1,500})\]"), r"\1", "["),
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


def wiki_blocks(source: str) -> list[Block]:
    """Split Jira wiki markup into headings, labels and paragraphs; code stays verbatim."""
    blocks: list[Block] = []
    position = 0
    for match in _WIKI_VERBATIM.finditer(source):
        blocks.extend(_wiki_markup_blocks(source[position : match.start()]))
        code = match.group(2).strip("\n")
        if code.strip():
            blocks.append(("p", code, ""))
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
