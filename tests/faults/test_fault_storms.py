"""429/503 storms: syncs finish with every item, every Retry-After is waited out in full, and
requests never leave faster than the configured pace (on a fake clock that only sleeps move)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.stubs.github_stub import make_issues
from bot.services.sync import run_stream
from bot.store import open_store
from connectors.github.client import GithubClient
from connectors.github.sync import IssueStream
from connectors.jira import make_jira_stream
from connectors.pacing import MinInterval, pace_session
from tests.faults.storm_helpers import (
    STORM,
    FakeClock,
    SendLog,
    StormyGithub,
    StormyJira,
    TimeModule,
)
from tests.faults.sync_helpers import snapshot, stub_settings

JIRA_RATE = 5.0  # requests a second: what jira.max_requests_per_second would configure
GITHUB_SPACING = 0.1  # what github.seconds_between_requests = 0.1 would configure
SLACK = 1e-6  # float rounding on the fake clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    clock = FakeClock()
    fake_time = TimeModule(clock)
    # Every place the libraries sleep or read the time between attempts.
    monkeypatch.setattr("jira.resilientsession.time", fake_time)
    monkeypatch.setattr("urllib3.util.retry.time", fake_time)
    monkeypatch.setattr("github.Requester.time", fake_time)
    monkeypatch.setattr("github.Requester.datetime", clock.datetime_class())
    yield clock


@pytest.fixture
def sends(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> SendLog:
    log = SendLog(clock)
    log.install(monkeypatch.setattr)
    return log


def assert_gentle(log: SendLog, min_gap: float) -> None:
    refused = [s for s in log.sent if s.status in (429, 503)]
    assert refused, "the storm refused nothing: the test proves nothing"
    waits = log.retry_waits()
    assert len(waits) == len(refused)  # every refusal was retried (the sync went on)
    for asked, waited in waits:
        assert waited >= asked - SLACK, f"waited {waited:.2f}s, Retry-After said {asked}s"
    assert min(log.gaps()) >= min_gap - SLACK
    assert log.max_rate() <= 1 / min_gap


def test_jira_sync_rides_out_a_storm(clock: FakeClock, sends: SendLog, tmp_path: Path) -> None:
    stub = StormyJira(issues=150, delay=0.0)
    url = stub.start()
    results = []
    for storm in (True, False):  # the same site with a storm, then calm
        stub.storm = STORM if storm else ()
        settings = stub_settings(url, f"sqlite:///{tmp_path / f'{storm}.db'}", max_retries=5)
        store = open_store(settings.store.url)
        stream = make_jira_stream(settings, store)
        pace_session(
            stream.client.session, JIRA_RATE, MinInterval(JIRA_RATE, clock.time, clock.sleep)
        )
        summary = run_stream(store, stream)
        assert summary.stopped is None and summary.items == 150
        results.append(snapshot(store))
        store.close()
        if storm:
            assert_gentle(sends, 1 / JIRA_RATE)
            assert len(stub.refused) >= 5
    stub.stop()
    assert results[0] == results[1]  # the storm cost time, not items


def test_github_sync_rides_out_a_storm(clock: FakeClock, sends: SendLog, tmp_path: Path) -> None:
    results = []
    stub = StormyGithub(make_issues(450, pulls=20), latency=0.0)
    with stub:
        for storm in (True, False):
            stub.storm = STORM if storm else ()
            pace = MinInterval(1 / GITHUB_SPACING, clock.time, clock.sleep)
            client = GithubClient("ghp_storm", stub.base_url, max_retries=5, pace=pace)
            store = open_store(f"sqlite:///{tmp_path / f'gh{storm}.db'}")
            summary = run_stream(store, IssueStream(client, stub.repo))
            assert summary.stopped is None and summary.items == 450
            results.append(snapshot(store))
            store.close()
            if storm:
                # A configured github.seconds_between_requests, counted between request starts.
                assert_gentle(sends, GITHUB_SPACING)
                assert len(stub.refused) >= 1
    assert results[0] == results[1]
