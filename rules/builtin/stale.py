"""Rule `stale`: an item no person has touched for months is a candidate to say no to."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.item import Item
from rules.backlog import Backlog
from rules.registry import Passed, Problem, rule

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the examples' clock


@rule(
    id="stale",
    summary="Touched by a person lately",
    severity="info",
    params={"days": 90},
    backlog=True,
    enabled=False,
    good=[
        {"title": "Saved carts", "updated": datetime(2026, 11, 20, tzinfo=UTC), "now": NOW},
        {"title": "Saved carts", "created": datetime(2026, 10, 1, tzinfo=UTC), "now": NOW},
    ],
    bad=[
        {"title": "Saved carts", "updated": datetime(2026, 3, 2, tzinfo=UTC), "now": NOW},
        {
            "title": "Saved carts",
            "updated": datetime(2026, 11, 30, 12, 0, 30, tzinfo=UTC),
            "now": NOW,
            # Refinery's own comment bumped `updated`; the person before it wrote in May.
            "own_writes": {
                "EX-1": {
                    "at": [datetime(2026, 11, 30, 12, 0, tzinfo=UTC)],
                    "human_updated": datetime(2026, 5, 4, tzinfo=UTC),
                }
            },
        },
    ],
)
def stale(item: Item, params: Mapping[str, Any], backlog: Backlog) -> Problem | Passed:
    """Flag items no person has updated for `days` days (default 90).

    Refinery's own comments never count as an update: when the tracker's last update was
    Refinery's write, the update before it is used. An item nobody has looked at for a
    quarter is either not important or not understood; confirm it, or say no to it.
    """
    last = backlog.last_human_update(item)
    if last is None:
        return Passed(None, "no update date is known")
    age = (backlog.now - last).days
    when = last.date().isoformat()
    if age < int(params.get("days", 90)):
        return Passed(f"last human update {when}", f"updated by a person {age} days ago")
    return Problem(
        message=f"No update by a person for {age} days (last on {when}).",
        hint="Confirm it still matters with an edit or a comment, or decline it at the next prune.",
        evidence=f"last human update {when}",
    )
