"""Small builders for test data: `make_item(**overrides)` gives a ready, valid story."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from connectors.item import Item, Person

_numbers = count(1)

READY_TEXT = (
    "Card payments fail for returning customers because the saved card token expires. "
    "Success metric: raise checkout conversion from 2.1% to 2.5% within a month."
)


def make_item(**overrides: Any) -> Item:
    """Build an Item that passes the builtin rules unless `overrides` say otherwise."""
    number = next(_numbers)
    values: dict[str, Any] = {
        "source": "jira",
        "key": f"PAY-{number}",
        "title": f"Sample item {number}",
        "url": f"https://example.atlassian.net/browse/PAY-{number}",
        "project": "PAY",
        "type": "Story",
        "kind": "story",
        "status": "To Do",
        "status_category": "todo",
        "description": READY_TEXT,
        "description_format": "plain",
        "text": READY_TEXT,
        "sections": {},
        "estimate": 3.0,
        "reporter": Person(id="acc-1", name="Dana Reporter"),
        "created": datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        "updated": datetime(2026, 11, 20, 14, 0, tzinfo=UTC),
        "rank": f"0|i{number:05d}:",
    }
    values.update(overrides)
    if "description" in overrides and "text" not in overrides:
        description = overrides["description"]
        values["text"] = description if isinstance(description, str) else ""
    return Item(**values)
