"""Read an estimate from a Projects v2 board's number, single-select or text field value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from connectors.estimates import DEFAULT_SIZE_POINTS

NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?)\b")
# The GraphQL selection that reads one board field's value on an issue (see details.py).
SELECTION = """
      projectItems(first: 20) {
        nodes {
          project { number owner { ... on Organization { login } ... on User { login } } }
          fieldValueByName(name: $field) {
            ... on ProjectV2ItemFieldNumberValue { number }
            ... on ProjectV2ItemFieldSingleSelectValue { name }
            ... on ProjectV2ItemFieldTextValue { text }
          }
        }
      }"""


class Board:
    """One org or user Projects v2 board and the name of its estimate field."""

    def __init__(
        self,
        owner: str,
        number: int,
        field: str = "Estimate",
        size_points: Mapping[str, float] | None = None,
    ) -> None:
        self.owner = owner.lower()
        self.number = number
        self.field = field
        sizes = DEFAULT_SIZE_POINTS if size_points is None else size_points
        self.size_points = {name.lower(): float(points) for name, points in sizes.items()}

    def estimate(self, node: Mapping[str, Any]) -> float | None:
        """The issue's estimate on this board (other boards the issue sits on are ignored)."""
        for entry in (node.get("projectItems") or {}).get("nodes") or []:
            project = (entry or {}).get("project") or {}
            owner = str((project.get("owner") or {}).get("login") or "").lower()
            if project.get("number") != self.number or owner != self.owner:
                continue
            field = entry.get("fieldValueByName") or {}
            if isinstance(field.get("number"), int | float):
                return float(field["number"])
            return self.from_text(str(field.get("name") or field.get("text") or ""))
        return None

    def from_text(self, text: str) -> float | None:
        """Read "3", "5 points" or a size name ("M") from an option or text value."""
        points = self.size_points.get(text.strip().lower())
        if points is not None:
            return points
        match = NUMBER.match(text)
        return float(match.group(1)) if match else None
