"""Jira connector: pure issue parsing, a resumable sync stream, and write-back.

Names are imported on first use, so reading the `[jira]` settings (connectors.jira.config)
does not load the jira library."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.jira.client import (
        JiraClient,
        JiraRequestError,
        JiraUnreachable,
        JqlRejected,
    )
    from connectors.jira.config import JiraConfig
    from connectors.jira.connector import make_jira_stream, make_jira_tracker
    from connectors.jira.fields import FieldMap, from_field_list, from_names
    from connectors.jira.parse import items_from_search_response, to_item
    from connectors.jira.search import JiraStream
    from connectors.jira.writeback import JiraTracker

_WHERE = {
    "FieldMap": "fields",
    "JiraClient": "client",
    "JiraConfig": "config",
    "JiraRequestError": "client",
    "JiraStream": "search",
    "JiraTracker": "writeback",
    "JiraUnreachable": "client",
    "JqlRejected": "client",
    "from_field_list": "fields",
    "from_names": "fields",
    "items_from_search_response": "parse",
    "make_jira_stream": "connector",
    "make_jira_tracker": "connector",
    "to_item": "parse",
}
__all__ = [
    "FieldMap",
    "JiraClient",
    "JiraConfig",
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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
