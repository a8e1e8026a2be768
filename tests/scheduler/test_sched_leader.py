"""PostgresLeader's loop with a stand-in connection: failures never leave the lock held idle."""

from __future__ import annotations

import threading
from typing import Any

from bot.scheduler.leader import PostgresLeader, lock_key


class FakeConnection:
    """Answers pg_try_advisory_lock with `grant`; records statements and closing."""

    def __init__(self, grant: bool) -> None:
        self.grant, self.closed = grant, False
        self.statements: list[str] = []

    def execute(self, sql: str, params: Any = None) -> FakeConnection:
        self.statements.append(sql)
        self._row = (self.grant,) if "advisory" in sql else (1,)
        return self

    def fetchone(self) -> tuple[Any, ...]:
        return self._row

    def close(self) -> None:
        self.closed = True


def test_lock_keys_are_stable_signed_64_bit_integers() -> None:
    assert lock_key("refinery-scheduler") == lock_key("refinery-scheduler")
    assert lock_key("a") != lock_key("b")
    assert -(2**63) <= lock_key("refinery-scheduler") < 2**63


def test_a_leader_that_cannot_start_its_jobs_gives_the_lock_back() -> None:
    connections: list[FakeConnection] = []

    def connect(conninfo: str) -> FakeConnection:
        assert conninfo == "postgresql://refinery:secret@db:5432/refinery"
        connections.append(FakeConnection(grant=True))
        return connections[-1]

    attempts, lost = [], threading.Event()
    second_try = threading.Event()

    def on_elected() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("store unreachable")
        second_try.set()

    leader = PostgresLeader(
        "postgresql+psycopg://refinery:secret@db:5432/refinery",
        retry_seconds=0.01,
        connect=connect,
    )
    leader.start(on_elected, lost.set)
    assert second_try.wait(10)
    assert lost.is_set()  # the failed start counted as leadership lost ...
    assert connections[0].closed  # ... and the session holding the lock was closed
    assert leader.is_leader
    leader.stop()
    assert connections[-1].closed and not leader.is_leader


def test_a_standby_keeps_asking_and_never_runs_jobs() -> None:
    connection = FakeConnection(grant=False)
    leader = PostgresLeader("postgresql://x@db/r", retry_seconds=0.01, connect=lambda _: connection)
    elected = threading.Event()
    leader.start(elected.set, lambda: None)
    asked = threading.Event()
    threading.Timer(0.2, asked.set).start()
    asked.wait(5)
    leader.stop()
    assert not elected.is_set()
    assert sum("pg_try_advisory_lock" in sql for sql in connection.statements) > 2
