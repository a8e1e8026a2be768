from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import Store
from connectors.item import Item, Link, Person
from rules.engine import Finding

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def item(key: str, **overrides: object) -> Item:
    base = Item(
        source="jira",
        key=key,
        title=f"Title {key}",
        project=key.split("-")[0],
        updated=T0,
        assignee=Person("acc-1", "Ana"),
        links=(Link("blocks", "PAY-99"),),
        labels=("payments",),
        sections={"why": "because"},
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_reimport_changes_nothing_and_duplicates_nothing(store: Store) -> None:
    items = [item(f"PAY-{n}") for n in range(1, 8)]
    first = store.upsert_items(items)
    second = store.upsert_items(items)
    assert (first.inserted, first.updated, first.unchanged) == (7, 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 7)
    assert store.count_items() == 7
    assert store.get_item("jira", "PAY-3") == items[2]


def test_changed_item_is_updated_in_place(store: Store) -> None:
    store.upsert_items([item("PAY-1")])
    result = store.upsert_items([item("PAY-1", title="Renamed", estimate=0.0)])
    assert (result.inserted, result.updated) == (0, 1)
    stored = store.get_item("jira", "PAY-1")
    assert stored is not None and stored.title == "Renamed" and stored.estimate == 0.0
    assert store.count_items() == 1


def test_gone_items_leave_reports_and_come_back_when_seen_again(store: Store) -> None:
    store.upsert_items([item("PAY-1"), item("PAY-2")])
    assert store.mark_gone("jira", ["PAY-2"]) == 1
    assert store.mark_gone("jira", ["PAY-2"]) == 0
    assert [i.key for i in store.items()] == ["PAY-1"]
    assert store.keys("jira") == {"PAY-1"}
    assert store.upsert_items([item("PAY-2")]).updated == 1
    assert store.keys("jira") == {"PAY-1", "PAY-2"}


def test_finding_history_opens_touches_and_resolves(store: Store) -> None:
    why = Finding("missing-why", "warning", "no why", "add one")
    est = Finding("missing-estimate", "warning", "no estimate", "add points")
    store.record_findings([("jira", "PAY-1", [why, est])], now=T0)
    later = T0 + timedelta(hours=1)
    store.record_findings([("jira", "PAY-1", [why])], now=later)
    open_rows = store.open_findings()["jira:PAY-1"]
    assert [r.rule for r in open_rows] == ["missing-why"]
    assert open_rows[0].first_seen == T0 and open_rows[0].last_seen == later
    # A finding that comes back is a new row: history keeps the resolved one.
    store.record_findings([("jira", "PAY-1", [why, est])], now=later + timedelta(hours=1))
    assert sorted(r.rule for r in store.open_findings()["jira:PAY-1"]) == [
        "missing-estimate",
        "missing-why",
    ]
    from sqlalchemy import func, select

    from bot.store.models import FindingRow

    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(FindingRow)) == 3
        resolved = session.scalar(select(FindingRow).where(FindingRow.resolved_at.is_not(None)))
        assert resolved is not None and resolved.resolved_at == later


def test_cursors_and_kv_round_trip(store: Store) -> None:
    assert store.get_cursor("jira:x") == (None, {})
    store.set_cursor("jira:x", "2026-01-05T09:00:00+00:00", {"tz": "Europe/Berlin"})
    store.set_cursor("jira:x", "2026-01-06T09:00:00+00:00")
    assert store.get_cursor("jira:x") == ("2026-01-06T09:00:00+00:00", {"tz": "Europe/Berlin"})
    store.set_kv("jira:fields", {"story_points": ["customfield_10016"]})
    assert store.get_kv("jira:fields") == {"story_points": ["customfield_10016"]}


def test_many_items_stream_in_batches(store: Store) -> None:
    store.upsert_items(item(f"BIG-{n}") for n in range(1200))
    assert sum(1 for _ in store.items()) == 1200
    assert store.mark_gone("jira", [f"BIG-{n}" for n in range(600)]) == 600
    assert store.count_items() == 600


def test_lock_timeout_reaches_the_database(tmp_path: Path, pg_store: Store) -> None:
    from sqlalchemy import text

    from bot.store import open_store

    with pg_store.engine.connect() as connection:
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "30s"
    quick = open_store(f"sqlite:///{tmp_path / 'quick.db'}", lock_timeout=0.5)
    with quick.engine.connect() as connection:
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 500
    quick.close()
