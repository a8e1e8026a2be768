"""Cap the request rate to a tracker: a thread-safe minimum interval between request starts.

Jira Cloud and Data Center both rate-limit per user; a steady pace below the limit costs less
than a 429 and its Retry-After. Use it on any requests.Session, including the jira library's
ResilientSession, whose own retries then go through the pacing too:

    limiter = pace_session(client.session, per_second=config.max_requests_per_second)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.adapters import BaseAdapter


class MinInterval:
    """Let calls start no closer than 1/per_second seconds apart, across threads.

    Each caller reserves the next free start slot under a lock, then sleeps outside it, so
    concurrent callers queue up in order without holding the lock while they wait.
    """

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be above 0 (use no limiter for no limit)")
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: float | None = None  # the earliest start of the next call
        self.waited = 0.0  # total seconds slept, for logs and benchmarks

    def wait(self) -> float:
        """Block until this call may start; return the start slot it was given (clock time)."""
        with self._lock:
            now = self._clock()
            slot = now if self._next is None or self._next <= now else self._next
            self._next = slot + self.interval
            delay = slot - now
            self.waited += delay
        if delay > 0:
            self._sleep(delay)
        return slot


class PacedAdapter(BaseAdapter):
    """Wraps a mounted transport adapter: every send first waits for the limiter."""

    def __init__(self, inner: BaseAdapter, limiter: MinInterval) -> None:
        super().__init__()
        self.inner = inner
        self.limiter = limiter

    def send(  # type: ignore[override]  # requests' stubs name every parameter; we pass them on
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        self.limiter.wait()
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        # Settings such as max_retries or the pool live on the wrapped adapter.
        return getattr(self.inner, name)


def pace_session(
    session: requests.Session, per_second: float, limiter: MinInterval | None = None
) -> MinInterval:
    """Pace every request `session` sends (all mounted prefixes); return the limiter used."""
    limiter = limiter or MinInterval(per_second)
    adapters: Mapping[str, BaseAdapter] = dict(session.adapters)
    for prefix, adapter in adapters.items():
        inner = adapter.inner if isinstance(adapter, PacedAdapter) else adapter
        session.mount(prefix, PacedAdapter(inner, limiter))
    return limiter
