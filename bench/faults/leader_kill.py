"""Two scheduler replicas on one PostgreSQL database; the leader's lock connection is killed
again and again. Every run of the job is recorded with its fire time: none may appear twice.

The replicas retry the election at different speeds (the leader's 60 s against a standby's
2 s, as in the report that found the overlap), so only the fence before each run keeps a
leader that lost its lock from running a tick the new leader runs too."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from apscheduler.triggers.cron import CronTrigger

from bot.scheduler.leader import PostgresLeader
from bot.scheduler.runner import JobSpec, SchedulerRunner
from bot.store import open_store


@dataclass
class Outcome:
    kills: int = 0
    runs: list[tuple[str, str]] = field(default_factory=list)  # (fire time, replica)
    skipped: int = 0
    elections: int = 0
    seconds: float = 0.0

    @property
    def duplicates(self) -> int:
        counts = Counter(fire for fire, _ in self.runs)
        return sum(n - 1 for n in counts.values() if n > 1)

    def line(self) -> str:
        return (
            f"{self.kills} lock connections killed in {self.seconds:.0f} s: {len(self.runs)} "
            f"runs over {len({f for f, _ in self.runs})} ticks, {self.duplicates} ticks run "
            f"twice, {self.skipped} runs fenced off, {self.elections} elections"
        )


def run(
    url: str, admin_dsn: str, kills: int = 20, retries: tuple[float, float] = (60.0, 2.0)
) -> Outcome:
    """`url`: the store (SQLAlchemy URL, migrated here); `admin_dsn`: libpq DSN to kill with."""
    store = open_store(url)
    lock = f"refinery-fence-{uuid.uuid4().hex[:8]}"
    outcome = Outcome()
    guard = threading.Lock()
    runners: list[tuple[str, PostgresLeader, SchedulerRunner]] = []
    for name, retry in zip(("a", "b"), retries, strict=True):

        def job(fire: datetime, replica: str = name) -> str:
            with guard:
                outcome.runs.append((fire.isoformat(), replica))
            time.sleep(0.05)
            return "ok"

        leader = PostgresLeader(url, name=lock, retry_seconds=retry)
        spec = JobSpec("fence-tick", CronTrigger(second="*", timezone=UTC), job)
        runner = SchedulerRunner(store, [spec], leader, timezone=UTC, grace_seconds=30)
        runners.append((name, leader, runner))
    started = time.monotonic()
    for _, _, runner in runners:
        runner.start()
        time.sleep(0.5)  # a leads first
    try:
        while outcome.kills < kills and time.monotonic() - started < 600:
            leading = [(n, le) for n, le, _ in runners if le.is_leader and le._connection]
            if not leading:
                time.sleep(0.1)
                continue
            before = len(outcome.runs)
            deadline = time.monotonic() + 5
            while len(outcome.runs) < before + 2 and time.monotonic() < deadline:
                time.sleep(0.05)  # let the new leader run a tick or two first
            _, leader = leading[0]
            connection: Any = leader._connection
            if connection is None:
                continue
            pid = connection.info.backend_pid
            with psycopg.connect(admin_dsn, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            outcome.kills += 1
            time.sleep(0.3)
        last = len(outcome.runs)
        deadline = time.monotonic() + 15
        while len(outcome.runs) < last + 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # a leader again after the last kill, running ticks
    finally:
        for _, _, runner in runners:
            runner.shutdown()
        outcome.seconds = time.monotonic() - started
        for _, _, runner in runners:
            outcome.skipped += runner.skipped
        with store.session() as session:
            from sqlalchemy import func, select

            from bot.store.models import LeaderEpoch

            outcome.elections = int(
                session.scalar(select(func.count()).select_from(LeaderEpoch)) or 0
            )
        store.close()
    return outcome
