"""Text analysis: ADF, Jira wiki markup and Markdown turned into plain text and named sections."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from connectors.text.adf import adf_blocks
from connectors.text.markdown import markdown_blocks
from connectors.text.markup import Block, wiki_blocks

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text of a description and its sections (lower-case heading -> content)."""

    plain: str = ""
    sections: dict[str, str] = field(default_factory=dict)


def analyze(description: Any, fmt: str, key: str = "") -> Text:
    """Turn a description in `fmt` ("adf", "wiki", "markdown", "plain") into text and sections.

    Code blocks are left out: code never says why an item matters or what it should move.
    Never raises: input of the wrong shape yields whatever text can be recovered from it, and
    a reader that fails is logged with the item's key, so an empty reading is never silent.
    """
    try:
        return _build(_blocks(description, fmt))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        # A bad description must not stop a sync; its plain text still gets judged.
        log.warning("could not read the %s description of %s", fmt, key or "an item", exc_info=True)
        return Text(plain=description if isinstance(description, str) else "")


def _blocks(description: Any, fmt: str) -> list[Block]:
    if description is None:
        return []
    if isinstance(description, bytes | bytearray):
        description = bytes(description).decode("utf-8", errors="replace")
    if isinstance(description, dict | list):
        return adf_blocks(description)
    if not isinstance(description, str):
        description = str(description) if isinstance(description, int | float) else ""
    if fmt == "adf":
        # Some callers hand ADF over as its JSON string.
        stripped = description.lstrip()
        if stripped.startswith("{"):
            try:
                return adf_blocks(json.loads(stripped))
            except ValueError:
                pass
        return _plain_blocks(description)
    if fmt == "wiki":
        return wiki_blocks(description)
    if fmt == "markdown":
        return markdown_blocks(description)
    return _plain_blocks(description)


def _plain_blocks(text: str) -> list[Block]:
    return [("p", text, "")]


# "Name: content" lines (bold or not) open a section only for names like these, so that an
# incidental "Note:" or bold sentence does not cut the section it sits in.
_SECTION_LABEL = re.compile(
    r"(?:the )?(?:why|motivation|problems?|problem statement|rationale|reasons?|purpose|goals?"
    r"|objectives?|background|context|value|user value|business value|customer value|benefits?"
    r"|outcomes?|expected|impact|success|kpis?|metrics?|measures?|how (?:will|do|would) we"
    r"|targets?|hypothesis|acceptance|definition of done|dod|description|summary|scope"
    r"|out of scope|notes?|steps|actual|user story|pain points?|risks?|dependencies"
    r"|open questions|questions|okrs?|key results?)\b"
)
_LABEL_LINE = re.compile(r"^[ \t]*([A-Za-z][A-Za-z /&'-]{0,40}?)[ \t]*:[ \t]*(.*)$")
# From the first to the last letter or digit (a single search: linear on any input).
_CORE = re.compile(r"[^\W_](?:.*[^\W_])?", re.S)
_SPACES = re.compile(r"\s+")


def heading_key(heading: str) -> str:
    """Normalize a heading into a section key: lower case, no edge punctuation, single spaces."""
    return _SPACES.sub(" ", _core(heading.lower()))


def _core(text: str) -> str:
    match = _CORE.search(text)
    return match.group() if match else ""


def is_section_label(label: str) -> bool:
    """True when a "Label:" line names a section (Why, Outcome, Success metrics...)."""
    key = heading_key(label)
    return key.count(" ") < 6 and _SECTION_LABEL.match(key) is not None


def _build(blocks: list[Block]) -> Text:
    lines: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None

    def open_section(heading: str) -> list[str] | None:
        key = heading_key(heading)
        if not key:
            return current
        return sections.setdefault(key, [])

    for kind, first, second in _split_long_headings(blocks):
        if kind == "c":
            continue  # code is not prose
        if kind == "h":
            lines.append(first)
            current = open_section(first)
        elif kind == "l":
            line = f"{first}: {second}" if second else first
            lines.append(line)
            if is_section_label(first):
                current = open_section(first)
                if current is not None and second:
                    current.append(second)
            elif current is not None:
                current.append(line)
        else:
            for line in _split_labels(first).split("\n"):
                lines.append(line)
                if ":" in line:
                    match = _LABEL_LINE.match(line)
                    if match and is_section_label(match.group(1)):
                        current = open_section(match.group(1))
                        if current is not None and match.group(2):
                            current.append(match.group(2))
                        continue
                if current is not None:
                    current.append(line)
    plain = "\n".join(lines).strip()
    return Text(plain=plain, sections={k: clean(v) for k, v in sections.items()})


# A heading that runs on into its content, as descriptions saved on one line have it:
# "Problem Description The nightly job ..." -> "Problem Description" + "The nightly job ...".
_HEADING_HEAD = re.compile(
    _SECTION_LABEL.pattern
    + r"(?:[ \t]+(?:description|statement|summary|criteria|metrics?|value|context|details))?",
    re.I,
)
# "... as agreed. Rationale: this matches ...": a section label after a sentence ends.
_INLINE_LABEL = re.compile(r"(?<=[.!?])[ \t]+(?=([A-Z][A-Za-z /&'-]{0,40}?)[ \t]*:[ \t])")


def _split_long_headings(blocks: list[Block]) -> Iterable[Block]:
    for kind, first, second in blocks:
        if kind == "h" and first.count(" ") >= 6:
            match = _HEADING_HEAD.match(first)
            if match and match.end() < len(first) and first[match.end()] in " \t":
                yield ("h", first[: match.end()], "")
                yield ("p", first[match.end() :].strip(), "")
                continue
        yield kind, first, second


