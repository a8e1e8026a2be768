"""The HTTP server's request queue, told to the follow-up gate (bot.slack.ackfirst).

waitress reads and parses each request on its I/O thread, then queues the connection for a
worker thread. Under a burst most requests wait in that queue, before any application code
sees them; a gate that counted only requests inside a handler sees gaps there and lets
follow-ups take the GIL from requests still queued. This dispatcher counts a request from the
moment it is queued until its answer is written.
"""

from __future__ import annotations

from typing import Any, Protocol

from waitress.task import ThreadedTaskDispatcher


class Gate(Protocol):
    def enter(self) -> None: ...

    def leave(self) -> None: ...


class CountingDispatcher(ThreadedTaskDispatcher):
    """waitress's thread pool, telling `gate` when a request is queued and when answered."""

    def __init__(self, gate: Gate) -> None:
        super().__init__()
        self.gate = gate

    def add_task(self, task: Any) -> None:
        # The task is the connection: it serves one request per service() and queues itself
        # again for the next one, so its service() is wrapped once and counted per call.
        if "service" not in vars(task):
            serve_one = task.service

            def service() -> None:
                try:
                    serve_one()
                finally:
                    self.gate.leave()

            task.service = service
        self.gate.enter()  # before the task is visible to a worker, which may finish it at once
        super().add_task(task)
