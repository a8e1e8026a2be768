"""Turn Jira issue JSON (REST v2 or v3, search pages, webhooks) into items: pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from connectors.estimates import EstimateLabels
from connectors.item import Item, Kind, Link, Person, StatusCategory, TextFormat
from connectors.jira.fields import FieldMap, from_names
from connectors.text import Text
from connectors.text.cache import analyze_once

KINDS: dict[str, Kind] = {
    "story": "story",
    "user story": "story",
    "task": "task",
    "bug": "bug",
    "defect": "bug",
    "epic": "epic",
    "feature": "feature",
    "sub-task": "subtask",
    "subtask": "subtask",
}
# Teams without a story-point field size items with labels; read them as GitHub's are read.
LABEL_ESTIMATES = EstimateLabels()
CATEGORIES: dict[str, StatusCategory] = {
    "new": "todo",
    "indeterminate": "in_progress",
    "done": "done",
}
# Used only when a payload omits statusCategory (hand-trimmed exports do).
DONE_NAMES = {"done", "closed", "resolved", "cancelled", "canceled", "won't do"}
TODO_NAMES = {"to do", "todo", "open", "backlog", "new", "selected for development", "reopened"}
# Old Data Center sprint values: "com.atlassian.greenhopper.service.sprint.Sprint@1a[id=1,...]".
SPRINT_ATTR = re.compile(r"(\w+)=([^,\]]*)")


def items_from_search_response(
    resp: Mapping[str, Any], site_url: str = "", fields: FieldMap | None = None
) -> list[Item]:
    """Items of one search page (/search/jql or legacy /search); uses `names` when no map given."""
    if fields is None:
        names = resp.get("names")
        fields = from_names(names) if isinstance(names, Mapping) else FieldMap()
    return [to_item(issue, fields, site_url) for issue in resp.get("issues") or ()]


def to_item(issue: Mapping[str, Any], fields: FieldMap, site_url: str = "") -> Item:
    """Build an item from one Jira issue object; `site_url` empty: derive it from `self`."""
    key = str(issue["key"])
    values: Mapping[str, Any] = issue.get("fields") or {}
    site = site_url.rstrip("/") or _site_from_self(issue.get("self"))
    issuetype = values.get("issuetype") or {}
    status = values.get("status") or {}
    description = values.get("description")
    fmt = _format(description)
    text = _analyze(description, fmt, key)
    project = (values.get("project") or {}).get("key") or key.rsplit("-", 1)[0]
    labels = tuple(str(label) for label in values.get("labels") or ())
    return Item(
        source="jira",
        key=key,
        title=str(values.get("summary") or ""),
        url=f"{site}/browse/{key}" if site else "",
        project=str(project),
        type=str(issuetype.get("name") or ""),
        kind=_kind(issuetype),
        status=str(status.get("name") or ""),
        status_category=_category(status, values.get("resolution")),
        description=description if description not in ("", {}) else None,
        description_format=fmt,
        text=text.plain,
        sections=dict(text.sections),
        estimate=_estimate(values, fields, labels),
        time_estimate=_time_estimate(values),
        outcome=_outcome(values.get(fields.outcome)) if fields.outcome else None,
        labels=labels,
        assignee=_person(values.get("assignee")),
        reporter=_person(values.get("reporter")),
        created=parse_time(values.get("created")),
        updated=parse_time(values.get("updated")),
        rank=_string(values.get(fields.rank)) if fields.rank else None,
        parent=_parent(values, fields),
        links=_links(values.get("issuelinks")),
        sprint=_sprint(values.get(fields.sprint)) if fields.sprint else None,
        fields=_named_fields(values, fields),
        raw=_extras(issue, values),
    )


def _estimate(values: Mapping[str, Any], fields: FieldMap, labels: Sequence[str]) -> float | None:
    """The story-point field; when it is empty, a size label ("size/M", "sp:3") as on GitHub,
    so every label that satisfies missing-estimate also counts as points."""
    points = _first_number(values, fields.story_points)
    return points if points is not None else LABEL_ESTIMATES(labels)


def parse_time(value: Any) -> datetime | None:
    """Parse Jira's "2024-01-02T03:04:05.000+0000" (or ISO 8601) into an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _site_from_self(self_url: Any) -> str:
    if isinstance(self_url, str) and "/rest/" in self_url:
        return self_url.split("/rest/", 1)[0]
    return ""


def _format(description: Any) -> TextFormat:
    if isinstance(description, Mapping):
        return "adf"
    if isinstance(description, str):
        return "wiki"
    return "plain"


def _analyze(description: Any, fmt: TextFormat, key: str = "") -> Text:
    if description is None:
        return Text()
    return analyze_once(description, fmt, key)  # an unchanged description: analysed before


