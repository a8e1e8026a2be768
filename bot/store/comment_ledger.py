"""The comment ledger: what Refinery last said on each item, and who is writing it right now."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.cas import swapped
from bot.store.holders import PROCESS, holder_gone
from bot.store.models import CommentLedger, FindingRow
from bot.store.store import Store

CHUNK = 500
# A claim older than this was left by a crashed process and may be taken over.
CLAIM_TIMEOUT = timedelta(minutes=10)
# Tracker clocks and ours differ a little; an `updated` this close to our write was our write.
OWN_UPDATE_SLACK = timedelta(minutes=1)
POSTING = "posting"  # a new row whose first comment is being written


@dataclass(frozen=True, slots=True)
class LedgerState:
    """What the ledger said when an action was planned; the action runs only if it still does."""

    comment_id: str | None
    state: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class LedgerRow:
    comment_id: str | None
    state: str  # open | ready | deleted | dismissed | posting
    content_hash: str
    posted_at: datetime
    edited_at: datetime | None
    pending_since: datetime | None
    claimed_at: datetime | None
    human_updated: datetime | None
    claimed_by: str | None = None

    @property
    def claim_expired(self) -> bool:
        """Nobody holds it, or its holder died (on this host) or stopped renewing it."""
        if self.claimed_at is None:
            return True
        if self.claimed_by and holder_gone(self.claimed_by, PROCESS):
            return True
        return datetime.now(self.claimed_at.tzinfo) - self.claimed_at >= CLAIM_TIMEOUT

    @property
    def snapshot(self) -> LedgerState:
        return LedgerState(self.comment_id, self.state, self.content_hash)

    @property
    def last_write(self) -> datetime:
        return self.edited_at or self.posted_at


def rows(store: Store, source: str, keys: list[str]) -> dict[str, LedgerRow]:
    """Ledger rows of some items of one source, by key."""
    found: dict[str, LedgerRow] = {}
    with store.session() as session:
        for start in range(0, len(keys), CHUNK):
            query = select(CommentLedger).where(
                CommentLedger.source == source, CommentLedger.key.in_(keys[start : start + CHUNK])
            )
            for row in session.scalars(query):
                found[row.key] = LedgerRow(
                    row.comment_id,
                    row.state,
                    row.content_hash,
                    row.posted_at,
                    row.edited_at,
                    row.pending_since,
                    row.claimed_at,
                    row.human_updated,
                    row.claimed_by,
                )
    return found


def first_seen(store: Store, source: str, keys: list[str]) -> dict[str, dict[str, datetime]]:
    """When each open finding was first seen, per key and rule: the queue's age."""
    seen: dict[str, dict[str, datetime]] = {}
    with store.session() as session:
        for start in range(0, len(keys), CHUNK):
            query = select(FindingRow.key, FindingRow.rule, FindingRow.first_seen).where(
                FindingRow.source == source,
                FindingRow.key.in_(keys[start : start + CHUNK]),
                FindingRow.resolved_at.is_(None),
            )
            for key, rule_id, first in session.execute(query):
                seen.setdefault(key, {})[rule_id] = first
    return seen


def claim(store: Store, source: str, key: str, before: LedgerState | None, now: datetime) -> bool:
    """Take the item for one write if the ledger still says `before` and nobody holds it.

    A compare-and-set in the store, so two replicas (or the scheduler and a webhook thread)
    never write the same comment at once, and a stale plan never overwrites a newer write.
    """
    if before is None:
        try:
            with store.session() as session:
                session.add(
                    CommentLedger(
                        source=source,
                        key=key,
                        comment_id=None,
                        content_hash="",
                        state=POSTING,
                        posted_at=now,
                        claimed_at=now,
                        claimed_by=PROCESS,
                    )
                )
        except IntegrityError:
            return False  # someone created the row first
        return True
    same_id = (
        CommentLedger.comment_id.is_(None)
        if before.comment_id is None
        else CommentLedger.comment_id == before.comment_id
    )
    with store.session() as session:
        free = [CommentLedger.claimed_at.is_(None), CommentLedger.claimed_at < now - CLAIM_TIMEOUT]
        holder = session.scalar(
            select(CommentLedger.claimed_by).where(
                CommentLedger.source == source, CommentLedger.key == key
            )
        )
        if holder and holder_gone(holder, PROCESS):
            free.append(CommentLedger.claimed_by == holder)  # killed mid-write: take it now
        return swapped(
            session,
            update(CommentLedger)
            .where(
                CommentLedger.source == source,
                CommentLedger.key == key,
                CommentLedger.state == before.state,
                CommentLedger.content_hash == before.content_hash,
                same_id,
                or_(*free),
            )
            .values(claimed_at=now, claimed_by=PROCESS),
        )


