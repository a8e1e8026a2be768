"""Acknowledge first: follow-up work waits while HTTP requests are waiting for their answer.

On 2 cores, 50 slash commands at once queue for the GIL behind their own follow-ups (store
lookups, rule evaluation, answers posted to response URLs), and the acks, which Slack waits at
most 3 s for, come late. Follow-ups have minutes (a response URL is valid for 30), so each one
waits until no request is waiting for its answer, or until `max_wait` seconds after it was
queued, whichever comes first: a steady stream of commands delays answers by at most that much.

A request counts from the moment the HTTP server has read it (`serve` hands the server a
dispatcher that says so, bot.http_queue) until its answer is written; without that (tests,
Socket Mode) from the start of its Slack handler to its ack.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Long enough for a burst of a few hundred commands to be acknowledged before any answer is
# computed (about 1 s at 50 at once on 2 cores), short beside what a person waits for.
MAX_WAIT = 2.0
# Quiet means no request for this long, not merely none at this instant: under a burst the
# count touches zero whenever the server's I/O thread is still reading the next requests, and
# a follow-up that started then would hold the GIL while they wait.
QUIET = 0.05


class AckFirst:
    """Counts requests waiting for an answer; lets queued follow-ups run once there are none."""

    def __init__(self, max_wait: float = MAX_WAIT, quiet: float = QUIET) -> None:
        self.max_wait = max_wait
        self.quiet = quiet
        self._answering = 0
        self._last = -float("inf")  # when the last request arrived or was answered
        self._quiet = threading.Condition()

    def enter(self) -> None:
        """A request arrived (its answer is not written yet)."""
        with self._quiet:
            self._answering += 1
            self._last = time.monotonic()

    def leave(self) -> None:
        """A request was answered (or dropped)."""
        with self._quiet:
            self._answering = max(0, self._answering - 1)
            self._last = time.monotonic()
            if self._answering == 0:
                self._quiet.notify_all()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around the handling of one request, up to its HTTP answer."""
        self.enter()
        try:
            yield
        finally:
            self.leave()

    @property
    def waiting(self) -> int:
        """Requests waiting for their answer now."""
        return self._answering

    def deadline(self) -> float:
        """When a follow-up queued now runs at the latest (monotonic clock)."""
        return time.monotonic() + self.max_wait

    def wait(self, deadline: float) -> None:
        """Block until no request has waited for its answer for `quiet` seconds, or until
        `deadline`."""
        with self._quiet:
            while True:
                now = time.monotonic()
                left = deadline - now
                if left <= 0:
                    return
                if not self._answering:
                    calm = self._last + self.quiet - now
                    if calm <= 0:
                        return
                    left = min(left, calm)
                self._quiet.wait(left)
