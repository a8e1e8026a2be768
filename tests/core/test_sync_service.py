from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.services.sync import run_stream
from bot.store import Store
from connectors.base import Page, RateLimited, SyncPlan
from connectors.item import Item

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def stamp(item: Item) -> str:
    """The item's update time as the cursor string (every numbered item has one)."""
    assert item.updated is not None
    return item.updated.isoformat()


def numbered(n: int) -> Item:
    return Item(source="jira", key=f"PAY-{n}", title=f"Item {n}", updated=T0 + timedelta(minutes=n))


@dataclass
class ListStream:
    """A stream over a fixed list, pages of 10, cursor = last updated; can crash or rate-limit."""

    items: list[Item]
    crash_on_page: int | None = None
    limit_on_page: int | None = None
    live: set[str] | None = None
    name: str = "jira:test"
    source: str = "jira"
    fetched_since: list[str | None] = field(default_factory=list)

    def plan(self, cursor: str | None) -> SyncPlan:
        return SyncPlan(total=len(self.items))

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        self.fetched_since.append(cursor)
        todo = [i for i in self.items if cursor is None or stamp(i) >= cursor]
        for number, start in enumerate(range(0, len(todo), 10)):
            if number == self.crash_on_page:
                raise KeyboardInterrupt("killed")
            if number == self.limit_on_page:
                raise RateLimited("budget exhausted", resume_at="12:00")
            page = todo[start : start + 10]
            yield Page(page, stamp(page[-1]))

    def live_keys(self) -> set[str] | None:
        return self.live


def snapshot(store: Store) -> dict[str, dict[str, object]]:
    return {i.key: i.to_dict() for i in store.items()}


def test_crash_mid_sync_resumes_to_the_same_store(sqlite_store: Store, tmp_path: Path) -> None:
    items = [numbered(n) for n in range(45)]
    with pytest.raises(KeyboardInterrupt):
        run_stream(sqlite_store, ListStream(items, crash_on_page=2))
    assert sqlite_store.count_items() == 20  # two pages stored, cursor at the 20th item
    again = ListStream(items)
    summary = run_stream(sqlite_store, again)
    assert again.fetched_since == [stamp(items[19])]
    assert summary.inserted == 25 and summary.unchanged == 1  # inclusive cursor overlaps one
    from bot.store import open_store

    clean = open_store(f"sqlite:///{tmp_path / 'clean.db'}")
    run_stream(clean, ListStream(items))
    assert snapshot(sqlite_store) == snapshot(clean)
    assert sqlite_store.get_cursor("jira:test") == clean.get_cursor("jira:test")


def test_rate_limit_stops_cleanly_and_keeps_the_cursor(sqlite_store: Store) -> None:
    items = [numbered(n) for n in range(30)]
    summary = run_stream(sqlite_store, ListStream(items, limit_on_page=1))
    assert summary.stopped == "budget exhausted" and summary.items == 10
    assert sqlite_store.get_cursor("jira:test")[0] == stamp(items[9])


def test_items_that_left_the_query_are_marked_gone(sqlite_store: Store) -> None:
    items = [numbered(n) for n in range(12)]
    run_stream(sqlite_store, ListStream(items))
    live = {i.key for i in items} - {"PAY-3", "PAY-4"}
    summary = run_stream(sqlite_store, ListStream(items, live=live), full=True)
    assert summary.gone == 2
    assert sqlite_store.keys("jira") == live
