"""The backlog an item is judged against: rank, place and status of every item in the batch.

Built once per evaluation batch (a file, a sync's store, the whole store) from a few plain
columns, so rules that compare an item with others (ranked above its blocker? near the top?
untouched for months?) stay pure and cost a dictionary lookup per item.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol

from connectors.item import Item


class Dated(Protocol):
    """What telling a human update from Refinery's own needs of an item."""

    @property
    def key(self) -> str: ...
    @property
    def updated(self) -> datetime | None: ...
    @property
    def created(self) -> datetime | None: ...


# A tracker's `updated` this close to one of Refinery's own writes was that write.
OWN_WRITE_SLACK = timedelta(minutes=1)


class Entry(NamedTuple):
    """One item as the backlog rules see it (a tuple: 100,000 of them build in a blink)."""

    key: str
    project: str
    rank: str | None
    status_category: str
    title: str = ""
    position: int | None = None  # 1-based place in rank order among its project's open items


@dataclass(frozen=True, slots=True)
class OwnWrites:
    """Refinery's writes on one item (comment posted/edited) and the update before them."""

    at: tuple[datetime, ...]
    human_updated: datetime | None


@dataclass(frozen=True)
class Backlog:
    """Key -> Entry for the batch, the clock the batch is judged at, and Refinery's writes."""

    entries: Mapping[str, Entry]
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    own_writes: Mapping[str, OwnWrites] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        rows: Iterable[tuple[str, str, str | None, str, str]],
        now: datetime | None = None,
        own_writes: Mapping[str, OwnWrites] | None = None,
    ) -> Backlog:
        """From (key, project, rank, status_category, title) rows; positions are computed."""
        # The cyclic collector would rescan every live item for each few hundred tuples made
        # here (over half the time at 100,000 items); nothing built here forms a cycle.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return cls._build(list(rows), now, own_writes)
        finally:
            if was_enabled:
                gc.enable()

    @classmethod
    def _build(
        cls,
        rows: list[tuple[str, str, str | None, str, str]],
        now: datetime | None,
        own_writes: Mapping[str, OwnWrites] | None,
    ) -> Backlog:
        ranked: dict[str, list[tuple[str, str]]] = {}
        for key, project, rank, status, _ in rows:
            if rank is not None and status != "done":
                ranked.setdefault(project, []).append((rank, key))
        places: dict[str, int] = {}
        for keyed in ranked.values():
            keyed.sort()
            places.update((key, place) for place, (_, key) in enumerate(keyed, start=1))
        entries = {
            key: Entry(key, project, rank, status, title, places.get(key))
            for key, project, rank, status, title in rows
        }
        return cls(entries, now or datetime.now(UTC), dict(own_writes or {}))

    @classmethod
    def of(
        cls,
        items: Iterable[Item],
        now: datetime | None = None,
        own_writes: Mapping[str, OwnWrites] | None = None,
    ) -> Backlog:
        rows = ((i.key, i.project, i.rank, i.status_category, i.title) for i in items)
        return cls.build(rows, now, own_writes)

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def __len__(self) -> int:
        return len(self.entries)

    def last_human_update(self, item: Item | Dated) -> datetime | None:
        """The item's last update by a person: `updated`, unless that was Refinery's own write
        (then the update before it), else `created`."""
        updated = item.updated or item.created
        own = self.own_writes.get(item.key)
        if own is None or updated is None:
            return updated
        if any(abs(updated - when) <= OWN_WRITE_SLACK for when in own.at):
            return own.human_updated or item.created
        return updated
