"""Serve Slack's requests (commands, interactivity, events) at POST /slack/events."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from flask import Flask, Response, request
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.middleware.authorization import SingleTeamAuthorization
from slack_sdk.signature import SignatureVerifier

from bot.context import AppContext
from bot.slack import commands
from bot.slack.app import Runtime, build_bolt_app

log = logging.getLogger(__name__)

PATH = "/slack/events"


def register_slack(app: Flask, ctx: AppContext) -> Runtime | None:
    """Add POST /slack/events when Slack is configured for HTTP; return the runtime (or None)."""
    slack = ctx.settings.slack
    if slack.socket_mode and slack.app_token:
        return None  # Socket Mode receives Slack's requests; no public endpoint to guard
    if slack.bot_token is None or slack.signing_secret is None:
        log.info("Slack is not configured (slack.bot_token, slack.signing_secret): no %s", PATH)
        return None
    runtime = Runtime.build(ctx)
    bolt = build_bolt_app(ctx, runtime)
    handler = SlackRequestHandler(bolt)
    app.extensions["refinery.slack"] = runtime
    app.extensions["refinery.bolt"] = bolt  # `refinery serve` warms its authorization

    verifier = SignatureVerifier(slack.signing_secret.get_secret_value())

    @app.post(PATH)
    def slack_events() -> Response:
        with runtime.ack_first.answering():
            quick = _slash_command(runtime, verifier, slack.command)
            if quick is not None:
                return quick
            # Bolt checks the signature and timestamp (401 otherwise) before any listener runs.
            return handler.handle(request)

    return runtime


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
