"""One scheduler per SQLite store: a lease row with heartbeat; catch-up of a missed run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.scheduler.leader import SchedulerBusy, SqliteLease, current_holder
from bot.scheduler.runner import JobSpec, SchedulerRunner
from bot.scheduler.triggers import crontab_trigger
from bot.store import open_store
from bot.store.models import JobRun, SchedulerLease


def test_a_second_scheduler_on_the_same_file_refuses(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'refinery.db'}"
    first = SqliteLease(open_store(url), holder="host-a:100:aaaa")
    second = SqliteLease(open_store(url), holder="host-b:200:bbbb")
    first.start(lambda: None, lambda: None)
    with pytest.raises(SchedulerBusy) as refused:
        second.acquire()
    message = str(refused.value)
    assert (
        "Another Refinery scheduler already runs on this SQLite store (host-a:100:aaaa" in message
    )
    assert "PostgreSQL" in message
    assert current_holder(first.store) == "host-a:100:aaaa"
    # once the first stops, its lease is released and the second may start
    first.stop()
    second.acquire()
    assert current_holder(second.store) == "host-b:200:bbbb"


def test_a_stale_lease_is_taken_over_and_the_old_holder_notices(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'refinery.db'}")
    clock = [datetime(2026, 11, 30, 8, 0, tzinfo=UTC)]
    old = SqliteLease(store, holder="dead:1:x", clock=lambda: clock[0])
    new = SqliteLease(store, holder="alive:2:y", clock=lambda: clock[0])
    old.acquire()
    clock[0] += timedelta(seconds=119)
    with pytest.raises(SchedulerBusy):
        new.acquire()
    clock[0] += timedelta(seconds=2)  # heartbeat now 121 s old: stale
    new.acquire()
    assert current_holder(store) == "alive:2:y"
    assert old.beat() is False  # the old process learns it lost the lease
    assert new.beat() is True


def test_the_heartbeat_thread_stops_the_jobs_when_the_lease_is_lost(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'refinery.db'}")
    lease = SqliteLease(store, holder="me:1:z", heartbeat=0.05)
    lost = threading.Event()
    lease.start(lambda: None, lost.set)
    with store.session() as session:
        row = session.get(SchedulerLease, SqliteLease.NAME)
        assert row is not None
        row.holder = "thief:9:q"
    assert lost.wait(10)
    assert lease.is_leader is False
    lease.stop()


def test_a_run_missed_while_down_runs_once_on_start(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'refinery.db'}")
    now = datetime.now(UTC)
    with store.session() as session:
        session.add(JobRun(job="tick", last_run_at=now - timedelta(minutes=5), status="ok"))
    ran: list[datetime] = []
    done = threading.Event()

    def job(fire: datetime) -> str:
        ran.append(fire)
        done.set()
        return "ok"

    spec = JobSpec("tick", crontab_trigger("* * * * *", UTC), job)
    runner = SchedulerRunner(
        store, [spec], SqliteLease(store), timezone=UTC, grace_seconds=3600
    ).start()
    try:
        assert done.wait(20), "the missed run did not start"
    finally:
        runner.shutdown()
    assert 1 <= len(ran) <= 2  # once, not once per missed minute (a second if a minute passed)
    latest_minute = now.replace(second=0, microsecond=0)
    assert ran[0] >= latest_minute  # the run covers the latest tick, not the five missed ones
    with store.session() as session:
        row = session.get(JobRun, "tick")
        assert row is not None and row.status == "ok" and row.last_run_at == ran[-1]
    assert current_holder(store) is None  # shutdown released the lease


def test_refinery_schedule_stands_by_then_takes_over_when_the_lease_is_freed(
    tmp_path: Path,
) -> None:
    db = tmp_path / "refinery.db"
    config = tmp_path / "refinery.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{db}"\n[schedule]\nleader_retry_seconds = 0.2\n'
        'sync = ""\ndigest = ""\n'
    )
    holder = SqliteLease(open_store(f"sqlite:///{db}"), holder="ops-box:4242:cafe")
    holder.acquire()
    log = tmp_path / "schedule.log"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "refinery"), "schedule", "--config", str(config)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + 120  # a cold start on a loaded machine is slow
        while "Standing by" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        seen = " ".join(log.read_text().split())
        assert "Standing by" in seen and "ops-box:4242:cafe" in seen, seen
        assert process.poll() is None  # still running: it retries instead of exiting
        holder.stop()  # the holder goes away: the standby takes the lease
        deadline = time.monotonic() + 60
        while current_holder(holder.store) in (None, "ops-box:4242:cafe"):
            assert time.monotonic() < deadline, "the standby never took the lease"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_a_refused_lease_keeps_retrying_and_a_dead_local_holder_is_taken_over_at_once(
    tmp_path: Path,
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'refinery.db'}")
    # A lease left by a process of this host that no longer runs (a crash, then a restart).
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with store.session() as session:
        session.add(
            SchedulerLease(
                name=SqliteLease.NAME,
                holder=f"{socket.gethostname()}:{dead.pid}:dead",
                heartbeat_at=datetime.now(UTC),
            )
        )
    elected = threading.Event()
    lease = SqliteLease(store, holder="me:1:z", retry_seconds=0.05)
    lease.start(elected.set, lambda: None)
    assert elected.wait(5) and lease.is_leader
    lease.stop()
    # Refused at start by a live holder: stands by, then leads once the holder is gone.
    live = SqliteLease(store, holder="other:2:y")
    live.acquire()
    elected.clear()
    standby = SqliteLease(store, holder="me:3:w", retry_seconds=0.05)
    standby.start(elected.set, lambda: None)
    assert not standby.is_leader and not elected.wait(0.3)
    live.stop()
    assert elected.wait(5) and current_holder(store) == "me:3:w"
    standby.stop()
