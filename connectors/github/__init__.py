"""GitHub Issues connector: incremental sync, label and Projects estimates, write-back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.github.client import GithubClient
from connectors.github.details import PageDetails
from connectors.github.parse import (
    EstimateLabels,
    is_pull_request,
    items_from_issue_list,
    to_item,
)
from connectors.github.projects import Board
from connectors.github.sync import IssueStream
from connectors.github.writeback import GithubTracker

if TYPE_CHECKING:
    from bot.config import GithubConfig, Settings
    from bot.store import Store

__all__ = [
    "Board",
    "EstimateLabels",
    "GithubClient",
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


def make_github_client(
    config: GithubConfig,
    seconds_between_requests: float | None = None,
    seconds_between_writes: float | None = None,
) -> GithubClient:
    """Build the one client a run uses (the token is read here and kept inside PyGithub).

    Spacing defaults to `[github] seconds_between_requests` / `seconds_between_writes`."""
    if seconds_between_requests is None:
        seconds_between_requests = config.seconds_between_requests
    if seconds_between_writes is None:
        seconds_between_writes = config.seconds_between_writes
    return GithubClient(
        config.token.get_secret_value() if config.token else None,
        config.api_url,
        timeout=config.timeout,
        max_retries=config.max_retries,
        min_rate_remaining=config.min_rate_remaining,
        seconds_between_requests=seconds_between_requests,
        seconds_between_writes=seconds_between_writes,
    )


def estimate_labels(config: GithubConfig) -> EstimateLabels:
    """The label patterns and size map of `[github]`."""
    return EstimateLabels(config.estimate_labels, config.size_points)


def make_github_streams(
    settings: Settings, store: Store | None = None, client: GithubClient | None = None
) -> list[IssueStream]:
    """One stream per configured repository, sharing one client (and so one rate budget)."""
    config = settings.github
    client = client or make_github_client(config)
    estimate = estimate_labels(config)
    board = None
    if config.project is not None:
        spec = config.project
        board = Board(spec.owner, spec.number, spec.field, config.size_points)
    details = PageDetails(client, board)
    return [IssueStream(client, repo, estimate, details) for repo in config.repos]


def make_github_tracker(settings: Settings, client: GithubClient | None = None) -> GithubTracker:
    """The write-back side; honours `[github] dry_run`."""
    config = settings.github
    return GithubTracker(client or make_github_client(config), dry_run=config.dry_run)
