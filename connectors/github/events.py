"""Read GitHub webhook payloads (named by X-GitHub-Event) into events: pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from connectors.events import Comment, Event, Malformed, mapping

GITHUB_GONE_ACTIONS = ("deleted", "transferred")


def github_event(name: str, payload: Any) -> Event:
    """Read a GitHub webhook named by X-GitHub-Event; raise Malformed on a wrong shape."""
    if not isinstance(payload, Mapping):
        raise Malformed("expected a JSON object")
    if name not in ("issues", "issue_comment"):
        return Event("github", "ignored", reason=f"event {name or '(none)'} is not used")
    action = payload.get("action")
    if not isinstance(action, str):
        raise Malformed("action missing")
    issue = mapping(payload.get("issue"), "issue")
    number = issue.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        raise Malformed("issue.number missing")
    repository = mapping(payload.get("repository"), "repository")
    repo = repository.get("full_name")
    if not isinstance(repo, str) or repo.count("/") != 1:
        raise Malformed("repository.full_name missing")
    key = f"{repo}#{number}"
    if "pull_request" in issue:
        return Event("github", "ignored", key=key, reason="pull requests are not backlog items")
    if name == "issues":
        kind: Literal["gone", "changed"] = "gone" if action in GITHUB_GONE_ACTIONS else "changed"
        return Event("github", kind, key, issue, repo)
    raw = mapping(payload.get("comment"), "comment")
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
