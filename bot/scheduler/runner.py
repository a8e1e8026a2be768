"""Run scheduled jobs in a BackgroundScheduler while this process is the elected leader."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from bot.scheduler.leader import Leadership, PostgresLeader, SqliteLease
from bot.scheduler.triggers import last_fire_time
from bot.store import Store
from bot.store.errors import DatabaseError
from bot.store.jobs import JobRuns
from bot.store.leases import store_url

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

KEEP_TICKS = timedelta(days=14)  # who ran which fire time, kept a while for questions


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: its name (the JobRun key), trigger, and what it does.

    `func` receives the fire time the run covers (the trigger's latest time at or before now).
    """

    name: str
    trigger: BaseTrigger
    func: Callable[[datetime], object]


class SchedulerRunner:
    """Start the jobs when elected, stop them when leadership is lost or on shutdown."""

    def __init__(
        self,
        store: Store,
        specs: Sequence[JobSpec],
        leadership: Leadership,
        *,
        timezone: tzinfo,
        grace_seconds: int,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.runs = JobRuns(store)
        self.specs = list(specs)
        self.leadership = leadership
        self.timezone = timezone
        self.grace = timedelta(seconds=grace_seconds)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._scheduler: BackgroundScheduler | None = None
        self._lock = threading.Lock()
        self.epoch: int | None = None  # this leadership's epoch (a new one per election)
        self.skipped = 0  # runs not made: leadership lost, or the tick already run

    @property
    def is_leader(self) -> bool:
        return self.leadership.is_leader

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def start(self) -> SchedulerRunner:
        """Join the election; a refused process stands by and retries."""
        self.leadership.start(self._elected, self._lost)
        return self

    def shutdown(self) -> None:
        """Stop running jobs and give up leadership (the next replica takes over)."""
        self.leadership.stop()
        self._lost()

    def catch_up(self, spec: JobSpec, now: datetime) -> datetime | None:
        """The fire time missed while no scheduler ran, if it is still inside the grace window.

        A job that never ran is not caught up: there was nothing to miss on a fresh install.
        """
        missed = last_fire_time(spec.trigger, now.astimezone(self.timezone), self.grace)
        if missed is None:
            return None
        run = self.runs.last(spec.name)
        last = run.last_run_at if run else None
        if last is None or last >= missed:
            return None
        return missed

    def _elected(self) -> None:
        with self._lock:
            if self._scheduler is not None:
                return
            self.epoch = self._new_epoch()
            scheduler = BackgroundScheduler(timezone=self.timezone)
            now = self._clock()
            for spec in self.specs:
                options: dict[str, Any] = {}
                missed = self.catch_up(spec, now)
                if missed is not None:
                    log.warning(
                        "scheduler: %s missed its %s run; running it now", spec.name, missed
                    )
                    options["next_run_time"] = now
                scheduler.add_job(
                    self._run,
                    trigger=spec.trigger,
                    args=[spec],
                    id=spec.name,
                    name=spec.name,
                    coalesce=True,
                    max_instances=1,
                    misfire_grace_time=int(self.grace.total_seconds()),
                    **options,
                )
            scheduler.start()
            self._scheduler = scheduler
            log.info(
                "scheduler: running %s (leader epoch %s)",
                ", ".join(s.name for s in self.specs) or "no jobs",
                self.epoch,
            )

    def _new_epoch(self) -> int:
        return self.runs.new_epoch(self.leadership.holder, self._clock())

    def _lost(self) -> None:
        with self._lock:
            scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            # Let a running job finish: a digest half posted is worse than a late stop.
            scheduler.shutdown(wait=True)

    def _run(self, spec: JobSpec) -> None:
        now = self._clock()
        fire = last_fire_time(spec.trigger, now.astimezone(self.timezone), self.grace) or now
        # Fenced: a leader that lost its lock stops here, and a tick another epoch already
        # ran (two leaders overlapping for a moment) is not run again.
        if not self.leadership.still_leader():
            self.skipped += 1
            log.error("scheduler: %s not run: this process no longer leads", spec.name)
            return
        if not self._claim_tick(spec.name, fire):
            self.skipped += 1
            return
        # Recorded before the work: a run killed midway is not repeated on the next start
        # (a digest posted twice is worse than one posted late by hand).
        self._record(spec.name, fire, "running", "")
        try:
            detail = spec.func(fire)
        except Exception as exc:
            log.exception("scheduler: job %s failed", spec.name)
            self._record(spec.name, fire, "error", f"{type(exc).__name__}: {exc}"[:2000])
            return
        # A job reports partial failure (a channel that refused a digest) via a `failed` count.
        status = "partial" if getattr(detail, "failed", 0) else "ok"
        text = detail.line() if hasattr(detail, "line") else str(detail or "")
        self._record(spec.name, fire, status, text[:2000])

    def _claim_tick(self, job: str, fire: datetime) -> bool:
        """Record that this epoch runs `job` at `fire`; False when another epoch did."""
        epoch = self.epoch if self.epoch is not None else 0
        try:
            claimed = self.runs.claim_tick(
                job, fire, epoch, self.leadership.holder, self._clock(), KEEP_TICKS
            )
        except DatabaseError:
            log.exception("scheduler: cannot record the %s tick; not running it", job)
            return False
        if not claimed:
            log.warning("scheduler: %s at %s already ran under another epoch; skipped", job, fire)
        return claimed

    def _record(self, job: str, fire: datetime, status: str, detail: str) -> None:
        try:
            self.runs.record(job, fire, status, detail)
        except DatabaseError:
            log.exception("scheduler: cannot record the run of %s", job)


def leadership_for(
    store: Store, *, retry_seconds: float, lock_name: str | None = None
) -> Leadership:
    """PostgreSQL stores elect with an advisory lock; SQLite stores take the lease row."""
    if store.is_postgres:
        url = store_url(store)
        if lock_name:
            return PostgresLeader(url, retry_seconds=retry_seconds, name=lock_name)
        return PostgresLeader(url, retry_seconds=retry_seconds)
    return SqliteLease(store, retry_seconds=retry_seconds)
