"""Read Jira webhook payloads (v2 shapes, on Cloud too) into events: pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.events import Comment, Event, Malformed, mapping

JIRA_ISSUE_EVENTS = ("jira:issue_created", "jira:issue_updated")
JIRA_COMMENT_EVENTS = ("comment_created", "comment_updated", "comment_deleted")


def jira_event(payload: Any) -> Event:
    """Read a Jira webhook (v2 shapes, on Cloud too); raise Malformed on a wrong shape."""
    if not isinstance(payload, Mapping):
        raise Malformed("expected a JSON object")
    name = payload.get("webhookEvent")
    if not isinstance(name, str) or not name:
        raise Malformed("no webhookEvent")
    if name not in (*JIRA_ISSUE_EVENTS, "jira:issue_deleted", *JIRA_COMMENT_EVENTS):
        return Event("jira", "ignored", reason=f"event {name} is not used")
    issue = mapping(payload.get("issue"), "issue")
    key = issue.get("key")
    if not isinstance(key, str) or not key:
        raise Malformed("issue.key missing")
    fields = mapping(issue.get("fields") or {}, "issue.fields")
    named = fields.get("project")
    named_key = named.get("key") if isinstance(named, Mapping) else None
    project = str(named_key or key.rsplit("-", 1)[0])
    if name == "jira:issue_deleted":
        return Event("jira", "gone", key=key, project=project)
    raw_comment = payload.get("comment")
    comment = _jira_comment(raw_comment, name) if raw_comment is not None else None
    if name in JIRA_COMMENT_EVENTS:
        if comment is None:
            raise Malformed("comment missing")
        return Event("jira", "comment", key, issue, project, comment, full_issue=False)
    changelog = payload.get("changelog") or {}
    items = changelog.get("items") if isinstance(changelog, Mapping) else None
    changes = len(items) if isinstance(items, list) else 0
    return Event("jira", "changed", key, issue, project, comment, field_changes=changes)


def _jira_comment(raw: Any, name: str) -> Comment:
    comment = mapping(raw, "comment")
    if "id" not in comment:
        raise Malformed("comment.id missing")
    author = comment.get("author") or comment.get("updateAuthor") or {}
    author = author if isinstance(author, Mapping) else {}
    action = name.removeprefix("comment_") if name in JIRA_COMMENT_EVENTS else "created"
    return Comment(
        id=str(comment["id"]),
        body=comment.get("body"),
        author=str(author.get("accountId") or author.get("name") or ""),
        author_email=str(author.get("emailAddress") or ""),
        action=action,
    )
