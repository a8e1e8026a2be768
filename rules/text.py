"""Text analysis: ADF, Jira wiki markup and Markdown turned into plain text and named sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text of a description and its sections (lower-case heading -> content)."""

    plain: str = ""
    sections: dict[str, str] = field(default_factory=dict)


def analyze(description: Any, fmt: str) -> Text:
    """Turn a description in `fmt` ("adf", "wiki", "markdown", "plain") into text and sections."""
    raise NotImplementedError  # being written: see the rules helper's task
