"""How a sync page is written: rows with their verdicts and the cursor in one transaction, one
statement per kind of write, and JSON the existing readers (and the label search) still read."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Text, cast, event, select

from bot.services.judge import Judge
from bot.store import Store, open_store
from bot.store.models import FindingRow, ItemRow
from bot.store.store import dump_json, load_json
from connectors.item import Item
from rules.engine import Engine
from tests.core.test_verdicts import mixed_items
from tests.factories import make_item


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements (executemany counts once) the store sends inside the block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()[:3]))

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def rows(store: Store) -> dict[str, tuple[Any, ...]]:
    query = select(
        ItemRow.key,
        ItemRow.content_hash,
        ItemRow.judged,
        ItemRow.open_findings,
        ItemRow.failing,
        ItemRow.worst,
        ItemRow.owner_name,
    )
    with store.session() as session:
        return {key: tuple(rest) for key, *rest in session.execute(query)}


def findings(store: Store) -> set[tuple[str, str, str, str | None, bool]]:
    query = select(
        FindingRow.key,
        FindingRow.rule,
        FindingRow.message,
        FindingRow.evidence,
        FindingRow.resolved_at.is_(None),
    )
    with store.session() as session:
        return {tuple(row) for row in session.execute(query)}  # type: ignore[misc]


def test_a_judged_page_is_stored_as_storing_then_judging_it_did(
    store: Store, tmp_path: Path
) -> None:
    items = mixed_items(150)
    judge = Judge(store, Engine())
    result = judge.store_items(items, cursor=("jira:x", "c1"))
    assert (result.inserted, result.updated, result.unchanged) == (150, 0, 0)
    edited = [dataclasses.replace(i, estimate=None, title="Edited") for i in items[:40]]
    again = judge.store_items(edited + items[40:], cursor=("jira:x", "c2"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 40, 110)

    before = open_store(f"sqlite:///{tmp_path / 'two-writes.db'}")  # the old way: two writes
    old = Judge(before, Engine())
    for page in (items, edited + items[40:]):
        stored = before.upsert_items(page)
        old.items(page, hashes=stored.hashes_of(page))
    assert rows(store) == rows(before)
    assert findings(store) == findings(before)
    assert judge.stale() == 0
    assert store.get_cursor("jira:x")[0] == "c2"
    before.close()


def test_one_statement_per_write_whatever_the_rows_leave_empty(sqlite_store: Store) -> None:
    # Estimates, ranks and assignees set on some rows only: the ORM's bulk insert made one
    # statement per run of rows with the same empty columns.
    items = mixed_items(100)
    with statements(sqlite_store) as seen:
        Judge(sqlite_store, Engine()).store_items(items, cursor=("jira:x", "c1"))
    assert seen.count("INSERT INTO items") == 1
    assert seen.count("INSERT INTO findings") == 1
    assert not [s for s in seen if s.startswith("UPDATE items")]
    assert sum(1 for s in seen if "sync_cursors" in s) == 2  # read it, then write it


def test_an_unchanged_page_judged_the_same_way_rewrites_no_row(sqlite_store: Store) -> None:
    items = mixed_items(60)
    Judge(sqlite_store, Engine()).store_items(items)
    with statements(sqlite_store) as seen:
        result = Judge(sqlite_store, Engine()).store_items(items)
    assert result.unchanged == 60
    assert not [s for s in seen if s.startswith("UPDATE items")]
    other_rules = Engine({"missing-estimate": {"enabled": False}})
    with statements(sqlite_store) as seen:
        Judge(sqlite_store, other_rules).store_items(items)
    assert seen.count("UPDATE items SET") == 1  # new fingerprint: the verdict columns only


def test_a_failed_write_moves_neither_items_nor_cursor(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_store.set_cursor("jira:x", "c0")

    def broken(*_args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "_record_findings", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        Judge(sqlite_store, Engine()).store_items(mixed_items(20), cursor=("jira:x", "c1"))
    assert sqlite_store.count_items() == 0
    assert sqlite_store.get_cursor("jira:x")[0] == "c0"


def test_an_older_copy_is_neither_stored_nor_judged(store: Store) -> None:
    newer = make_item(key="PAY-1", estimate=None)
    Judge(store, Engine()).store_items([newer])
    older = dataclasses.replace(
        newer, estimate=3.0, updated=newer.updated.replace(year=2020) if newer.updated else None
    )
    result = Judge(store, Engine()).store_items([older])
    assert result.stale == 1 and result.hashes == {}
    assert store.get_item("jira", "PAY-1") == newer
    assert {f.rule for f in store.open_findings()["jira:PAY-1"]} == {"missing-estimate"}


def test_json_columns_keep_non_ascii_text_escaped_and_read_what_json_wrote(
    store: Store,
) -> None:
    item = make_item(key="PAY-1", labels=("Priorität",), title="Café ☕ menu")
    store.upsert_items([item])
    with store.session() as session:
        text = session.scalar(select(cast(ItemRow.data, Text)))
    assert text is not None and "Priorit\\u00e4t" in text and "\\u2615" in text
    assert store.get_item("jira", "PAY-1") == item
    assert dump_json({"a": 1, 2: [True, None]}) == '{"a":1,"2":[true,null]}'
    assert dump_json({"t": "a\x7fb"}) == '{"t": "a\\u007fb"}'  # json's escape, as before
    assert dump_json({"big": 2**70}) == '{"big": 1180591620717411303424}'  # json, as before
    legacy = load_json('{"estimate": NaN, "n": 1180591620717411303424}')  # json wrote NaN
    assert legacy["n"] == 2**70 and legacy["estimate"] != legacy["estimate"]


def test_upsert_result_gives_the_hashes_in_item_order(sqlite_store: Store) -> None:
    first, second = make_item(key="PAY-1"), make_item(key="PAY-2")
    result = sqlite_store.upsert_items([first, second])
    hashes = result.hashes_of([second, first])
    assert hashes == [result.hashes[("jira", "PAY-2")], result.hashes[("jira", "PAY-1")]]
    missing: Item = make_item(key="PAY-3")
    assert result.hashes_of([first, missing]) is None


def test_content_hashes_are_the_ones_stores_already_hold(store: Store) -> None:
    # Existing rows keep their hashes: an unchanged item re-synced after the upgrade is not
    # written again. The formula, as stores so far computed it:
    import hashlib

    import orjson

    options = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    items = [make_item(key="PAY-1"), make_item(key="PAY-2", title="Café")]
    result = store.upsert_items(items)
    for item in items:
        old = hashlib.sha256(orjson.dumps(item.to_dict(), default=str, option=options))
        assert result.hashes[("jira", item.key)] == old.hexdigest()
    assert rows(store)["PAY-1"][0] == result.hashes[("jira", "PAY-1")]
    assert [store.get_item("jira", i.key) for i in items] == items
