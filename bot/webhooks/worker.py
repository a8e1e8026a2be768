"""Work the webhook inbox: claim due deliveries, handle each, mark it done or back off."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.store.errors import DatabaseError
from bot.store.holders import holder_id
from bot.store.inbox import Delivery, Inbox
from bot.webhooks.events import read_event
from bot.webhooks.handlers import handle
from connectors.events import Event, Malformed
from connectors.item import Item

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)
KEEP_DELIVERIES = timedelta(days=7)  # GitHub offers redelivery for a few days; Jira retries sooner

LEASE = timedelta(minutes=2)  # a claim outlives any one event's work; then another may retry
IDLE_POLL = 1.0  # seconds between looks at the inbox when nothing woke the worker
WORKERS = 4  # deliveries in flight at once (the context's background pool has 4 threads)
PRUNE_EVERY = 500  # accepted deliveries between prunes of old delivery ids


class Dispatcher:
    """Accepts verified deliveries into the inbox and works them in the background."""

    def __init__(self, ctx: AppContext, *, lease: timedelta = LEASE) -> None:
        self.ctx = ctx
        self.inbox = Inbox(ctx.store, holder_id(), lease)
        self.outcomes: deque[str] = deque(maxlen=100)  # what recent events led to, newest last
        self.stale = 0  # events older than the stored item, ignored
        self._parsed: dict[str, tuple[Event, Item | None]] = {}  # parsed once, by the request
        self._lock = threading.Lock()
        self._in_flight = 0
        self._accepted = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        # Deliveries this process holds but could not write back (store down): tried again
        # here at the given monotonic time, while the lease keeps other replicas off them.
        self._again: list[tuple[float, Delivery]] = []
        self._failures = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Resume what an earlier process left pending, then keep working the inbox."""
        if self._thread is not None:
            return
        try:
            freed = self.inbox.release_dead_claims()
            if freed:
                log.warning("webhooks: resuming %d deliveries a stopped process had claimed", freed)
        except DatabaseError:
            log.warning("webhooks: cannot read the inbox yet; will retry", exc_info=True)
        self._thread = threading.Thread(target=self._loop, name="refinery-inbox", daemon=True)
        self._thread.start()
        self.ctx.on_close(self.close)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.drain(timeout=30, claim=False)

    def accept(
        self,
        source: str,
        delivery_id: str,
        name: str,
        body: bytes,
        event: Event,
        item: Item | None,
    ) -> bool:
        """Store the delivery (raises StoreUnavailable); False when it is a redelivery."""
        entry = (event, item)
        with self._lock:
            self._parsed.setdefault(delivery_id, entry)
        try:
            first = self.inbox.add(source, delivery_id, body, name)
        except BaseException:
            self._unpark(delivery_id, entry)
            raise
        if not first:
            self._unpark(delivery_id, entry)
            return False
        with self._lock:
            self._accepted += 1
            prune = self._accepted % PRUNE_EVERY == 0
        if prune:
            self.ctx.background.submit(self._prune)
        self._wake.set()
        return True

    def _unpark(self, delivery_id: str, entry: tuple[Event, Item | None]) -> None:
        with self._lock:
            if self._parsed.get(delivery_id) is entry:
                del self._parsed[delivery_id]

    def drain(self, timeout: float | None = None, *, claim: bool = True) -> None:
        """Wait until nothing due is pending or in flight (tests, graceful shutdown)."""
        deadline = time.monotonic() + (timeout if timeout is not None else 3600)
        while time.monotonic() < deadline:
            with self._lock:
                busy = self._in_flight > 0 or (claim and bool(self._again))
            if not busy and (not claim or not self._due()):
                return
            self._wake.set()
            time.sleep(0.01)

    def _due(self) -> bool:
        try:
            due = self.inbox.next_due()
        except DatabaseError:
            return False
        from bot.store.store import utcnow

        return due is not None and due <= utcnow()

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            with self._lock:
                room = WORKERS - self._in_flight
            claimed: list[Delivery] = self._due_again(room)
            if room > len(claimed):
                try:
                    claimed += self.inbox.claim(room - len(claimed))
                    failures = 0
                except DatabaseError as exc:
                    failures += 1
                    log.warning(
                        "webhooks: cannot read the inbox (%s); retrying", type(exc).__name__
                    )
            for delivery in claimed:
                with self._lock:
                    self._in_flight += 1
                self.ctx.background.submit(self._work, delivery)
            if claimed and len(claimed) >= room:
                continue  # a full batch: there may be more due right away
            self._wake.wait(min(IDLE_POLL * (2 ** min(failures, 4)), 15))
            self._wake.clear()

    def _work(self, delivery: Delivery) -> None:
        try:
            with self._lock:
                parsed = self._parsed.pop(delivery.delivery_id, None)
            try:
                event, item = parsed or (
                    read_event(delivery.source, delivery.event_name, delivery.body),
                    None,
                )
                outcome = handle(self.ctx, event, item)
            except Malformed as exc:  # checked before it was stored; only an old row can be
                log.error("webhook %s: cannot read it again: %s", delivery.delivery_id, exc)
                self.inbox.retry_later(delivery, f"Malformed: {exc}")
                return
            except Exception as exc:
                log.exception("webhook %s failed; will retry", delivery.delivery_id)
                try:
                    status = self.inbox.retry_later(delivery, f"{type(exc).__name__}: {exc}")
                except DatabaseError:
                    self._try_again(delivery)  # the store is down too: keep it here
                    return
                if status == "failed":
                    log.error("webhook %s: gave up after repeated failures", delivery.delivery_id)
                return
            if outcome.startswith("stale:"):
                with self._lock:
                    self.stale += 1
            try:
                self.inbox.done(delivery.delivery_id)
            except DatabaseError:
                log.warning("webhook %s handled; marking it done failed", delivery.delivery_id)
                self._try_again(delivery)  # handling again is harmless; losing it is not
                return
            log.info("webhook %s: %s", delivery.source, outcome)
            self.outcomes.append(outcome)
        finally:
            with self._lock:
                self._in_flight -= 1
            self._wake.set()

    def _try_again(self, delivery: Delivery) -> None:
        with self._lock:
            self._failures = min(self._failures + 1, 5)
            self._again.append((time.monotonic() + 2**self._failures, delivery))

    def _due_again(self, room: int) -> list[Delivery]:
        now = time.monotonic()
        with self._lock:
            due = [d for at, d in self._again if at <= now][: max(room, 0)]
            ids = {d.delivery_id for d in due}
            self._again = [(at, d) for at, d in self._again if d.delivery_id not in ids]
            if not self._again:
                self._failures = 0
        return due

    def _prune(self) -> None:
        try:
            self.inbox.prune(KEEP_DELIVERIES)
        except DatabaseError:
            log.warning("webhooks: pruning old delivery ids failed", exc_info=True)
