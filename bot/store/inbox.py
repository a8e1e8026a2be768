"""The webhook inbox: deliveries stored before they are answered, claimed and worked until done.

Every replica may work the inbox. A claim is a lease (`claimed_until`), taken with
`FOR UPDATE SKIP LOCKED` on PostgreSQL so two replicas never pick the same row; a process
killed mid-work leaves a lease that expires, or that a restart on the same host takes back at
once because the holder's process is gone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.store.cas import changed, swapped
from bot.store.holders import holder_gone
from bot.store.models import WebhookDelivery
from bot.store.store import Store, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20  # about a day of capped back-off before a delivery is left as failed
BACKOFF_CAP = timedelta(minutes=10)


class StoreUnavailable(Exception):
    """The store cannot take a delivery now (database down, disk full): answer 503."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One claimed delivery: enough to parse and handle it again after a restart."""

    delivery_id: str
    source: str
    event_name: str
    body: bytes
    attempts: int


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... seconds after each failed attempt, at most ten minutes."""
    return min(timedelta(seconds=2 ** min(attempts, 20)), BACKOFF_CAP)


class Inbox:
    """Repository of the webhook_deliveries table (the inbox and the delivery-id dedupe)."""

    def __init__(self, store: Store, holder: str, lease: timedelta) -> None:
        self.store = store
        self.holder = holder
        self.lease = lease

    def add(self, source: str, delivery_id: str, body: bytes, event_name: str = "") -> bool:
        """Store a verified delivery as pending; False when its id was seen before.

        Raises StoreUnavailable when the database cannot take it, so the sender retries.
        """
        try:
            with self.store.session() as session:
                session.add(
                    WebhookDelivery(
                        delivery_id=delivery_id,
                        source=source,
                        received_at=utcnow(),
                        status="pending",
                        event_name=event_name[:64],
                        body=body,
                        attempts=0,
                    )
                )
        except IntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise StoreUnavailable(type(exc).__name__) from exc
        return True

    def remember(self, source: str, delivery_id: str) -> bool:
        """Record an id with nothing to work (a Slack submission); False when seen before."""
        try:
            with self.store.session() as session:
                session.add(
                    WebhookDelivery(
                        delivery_id=delivery_id,
                        source=source,
                        received_at=utcnow(),
                        status="done",
                        done_at=utcnow(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def forget(self, delivery_id: str) -> None:
        """Drop a remembered id (the work it guarded failed and may be tried again)."""
        with self.store.session() as session:
            session.execute(
                delete(WebhookDelivery).where(WebhookDelivery.delivery_id == delivery_id)
            )

    def claim(self, limit: int, now: datetime | None = None) -> list[Delivery]:
        """Take up to `limit` due pending deliveries, oldest first, under a lease."""
        now = now or utcnow()
        due = and_(
            WebhookDelivery.status == "pending",
            or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
        )
        query = (
            select(WebhookDelivery)
            .where(due)
            .order_by(WebhookDelivery.received_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed: list[Delivery] = []
        with self.store.session() as session:
            for row in session.scalars(query).all():
                # Conditional: on SQLite two threads may have read the same row.
                taken = swapped(
                    session,
                    update(WebhookDelivery)
                    .where(WebhookDelivery.delivery_id == row.delivery_id, due)
                    .values(claimed_by=self.holder, claimed_until=now + self.lease)
                    .execution_options(synchronize_session=False),
                )
                if taken:
                    claimed.append(
                        Delivery(
                            row.delivery_id,
                            row.source,
                            row.event_name,
                            row.body or b"",
                            row.attempts,
                        )
                    )
        return claimed

    def done(self, delivery_id: str) -> None:
        with self.store.session() as session:
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.delivery_id == delivery_id)
                .values(
                    status="done",
                    done_at=utcnow(),
                    claimed_by=None,
                    claimed_until=None,
                    body=None,  # the item is stored; the payload is not needed any more
                )
            )

    def retry_later(self, delivery: Delivery, error: str) -> str:
        """Count a failed attempt; back off, or give up after MAX_ATTEMPTS. Returns the status."""
        attempts = delivery.attempts + 1
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        with self.store.session() as session:
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.delivery_id == delivery.delivery_id)
                .values(
                    status=status,
                    attempts=attempts,
                    next_attempt_at=utcnow() + backoff(attempts),
                    claimed_by=None,
                    claimed_until=None,
                    last_error=error[:2000],
                )
            )
        return status

    def release_dead_claims(self) -> int:
        """Free the leases of this host's processes that no longer run (a restart after a kill)."""
        now = utcnow()
        with self.store.session() as session:
            holders = set(
                session.scalars(
                    select(WebhookDelivery.claimed_by)
                    .where(WebhookDelivery.status == "pending")
                    .where(WebhookDelivery.claimed_until >= now)
                    .distinct()
                )
            )
            dead = [h for h in holders if h and holder_gone(h, self.holder)]
            if not dead:
                return 0
            return changed(
                session,
                update(WebhookDelivery)
                .where(WebhookDelivery.claimed_by.in_(dead), WebhookDelivery.status == "pending")
                .values(claimed_by=None, claimed_until=None),
            )

    def counts(self) -> dict[str, int]:
        """Deliveries per status (pending, done, failed)."""
        with self.store.session() as session:
            rows = session.execute(
                select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
            )
            return {status: int(count) for status, count in rows}

    def next_due(self) -> datetime | None:
        """When the earliest pending delivery may be tried (None: nothing pending)."""
        with self.store.session() as session:
            found: datetime | None = session.scalar(
                select(
                    func.min(
                        func.coalesce(WebhookDelivery.next_attempt_at, WebhookDelivery.received_at)
                    )
                ).where(WebhookDelivery.status == "pending")
            )
            return found

    def prune(self, older_than: timedelta) -> int:
        """Forget handled deliveries old enough that no sender redelivers them."""
        cutoff = utcnow() - older_than
        with self.store.session() as session:
            return changed(
                session,
                delete(WebhookDelivery).where(
                    WebhookDelivery.received_at < cutoff, WebhookDelivery.status != "pending"
                ),
            )
