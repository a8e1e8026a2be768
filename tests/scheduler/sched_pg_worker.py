"""A scheduler process for the multi-replica tests: one job a second, recorded in `ticks`.

Run as: python -c "import sys; from sched_pg_worker import main; main(sys.argv[1:])" URL LOCK RETRY
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text

from bot.scheduler.runner import JobSpec, SchedulerRunner, leadership_for
from bot.store import open_store


def main(argv: list[str]) -> None:
    url, lock_name, retry = argv[0], argv[1], float(argv[2])
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
    store = open_store(url)
    pid = os.getpid()

    def tick(fire: datetime) -> None:
        with store.session() as session:
            session.execute(
                text("INSERT INTO ticks (fire_at, pid) VALUES (:fire, :pid)"),
                {"fire": fire.isoformat(), "pid": pid},
            )

    spec = JobSpec("tick", CronTrigger(second="*", timezone=UTC), tick)
    leadership = leadership_for(store, retry_seconds=retry, lock_name=lock_name)
    runner = SchedulerRunner(store, [spec], leadership, timezone=UTC, grace_seconds=5).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"worker {pid} started", flush=True)
    stop.wait()
    runner.shutdown()
    print(f"worker {pid} stopped", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
