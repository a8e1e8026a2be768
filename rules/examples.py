"""Build example items from a few overrides, as rule examples, tests and docs need them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.item import Item, Link
from connectors.text import analyze
from rules.backlog import Backlog, OwnWrites

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


def example_case(example: Mapping[str, Any]) -> tuple[Item, Backlog, dict[str, Any]]:
    """Split a rule example into its item, the backlog it is judged in, and parameter overrides.

    Besides item overrides an example may hold `backlog` (overrides of the other items),
    `now` (the batch's clock), `own_writes` (key -> {"at": [...], "human_updated": ...}:
    Refinery's own writes) and `params` (rule parameters other than the defaults).
    """
    values = dict(example)
    others = values.pop("backlog", ())
    now = values.pop("now", None)
    own = values.pop("own_writes", {})
    params = dict(values.pop("params", {}))
    item = example_item(**_links(values))
    neighbours = [example_item(**_links({"project": item.project, **o})) for o in others]
    writes = {
        key: OwnWrites(tuple(entry.get("at", ())), entry.get("human_updated"))
        for key, entry in own.items()
    }
    return item, Backlog.of([item, *neighbours], now, writes), params


def _links(values: dict[str, Any]) -> dict[str, Any]:
    links = values.get("links")
    if isinstance(links, list):
        values = {**values, "links": tuple(Link(**link) for link in links)}
    return values
