"""The backlog as a few indexed columns per item, for backlog rules and the leanness report:
no item's JSON is decoded in Python."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, case, select

from bot.store.models import CommentLedger, ItemRow
from bot.store.store import Store
from rules.backlog import Backlog, OwnWrites


def store_backlog(
    store: Store, projects: Sequence[str] | None = None, now: datetime | None = None
) -> Backlog:
    """The Backlog of the stored, not gone items, with Refinery's own comment writes so they
    never count as activity."""
    query = select(
        ItemRow.key, ItemRow.project, ItemRow.rank, ItemRow.status_category, ItemRow.title
    ).where(ItemRow.gone_at.is_(None))
    if projects:
        query = query.where(ItemRow.project.in_(list(projects)))
    with store.engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(query).all()]  # fetchall: fewer calls
        writes = _own_writes(connection)
    return Backlog.build(rows, now, writes)  # type: ignore[arg-type]


def own_writes_backlog(store: Store, now: datetime | None = None) -> Backlog:
    """A Backlog holding only Refinery's own comment writes and the clock: what telling a
    person's last update from Refinery's needs (the leanness report), without reading every
    item's rank and title."""
    with store.engine.connect() as connection:
        return Backlog.build([], now, _own_writes(connection))


def _own_writes(connection: Connection) -> dict[str, OwnWrites]:
    ledger = select(
        CommentLedger.key,
        CommentLedger.posted_at,
        CommentLedger.edited_at,
        CommentLedger.human_updated,
    )
    return {
        key: OwnWrites(tuple(t for t in (posted, edited) if t is not None), human)
        for key, posted, edited, human in connection.execute(ledger)
    }


class LeanRow(NamedTuple):
    """What the leanness report reads of an item, straight from the store's columns (a tuple:
    100,000 of them are made per report, and a frozen dataclass costs twice as much to build)."""

    key: str
    status_category: str
    created: datetime | None
    updated: datetime | None
    estimate: float | None
    sprint: str | None  # done items only


def leanness_rows(store: Store, projects: Sequence[str] | None = None) -> list[LeanRow]:
    """The live items' leanness facts: columns, and the sprint of done items only (read from
    the JSON by the database)."""
    # Only done items' sprints count; asking the JSON of those alone spares the database
    # reading every open item's document.
    sprint = case(
        (ItemRow.status_category == "done", ItemRow.data["sprint"].as_string()), else_=None
    )
    query = select(
        ItemRow.key,
        ItemRow.status_category,
        ItemRow.created,
        ItemRow.updated,
        ItemRow.estimate,
        sprint,
    ).where(ItemRow.gone_at.is_(None))
    if projects:
        query = query.where(ItemRow.project.in_(list(projects)))
    with store.engine.connect() as connection:
        return [LeanRow._make(row) for row in connection.execute(query).all()]
