"""Scheduled jobs in the store: the last run of each job, leader epochs and claimed ticks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.store.models import JobRun, JobTick, LeaderEpoch
from bot.store.store import Store


@dataclass(frozen=True, slots=True)
class Run:
    """The last run of one job."""

    job: str
    last_run_at: datetime
    status: str  # running | ok | partial | error
    detail: str


class JobRuns:
    """What the scheduler keeps across restarts and replicas."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def last(self, job: str) -> Run | None:
        with self.store.session() as session:
            row = session.get(JobRun, job)
            return _run(row) if row is not None else None

    def all(self) -> list[Run]:
        with self.store.session() as session:
            return [_run(row) for row in session.scalars(select(JobRun).order_by(JobRun.job))]

    def record(self, job: str, fire: datetime, status: str, detail: str) -> None:
        with self.store.session() as session:
            row = session.get(JobRun, job)
            if row is None:
                session.add(JobRun(job=job, last_run_at=fire, status=status, detail=detail))
            else:
                row.last_run_at, row.status, row.detail = fire, status, detail

    def new_epoch(self, holder: str, at: datetime) -> int:
        """Number a new election: epochs rise across replicas (the row id)."""
        with self.store.session() as session:
            row = LeaderEpoch(holder=holder, elected_at=at)
            session.add(row)
            session.flush()
            return int(row.id)

    def claim_tick(
        self, job: str, fire: datetime, epoch: int, holder: str, at: datetime, keep: timedelta
    ) -> bool:
        """Record that `epoch` runs `job` at `fire`; False when another epoch claimed it first.
        Ticks older than `keep` before `fire` are forgotten."""
        try:
            with self.store.session() as session:
                tick = JobTick(job=job, fire_at=fire, epoch=epoch, holder=holder, started_at=at)
                session.add(tick)
                session.flush()
                session.execute(
                    delete(JobTick).where(JobTick.job == job, JobTick.fire_at < fire - keep)
                )
        except IntegrityError:
            return False
        return True


def _run(row: JobRun) -> Run:
    return Run(row.job, row.last_run_at, row.status, row.detail)
