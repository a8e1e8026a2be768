"""The database locked for a while: intake decisions wait it out (SQLite's busy timeout,
PostgreSQL's lock queue), and past the limit fail with a clear error, never half-written (a
final status and its DecisionRow are stored together or not at all)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.exc import OperationalError

from bot.services.intake import Destination, Intake, IntakeError, RequestInput
from bot.store import Store, open_store
from bot.store.models import DecisionRow, RequestRow
from tests.conftest import PG_URL
from tests.slack.fake_tracker import FakeTracker

JIRA = Destination("jira", "PAY", "Story")


def state(store: Store, request_id: int) -> tuple[str, int, int]:
    """(status, version, decisions) of one request."""
    with store.session() as session:
        row = session.get(RequestRow, request_id)
        assert row is not None
        decisions = session.scalar(
            select(func.count())
            .select_from(DecisionRow)
            .where(DecisionRow.request_id == request_id)
        )
        return row.status, row.version, int(decisions or 0)


def submit(intake: Intake) -> tuple[int, int]:
    row = intake.submit(RequestInput("Export invoices", "Finance retypes them", "U1"))
    return row.id, row.version


class Holder:
    """Holds a write lock from another connection until told to let go."""

    def __init__(self, take: Callable[[], Any], release: Callable[[Any], None]) -> None:
        self.take, self.release = take, release
        self.locked, self.go = threading.Event(), threading.Event()
        self.released = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        handle = self.take()
        self.locked.set()
        self.go.wait(30)
        self.release(handle)
        self.released.set()

    def __enter__(self) -> Holder:
        self.thread.start()
        assert self.locked.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.go.set()
        self.thread.join(10)

    def let_go_after(self, seconds: float) -> None:
        threading.Timer(seconds, self.go.set).start()


# -- SQLite ------------------------------------------------------------------------------------


def sqlite_store(path: Path, busy_timeout: float) -> Store:
    """The real store on `path`, with a shorter busy timeout than the product's 30 s."""
    open_store(f"sqlite:///{path}").close()  # migrate
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"timeout": busy_timeout, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _wal(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    return Store(engine)


def sqlite_lock(path: Path) -> Holder:
    def take() -> sqlite3.Connection:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute("BEGIN EXCLUSIVE")
        return connection

    def release(connection: sqlite3.Connection) -> None:
        connection.execute("COMMIT")
        connection.close()

    return Holder(take, release)


def test_sqlite_decision_waits_for_a_lock_then_succeeds(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path / "r.db", busy_timeout=30)
    intake = Intake(store, lambda source: FakeTracker(source), {})
    request_id, version = submit(intake)
    with sqlite_lock(tmp_path / "r.db") as lock:
        lock.let_go_after(1.0)
        intake.decline(request_id, version, "UPO", "not this quarter")
        assert lock.released.is_set()  # the write really waited for the lock
    assert state(store, request_id) == ("declined", version + 1, 1)
    store.close()


def test_sqlite_lock_past_the_timeout_is_a_clear_error_and_nothing_half_written(
    tmp_path: Path,
) -> None:
    store = sqlite_store(tmp_path / "r.db", busy_timeout=0.3)
    intake = Intake(store, lambda source: FakeTracker(source), {})
    request_id, version = submit(intake)
    with (
        sqlite_lock(tmp_path / "r.db"),
        pytest.raises(OperationalError, match="database is locked"),
    ):
        intake.decline(request_id, version, "UPO", "not this quarter")
    assert state(store, request_id) == ("pending", version, 0)
    intake.decline(request_id, version, "UPO", "not this quarter")  # works once it is free
    assert state(store, request_id) == ("declined", version + 1, 1)
    store.close()


def test_sqlite_lock_while_the_tracker_is_called_leaves_no_decision(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Accept claims the request, creates the ticket, then writes status + decision at once.
    When that last write fails, no decision exists, the claim ("accepting") stays visible, and
    the created ticket's key reaches the person and the log, so it is never silently lost."""
    path = tmp_path / "r.db"
    store = sqlite_store(path, busy_timeout=0.3)
    lock = sqlite_lock(path)
    tracker = FakeTracker("jira")
    create = tracker.create_issue

    def create_then_lock(draft: Any) -> Any:
        created = create(draft)
        lock.__enter__()  # someone takes the database right after the tracker answered
        return created

    tracker.create_issue = create_then_lock  # type: ignore[method-assign]
    intake = Intake(store, lambda source: tracker, {})
    request_id, version = submit(intake)
    try:
        with pytest.raises(IntakeError, match="could not be saved") as info:
            intake.accept(request_id, version, "UPO", JIRA)
    finally:
        lock.__exit__()
    status, _, decisions = state(store, request_id)
    assert decisions == 0 and status == "accepting"
    assert len(tracker.drafts) == 1
    created_key = str(info.value).split("(")[1].split(")")[0]
    assert created_key and created_key != "no ticket"
    assert any(created_key in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    store.close()


# -- PostgreSQL --------------------------------------------------------------------------------


def pg_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def pg_lock(schema: str) -> Holder:
    import psycopg

    def take() -> Any:
        connection = psycopg.connect(PG_URL)
        connection.execute(f"LOCK TABLE {schema}.requests, {schema}.decisions IN EXCLUSIVE MODE")
        return connection

    def release(connection: Any) -> None:
        connection.commit()
        connection.close()

    return Holder(take, release)


@contextmanager
def pg_store(url: str, lock_timeout: float = 30.0) -> Iterator[Store]:
    store = open_store(url, lock_timeout)  # store.lock_timeout becomes PostgreSQL's lock_timeout
    try:
        yield store
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_decision_waits_for_a_table_lock(pg_schema: str) -> None:
    with pg_store(pg_url(pg_schema)) as store:
        intake = Intake(store, lambda source: FakeTracker(source), {})
        request_id, version = submit(intake)
        with pg_lock(pg_schema) as lock:
            lock.let_go_after(1.0)
            intake.decline(request_id, version, "UPO", "not this quarter")
            assert lock.released.is_set()
        assert state(store, request_id) == ("declined", version + 1, 1)


@pytest.mark.postgres
def test_postgres_lock_timeout_is_a_clear_error_and_nothing_half_written(pg_schema: str) -> None:
    with pg_store(pg_url(pg_schema)) as plain:
        request_id, version = submit(Intake(plain, lambda s: FakeTracker(s), {}))
    with pg_store(pg_url(pg_schema), lock_timeout=0.3) as store:
        intake = Intake(store, lambda source: FakeTracker(source), {})
        with pg_lock(pg_schema), pytest.raises(OperationalError, match="lock timeout"):
            intake.decline(request_id, version, "UPO", "not this quarter")
        assert state(store, request_id) == ("pending", version, 0)
        intake.decline(request_id, version, "UPO", "not this quarter")
        assert state(store, request_id) == ("declined", version + 1, 1)
