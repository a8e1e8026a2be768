"""Several replicas on one PostgreSQL database: exactly one runs the jobs; a standby takes over.

Needs the server at 127.0.0.1:5432 (trust auth, database `test`); skips with a message when it
is unreachable, and fails instead when CI=true. Each test works in its own schema.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bot.scheduler.leader import PostgresLeader
from bot.store import open_store

SERVER = os.environ.get(
    "REFINERY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+psycopg://", 1)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

pytestmark = pytest.mark.postgres


def _reachable() -> str | None:
    try:
        engine = create_engine(SERVER, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any reason: say it, skip (or fail in CI)
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A store URL on a fresh schema, migrated, with a `ticks` table; dropped afterwards."""
    problem = _reachable()
    if problem:
        message = f"PostgreSQL not reachable at {SERVER} ({problem})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; CI must run the multi-replica scheduler tests")
        pytest.skip(message + ": start it to run the multi-replica scheduler tests")
    schema = f"sched_{uuid.uuid4().hex[:10]}"
    admin = create_engine(SERVER)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{SERVER}?options=-csearch_path%3D{schema}"
    store = open_store(url)  # migrate once, before the replicas start
    with store.engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE ticks (id serial PRIMARY KEY, fire_at text NOT NULL, pid int)")
        )
    store.close()
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _wait(what: str, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class Worker:
    def __init__(self, url: str, lock: str, log: Path) -> None:
        self.log = log
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
        code = "import sys; from sched_pg_worker import main; main(sys.argv[1:])"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, url, lock, "0.3"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.pid = self.process.pid

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _ticks(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT fire_at, pid FROM ticks ORDER BY id"))
        return [(fire, pid) for fire, pid in rows]


def test_two_replicas_run_each_tick_once_and_a_standby_takes_over(
    pg_url: str, tmp_path: Path
) -> None:
    lock = f"refinery-test-{uuid.uuid4().hex}"
    engine = create_engine(pg_url)
    first = Worker(pg_url, lock, tmp_path / "first.log")
    second: Worker | None = None
    try:
        _wait("the first replica to be elected", lambda: "elected leader" in first.output())
        second = Worker(pg_url, lock, tmp_path / "second.log")
        _wait("the second replica to stand by", lambda: "standing by" in second.output())
        _wait("four ticks", lambda: len(_ticks(engine)) >= 4)
        before = _ticks(engine)
        assert {pid for _, pid in before} == {first.pid}, "the standby ran a job"
        assert "elected leader" not in second.output()

        first.process.kill()  # SIGKILL: no cleanup, the lock goes with the connection
        first.process.wait(10)
        _wait(
            "the standby to run the jobs",
            lambda: sum(pid == second.pid for _, pid in _ticks(engine)) >= 3,
        )
        assert "elected leader" in second.output()
        after = _ticks(engine)
        fires = [fire for fire, _ in after]
        assert len(fires) == len(set(fires)), f"a tick ran twice: {after}"
        last_first = max(fire for fire, pid in after if pid == first.pid)
        first_second = min(fire for fire, pid in after if pid == second.pid)
        assert first_second > last_first  # never both: the new leader starts after the old
    finally:
        first.stop()
        if second is not None:
            second.stop()
            assert "stopped" in second.output()
        engine.dispose()


def test_advisory_lock_elects_one_and_hands_over_on_stop(pg_url: str) -> None:
    lock = f"refinery-test-{uuid.uuid4().hex}"
    events: list[str] = []
    elected = {"a": threading.Event(), "b": threading.Event()}

    def elect(name: str) -> Callable[[], None]:
        def elected_now() -> None:
            events.append(f"{name}+")
            elected[name].set()

        return elected_now

    a = PostgresLeader(pg_url, name=lock, retry_seconds=0.1)
    b = PostgresLeader(pg_url, name=lock, retry_seconds=0.1)
    a.start(elect("a"), lambda: events.append("a-"))
    assert elected["a"].wait(20)
    # the server itself probes the leader's connection, so a vanished host frees the lock
    assert a._connection.execute("SHOW tcp_keepalives_idle").fetchone()[0] in ("15", "15s")
    b.start(elect("b"), lambda: events.append("b-"))
    time.sleep(0.5)  # several retries by b, all refused
    assert not elected["b"].is_set() and not b.is_leader
    a.stop()
    assert elected["b"].wait(20)
    b.stop()
    assert events == ["a+", "a-", "b+", "b-"]


def test_a_leader_whose_connection_breaks_stops_its_jobs(pg_url: str) -> None:
    lock = f"refinery-test-{uuid.uuid4().hex}"
    lost, elected_again = threading.Event(), threading.Event()
    count = {"elected": 0}

    def on_elected() -> None:
        count["elected"] += 1
        if count["elected"] == 2:
            elected_again.set()

    leader = PostgresLeader(pg_url, name=lock, retry_seconds=0.1)
    leader.start(on_elected, lost.set)
    _wait("election", lambda: leader.is_leader, 20)
    backend = leader._connection.info.backend_pid
    admin = create_engine(SERVER)
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    admin.dispose()
    assert lost.wait(20), "the leader did not notice its lock was gone"
    assert elected_again.wait(20)  # nobody else holds the lock: it takes it again
    leader.stop()
