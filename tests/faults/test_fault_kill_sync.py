"""A sync killed at random requests, then run again, leaves the store exactly as one
uninterrupted sync does: no lost or duplicated items, the same cursor.

The kill is a BaseException raised at the transport (nothing in the stack catches it, as with
kill -9 nothing runs after it); bench/kill_sync.py does the same with a real SIGKILL."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bench.stubs.jira_stub import JiraStub
from bot.services.sync import run_stream
from bot.store import open_store
from connectors.jira import make_jira_stream
from tests.faults.sync_helpers import snapshot, stub_settings

POINTS = 20  # with ISSUES = 120 in pages of 10 that is every request of the sync
SEED = 8
ISSUES = 120


class Killed(BaseException):
    """Stands in for SIGKILL: not an Exception, so no retry loop or handler catches it."""


class Transport:
    """Counts requests through every requests session; kills the process at request `at`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.at: int | None = None
        real = requests.adapters.HTTPAdapter.send

        def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            if self.at is not None and self.count == self.at:
                raise Killed(f"killed at request {self.count}: {request.method} {request.url}")
            return real(adapter, request, *args, **kwargs)

        monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)

    def arm(self, at: int | None) -> None:
        self.count, self.at = 0, at


@pytest.fixture
def transport(monkeypatch: pytest.MonkeyPatch) -> Transport:
    return Transport(monkeypatch)


@pytest.fixture
def stub() -> Iterator[JiraStub]:
    stub = JiraStub(issues=ISSUES, delay=0.0)
    stub.start()
    yield stub
    stub.stop()


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    """One migrated empty store; copies of it start each run without re-running migrations."""
    path = tmp_path / "empty.db"
    open_store(f"sqlite:///{path}").close()
    return path


def sync(url: str, db: Path, full: bool = False) -> None:
    settings = stub_settings(url, f"sqlite:///{db}")
    store = open_store(settings.store.url)
    try:
        run_stream(store, make_jira_stream(settings, store), full=full)
    finally:
        store.close()


def state(db: Path) -> dict[str, Any]:
    store = open_store(f"sqlite:///{db}")
    try:
        return snapshot(store)
    finally:
        store.close()


def kill_points(total: int) -> list[int]:
    return sorted(random.Random(SEED).sample(range(1, total + 1), min(POINTS, total)))


def killed_then_rerun(
    transport: Transport, url: str, db: Path, at: int, full: bool = False
) -> None:
    transport.arm(at)
    with pytest.raises(Killed):
        sync(url, db, full)
    transport.arm(None)
    sync(url, db)


def test_full_sync_killed_anywhere_resumes_to_the_same_store(
    stub: JiraStub, transport: Transport, tmp_path: Path, empty_db: Path
) -> None:
    url = f"http://127.0.0.1:{stub.server.server_address[1]}" if stub.server else ""
    shutil.copy(empty_db, tmp_path / "reference.db")
    transport.arm(None)
    sync(url, tmp_path / "reference.db")
    total = transport.count
    reference = state(tmp_path / "reference.db")
    assert len(reference["items"]) == ISSUES and reference["duplicates"] == 0
    assert total >= ISSUES // 10  # pages of 10 plus the site reads: kills land everywhere
    for at in kill_points(total):
        db = tmp_path / f"killed-{at}.db"
        shutil.copy(empty_db, db)
        killed_then_rerun(transport, url, db, at)
        assert state(db) == reference, f"killed at request {at} of {total}"


def test_incremental_sync_killed_anywhere_resumes_to_the_same_store(
    stub: JiraStub, transport: Transport, tmp_path: Path, empty_db: Path
) -> None:
    url = f"http://127.0.0.1:{stub.server.server_address[1]}" if stub.server else ""
    base = tmp_path / "base.db"
    shutil.copy(empty_db, base)
    transport.arm(None)
    sync(url, base)
    assert stub.touch(0.1) == ISSUES // 10  # edited since the first sync
    shutil.copy(base, tmp_path / "reference.db")
    transport.arm(None)
    sync(url, tmp_path / "reference.db")
    total = transport.count
    reference = state(tmp_path / "reference.db")
    edited = sum(1 for _, key, _, _ in reference["items"] if key in _edited_keys(stub))
    assert edited == ISSUES // 10 and reference != state(base)
    for at in kill_points(total):
        db = tmp_path / f"killed-{at}.db"
        shutil.copy(base, db)
        killed_then_rerun(transport, url, db, at)
        assert state(db) == reference, f"killed at request {at} of {total}"


def _edited_keys(stub: JiraStub) -> set[str]:
    return {i["key"] for i in stub.issues if i["fields"]["summary"].endswith("(edited)")}
