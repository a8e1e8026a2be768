"""Read a webhook payload into one event, checking its shape before the request is answered."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

JIRA_ISSUE_EVENTS = ("jira:issue_created", "jira:issue_updated")
JIRA_COMMENT_EVENTS = ("comment_created", "comment_updated", "comment_deleted")
GITHUB_GONE_ACTIONS = ("deleted", "transferred")


class Malformed(ValueError):
    """The payload is JSON but not the shape its event promises (answered with 400)."""


@dataclass(frozen=True, slots=True)
class Comment:
    """The comment an event is about (or that caused an issue update)."""

    id: str
    body: Any
    author: str  # Jira accountId / GitHub login
    author_email: str = ""
    action: str = "created"  # created | updated | deleted


@dataclass(frozen=True, slots=True)
class Event:
    """What a webhook says happened, in Refinery's words."""

    source: Literal["jira", "github"]
    kind: Literal["changed", "gone", "comment", "ignored"]
    key: str = ""
    issue: Mapping[str, Any] = field(default_factory=dict)  # the tracker's issue object
    project: str = ""  # Jira project key / GitHub owner/repo
    comment: Comment | None = None
    field_changes: int = 0  # changelog items (Jira); 0 on a comment-only update
    full_issue: bool = True  # False when the payload abbreviates the issue's fields
    reason: str = ""  # why it is ignored


def read_event(source: str, name: str, body: bytes) -> Event:
    """Parse a delivery's raw body once into its event; raise Malformed on bad JSON or shape.

    `name` is GitHub's X-GitHub-Event header (unused for Jira)."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed("body is not JSON") from exc
    except RecursionError as exc:
        raise Malformed("JSON nested too deep") from exc
    if source == "jira":
        return jira_event(payload)
    return github_event(name, payload)


def jira_event(payload: Any) -> Event:
    """Read a Jira webhook (v2 shapes, on Cloud too); raise Malformed on a wrong shape."""
    if not isinstance(payload, Mapping):
        raise Malformed("expected a JSON object")
    name = payload.get("webhookEvent")
    if not isinstance(name, str) or not name:
        raise Malformed("no webhookEvent")
    if name not in (*JIRA_ISSUE_EVENTS, "jira:issue_deleted", *JIRA_COMMENT_EVENTS):
        return Event("jira", "ignored", reason=f"event {name} is not used")
    issue = _mapping(payload.get("issue"), "issue")
    key = issue.get("key")
    if not isinstance(key, str) or not key:
        raise Malformed("issue.key missing")
    fields = _mapping(issue.get("fields") or {}, "issue.fields")
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
    comment = _mapping(raw, "comment")
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


def github_event(name: str, payload: Any) -> Event:
    """Read a GitHub webhook named by X-GitHub-Event; raise Malformed on a wrong shape."""
    if not isinstance(payload, Mapping):
        raise Malformed("expected a JSON object")
    if name not in ("issues", "issue_comment"):
        return Event("github", "ignored", reason=f"event {name or '(none)'} is not used")
    action = payload.get("action")
    if not isinstance(action, str):
        raise Malformed("action missing")
    issue = _mapping(payload.get("issue"), "issue")
    number = issue.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        raise Malformed("issue.number missing")
    repository = _mapping(payload.get("repository"), "repository")
    repo = repository.get("full_name")
    if not isinstance(repo, str) or repo.count("/") != 1:
        raise Malformed("repository.full_name missing")
    key = f"{repo}#{number}"
    if "pull_request" in issue:
        return Event("github", "ignored", key=key, reason="pull requests are not backlog items")
    if name == "issues":
        kind: Literal["gone", "changed"] = "gone" if action in GITHUB_GONE_ACTIONS else "changed"
        return Event("github", kind, key, issue, repo)
    raw = _mapping(payload.get("comment"), "comment")
    if "id" not in raw:
        raise Malformed("comment.id missing")
    user = raw.get("user") if isinstance(raw.get("user"), Mapping) else {}
    comment = Comment(
        id=str(raw["id"]),
        body=raw.get("body"),
        author=str((user or {}).get("login") or ""),
        action=action,
    )
    return Event("github", "comment", key, issue, repo, comment)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Malformed(f"{where} must be an object")
    return value
