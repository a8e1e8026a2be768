"""Estimates from a Projects v2 field, read in bulk through GraphQL (one query per 100 issues)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from connectors.github.client import GithubClient
from connectors.github.parse import DEFAULT_SIZE_POINTS
from connectors.item import Item

BATCH = 100  # GraphQL's `nodes(ids:)` takes at most 100 ids
# Issues sit on few boards; 20 project items per issue is plenty (a larger first: costs points).
QUERY = """
query($ids: [ID!]!, $field: String!) {
  nodes(ids: $ids) {
    ... on Issue {
      id
      projectItems(first: 20) {
        nodes {
          project { number owner { ... on Organization { login } ... on User { login } } }
          fieldValueByName(name: $field) {
            ... on ProjectV2ItemFieldNumberValue { number }
            ... on ProjectV2ItemFieldSingleSelectValue { name }
            ... on ProjectV2ItemFieldTextValue { text }
          }
        }
      }
    }
  }
}
"""
NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?)\b")


class ProjectEstimates:
    """Fill missing estimates from one board's number or single-select field, by issue node id.

    Asked per page of issues, so it costs at most one request per 100 issues, and none when every
    issue on the page already has a label estimate. Only issues a sync reads are looked up: an
    estimate changed on the board alone (the issue's updated_at does not move) is picked up by the
    next full sync.
    """

    def __init__(
        self,
        client: GithubClient,
        owner: str,
        number: int,
        field: str = "Estimate",
        size_points: Mapping[str, float] | None = None,
    ) -> None:
        self.client = client
        self.owner = owner.lower()
        self.number = number
        self.field = field
        sizes = DEFAULT_SIZE_POINTS if size_points is None else size_points
        self.size_points = {name.lower(): float(points) for name, points in sizes.items()}

    def fill(self, items: Sequence[Item], issues: Sequence[Mapping[str, Any]]) -> int:
        """Set `estimate` on items that have none; return the requests spent."""
        wanted = {
            str(issue["node_id"]): item
            for item, issue in zip(items, issues, strict=True)
            if item.estimate is None and issue.get("node_id")
        }
        ids = list(wanted)
        spent = 0
        for start in range(0, len(ids), BATCH):
            self.client.check_budget("graphql")
            batch = ids[start : start + BATCH]
            data = self.client.graphql(QUERY, {"ids": batch, "field": self.field})
            spent += 1
            for node in data.get("nodes") or []:
                value = self._value(node) if node else None
                if value is not None:
                    wanted[node["id"]].estimate = value
        return spent

    def _value(self, node: Mapping[str, Any]) -> float | None:
        for entry in (node.get("projectItems") or {}).get("nodes") or []:
            project = (entry or {}).get("project") or {}
            owner = str((project.get("owner") or {}).get("login") or "").lower()
            if project.get("number") != self.number or owner != self.owner:
                continue
            field = entry.get("fieldValueByName") or {}
            if isinstance(field.get("number"), int | float):
                return float(field["number"])
            return self._from_text(str(field.get("name") or field.get("text") or ""))
        return None

    def _from_text(self, text: str) -> float | None:
        """Read "3", "5 points" or a size name ("M") from an option or text value."""
        points = self.size_points.get(text.strip().lower())
        if points is not None:
            return points
        match = NUMBER.match(text)
        return float(match.group(1)) if match else None
