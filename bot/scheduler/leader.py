"""Decide which process runs the scheduler: a PostgreSQL advisory lock, or a SQLite lease."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot.store import Store
from bot.store.holders import holder_gone
from bot.store.holders import holder_id as holder_id  # re-exported for older imports
from bot.store.models import SchedulerLease

log = logging.getLogger(__name__)

Callback = Callable[[], None]
DEFAULT_LOCK_NAME = "refinery-scheduler"


class SchedulerBusy(Exception):
    """Another scheduler already runs on this store; the message says what to do."""


class Leadership(Protocol):
    """Calls on_elected when this process may run the scheduler and on_lost when it may not."""

    @property
    def is_leader(self) -> bool: ...

    @property
    def holder(self) -> str: ...

    def start(self, on_elected: Callback, on_lost: Callback) -> None: ...

    def still_leader(self) -> bool:
        """Check, right now, that this process still holds leadership (before each job run)."""
        ...

    def stop(self) -> None: ...


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a lock name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PostgresLeader:
    """Hold pg_try_advisory_lock on a dedicated connection; standbys retry every few seconds.

    The lock belongs to the database session, so it is released the moment the leader's
    connection closes (process killed, host gone, TCP keepalive expired). While leading, the
    connection is checked on the same interval; if it breaks, leadership is given up at once.
    """

    def __init__(
        self,
        url: str,
        *,
        name: str = DEFAULT_LOCK_NAME,
        retry_seconds: float = 15.0,
        connect: Callable[[str], Any] | None = None,
    ) -> None:
        self.conninfo = _conninfo(url)
        self.key = lock_key(name)
        self.retry_seconds = retry_seconds
        self._connect = connect or _psycopg_connect
        self._connection: Any = None
        self._leader = False
        self._suspect = False  # a job's check found the connection broken: resign now
        self._holder = holder_id()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_elected: Callback = _nothing
        self._on_lost: Callback = _nothing

    @property
    def is_leader(self) -> bool:
        return self._leader

    @property
    def holder(self) -> str:
        return self._holder

    def start(self, on_elected: Callback, on_lost: Callback) -> None:
        self._on_elected, self._on_lost = on_elected, on_lost
        self._thread = threading.Thread(target=self._loop, name="refinery-leader", daemon=True)
        self._thread.start()

    def still_leader(self) -> bool:
        """Ask the lock's own session: a session that answers still holds its advisory lock;
        one that does not (killed, network gone) has lost it, and the jobs stop here."""
        if not self._leader or self._suspect:
            return False
        if self._alive():
            return True
        log.error("scheduler: the leader's lock connection is gone; not running the job")
        self._suspect = True
        self._wake.set()  # the election thread resigns (stopping the scheduler) right away
        return False

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.retry_seconds + 10)
        self._resign()

    def _loop(self) -> None:
        announced = False
        while not self._stop.is_set():
            if self._leader:
                if self._suspect or not self._alive():
                    log.error("scheduler: lost the database connection; standing by")
                    self._resign()
            elif self._try_acquire():
                log.info("scheduler: elected leader (advisory lock %s)", self.key)
                self._leader = True
                try:
                    self._on_elected()
                except Exception:
                    # Never hold the lock without running the jobs: let another replica try.
                    log.exception("scheduler: could not start the jobs; giving up the lock")
                    self._resign()
            elif not announced:
                log.info(
                    "scheduler: another replica leads; standing by (retry every %g s)",
                    self.retry_seconds,
                )
                announced = True
            self._wake.wait(self.retry_seconds)
            self._wake.clear()

    def _try_acquire(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self._connect(self.conninfo)
            row = self._connection.execute(
                "SELECT pg_try_advisory_lock(%s)", (self.key,)
            ).fetchone()
            return bool(row and row[0])
        except Exception as exc:  # any driver error: drop the connection, try again later
            log.warning(
                "scheduler: cannot reach PostgreSQL for leader election: %s", type(exc).__name__
            )
            self._close()
            return False

    def _alive(self) -> bool:
        connection = self._connection
        if connection is None:
            return False
        try:
            connection.execute("SELECT 1").fetchone()
            return True
        except Exception:
            return False

    def _resign(self) -> None:
        was_leader, self._leader = self._leader, False
        self._suspect = False
        if was_leader:
            self._on_lost()
        self._close()  # closing the session releases the lock

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                log.debug("scheduler: closing the leader connection failed", exc_info=True)


def _conninfo(url: str) -> str:
    """Turn a SQLAlchemy URL into a libpq URI psycopg accepts (password kept, never logged)."""
    parsed = make_url(url)
    rendered: str = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return rendered


def _psycopg_connect(conninfo: str) -> Any:
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


class SqliteLease:
    """A lease row with holder and heartbeat; a second scheduler on the same file refuses.

    A lease whose heartbeat is older than `stale_after` seconds belonged to a process that
    died without releasing it, and is taken over.
    """

    NAME = "scheduler"

    def __init__(
        self,
        store: Store,
        *,
        holder: str | None = None,
        stale_after: float = 120.0,
        heartbeat: float = 30.0,
        retry_seconds: float = 15.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self._holder = holder or holder_id()
        self.retry_seconds = retry_seconds
        self.stale_after = timedelta(seconds=stale_after)
        self.heartbeat = heartbeat
        self._clock = clock or (lambda: datetime.now(UTC))
        self._leader = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_lost: Callback = _nothing

    @property
    def is_leader(self) -> bool:
        return self._leader

    @property
    def holder(self) -> str:
        return self._holder

    def acquire(self) -> None:
        """Take the lease, or raise SchedulerBusy naming who holds it."""
        now = self._clock()
        with self.store.session() as session:
            row = session.get(SchedulerLease, self.NAME)
            if row is None:
                session.add(SchedulerLease(name=self.NAME, holder=self.holder, heartbeat_at=now))
                try:
                    session.flush()
                except IntegrityError:
                    raise self._busy(None, None) from None
            elif (
                row.holder != self.holder
                and now - row.heartbeat_at <= self.stale_after
                and not holder_gone(row.holder, self.holder)
            ):
                raise self._busy(row.holder, row.heartbeat_at)
            else:
                if row.holder != self.holder:
                    log.warning("scheduler: taking over a stale lease from %s", row.holder)
                taken = session.execute(
                    update(SchedulerLease)
                    .where(SchedulerLease.name == self.NAME)
                    .where(SchedulerLease.holder == row.holder)
                    .where(SchedulerLease.heartbeat_at == row.heartbeat_at)
                    .values(holder=self.holder, heartbeat_at=now)
                )
                if taken.rowcount != 1:  # type: ignore[attr-defined]
                    raise self._busy(None, None)
        self._leader = True

    def start(self, on_elected: Callback, on_lost: Callback) -> None:
        """Lead now, or stand by: a refused scheduler retries every `retry_seconds` and takes
        the lease once its holder releases it or stops beating (a crashed process)."""
        self._on_lost = on_lost
        try:
            self.acquire()
        except SchedulerBusy as exc:
            log.warning("scheduler: standing by (retry every %g s): %s", self.retry_seconds, exc)
        else:
            on_elected()
        self._thread = threading.Thread(
            target=self._beat, args=(on_elected,), name="refinery-lease", daemon=True
        )
        self._thread.start()

    def still_leader(self) -> bool:
        """Renew the heartbeat now: False when another process has taken the lease."""
        if not self._leader:
            return False
        try:
            return self.beat()
        except Exception:
            log.exception("scheduler: cannot check the lease; not running the job")
            return False

    def beat(self) -> bool:
        """Renew the heartbeat; False when another process has taken the lease."""
        with self.store.session() as session:
            renewed = session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == self.NAME, SchedulerLease.holder == self.holder)
                .values(heartbeat_at=self._clock())
            )
            return bool(renewed.rowcount)  # type: ignore[attr-defined]

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._leader:
            self._leader = False
            self._on_lost()
            with self.store.session() as session:
                session.execute(
                    delete(SchedulerLease).where(
                        SchedulerLease.name == self.NAME, SchedulerLease.holder == self.holder
                    )
                )

    def _beat(self, on_elected: Callback) -> None:
        while not self._stop.wait(self.heartbeat if self._leader else self.retry_seconds):
            if not self._leader:
                try:
                    self.acquire()
                except SchedulerBusy:
                    continue
                except Exception:
                    log.exception("scheduler: cannot read the lease")
                    continue
                log.warning("scheduler: took the lease; running the jobs here")
                on_elected()
                continue
            try:
                kept = self.beat()
            except Exception:
                log.exception("scheduler: cannot renew the lease heartbeat")
                continue
            if not kept:
                log.error("scheduler: another process took over the lease; stopping jobs here")
                self._leader = False
                self._on_lost()

    def _busy(self, holder: str | None, heartbeat: datetime | None) -> SchedulerBusy:
        who = f" ({holder}, last heartbeat {heartbeat:%Y-%m-%d %H:%M:%S} UTC)" if holder else ""
        seconds = int(self.stale_after.total_seconds())
        return SchedulerBusy(
            f"Another Refinery scheduler already runs on this SQLite store{who}. "
            "Run one `refinery serve` or `refinery schedule` per SQLite database, or move "
            "the store to PostgreSQL to run several replicas. If that process is gone, its "
            f"lease expires {seconds} s after its last heartbeat."
        )


def current_holder(store: Store) -> str | None:
    """Who holds the SQLite lease now (for status output)."""
    with store.session() as session:
        holder: str | None = session.scalar(
            select(SchedulerLease.holder).where(SchedulerLease.name == SqliteLease.NAME)
        )
        return holder


def _nothing() -> None:
    return None
