"""Rule `blocked-above-blocker`: an item ranked above the item that blocks it is out of order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.item import Item
from rules.backlog import Backlog, Entry
from rules.builtin._folded import folded
from rules.registry import Passed, Problem, rule

DEFAULT_LINK_TYPES = ["is blocked by", "depends on", "blocked by"]
# Verdicts without evidence are shared: most items take these paths, 100,000 times a batch.
NO_LINKS = Passed(None, "no blocking links")
UNRANKED = Passed(None, "the item has no rank")


def _place(entry: Entry | None, project: str) -> str:
    if entry is None or entry.position is None:
        return "unranked"
    where = f" in {entry.project}" if entry.project != project else ""
    return f"#{entry.position}{where}"


@rule(
    id="blocked-above-blocker",
    summary="Ranked below what blocks it",
    severity="warning",
    params={"blocked_by_link_types": DEFAULT_LINK_TYPES},
    backlog=True,
    enabled=False,
    good=[
        {
            "key": "PAY-2",
            "rank": "0|i0000f:",
            "links": [{"type": "is blocked by", "target": "PAY-1"}],
            "backlog": [{"key": "PAY-1", "rank": "0|i0000a:"}],
        },
        {
            "key": "PAY-2",
            "rank": "0|i0000a:",
            "links": [{"type": "is blocked by", "target": "PAY-1"}],
            "backlog": [{"key": "PAY-1", "rank": "0|i0000f:", "status_category": "done"}],
        },
        {
            "key": "PAY-2",
            "rank": "0|i0000a:",
            "links": [{"type": "blocks", "target": "PAY-1"}],
            "backlog": [{"key": "PAY-1", "rank": "0|i0000f:"}],
        },
    ],
    bad=[
        {
            "key": "PAY-2",
            "rank": "0|i0000a:",
            "links": [{"type": "is blocked by", "target": "PAY-1"}],
            "backlog": [{"key": "PAY-1", "rank": "0|i0000f:", "title": "Card vault API"}],
        },
        {
            "key": "PAY-2",
            "rank": "0|i0000a:",
            "links": [{"type": "depends on", "target": "PAY-1"}],
            "backlog": [{"key": "PAY-1", "rank": "0|i0000f:", "status_category": "in_progress"}],
        },
    ],
)
def blocked_above_blocker(
    item: Item, params: Mapping[str, Any], backlog: Backlog
) -> Problem | Passed:
    """Flag an open item ranked above an open item that blocks it.

    Blockers are the item's links of a type in `blocked_by_link_types` (Jira's "is blocked
    by", "depends on"), looked up in the same backlog by rank. The team cannot do the work in
    the order the backlog says: rank the blocker first, or drop the link if it no longer holds.
    """
    if not item.links:
        return NO_LINKS
    wanted = folded(params.get("blocked_by_link_types", DEFAULT_LINK_TYPES))
    blockers = [link for link in item.links if link.type.strip().lower() in wanted]
    if not blockers:
        return NO_LINKS
    if item.rank is None:
        return UNRANKED
    mine = backlog.get(item.key)
    above: list[tuple[Entry, str]] = []
    for link in blockers:
        other = backlog.get(link.target)
        if other is None or other.status_category == "done" or other.rank is None:
            continue
        if item.rank < other.rank:
            above.append((other, link.type))
    if not above:
        keys = ", ".join(link.target for link in blockers)
        return Passed(keys, "every open blocker is ranked above it")
    here = _place(mine, item.project)
    named = [
        f"{entry.key}" + (f" “{entry.title}”" if entry.title else "") + f" (ranked "
        f"{_place(entry, item.project)})"
        for entry, _ in above[:3]
    ]
    first = above[0][0].key
    return Problem(
        message=f"Ranked {here}, above what blocks it: {', '.join(named)}.",
        hint=f"Rank {first} above this item, or remove the link if it no longer blocks.",
        evidence=f"{above[0][1]} {first}",
    )
