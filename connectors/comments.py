"""A comment's content without its markup: the application writes the words, each connector's
formatter writes them in its tracker's markup (Markdown, wiki, ADF), mentions included."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from connectors.item import Person


@dataclass(frozen=True, slots=True)
class Entry:
    """One bullet: what is missing (bold), the words that show it, and how to fix it."""

    message: str
    quote: str | None = None  # already quoted ("“…”"), shown after the message
    how_to: str = ""


@dataclass(frozen=True, slots=True)
class FindingsBody:
    """The "not ready yet" comment."""

    mention: Person | None  # whom to notify, before the header
    header: str
    entries: Sequence[Entry]
    counted_title: str  # the heading of `counted`, e.g. "What already counts:"
    counted: Sequence[str]  # what already counts, one line each
    footer: str  # shown emphasised, last


@dataclass(frozen=True, slots=True)
class ReadyBody:
    """The short note that replaces the findings once they are all fixed."""

    text: str
    footer: str


@dataclass(frozen=True, slots=True)
class NoteBody:
    """Plain paragraphs and an emphasised footer (an outcome follow-up)."""

    paragraphs: Sequence[str]
    footer: str


class Formatter(Protocol):
    """Writes comment content in one body format (what Tracker.body_format names)."""

    def findings(self, body: FindingsBody) -> Any: ...

    def ready(self, body: ReadyBody) -> Any: ...

    def note(self, body: NoteBody) -> Any: ...
