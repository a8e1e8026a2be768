"""Scheduler leadership in the database: the SQLite lease row and the PostgreSQL advisory lock.

The election logic (when to retry, resign, call back) stays in `bot.scheduler.leader`; this
module holds only the SQL and the driver calls it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.store.cas import changed, swapped
from bot.store.models import SchedulerLease
from bot.store.store import Store


def _driver_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg
    except ImportError:  # the [postgres] extra is not installed: only SQLite is in use
        return ()
    return (psycopg.Error,)


# What the lock connection or the lease queries can raise: SQLAlchemy's errors (the lease),
# psycopg's DB-API errors (the advisory lock's own connection) and the socket's OSError.
LEADER_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, *_driver_errors(), OSError)


@dataclass(frozen=True, slots=True)
class Lease:
    name: str
    holder: str
    heartbeat_at: datetime


class Leases:
    """The scheduler lease rows of a SQLite store (one per lease name)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def take(
        self, name: str, holder: str, now: datetime, may_take: Callable[[Lease], bool]
    ) -> tuple[bool, Lease | None]:
        """Hold lease `name` for `holder`: (True, None) when taken (new, renewed or taken over
        because `may_take` allowed it); (False, lease) when refused, lease None when another
        process won a race for it."""
        with self.store.session() as session:
            row = session.get(SchedulerLease, name)
            if row is None:
                session.add(SchedulerLease(name=name, holder=holder, heartbeat_at=now))
                try:
                    session.flush()
                except IntegrityError:
                    return False, None
                return True, None
            seen = Lease(row.name, row.holder, row.heartbeat_at)
            if row.holder != holder and not may_take(seen):
                return False, seen
            won = swapped(
                session,
                update(SchedulerLease)
                .where(SchedulerLease.name == name)
                .where(SchedulerLease.holder == seen.holder)
                .where(SchedulerLease.heartbeat_at == seen.heartbeat_at)
                .values(holder=holder, heartbeat_at=now),
            )
            return (True, None) if won else (False, None)

    def renew(self, name: str, holder: str, now: datetime) -> bool:
        """Move the heartbeat; False when another holder has the lease now."""
        with self.store.session() as session:
            return (
                changed(
                    session,
                    update(SchedulerLease)
                    .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
                    .values(heartbeat_at=now),
                )
                > 0
            )

    def release(self, name: str, holder: str) -> None:
        with self.store.session() as session:
            session.execute(
                delete(SchedulerLease).where(
                    SchedulerLease.name == name, SchedulerLease.holder == holder
                )
            )

    def holder(self, name: str) -> str | None:
        with self.store.session() as session:
            found: str | None = session.scalar(
                select(SchedulerLease.holder).where(SchedulerLease.name == name)
            )
            return found


# -- the PostgreSQL advisory lock, on a connection of its own ----------------------------------


def store_url(store: Store) -> str:
    """The store's own URL, password included, for the lock's separate connection."""
    rendered: str = store.engine.url.render_as_string(hide_password=False)
    return rendered


def conninfo(url: str) -> str:
    """Turn a SQLAlchemy URL into a libpq URI psycopg accepts (password kept, never logged)."""
    parsed = make_url(url)
    rendered: str = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return rendered


def lock_connection(conninfo: str) -> Any:
    """A psycopg connection in autocommit whose session will hold the advisory lock."""
    import psycopg

    connection = psycopg.connect(
        conninfo,
        autocommit=True,
        connect_timeout=10,
        application_name="refinery-scheduler",
        keepalives=1,
        keepalives_idle=15,
        keepalives_interval=5,
        keepalives_count=3,
    )
    # The server must notice a vanished leader host too (no FIN), or the lock would outlive it
    # by the OS default of two hours: probe from the server side after 15 s of silence.
    connection.execute("SET tcp_keepalives_idle = 15")
    connection.execute("SET tcp_keepalives_interval = 5")
    connection.execute("SET tcp_keepalives_count = 3")
    return connection


def try_advisory_lock(connection: Any, key: int) -> bool:
    """Take the session-level advisory lock `key` without waiting; False when held elsewhere."""
    row = connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
    return bool(row and row[0])


def ping(connection: Any) -> None:
    """Raise when the lock's session no longer answers (and so no longer holds the lock)."""
    connection.execute("SELECT 1").fetchone()
