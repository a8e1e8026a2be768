"""Jira's CSV export (Filters → Export → CSV, all or current fields) as items.

Jira writes one column per field with its display name ("Issue key", "Summary", "Issue Type",
"Status", "Description" in wiki markup, "Custom field (Story Points)", ...) and repeats a
column for each value of a multi-valued field ("Labels", "Sprint"). Each row is turned into
the REST issue shape the Jira connector already reads, so a CSV export and a JSON export of
the same issues give the same items. Only this module knows the CSV layout.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from connectors.item import Item

REQUIRED = ("Issue key", "Summary")
# Jira's export writes dates in the site's format; the default is "dd/MMM/yy h:mm a".
DATE_FORMATS = (
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f%z",
)
CATEGORIES = {"to do": "new", "in progress": "indeterminate", "done": "done"}
CUSTOM = "Custom field ("


class CsvError(ValueError):
    """A CSV that is not a Jira export; the message says what is missing."""


def looks_like_jira_csv(head: str) -> bool:
    """True when the first line is a Jira export header (it names the key and summary)."""
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return all(name in first for name in REQUIRED) and "," in first


def items_from_csv(text: str) -> list[Item]:
    """Parse a Jira CSV export into items; raise CsvError when it is not one."""
    from connectors.jira.parse import items_from_search_response

    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(rows)
    except StopIteration:
        raise CsvError("empty CSV") from None
    columns: dict[str, list[int]] = defaultdict(list)
    for index, name in enumerate(header):
        columns[name.strip()].append(index)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise CsvError(f"not a Jira CSV export: no {', '.join(repr(m) for m in missing)} column")
    # Custom fields get stable ids here; `names` tells the connector which one holds points.
    custom = {
        name: f"customfield_csv{number}"
        for number, name in enumerate(n for n in columns if n.startswith(CUSTOM))
    }
    names = {field_id: name[len(CUSTOM) : -1] for name, field_id in custom.items()}
    names["customfield_csvsprint"] = "Sprint"
    issues = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        issues.append(_issue(row, columns, custom, line))
    return items_from_search_response({"issues": issues, "names": names})


def _issue(
    row: list[str], columns: dict[str, list[int]], custom: dict[str, str], line: int
) -> dict[str, Any]:
    def one(name: str) -> str:
        for index in columns.get(name, ()):
            if index < len(row) and row[index].strip():
                return row[index].strip()
        return ""

    def every(name: str) -> list[str]:
        return [row[i].strip() for i in columns.get(name, ()) if i < len(row) and row[i].strip()]

    key = one("Issue key")
    if not key:
        raise CsvError(f"row {line} has no 'Issue key'")
    type_name = one("Issue Type")
    fields: dict[str, Any] = {
        "summary": one("Summary"),
        "description": one("Description") or None,
        "issuetype": {"name": type_name, "subtask": type_name.lower() in ("sub-task", "subtask")},
        "status": _status(one("Status"), one("Status Category")),
        "resolution": {"name": one("Resolution")} if one("Resolution") else None,
        "labels": every("Labels"),
        "assignee": _person(one("Assignee"), one("Assignee Id")),
        "reporter": _person(one("Reporter"), one("Reporter Id")),
        "created": _time(one("Created")),
        "updated": _time(one("Updated")),
        "timeoriginalestimate": _number(one("Original Estimate")),
        "customfield_csvsprint": [{"name": name} for name in every("Sprint")],
    }
    if one("Project key"):
        fields["project"] = {"key": one("Project key")}
    for name, field_id in custom.items():
        value = one(name)
        fields[field_id] = _number(value) if _number(value) is not None else (value or None)
    issue: dict[str, Any] = {"key": key, "fields": fields}
    if one("Issue id"):
        issue["id"] = one("Issue id")
    return issue


def _status(name: str, category: str) -> dict[str, Any]:
    status: dict[str, Any] = {"name": name}
    key = CATEGORIES.get(category.strip().lower())
    if key:
        status["statusCategory"] = {"key": key}
    return status


def _person(name: str, account_id: str) -> dict[str, str] | None:
    if not (name or account_id):
        return None
    person = {"displayName": name or account_id}
    if account_id:
        person["accountId"] = account_id
    return person


def _time(value: str) -> str | None:
    """An ISO timestamp the Jira connector reads; Jira's CSV dates carry no zone (UTC here)."""
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.isoformat()
    return None


def _number(value: str) -> float | None:
    try:
        return float(value.replace(",", ".")) if value else None
    except ValueError:
        return None
