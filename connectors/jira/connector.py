"""Build the Jira connector's stream and tracker from its `[jira]` section."""

from __future__ import annotations

from typing import Protocol

from connectors.base import KeyValues
from connectors.jira.client import JiraClient
from connectors.jira.config import JiraConfig
from connectors.jira.search import JiraStream
from connectors.jira.writeback import JiraTracker


class HasJira(Protocol):
    """Settings with a `[jira]` section (the application's settings satisfy it)."""

    @property
    def jira(self) -> JiraConfig: ...


def make_jira_stream(settings: HasJira, kv: KeyValues | None) -> JiraStream:
    """The sync stream for `[jira]`; site facts (fields, deployment) are cached in `kv`."""
    return JiraStream(JiraClient(settings.jira), settings.jira, kv=kv)


def make_jira_tracker(settings: HasJira) -> JiraTracker:
    """Write-back for `[jira]`, honouring jira.dry_run."""
    return JiraTracker(JiraClient(settings.jira), dry_run=settings.jira.dry_run)
