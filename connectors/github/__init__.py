"""GitHub Issues connector: incremental sync, label and Projects estimates, write-back.

Names are imported on first use, so reading the `[github]` settings (connectors.github.config)
does not load PyGithub."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.estimates import EstimateLabels
    from connectors.github.client import GithubClient
    from connectors.github.config import GithubConfig
    from connectors.github.connector import (
        make_github_client,
        make_github_streams,
        make_github_tracker,
    )
    from connectors.github.details import PageDetails
    from connectors.github.parse import is_pull_request, items_from_issue_list, to_item
    from connectors.github.projects import Board
    from connectors.github.sync import IssueStream
    from connectors.github.writeback import GithubTracker

_WHERE = {
    "Board": "connectors.github.projects",
    "EstimateLabels": "connectors.estimates",
    "GithubClient": "connectors.github.client",
    "GithubConfig": "connectors.github.config",
    "GithubTracker": "connectors.github.writeback",
    "IssueStream": "connectors.github.sync",
    "PageDetails": "connectors.github.details",
    "is_pull_request": "connectors.github.parse",
    "items_from_issue_list": "connectors.github.parse",
    "make_github_client": "connectors.github.connector",
    "make_github_streams": "connectors.github.connector",
    "make_github_tracker": "connectors.github.connector",
    "to_item": "connectors.github.parse",
}
__all__ = [
    "Board",
    "EstimateLabels",
    "GithubClient",
    "GithubConfig",
    "GithubTracker",
    "IssueStream",
    "PageDetails",
    "is_pull_request",
    "items_from_issue_list",
    "make_github_client",
    "make_github_streams",
    "make_github_tracker",
    "to_item",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
