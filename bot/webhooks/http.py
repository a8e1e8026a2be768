"""POST /webhooks/jira and /webhooks/github: verify, dedupe, answer fast, then do the work."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import deque
from concurrent.futures import Future, wait
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify, request
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from bot.store.models import WebhookDelivery
from bot.webhooks.events import Event, Malformed, github_event, jira_event
from bot.webhooks.handlers import handle, to_item
from bot.webhooks.signatures import verify

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)

EXTENSION = "refinery.webhooks"
KEEP_DELIVERIES = timedelta(days=7)  # GitHub offers redelivery for a few days; Jira retries sooner
PRUNE_EVERY = 500  # deliveries between prunes of old delivery ids


class Dispatcher:
    """Runs accepted events on the context's background executor and tracks them."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._lock = threading.Lock()
        self._pending: set[Future[str]] = set()
        self._accepted = 0
        self.outcomes: deque[str] = deque(maxlen=100)  # what recent events led to, newest last

    def submit(self, event: Event) -> None:
        future = self.ctx.background.submit(self._run, event)
        with self._lock:
            self._pending.add(future)
            self._accepted += 1
            prune = self._accepted % PRUNE_EVERY == 0
        future.add_done_callback(self._forget)
        if prune:
            self.ctx.background.submit(prune_deliveries, self.ctx)

    def drain(self, timeout: float | None = None) -> None:
        """Wait for every accepted event to be handled (tests, graceful shutdown)."""
        with self._lock:
            pending = set(self._pending)
        wait(pending, timeout=timeout)

    def _run(self, event: Event) -> str:
        try:
            outcome = handle(self.ctx, event)
        except Exception:
            log.exception("webhook %s %s failed", event.source, event.key)
            raise
        log.info("webhook %s: %s", event.source, outcome)
        self.outcomes.append(outcome)
        return outcome

    def _forget(self, future: Future[str]) -> None:
        with self._lock:
            self._pending.discard(future)


def register_webhooks(app: Flask, ctx: AppContext) -> Dispatcher:
    """Add the two webhook routes to the app."""
    dispatcher = Dispatcher(ctx)
    app.extensions[EXTENSION] = dispatcher
    server = ctx.settings.server

    @app.post("/webhooks/jira")
    def jira_webhook() -> tuple[Response, int]:
        body, problem = _read_body(server.max_body_bytes)
        if problem:
            return problem
        header = request.headers.get("X-Hub-Signature")
        secret = ctx.settings.jira.webhook_secret
        if refused := verify(secret, header, body, allow_unsigned=server.allow_unsigned_webhooks):
            return _error(401, refused)
        delivery = request.headers.get("X-Atlassian-Webhook-Identifier")
        return _accept(dispatcher, "jira", body, delivery, jira_event)

    @app.post("/webhooks/github")
    def github_webhook() -> tuple[Response, int]:
        body, problem = _read_body(server.max_body_bytes)
        if problem:
            return problem
        header = request.headers.get("X-Hub-Signature-256")
        secret = ctx.settings.github.webhook_secret
        if refused := verify(secret, header, body, allow_unsigned=server.allow_unsigned_webhooks):
            return _error(401, refused)
        name = request.headers.get("X-GitHub-Event", "")
        if name == "ping":
            return jsonify(status="pong"), 200
        delivery = request.headers.get("X-GitHub-Delivery")
        return _accept(dispatcher, "github", body, delivery, lambda p: github_event(name, p))

    return dispatcher


def _read_body(limit: int) -> tuple[bytes, tuple[Response, int] | None]:
    """The raw body (signatures cover the exact bytes), or a 413 when it is over the limit."""
    if request.content_length is not None and request.content_length > limit:
        return b"", _error(413, f"body over {limit} bytes")
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return b"", _error(413, f"body over {limit} bytes")
    if len(body) > limit:
        return b"", _error(413, f"body over {limit} bytes")
    return body, None


def _accept(
    dispatcher: Dispatcher, source: str, body: bytes, delivery: str | None, read: Any
) -> tuple[Response, int]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(400, "body is not JSON")
    try:
        event: Event = read(payload)
    except Malformed as exc:
        return _error(400, str(exc))
    if event.kind == "ignored":
        return jsonify(status="ignored", reason=event.reason), 200
    if event.kind in ("changed", "comment") and event.full_issue:
        # Parse now (pure, ~0.1 ms) so a wrongly typed field is a 400, not a dropped event.
        try:
            to_item(dispatcher.ctx, event)[0].validate()
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            return _error(400, f"issue has a field of an unexpected type ({type(exc).__name__})")
    # Without a delivery id, an identical body is the same delivery sent again.
    delivery_id = delivery or "sha256:" + hashlib.sha256(body).hexdigest()
    if not _first_delivery(dispatcher.ctx, source, delivery_id):
        return jsonify(status="duplicate"), 200
    dispatcher.submit(event)
    return jsonify(status="accepted"), 202


def _first_delivery(ctx: AppContext, source: str, delivery_id: str) -> bool:
    """Record the delivery id; False when it was seen before (a redelivery)."""
    try:
        with ctx.store.session() as session:
            session.add(
                WebhookDelivery(
                    delivery_id=f"{source}:{delivery_id}"[:255],
                    source=source,
                    received_at=datetime.now(UTC),
                )
            )
    except IntegrityError:
        return False
    return True


def prune_deliveries(ctx: AppContext) -> int:
    """Forget delivery ids old enough that no sender redelivers them."""
    cutoff = datetime.now(UTC) - KEEP_DELIVERIES
    with ctx.store.session() as session:
        result = session.execute(
            delete(WebhookDelivery).where(WebhookDelivery.received_at < cutoff)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message), status
