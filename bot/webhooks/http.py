"""POST /webhooks/<source> (jira, github): verify, store in the inbox, answer, then work it."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from bot.store.inbox import StoreUnavailable
from bot.webhooks.events import read_event
from bot.webhooks.handlers import in_scope, parse_offline, webhook_unready
from bot.webhooks.signatures import verify
from bot.webhooks.worker import KEEP_DELIVERIES, Dispatcher
from connectors import registry
from connectors.events import Event, Malformed

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)

EXTENSION = "refinery.webhooks"
MAX_DELIVERY_ID = 200  # longer ids are hashed, so a long header never fails the insert


def register_webhooks(app: Flask, ctx: AppContext) -> Dispatcher:
    """Add a webhook route per connector to the app and start working the inbox (resuming it)."""
    dispatcher = Dispatcher(ctx)
    app.extensions[EXTENSION] = dispatcher
    server = ctx.settings.server

    def receive(source: str) -> tuple[Response, int]:
        connector = registry.get(source)
        shape = connector.webhook
        body, problem = _read_body(server.max_body_bytes)
        if problem:
            return problem
        header = request.headers.get(shape.signature_header)
        secret = connector.webhook_secret(registry.section_of(ctx.settings, source))
        if refused := verify(secret, header, body, allow_unsigned=server.allow_unsigned_webhooks):
            return _error(401, refused)
        name = request.headers.get(shape.event_header, "") if shape.event_header else ""
        if shape.ping_event and name == shape.ping_event:
            return jsonify(status="pong"), 200
        delivery = request.headers.get(shape.delivery_header)
        return _accept(dispatcher, source, name, body, delivery)

    for source in registry.names():
        # One route per source, so an unknown source is a plain 404.
        app.add_url_rule(
            f"/webhooks/{source}",
            endpoint=f"{source}_webhook",
            view_func=receive,
            methods=["POST"],
            defaults={"source": source},
        )

    dispatcher.start()
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
    dispatcher: Dispatcher, source: str, name: str, body: bytes, delivery: str | None
) -> tuple[Response, int]:
    """Check the payload (no network), store it in the inbox, answer 202; 4xx change nothing."""
    ctx = dispatcher.ctx
    try:
        event: Event = read_event(source, name, body)
    except Malformed as exc:
        return _error(400, str(exc))
    if event.kind == "ignored":
        return jsonify(status="ignored", reason=event.reason), 200
    if unready := webhook_unready(ctx, source):
        return jsonify(status="ignored", reason=unready), 200
    if not in_scope(ctx, event):
        return jsonify(status="ignored", reason=f"{event.project} is not configured"), 200
    parsed = None
    if event.kind in ("changed", "comment") and event.full_issue:
        # Parse now (pure, ~0.1 ms) so a wrongly typed field is a 400, not a dropped event.
        try:
            item, complete = parse_offline(ctx, event)
            item.validate()
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            return _error(400, f"issue has a field of an unexpected type ({exc})"[:300])
        parsed = item if complete else None
    delivery_id = _delivery_id(source, delivery, body)
    try:
        first = dispatcher.accept(source, delivery_id, name, body, event, parsed)
    except StoreUnavailable as exc:
        log.error("webhook %s: the store cannot take the delivery (%s); answered 503", source, exc)
        response, status = _error(503, "the store is unavailable; retry later")
        response.headers["Retry-After"] = "5"
        return response, status
    if not first:
        return jsonify(status="duplicate"), 200
    return jsonify(status="accepted"), 202


def _delivery_id(source: str, delivery: str | None, body: bytes) -> str:
    """Without a delivery id, an identical body is the same delivery sent again."""
    raw = delivery or "sha256:" + hashlib.sha256(body).hexdigest()
    if len(raw) > MAX_DELIVERY_ID:
        raw = "sha256:" + hashlib.sha256(raw.encode()).hexdigest()
    return f"{source}:{raw}"


def prune_deliveries(ctx: AppContext) -> int:
    """Forget handled delivery ids old enough that no sender redelivers them."""
    from bot.store.inbox import Inbox

    return Inbox(ctx.store, "", timedelta(0)).prune(KEEP_DELIVERIES)


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message), status
