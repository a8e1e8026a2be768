"""connectors/pacing.py: the minimum interval holds for one thread, many threads, and through a
real requests session (including the jira library's ResilientSession and its retries)."""

from __future__ import annotations

import itertools
import threading

import pytest
import requests
import responses
from jira.resilientsession import ResilientSession

from connectors.pacing import MinInterval, PacedAdapter, pace_session

URL = "http://127.0.0.1:9/rest/api/3/myself"


class FakeClock:
    """Time that moves only when someone sleeps (single-threaded tests)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def gaps(starts: list[float]) -> list[float]:
    ordered = sorted(starts)
    return [b - a for a, b in itertools.pairwise(ordered)]


def test_calls_are_spaced_by_the_interval() -> None:
    time = FakeClock()
    limiter = MinInterval(4, clock=time.clock, sleep=time.sleep)
    starts = [limiter.wait() for _ in range(20)]
    assert min(gaps(starts)) == pytest.approx(0.25)
    assert starts[0] == 1000.0  # the first call never waits
    assert sum(time.sleeps) == pytest.approx(19 * 0.25)


def test_idle_time_is_not_banked() -> None:
    time = FakeClock()
    limiter = MinInterval(2, clock=time.clock, sleep=time.sleep)
    limiter.wait()
    time.now += 60  # a long pause must not allow a burst afterwards
    starts = [limiter.wait() for _ in range(5)]
    assert gaps(starts) == pytest.approx([0.5] * 4)


def test_threads_share_one_schedule() -> None:
    limiter = MinInterval(1000)  # 1 ms: real sleeps, but the test checks slots, not timings
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(25):
            slot = limiter.wait()
            with lock:
                starts.append(slot)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(starts) == 200
    assert min(gaps(starts)) >= 0.001 - 1e-9


def test_rejects_a_zero_rate() -> None:
    with pytest.raises(ValueError, match="above 0"):
        MinInterval(0)


@responses.activate
def test_session_requests_are_paced(monkeypatch: pytest.MonkeyPatch) -> None:
    time = FakeClock()
    session = requests.Session()
    limiter = pace_session(session, 5, MinInterval(5, clock=time.clock, sleep=time.sleep))
    responses.get(URL, json={"ok": True})
    for _ in range(10):
        assert session.get(URL).json() == {"ok": True}
    assert len(responses.calls) == 10
    assert time.sleeps == pytest.approx([0.2] * 9)
    assert limiter.waited == pytest.approx(1.8)
    # Pacing twice wraps the original adapter once, not a PacedAdapter in a PacedAdapter.
    pace_session(session, 5, limiter)
    adapter = session.adapters["http://"]
    assert isinstance(adapter, PacedAdapter) and not isinstance(adapter.inner, PacedAdapter)


@responses.activate
def test_resilient_session_retries_are_paced_too(monkeypatch: pytest.MonkeyPatch) -> None:
    time = FakeClock()
    waits: list[float] = []
    # ResilientSession sleeps for Retry-After with time.sleep in its own module.
    monkeypatch.setattr("jira.resilientsession.time.sleep", waits.append)
    session = ResilientSession(max_retries=3)
    pace_session(session, 2, MinInterval(2, clock=time.clock, sleep=time.sleep))
    responses.get(URL, status=429, headers={"Retry-After": "1"})
    responses.get(URL, status=429, headers={"Retry-After": "1"})
    responses.get(URL, json={"ok": True})
    assert session.get(URL).json() == {"ok": True}
    assert len(responses.calls) == 3
    assert len(waits) == 2 and all(wait >= 1 for wait in waits)  # Retry-After honoured
    assert time.sleeps == pytest.approx([0.5, 0.5])  # and every attempt paced