def _split_labels(text: str) -> str:
    if ":" not in text:
        return text
    return _INLINE_LABEL.sub(lambda m: "\n" if is_section_label(m.group(1)) else m.group(0), text)


def clean(lines: list[str]) -> str:
    """Join section lines; a section holding only template text becomes empty."""
    text = "\n".join(line.rstrip() for line in lines).strip()
    text = _HTML_COMMENT.sub("", text).strip()
    return text if meaningful(text) else ""


# --- placeholders -------------------------------------------------------------------------

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_PLACEHOLDER = re.compile(
    r"<!--.*?(?:-->|\Z)"  # issue-template comments
    r"|<[A-Za-z][^<>\n]{0,80}>"  # <role>
    r"|\{[A-Za-z][^{}\n]{0,80}\}"  # {benefit}
    r"|\[[A-Za-z][^\[\]\n]{1,120}\]",  # [describe the value]
    re.S,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FILLER = _words("n/a na n.a tbd tbc todo none nothing nil null unknown xxx x placeholder") | {
    "to do",
    "no response",
    "same as above",
    "see above",
    "see title",
    "see description",
    "lorem ipsum",
    "not applicable",
    "to be defined",
    "to be decided",
    "to be determined",
}
# Words of the user-story / Gherkin skeleton: left alone once the placeholders are gone.
_GLUE = _words(
    "as a an the i we you want wants need needs to so that can could in order given when then"
    " and or user users my our of for be able should will is are it this"
)
_WORD = re.compile(r"[^\W_]+(?:['/][^\W_]+)*")


# Issue-template prompts left as they were: GitHub's stock feature-request and bug-report
# templates and the common variants of their prompts. Matched per line, lower case.
_PLEASE = (
    "outline|explain|describe|provide|include|list|tell us|give|link|fill in|summari[sz]e|share|add"
)
_PROMPT = re.compile(
    r"(?m)(?:^|(?<=[.?!*:)] ))[ \t>*_#(-]*(?:"
    r"a clear and concise description of[^\n]*"
    r"|is your (?:feature |idea |enhancement )?(?:request )?related to a problem\??"
    r"(?:[ \t]*please describe\.?)?"
    r"|(?:ex\.|e\.g\.,?|for example[:;,]?)[ \t]*\"?i'?m always frustrated when[^\n]*"
    r"|describe the (?:solution|feature|bug|problem|alternatives?)(?:[^\n]{0,40}?(?:you'?d like"
    r"|you'?ve considered|you want))?[?.:]?"
    r"|describe alternatives you'?ve considered[?.:]?"
    r"|add any other (?:context|information)[^\n]*"
    r"|if applicable,? add[^\n]*"
    r"|if this is related to another[^\n]*"
    # "(Please outline ...)" to its closing parenthesis; a bare "Please add a refresh button."
    # to the end of its sentence: what follows may be the author's own words
    r"|\(please (?:" + _PLEASE + r")\b[^\n)]*\)?"
    r"|(?<!\()please (?:" + _PLEASE + r")\b(?:e\.g\.|i\.e\.|[^\n.?!]|\.(?=\S))*[.?!]?"
    r"|write a (?:brief|short|clear)[^\n]*"
    r"|(?:include|list|describe|explain) (?:any|the) (?:benefits?|motivation|use ?cases?"
    r"|reasons?)\b[^\n]*"
    r"|are you willing to (?:open|submit|send) a pull request\??[^\n]*"
    r"|steps to reproduce the behaviou?r[.:]?"
    r"|_?no response_?)"
)


def has_prompt_words(low: str) -> bool:
    """True when lower-case `low` holds a word every prompt above contains: a cheap test
    before the full pattern (plain substring tests scan far faster than one alternation)."""
    return (
        "concise" in low
        or "frustrated" in low
        or "describe" in low
        or "please" in low
        or "any " in low
        or "applicable" in low
        or "related" in low
        or "write a" in low
        or "pull request" in low
        or "reproduce" in low
        or "response" in low
    )


def strip_prompts(text: str) -> str:
    """`text` with template prompts blanked out, same length (offsets stay valid)."""
    if not text:
        return text
    low = text.lower()
    if not has_prompt_words(low):
        return text
    if len(low) != len(text):
        return text
    parts: list[str] = []
    last = 0
    for match in _PROMPT.finditer(low):
        parts.append(text[last : match.start()])
        parts.append(" " * (match.end() - match.start()))
        last = match.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def meaningful(text: Any) -> str:
    """Return `text` without template placeholders, or "" when nothing real is left."""
    if not isinstance(text, str) or not text:
        return ""
    return _meaningful(text)


@lru_cache(maxsize=2048)  # section texts are judged by two rules, and templates repeat
def _meaningful(text: str) -> str:
    had_placeholders = False
    stripped = strip_prompts(text)
    if stripped != text:
        had_placeholders = True
        text = stripped
    if "<" in text or "{" in text or "[" in text:  # cheap test before the regex
        stripped = _PLACEHOLDER.sub(" ", text)
        had_placeholders = had_placeholders or stripped != text
    kept: list[str] = []
    for line in stripped.split("\n"):
        core = _core(line).lower()
        if core and core not in _FILLER:
            kept.append(line.strip())
    if not kept:
        return ""
    result = "\n".join(kept)
    if had_placeholders and all(w.lower() in _GLUE for w in _WORD.findall(result)):
        return ""
    return result


def is_placeholder(text: Any) -> bool:
    """True when `text` is empty or only template text ("<role>", "TBD", "_No response_"...)."""
    return not meaningful(text)
