"""What reading a saved export gives: its items (`Loaded`) or one error naming the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from connectors.base import ConnectorError
from connectors.item import Item

Shape = Literal["jira", "github", "refinery"]


class FileFormatError(ConnectorError):
    """A file that is unreadable or not in a known shape; the message names the file."""

    def __init__(self, path: Path | str, problem: str) -> None:
        # One line, always: keys and values quoted from the file may hold line breaks.
        message = f"{path}: {problem}".replace("\r", "\\r").replace("\n", "\\n")
        super().__init__(message)
        self.path = str(path)
        self.problem = problem


@dataclass
class Loaded:
    """What one file held: its items, its shape, and how many entries were skipped (PRs)."""

    path: Path
    shape: Shape
    items: list[Item]
    skipped: int = 0
