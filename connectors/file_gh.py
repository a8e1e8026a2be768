"""GitHub CLI output (`gh issue list --json number,title,body,labels,state,url,...`) as items.

`gh` names fields its own way (`url` for the web link, `author`, `createdAt`, state in capitals)
and leaves out the REST fields the GitHub connector reads (`html_url`, `repository_url`, `user`).
Each entry is turned into the REST issue shape, so `gh` output and a saved
`GET /repos/{owner}/{repo}/issues` list give the same items. Only this module knows gh's shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from connectors.item import Item

GH_FIELDS = "number,title,body,labels,state,url,author,assignees,createdAt,updatedAt"
WEB_URL = re.compile(r"^https?://(?P<host>[^/]+)/(?P<repo>[^/]+/[^/]+)/issues/\d+$")


def is_gh_list(data: Any) -> bool:
    """True for a JSON list of objects in gh's shape (a `number`, and `url` not `html_url`)."""
    return (
        isinstance(data, list)
        and bool(data)
        and all(
            isinstance(entry, Mapping)
            and isinstance(entry.get("number"), int)
            and "html_url" not in entry
            and "repository_url" not in entry
            and ("url" in entry or "title" in entry)
            for entry in data
        )
    )


def problem(entries: Sequence[Mapping[str, Any]]) -> str | None:
    """What is missing for Refinery to judge the entries (the --json fields to ask for)."""
    needed = ("number", "title", "url", "state")
    missing = sorted({name for entry in entries for name in needed if name not in entry})
    if missing:
        return (
            f"GitHub CLI output without {', '.join(missing)}: run "
            f"gh issue list --json {GH_FIELDS} --limit 1000"
        )
    for index, entry in enumerate(entries, start=1):
        if not WEB_URL.match(str(entry.get("url") or "")):
            return f"entry {index}: 'url' is not an issue's web address"
    return None


def items_from_gh(entries: Sequence[Mapping[str, Any]]) -> list[Item]:
    """Convert gh's entries to items (call `problem` first)."""
    from connectors.github.parse import items_from_issue_list

    return items_from_issue_list([_rest_issue(entry) for entry in entries])


def _rest_issue(entry: Mapping[str, Any]) -> dict[str, Any]:
    match = WEB_URL.match(str(entry["url"]))
    assert match is not None  # checked by problem()
    host, repo = match.group("host"), match.group("repo")
    api = "https://api.github.com" if host == "github.com" else f"https://{host}/api/v3"
    assignees = [_user(a) for a in entry.get("assignees") or () if _user(a)]
    issue: dict[str, Any] = {
        "number": entry["number"],
        "title": entry.get("title") or "",
        "body": entry.get("body"),
        "state": str(entry.get("state") or "").lower(),
        "labels": [
            {"name": label["name"] if isinstance(label, Mapping) else str(label)}
            for label in entry.get("labels") or ()
        ],
        "html_url": entry["url"],
        "repository_url": f"{api}/repos/{repo}",
        "user": _user(entry.get("author")),
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "created_at": entry.get("createdAt"),
        "updated_at": entry.get("updatedAt"),
    }
    if isinstance(entry.get("milestone"), Mapping):
        issue["milestone"] = {"title": entry["milestone"].get("title")}
    return issue


def _user(value: Any) -> dict[str, str] | None:
    if isinstance(value, Mapping) and value.get("login"):
        return {"login": str(value["login"])}
    return None
