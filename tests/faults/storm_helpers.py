"""429/503 storms for the fault tests and bench/storms.py: stubs that refuse some requests
with Retry-After, a fake clock that only sleeps move, and a log of when each request left."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from urllib3.connectionpool import HTTPConnectionPool

from bench.stubs.github_stub import GithubStub
from bench.stubs.jira_stub import JiraStub
from connectors.prefetch import THREAD_NAME as PREFETCH_THREAD

# Request n (1-based, counted by the stub) is refused when n % period == offset; no two refusals
# in a row exceed a client's retry budget. Each with its own status and Retry-After seconds.
STORM = ((3, 1, 429, 2), (7, 2, 503, 1), (11, 5, 429, 5))


def refusal(n: int, storm: tuple[tuple[int, int, int, int], ...] = STORM) -> tuple[int, int] | None:
    """(status, retry_after) when request number `n` is refused, else None."""
    for period, offset, status, retry_after in storm:
        if n % period == offset:
            return status, retry_after
    return None


class StormyJira(JiraStub):
    """The bench Jira stub, refusing requests by the STORM pattern."""

    def __init__(self, *args: Any, storm: Any = STORM, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storm = storm
        self.seen = 0
        self.refused: list[tuple[int, int]] = []
        self.arrivals: list[tuple[float, int | None]] = []  # (monotonic time, Retry-After)

    def _serve(self, handler: Any, path: str, args: dict[str, Any]) -> None:
        with self.lock:
            self.seen += 1
            refused = refusal(self.seen, self.storm)
            self.arrivals.append((time.monotonic(), refused[1] if refused else None))
            if refused:
                self.refused.append(refused)
        if refused is None:
            super()._serve(handler, path, args)
            return
        status, retry_after = refused
        payload = b'{"errorMessages": ["Rate limit exceeded."]}'
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Retry-After", str(retry_after))
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)


class StormyGithub(GithubStub):
    """The bench GitHub stub, refusing requests by the STORM pattern (403 for 429 too would
    also be retried by GithubRetry; 429 and 503 with Retry-After are what urllib3 honours)."""

    def __init__(self, *args: Any, storm: Any = STORM, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storm = storm
        self.seen = 0
        self.refused: list[tuple[int, int]] = []
        self.arrivals: list[tuple[float, int | None]] = []  # (monotonic time, Retry-After)

    def answer(
        self, method: str, path: str, query: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.seen += 1
            refused = refusal(self.seen, self.storm)
            self.arrivals.append((time.monotonic(), refused[1] if refused else None))
            if refused:
                self.refused.append(refused)
        if refused is None:
            return super().answer(method, path, query)
        status, retry_after = refused
        return status, {"message": "slow down"}, {"Retry-After": str(retry_after)}


@dataclass
class FakeClock:
    """Time that moves only when the sync sleeps (the test's thread, or the thread prefetching
    its pages); other threads (the stub server's) sleep for real."""

    now: float = 1_900_000_000.0
    sleeps: list[float] = field(default_factory=list)
    owner: int = field(default_factory=threading.get_ident)

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        syncing = threading.current_thread().name == PREFETCH_THREAD
        if threading.get_ident() != self.owner and not syncing:
            time.sleep(seconds)
            return
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)

    def datetime_class(self) -> type[datetime]:
        clock = self

        class ClockDatetime(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> Any:
                return datetime.fromtimestamp(clock.now, tz)

        return ClockDatetime


class TimeModule:
    """A stand-in for the `time` module inside one library: sleep/time/monotonic on the clock."""

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock

    def sleep(self, seconds: float) -> None:
        self._clock.sleep(seconds)

    def time(self) -> float:
        return self._clock.time()

    def monotonic(self) -> float:
        return self._clock.time()

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@dataclass
class Sent:
    at: float
    status: int
    retry_after: float | None


class SendLog:
    """When (on the clock) each attempt left, and what came back. Logged in urllib3, under
    any retry loop: PyGithub's retries run inside urllib3, the jira library's above it."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.sent: list[Sent] = []
        self.real = HTTPConnectionPool._make_request

    def install(self, patch: Any) -> None:
        log = self

        def make_request(pool: Any, *args: Any, **kwargs: Any) -> Any:
            at = log.clock.time()
            response = log.real(pool, *args, **kwargs)
            after = response.headers.get("Retry-After")
            log.sent.append(Sent(at, response.status, float(after) if after else None))
            return response

        patch(HTTPConnectionPool, "_make_request", make_request)

    def gaps(self) -> list[float]:
        return [b.at - a.at for a, b in zip(self.sent, self.sent[1:], strict=False)]

    def retry_waits(self) -> list[tuple[float, float]]:
        """(asked, waited) for every refused attempt that was followed by another one."""
        return [
            (a.retry_after, b.at - a.at)
            for a, b in zip(self.sent, self.sent[1:], strict=False)
            if a.retry_after is not None and a.status in (429, 503)
        ]

    def max_rate(self, window: float = 1.0) -> float:
        """The most attempts that left within any `window` seconds, per second."""
        times = [s.at for s in self.sent]
        best, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best / window