def _kind(issuetype: Mapping[str, Any]) -> Kind:
    name = str(issuetype.get("name") or "").strip().lower()
    if issuetype.get("subtask") is True:
        return "subtask"
    return KINDS.get(name, "other")


def _category(status: Mapping[str, Any], resolution: Any) -> StatusCategory:
    key = (status.get("statusCategory") or {}).get("key")
    if key in CATEGORIES:
        return CATEGORIES[key]
    name = str(status.get("name") or "").strip().lower()
    if name in DONE_NAMES or (resolution and not name):
        return "done"
    if not name or name in TODO_NAMES:
        return "todo"
    return "in_progress"


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _first_number(values: Mapping[str, Any], field_ids: tuple[str, ...]) -> float | None:
    for field_id in field_ids:
        number = _number(values.get(field_id))
        if number is not None:
            return number
    return None


def _time_estimate(values: Mapping[str, Any]) -> float | None:
    seconds = _number(values.get("timeoriginalestimate"))
    if seconds is None:
        seconds = _number((values.get("timetracking") or {}).get("originalEstimateSeconds"))
    return seconds


def _outcome(value: Any) -> str | None:
    """Read a configured outcome field: text, ADF (v3 paragraph fields) or a select option."""
    if isinstance(value, Mapping):
        if value.get("type") == "doc":
            return _analyze(value, "adf").plain.strip() or None
        value = value.get("value") or value.get("name")
    if isinstance(value, list):
        value = ", ".join(str(_outcome(v) or "") for v in value if v)
    text = str(value).strip() if value is not None else ""
    return text or None


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _person(user: Any) -> Person | None:
    """Cloud users carry accountId; Data Center users carry name (the username) and key."""
    if not isinstance(user, Mapping):
        return None
    ident = user.get("accountId") or user.get("name") or user.get("key") or user.get("displayName")
    if not ident:
        return None
    return Person(
        id=str(ident),
        name=str(user.get("displayName") or ""),
        email=user.get("emailAddress") or None,
    )


def _parent(values: Mapping[str, Any], fields: FieldMap) -> str | None:
    parent = values.get("parent")
    if isinstance(parent, Mapping) and parent.get("key"):
        return str(parent["key"])
    epic = values.get(fields.epic_link) if fields.epic_link else None
    if isinstance(epic, Mapping):
        epic = epic.get("key")
    return str(epic) if isinstance(epic, str) and epic else None


def _links(issuelinks: Any) -> tuple[Link, ...]:
    """Read each link from this issue's side: outward uses `outward` text, inward `inward`."""
    links: list[Link] = []
    for link in issuelinks or ():
        kind = link.get("type") or {}
        if link.get("outwardIssue"):
            text, other = kind.get("outward") or kind.get("name"), link["outwardIssue"]
        elif link.get("inwardIssue"):
            text, other = kind.get("inward") or kind.get("name"), link["inwardIssue"]
        else:
            continue
        if other.get("key") and text:
            links.append(Link(type=str(text), target=str(other["key"])))
    return tuple(links)


def _named_fields(values: Mapping[str, Any], fields: FieldMap) -> dict[str, str]:
    """`priority` and the jira.fields the site maps, as plain text, for rules to name."""
    named: dict[str, str] = {}
    priority = values.get("priority")
    if isinstance(priority, Mapping) and priority.get("name"):
        named["priority"] = str(priority["name"])
    for name, field_id in fields.extra:
        text = _outcome(values.get(field_id))
        if text:
            named[name] = text
    return named


def _sprint(value: Any) -> str | None:
    """Name of the active sprint, else the last listed (Cloud: objects; old DC: strings)."""
    sprints = [_sprint_attrs(entry) for entry in value or ()] if isinstance(value, list) else []
    sprints = [s for s in sprints if s.get("name")]
    if not sprints:
        return None
    active = [s for s in sprints if str(s.get("state", "")).lower() == "active"]
    return str((active or sprints)[-1]["name"])


def _sprint_attrs(entry: Any) -> dict[str, Any]:
    if isinstance(entry, Mapping):
        return dict(entry)
    if isinstance(entry, str) and "[" in entry:
        return dict(SPRINT_ATTR.findall(entry[entry.index("[") :]))
    return {}


def _extras(issue: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A few small facts rules or renderers may want; never the whole payload."""
    extras: dict[str, Any] = {}
    if issue.get("id"):
        extras["id"] = str(issue["id"])
    for name, out in (("priority", "priority"), ("resolution", "resolution")):
        value = values.get(name)
        if isinstance(value, Mapping) and value.get("name"):
            extras[out] = value["name"]
    for name, out in (("components", "components"), ("fixVersions", "fix_versions")):
        named = [v.get("name") for v in values.get(name) or () if isinstance(v, Mapping)]
        if any(named):
            extras[out] = [n for n in named if n]
    if values.get("duedate"):
        extras["due"] = values["duedate"]
    return extras
