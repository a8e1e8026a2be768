"""Acknowledge first: follow-up work waits while Slack requests are being answered.

On 2 cores, 50 slash commands at once queue for the GIL behind their own follow-ups (store
lookups, rule evaluation, answers posted to response URLs), and the acks, which Slack waits at
most 3 s for, come late. Follow-ups have minutes (a response URL is valid for 30), so each one
waits until no Slack request is in flight, or until `max_wait` seconds after it was queued,
whichever comes first: a steady stream of commands delays answers by at most that much.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WAIT = 0.25


class AckFirst:
    """Counts requests being answered; lets queued follow-ups run once there are none."""

    def __init__(self, max_wait: float = MAX_WAIT) -> None:
        self.max_wait = max_wait
        self._answering = 0
        self._quiet = threading.Condition()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around the handling of one Slack request, up to its HTTP answer."""
        with self._quiet:
            self._answering += 1
        try:
            yield
        finally:
            with self._quiet:
                self._answering -= 1
                if self._answering == 0:
                    self._quiet.notify_all()

    def deadline(self) -> float:
        """When a follow-up queued now runs at the latest (monotonic clock)."""
        return time.monotonic() + self.max_wait

    def wait(self, deadline: float) -> None:
        """Block until no request is being answered, or until `deadline`."""
        with self._quiet:
            while self._answering:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._quiet.wait(left)
