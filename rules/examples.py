"""Build example items from a few overrides, as rule examples, tests and docs need them."""

from __future__ import annotations

from typing import Any

from connectors.item import Item
from rules.text import analyze

_TYPE_NAMES = {
    "story": "Story",
    "task": "Task",
    "bug": "Bug",
    "epic": "Epic",
    "feature": "Feature",
    "subtask": "Sub-task",
}


def example_item(**overrides: Any) -> Item:
    """Return a to-do story "EX-1" from a file, with text and sections read from its description.

    The tracker type name follows `kind` ("bug" -> "Bug") unless `type` is given.
    `text`/`sections` given in `overrides` are kept; otherwise they come from `analyze()` on the
    description in `description_format` (default "plain"), as a connector would fill them.
    """
    values: dict[str, Any] = {
        "source": "file",
        "key": "EX-1",
        "title": "Example item",
        "kind": "story",
        "status": "To Do",
        "status_category": "todo",
        "project": "EX",
    }
    values.update(overrides)
    values.setdefault("type", _TYPE_NAMES.get(values["kind"], "Other"))
    if "text" not in overrides or "sections" not in overrides:
        analyzed = analyze(values.get("description"), values.get("description_format", "plain"))
        values.setdefault("text", analyzed.plain)
        values.setdefault("sections", analyzed.sections)
    if isinstance(values.get("labels"), list):
        values["labels"] = tuple(values["labels"])
    return Item(**values)