def comment_id(store: Store, source: str, key: str) -> str | None:
    """The id of Refinery's comment on an item, if the ledger knows one."""
    with store.session() as session:
        found: str | None = session.scalar(
            select(CommentLedger.comment_id).where(
                CommentLedger.source == source, CommentLedger.key == key
            )
        )
        return found


def dismiss(store: Store, source: str, key: str, deleted_id: str) -> bool:
    """Someone deleted our comment `deleted_id`: forget it and stay quiet until the findings
    change. False when the ledger knows no such comment, or our own write on it is in flight
    (then the deletion was ours)."""
    with store.session() as session:
        row = session.scalar(
            select(CommentLedger).where(
                CommentLedger.source == source,
                CommentLedger.key == key,
                CommentLedger.comment_id == deleted_id,
            )
        )
        if row is None or row.claimed_at is not None:
            return False
        row.comment_id = None
        row.state = "dismissed"
    return True


def release(store: Store, source: str, key: str, before: LedgerState | None) -> None:
    """Give a claim back after a failed write, leaving the ledger as it was."""
    where = (CommentLedger.source == source, CommentLedger.key == key)
    with store.session() as session:
        if before is None:
            session.execute(delete(CommentLedger).where(*where, CommentLedger.state == POSTING))
        else:
            session.execute(
                update(CommentLedger).where(*where).values(claimed_at=None, claimed_by=None)
            )


def save(
    store: Store,
    source: str,
    key: str,
    *,
    comment_id: str | None,
    state: str,
    content_hash: str,
    human_updated: datetime | None,
    edited: bool,
    now: datetime,
) -> None:
    """Record a write that happened, and release the claim."""
    with store.session() as session:
        row = session.scalar(
            select(CommentLedger).where(CommentLedger.source == source, CommentLedger.key == key)
        )
        if row is None:  # the claim row vanished (an operator cleaned up): write it again
            row = CommentLedger(source=source, key=key, posted_at=now)
            session.add(row)
        if edited:
            row.edited_at = now
        else:
            row.posted_at, row.edited_at = now, None
        row.comment_id = comment_id
        row.content_hash = content_hash
        row.state = state
        row.pending_since = None
        row.claimed_at = None
        row.claimed_by = None
        row.human_updated = human_updated


def mark_pending(store: Store, pending: Iterable[tuple[str, str]], now: datetime) -> None:
    """Remember when left-over work first waited, so it goes first next run."""
    by_source: dict[str, list[str]] = {}
    for source, key in pending:
        by_source.setdefault(source, []).append(key)
    with store.session() as session:
        for source, keys in by_source.items():
            for start in range(0, len(keys), CHUNK):
                session.execute(
                    update(CommentLedger)
                    .where(
                        CommentLedger.source == source,
                        CommentLedger.key.in_(keys[start : start + CHUNK]),
                        CommentLedger.pending_since.is_(None),
                    )
                    .values(pending_since=now)
                )


def human_update(updated: datetime | None, row: LedgerRow | None) -> datetime | None:
    """The item's last update by a person: its `updated`, unless that was our own write."""
    if row is None or updated is None:
        return updated
    own = (row.posted_at, row.edited_at)
    if any(when is not None and abs(updated - when) <= OWN_UPDATE_SLACK for when in own):
        return row.human_updated
    return updated
