"""The backlog as a few indexed columns per item, for backlog rules, and the leanness report's
counts taken by the database: no item's JSON is decoded in Python."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, case, exists, func, or_, select

from bot.store.models import CommentLedger, ItemRow
from bot.store.readiness import OPEN
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


@dataclass(frozen=True)
class LeanFacts:
    """The leanness report's counts, taken by the database; per-item rows only for the open
    items Refinery commented on (whether a person touched those needs its own write times)."""

    open_items: int
    by_age: tuple[int, ...]  # open items created after each cutoff band, newest band first
    untouched: int  # open items without Refinery's comment that no person updated
    points: float
    unestimated: int
    done_sprints: tuple[tuple[str, float, datetime | None], ...]  # sprint, points, last update
    commented: tuple[Commented, ...]


class Commented(NamedTuple):
    key: str
    created: datetime | None
    updated: datetime | None
    own: OwnWrites


def lean_facts(
    store: Store,
    source: str | None,
    projects: Sequence[str] | None,
    age_cutoffs: Sequence[datetime],
    slack: timedelta,
) -> LeanFacts:
    """Count the live items in scope (a source and/or projects; None: any) for the leanness
    report: open items by creation against `age_cutoffs` (newest first: band i holds items
    created after cutoff i and not after cutoff i-1; the last band the rest), the untouched
    (updated within `slack` of creation, or never) among items Refinery never commented on,
    points, unestimated items, and done points per sprint. One scan of the report index for
    the open items; only done items' JSON is read, for their sprint."""
    scope: list[Any] = [ItemRow.gone_at.is_(None)]
    if source is not None:
        scope.append(ItemRow.source == source)
    if projects:
        scope.append(ItemRow.project.in_(list(projects)))
    # The open categories by name, not "!= done": the report index then narrows the scan.
    is_open = ItemRow.status_category.in_(OPEN)
    ledger_join = and_(CommentLedger.source == ItemRow.source, CommentLedger.key == ItemRow.key)
    bands = [func.sum(case((ItemRow.created > cutoff, 1), else_=0)) for cutoff in age_cutoffs]
    counts = select(
        func.count(),
        func.sum(ItemRow.estimate),
        func.sum(case((ItemRow.estimate.is_(None), 1), else_=0)),
        *bands,
    ).where(*scope, is_open)
    untouched = select(func.count()).where(
        *scope, is_open, ~exists().where(ledger_join), _untouched(store, slack)
    )
    sprint = ItemRow.data["sprint"].as_string()
    sprints = (
        select(sprint, func.sum(ItemRow.estimate), func.max(ItemRow.updated))
        .where(*scope, ItemRow.status_category == "done", ItemRow.estimate.is_not(None))
        .where(sprint.is_not(None), sprint != "")
        .group_by(sprint)
    )
    commented = (
        select(
            ItemRow.key,
            ItemRow.created,
            ItemRow.updated,
            CommentLedger.posted_at,
            CommentLedger.edited_at,
            CommentLedger.human_updated,
        )
        .join(CommentLedger, ledger_join)
        .where(*scope, is_open)
    )
    with store.engine.connect() as connection:
        items, points, unestimated, *newer = connection.execute(counts).one()
        never = connection.execute(untouched).scalar() or 0
        done = tuple(
            (str(name), float(total or 0), last)
            for name, total, last in connection.execute(sprints)
        )
        ours = tuple(
            Commented(key, created, updated, OwnWrites(_times(posted, edited), human))
            for key, created, updated, posted, edited, human in connection.execute(commented)
        )
    # Each cutoff counts everything newer; the bands are the differences.
    items = int(items or 0)
    upto = [int(n or 0) for n in newer]
    by_age = tuple(b - a for b, a in zip([*upto, items], [0, *upto], strict=True))
    return LeanFacts(
        items, by_age, int(never), float(points or 0), int(unestimated or 0), done, ours
    )


def _untouched(store: Store, slack: timedelta) -> Any:
    """No person updated the item after creating it: never updated, or within `slack` of
    creation (Refinery's own writes are the ledger's; those items are decided in Python)."""
    if store.is_postgres:
        within = ItemRow.updated - ItemRow.created <= slack
    else:
        # SQLite keeps times as text; julianday() reads them to the millisecond, which is
        # as fine as Jira's and GitHub's own timestamps.
        days = slack.total_seconds() / 86400
        within = func.julianday(ItemRow.updated) - func.julianday(ItemRow.created) <= days
    return or_(ItemRow.updated.is_(None), and_(ItemRow.created.is_not(None), within))


def _times(*values: datetime | None) -> tuple[datetime, ...]:
    return tuple(value for value in values if value is not None)
