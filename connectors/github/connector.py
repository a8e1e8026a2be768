"""The GitHub connector: builds its client, streams and tracker from `[github]`, reads its
webhooks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import SecretStr

from connectors.base import BodyFormat, KeyValues, Tracker
from connectors.comments import Formatter
from connectors.config import Problem, is_set, url_problems
from connectors.estimates import EstimateLabels
from connectors.events import Comment, Event, WebhookShape
from connectors.github.body import MARKDOWN
from connectors.github.config import GithubConfig
from connectors.item import Item

REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

if TYPE_CHECKING:
    from connectors.base import Stream
    from connectors.github.client import GithubClient
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
    from connectors.github.client import GithubClient

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
    from connectors.github.details import PageDetails
    from connectors.github.projects import Board
    from connectors.github.sync import IssueStream

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
    from connectors.github.writeback import GithubTracker

    config = settings.github
    return GithubTracker(client or make_github_client(config), dry_run=config.dry_run)


class _Settings:
    """One section dressed as settings, for the factories above."""

    def __init__(self, github: GithubConfig) -> None:
        self.github = github


class GithubConnector:
    name = "github"
    title = "GitHub"
    section = GithubConfig
    preview_format: BodyFormat = "markdown"
    formatters: Mapping[BodyFormat, Formatter] = {"markdown": MARKDOWN}
    webhook = WebhookShape(
        signature_header="X-Hub-Signature-256",
        delivery_header="X-GitHub-Delivery",
        event_header="X-GitHub-Event",
        ping_event="ping",
    )

    def configured(self, config: GithubConfig) -> bool:
        return bool(config.repos)

    def streams(self, config: GithubConfig, kv: KeyValues | None) -> list[Stream]:
        return list(make_github_streams(_Settings(config), kv))

    def tracker(self, config: GithubConfig) -> Tracker:
        return make_github_tracker(_Settings(config))

    def webhook_secret(self, config: GithubConfig) -> SecretStr | None:
        return config.webhook_secret

    def webhook_unready(self, config: GithubConfig) -> str:
        return ""

    def read_event(self, name: str, payload: Any) -> Event:
        from connectors.github.events import github_event

        return github_event(name, payload)

    def in_scope(self, config: GithubConfig, project: str) -> bool:
        repos = [repo.lower() for repo in config.repos]
        return not repos or project.lower() in repos

    def is_own_author(self, config: GithubConfig, comment: Comment) -> bool:
        return False  # the payload's login is not compared: the marker and ledger suffice

    def event_item(
        self, config: GithubConfig, event: Event, kv: KeyValues | None, tracker: Tracker | None
    ) -> tuple[Item, bool]:
        # A Projects board estimate never comes with the issue payload.
        return self._item(config, event), config.project is None

    def event_item_offline(
        self, config: GithubConfig, event: Event, kv: KeyValues | None, tracker: Tracker | None
    ) -> tuple[Item, bool]:
        from connectors.strict import check_depth, check_github_issue

        check_depth(event.issue)
        check_github_issue(event.issue, event.project)
        return self._item(config, event), True

    def estimate_known(
        self, config: GithubConfig, event: Event, kv: KeyValues | None, tracker: Tracker | None
    ) -> bool:
        return config.project is None

    def project_of(self, key: str) -> str:
        return key.rsplit("#", 1)[0]

    def project_id(self, project: str) -> str:
        return project.lower()  # GitHub owner and repository names ignore case

    def estimate_where(self, config: GithubConfig) -> str:
        if config.project is not None:
            return f'the "{config.project.field}" field of the project board'
        if config.estimate_labels:
            example = config.estimate_labels[0].replace("{n}", "3").replace("{size}", "M")
            return f'a label such as "{example}"'
        return "an estimate label"

    def problems(self, config: GithubConfig) -> list[Problem]:
        found = url_problems("github.api_url", config.api_url)
        for index, repo in enumerate(config.repos):
            if not REPO.match(repo):
                found.append(
                    (f"github.repos.{index}", f"'{repo}' is not OWNER/NAME, e.g. '{repo}/REPO'")
                )
        if config.repos and not is_set(config.token):
            found.append(("github.token", "is not set (REFINERY_GITHUB__TOKEN)"))
        for index, pattern in enumerate(config.estimate_labels):
            if "{n}" not in pattern and "{size}" not in pattern:
                found.append(
                    (f"github.estimate_labels.{index}", f"'{pattern}' has no {{n}} or {{size}}")
                )
        return found

    def summary(self, config: GithubConfig) -> str:
        if not config.repos:
            return "GitHub: not configured (set [github] repos and REFINERY_GITHUB__TOKEN)"
        token = "set" if is_set(config.token) else "NOT set"
        return f"GitHub: {', '.join(config.repos)}; token {token}"

    def destinations(self, config: GithubConfig) -> list[str]:
        return list(config.repos)

    def triage(self, config: GithubConfig) -> tuple[str, str, str]:
        return config.triage_label, "", ""

    def _item(self, config: GithubConfig, event: Event) -> Item:
        from connectors.github.parse import to_item

        return to_item(event.issue, event.project, estimate_labels(config))


GITHUB = GithubConnector()
