"""Turn GitHub REST issue objects into items: pure functions, no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.estimates import (
    DEFAULT_ESTIMATE_LABELS as DEFAULT_ESTIMATE_LABELS,
)
from connectors.estimates import (
    DEFAULT_SIZE_POINTS as DEFAULT_SIZE_POINTS,
)
from connectors.estimates import EstimateFromLabels, EstimateLabels
from connectors.item import Item, Kind, Link, Person, StatusCategory
from connectors.text.cache import analyze_once

BUG_LABELS = frozenset({"bug", "defect", "type: bug", "type/bug", "kind/bug"})
IN_PROGRESS_LABELS = frozenset({"in progress", "doing", "wip"})
# The compact part of the payload kept in Item.raw (the whole issue would bloat the store).
RAW_KEYS = (
    "id",
    "node_id",
    "number",
    "state_reason",
    "comments",
    "author_association",
    "sub_issues_summary",
    "issue_dependencies_summary",
)

# "Blocked by #12", "depends on acme/api#7, #9": how people write dependencies in issue bodies
# (the issue payload carries only counts of GitHub's own dependencies, not their numbers).
DEPENDENCY = re.compile(
    r"\b(blocked\s+by|depends\s+on)\b:?\s*((?:(?:[\w.-]+/[\w.-]+)?#\d+(?:\s*(?:,|and|&)\s*)?)+)",
    re.IGNORECASE,
)
REFERENCE = re.compile(r"(?:([\w.-]+/[\w.-]+))?#(\d+)")


def is_pull_request(issue: Mapping[str, Any]) -> bool:
    """Pull requests come back mixed into issue lists; they carry a `pull_request` object."""
    return "pull_request" in issue


def repo_of(issue: Mapping[str, Any]) -> str:
    """Return "owner/repo" from the issue's repository_url (GHES-safe), else its html_url."""
    api = issue.get("repository_url") or ""
    if "/repos/" in api:
        return "/".join(api.split("/repos/", 1)[1].split("/")[:2])
    html = issue.get("html_url") or ""
    match = re.search(r"://[^/]+/([^/]+/[^/]+)/(?:issues|pull)/\d+", html)
    if match is None:
        raise ValueError("cannot tell the repository of this issue (no repository_url/html_url)")
    return match.group(1)


def key_from_api_url(url: str) -> str | None:
    """Turn ".../repos/owner/repo/issues/7" into "owner/repo#7" (None when it is not that shape)."""
    match = re.search(r"/repos/([^/]+/[^/]+)/issues/(\d+)$", url or "")
    return f"{match.group(1)}#{match.group(2)}" if match else None


def kind_of(issue: Mapping[str, Any], labels: Sequence[str]) -> Kind:
    """Typed or labelled Bug/bug/defect is a bug, typed Task is a task, the rest are stories."""
    type_name = _type_name(issue).lower()
    if type_name == "bug":
        return "bug"
    if type_name == "task":
        return "task"
    if not type_name and any(label.lower() in BUG_LABELS for label in labels):
        return "bug"
    return "story"


def status_category_of(issue: Mapping[str, Any], labels: Sequence[str]) -> StatusCategory:
    """Closed is done; open is todo unless a label says it is in progress."""
    if issue.get("state") == "closed":
        return "done"
    for label in labels:
        name = label.lower().replace("-", " ").replace("_", " ")
        name = name.removeprefix("status:").removeprefix("status/").strip()
        if name in IN_PROGRESS_LABELS:
            return "in_progress"
    return "todo"


def to_item(
    issue: Mapping[str, Any],
    repo: str | None = None,
    estimate_from_labels: EstimateFromLabels | None = None,
) -> Item:
    """Build an item from a REST issue object (a list element or a webhook's `issue`)."""
    repo = repo or repo_of(issue)
    estimate = estimate_from_labels or EstimateLabels()
    labels = tuple(
        label["name"] if isinstance(label, Mapping) else str(label)
        for label in issue.get("labels") or ()
    )
    body = issue.get("body")
    # unchanged bodies: analysed once
    text = analyze_once(body, "markdown", f"{repo}#{issue.get('number')}") if body else None
    return Item(
        source="github",
        key=f"{repo}#{issue['number']}",
        title=issue.get("title") or "",
        url=issue.get("html_url") or "",
        project=repo,
        type=_type_name(issue) or "Issue",
        kind=kind_of(issue, labels),
        status=str(issue.get("state") or ""),
        status_category=status_category_of(issue, labels),
        description=body,
        description_format="markdown",
        text=text.plain if text else "",
        sections=dict(text.sections) if text else {},
        estimate=estimate(labels),
        labels=labels,
        assignee=_person(issue.get("assignee")),
        reporter=_person(issue.get("user")),
        created=_when(issue.get("created_at")),
        updated=_when(issue.get("updated_at")),
        rank=None,
        parent=key_from_api_url(issue.get("parent_issue_url") or ""),
        links=dependencies(body if isinstance(body, str) else "", repo),
        fields=_named_fields(issue),
        raw=_raw(issue),
    )


def dependencies(body: str, repo: str) -> tuple[Link, ...]:
    """Links read from "Blocked by #12" / "Depends on owner/repo#7" in an issue body."""
    links: dict[tuple[str, str], Link] = {}
    for match in DEPENDENCY.finditer(body):
        kind = "is blocked by" if match.group(1).lower().startswith("blocked") else "depends on"
        for other_repo, number in REFERENCE.findall(match.group(2)):
            target = f"{other_repo or repo}#{number}"
            links.setdefault((kind, target), Link(kind, target))
    return tuple(links.values())


def items_from_issue_list(
    data: Sequence[Mapping[str, Any]],
    repo: str | None = None,
    estimate_from_labels: EstimateFromLabels | None = None,
) -> list[Item]:
    """Convert a saved `GET /repos/{o}/{r}/issues` list (or export) to items, skipping PRs."""
    estimate = estimate_from_labels or EstimateLabels()
    return [to_item(issue, repo, estimate) for issue in data if not is_pull_request(issue)]


def _raw(issue: Mapping[str, Any]) -> dict[str, Any]:
    raw = {name: issue[name] for name in RAW_KEYS if name in issue}
    milestone = issue.get("milestone")
    if isinstance(milestone, Mapping) and milestone.get("title"):
        raw["milestone"] = str(milestone["title"])  # a release or a sprint: teams differ
    return raw


def _named_fields(issue: Mapping[str, Any]) -> dict[str, str]:
    """The milestone's title, for rules to name (a goal, a release or a sprint: teams differ)."""
    milestone = issue.get("milestone")
    if isinstance(milestone, Mapping) and milestone.get("title"):
        return {"milestone": str(milestone["title"])}
    return {}


def _type_name(issue: Mapping[str, Any]) -> str:
    kind = issue.get("type")
    return str(kind.get("name") or "") if isinstance(kind, Mapping) else ""


def _person(user: Any) -> Person | None:
    if not isinstance(user, Mapping) or not user.get("login"):
        return None
    return Person(id=str(user["login"]), name=str(user["login"]))


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None
