"""Strict checks of a webhook's issue object, before it is accepted: the parsers are lenient
(a sync page with an odd field still imports), a webhook with one is refused with a 400."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

MAX_KEY = 255  # the store's key column
MAX_DEPTH = 64  # ADF nests lists in lists, but not this deep


class Invalid(ValueError):
    """A field has the wrong type or an unreadable value; the message names it."""


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than `limit` (iteratively: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise Invalid(f"JSON nested deeper than {limit} levels")
        if isinstance(node, Mapping):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


def check_jira_issue(issue: Mapping[str, Any]) -> None:
    """The fields Refinery reads from a Jira issue have the types Jira's API documents."""
    key = issue.get("key")
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY:
        raise Invalid(f"issue.key must be a string of at most {MAX_KEY} characters")
    fields = issue.get("fields") or {}
    if not isinstance(fields, Mapping):
        raise Invalid("issue.fields must be an object")
    _optional(fields, "summary", str)
    _optional(fields, "description", (str, Mapping))
    _string_list(fields, "labels")
    for name in ("created", "updated"):
        _date(fields, name)
    for name in ("issuetype", "status", "project", "assignee", "reporter", "priority"):
        _optional(fields, name, Mapping)


def check_github_issue(issue: Mapping[str, Any], repo: str) -> None:
    """The fields Refinery reads from a GitHub issue have the types GitHub's API documents."""
    if len(f"{repo}#{issue.get('number')}") > MAX_KEY:
        raise Invalid(f"repository.full_name is over {MAX_KEY - 10} characters")
    _optional(issue, "title", str)
    _optional(issue, "body", str)
    _optional(issue, "state", str)
    labels = issue.get("labels")
    if labels is not None:
        if not isinstance(labels, list):
            raise Invalid("issue.labels must be a list")
        for label in labels:
            if not isinstance(label, str | Mapping):
                raise Invalid("issue.labels holds a value that is not a label")
            if isinstance(label, Mapping):
                _optional(label, "name", str)
    for name in ("created_at", "updated_at", "closed_at"):
        _date(issue, name)
    for name in ("user", "assignee", "milestone"):
        _optional(issue, name, Mapping)


def _optional(values: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> None:
    value = values.get(name)
    if value is not None and not isinstance(value, kind):
        raise Invalid(f"{name} has the wrong type ({type(value).__name__})")


def _string_list(values: Mapping[str, Any], name: str) -> None:
    value = values.get(name)
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{name} must be a list of strings")


def _date(values: Mapping[str, Any], name: str) -> None:
    value = values.get(name)
    if value is None:
        return
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a date string")
    text = value.replace("Z", "+00:00")
    try:
        datetime.fromisoformat(text)
    except ValueError:
        try:
            datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
        except ValueError:
            raise Invalid(f"{name} is not a date: {value[:40]!r}") from None
