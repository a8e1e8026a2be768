"""Jira connector: pure issue parsing, a resumable sync stream, and write-back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.jira.client import JiraClient, JiraRequestError, JiraUnreachable, JqlRejected
from connectors.jira.fields import FieldMap, from_field_list, from_names
from connectors.jira.parse import items_from_search_response, to_item
from connectors.jira.search import JiraStream
from connectors.jira.writeback import JiraTracker

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.store import Store

__all__ = [
    "FieldMap",
    "JiraClient",
    "JiraRequestError",
    "JiraStream",
    "JiraTracker",
    "JiraUnreachable",
    "JqlRejected",
    "from_field_list",
    "from_names",
    "items_from_search_response",
    "make_jira_stream",
    "make_jira_tracker",
    "to_item",
]


def make_jira_stream(settings: Settings, store: Store) -> JiraStream:
    """The sync stream for `[jira]`; site facts (fields, deployment) are cached in the store."""
    return JiraStream(JiraClient(settings.jira), settings.jira, kv=store)


def make_jira_tracker(settings: Settings) -> JiraTracker:
    """Write-back for `[jira]`, honouring jira.dry_run."""
    return JiraTracker(JiraClient(settings.jira), dry_run=settings.jira.dry_run)
