"""Build the GitHub connector's client, streams and tracker from its `[github]` section."""

from __future__ import annotations

from typing import Protocol

from connectors.base import KeyValues
from connectors.estimates import EstimateLabels
from connectors.github.client import GithubClient
from connectors.github.config import GithubConfig
from connectors.github.details import PageDetails
from connectors.github.projects import Board
from connectors.github.sync import IssueStream
from connectors.github.writeback import GithubTracker


class HasGithub(Protocol):
    """Settings with a `[github]` section (the application's settings satisfy it)."""

    @property
    def github(self) -> GithubConfig: ...


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
    settings: HasGithub, store: KeyValues | None = None, client: GithubClient | None = None
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


def make_github_tracker(settings: HasGithub, client: GithubClient | None = None) -> GithubTracker:
    """The write-back side; honours `[github] dry_run`."""
    config = settings.github
    return GithubTracker(client or make_github_client(config), dry_run=config.dry_run)
