"""Serve Slack's requests (commands, interactivity, events) at POST /slack/events."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from flask import Flask, Response, jsonify, request
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.middleware.authorization import SingleTeamAuthorization
from slack_sdk.signature import SignatureVerifier
from werkzeug.exceptions import RequestEntityTooLarge

from bot.slack import commands
from bot.slack.app import Runtime, build_bolt_app
from bot.slack.verify import refusal

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)

PATH = "/slack/events"


def register_slack(app: Flask, ctx: AppContext) -> Runtime | None:
    """Add POST /slack/events when Slack is configured for HTTP; return the runtime (or None)."""
    slack = ctx.settings.slack
    if slack.socket_mode:
        return None  # Socket Mode receives Slack's requests (or nothing, without its tokens)
    if slack.bot_token is None or slack.signing_secret is None:
        log.debug("Slack over HTTP is not configured (slack.bot_token, slack.signing_secret)")
        return None
    runtime = Runtime.build(ctx)
    bolt = build_bolt_app(ctx, runtime)
    handler = SlackRequestHandler(bolt)
    app.extensions["refinery.slack"] = runtime
    app.extensions["refinery.bolt"] = bolt  # `refinery serve` warms its authorization

    verifier = SignatureVerifier(slack.signing_secret.get_secret_value())

    secret = slack.signing_secret.get_secret_value()
    limit = ctx.settings.server.max_body_bytes

    @app.post(PATH)
    def slack_events() -> Response | tuple[Response, int]:
        with runtime.ack_first.answering():
            # The signature is checked on the raw bytes, capped, before anything parses them:
            # an unsigned body costs its size and nothing more.
            if request.content_length is not None and request.content_length > limit:
                return jsonify(error=f"body over {limit} bytes"), 413
            try:
                body = request.get_data(cache=True)
            except RequestEntityTooLarge:
                return jsonify(error=f"body over {limit} bytes"), 413
            refused = refusal(
                secret,
                body,
                _values("X-Slack-Request-Timestamp"),
                _values("X-Slack-Signature"),
            )
            if refused:
                return jsonify(error=refused), 401
            quick = _slash_command(runtime, verifier, slack.command)
            if quick is not None:
                return quick
            return handler.handle(request)  # Bolt checks the signature again

    return runtime


def _values(name: str) -> list[str]:
    """Every value of a header: a repeated header is joined with commas by the WSGI server."""
    return [part for value in request.headers.getlist(name) for part in value.split(",")]


def _slash_command(runtime: Runtime, verifier: SignatureVerifier, command: str) -> Response | None:
    """Acknowledge a validly signed `/refinery` command without Bolt's middleware chain: parse,
    verify, enqueue. At 50 commands at once on 2 cores, that chain was most of each ack's CPU.
    Anything else (a bad signature included) returns None and goes through Bolt as before."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return None
    body = request.get_data(as_text=True)
    fields = {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
    if fields.get("command") != command or "payload" in fields or "ssl_check" in fields:
        return None
    headers = request.headers
    timestamp, signature = (
        headers.get("X-Slack-Request-Timestamp"),
        headers.get("X-Slack-Signature"),
    )
    if not verifier.is_valid(body, timestamp, signature):
        return None  # Bolt answers 401 in its own words
    commands.handle_command(runtime, dict(fields), Ack())  # type: ignore[no-untyped-call]
    return Response("", status=200)


def warm_authorization(bolt: App) -> None:
    """Call auth.test once, now. Bolt calls it lazily inside the first request, and every
    command of a first burst would wait for its own call before being acknowledged."""
    for middleware in bolt._middleware_list:  # where Bolt keeps the result (no public hook)
        if isinstance(middleware, SingleTeamAuthorization) and not middleware.auth_test_result:
            middleware.auth_test_result = bolt.client.auth_test()
