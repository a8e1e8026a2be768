"""What the REST list lacks, for one page of issues in one GraphQL query: board estimates and
dependencies. Never one request per issue: at most one per page, none when nothing is missing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.github import projects
from connectors.github.client import GithubClient
from connectors.item import Item, Link

DEPENDENCY_FIRST = 50  # dependencies read per direction; more is rare (and then truncated)
RELATED = "nodes { number repository { nameWithOwner } }"
DEPENDENCIES = f"""
      blockedBy(first: {DEPENDENCY_FIRST}) {{ {RELATED} }}
      blocking(first: {DEPENDENCY_FIRST}) {{ {RELATED} }}"""


def has_dependencies(issue: Mapping[str, Any]) -> bool:
    """The REST list only counts dependencies (issue_dependencies_summary); GraphQL names them."""
    summary = issue.get("issue_dependencies_summary") or {}
    return bool(summary.get("total_blocked_by") or summary.get("total_blocking"))


def query(board: bool, dependencies: bool) -> str:
    """Only the parts a page needs, so a server without Projects v2 or dependencies is not asked."""
    parts = (projects.SELECTION if board else "") + (DEPENDENCIES if dependencies else "")
    field = ", $field: String!" if board else ""
    return f"query($ids: [ID!]!{field}) {{ nodes(ids: $ids) {{ ... on Issue {{ id{parts} }} }} }}"


class PageDetails:
    """Fill missing estimates from a board and `links` from dependencies, one query per page."""

    def __init__(
        self, client: GithubClient, board: projects.Board | None = None, dependencies: bool = True
    ) -> None:
        self.client = client
        self.board = board
        self.dependencies = dependencies

    def fill(self, items: Sequence[Item], issues: Sequence[Mapping[str, Any]]) -> int:
        """Complete the page's items in place; return the requests spent (0 or 1)."""
        by_id = {str(i.get("node_id")): item for item, i in zip(items, issues, strict=True)}
        estimate = {
            str(i["node_id"])
            for item, i in zip(items, issues, strict=True)
            if self.board is not None and item.estimate is None and i.get("node_id")
        }
        depends = {
            str(i["node_id"])
            for i in issues
            if self.dependencies and has_dependencies(i) and i.get("node_id")
        }
        if not estimate and not depends:
            return 0
        self.client.check_budget("graphql")
        variables: dict[str, Any] = {"ids": sorted(estimate | depends)}  # a page is <= 100 ids
        if estimate and self.board is not None:
            variables["field"] = self.board.field
        data = self.client.graphql(query(bool(estimate), bool(depends)), variables)
        for node in data.get("nodes") or []:
            item = by_id.get(str((node or {}).get("id")))
            if item is None:
                continue
            if self.board is not None and item.estimate is None:
                item.estimate = self.board.estimate(node)
            item.links = item.links + _links(node)
        return 1


def _links(node: Mapping[str, Any]) -> tuple[Link, ...]:
    """Read dependencies from this issue's side, with Jira's words for the Blocks link."""
    links = []
    for field, text in (("blockedBy", "is blocked by"), ("blocking", "blocks")):
        for other in (node.get(field) or {}).get("nodes") or []:
            repo = ((other or {}).get("repository") or {}).get("nameWithOwner")
            if repo and other.get("number"):
                links.append(Link(type=text, target=f"{repo}#{other['number']}"))
    return tuple(links)
