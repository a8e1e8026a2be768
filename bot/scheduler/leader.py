"""Decide which process runs the scheduler: a PostgreSQL advisory lock, or a SQLite lease."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.store import Store
from bot.store.holders import holder_gone
from bot.store.holders import holder_id as holder_id  # re-exported for older imports
from bot.store.leases import (
    LEADER_ERRORS,
    Lease,
    Leases,
    conninfo,
    lock_connection,
    ping,
    try_advisory_lock,
)

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
        self.conninfo = conninfo(url)
        self.key = lock_key(name)
        self.retry_seconds = retry_seconds
        self._connect = connect or lock_connection
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
                except Exception:  # the caller's start-up, whatever it raises
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
            return try_advisory_lock(self._connection, self.key)
        except LEADER_ERRORS as exc:  # drop the connection, try again later
            log.warning(
                "scheduler: cannot reach PostgreSQL for leader election: %s",
                type(exc).__name__,
                exc_info=True,
            )
            self._close()
            return False

    def _alive(self) -> bool:
        connection = self._connection
        if connection is None:
            return False
        try:
            ping(connection)
            return True
        except LEADER_ERRORS:
            log.warning("scheduler: the lock connection does not answer", exc_info=True)
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
            except LEADER_ERRORS:
                log.debug("scheduler: closing the leader connection failed", exc_info=True)


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
        self.leases = Leases(store)
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

        def may_take(lease: Lease) -> bool:
            stale = now - lease.heartbeat_at > self.stale_after
            if stale or holder_gone(lease.holder, self.holder):
                log.warning("scheduler: taking over a stale lease from %s", lease.holder)
                return True
            return False

        taken, refused = self.leases.take(self.NAME, self.holder, now, may_take)
        if not taken:
            if refused is None:
                raise self._busy(None, None)
            raise self._busy(refused.holder, refused.heartbeat_at)
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
        except LEADER_ERRORS:
            log.exception("scheduler: cannot check the lease; not running the job")
            return False

    def beat(self) -> bool:
        """Renew the heartbeat; False when another process has taken the lease."""
        return self.leases.renew(self.NAME, self.holder, self._clock())

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._leader:
            self._leader = False
            self._on_lost()
            self.leases.release(self.NAME, self.holder)

    def _beat(self, on_elected: Callback) -> None:
        while not self._stop.wait(self.heartbeat if self._leader else self.retry_seconds):
            if not self._leader:
                try:
                    self.acquire()
                except SchedulerBusy:
                    continue
                except LEADER_ERRORS:
                    log.exception("scheduler: cannot read the lease")
                    continue
                log.warning("scheduler: took the lease; running the jobs here")
                on_elected()
                continue
            try:
                kept = self.beat()
            except LEADER_ERRORS:
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
    return Leases(store).holder(SqliteLease.NAME)


def _nothing() -> None:
    return None
