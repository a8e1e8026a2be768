"""Serve Slack's requests (commands, interactivity, events) at POST /slack/events."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.middleware.authorization import SingleTeamAuthorization

from bot.context import AppContext
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

    @app.post(PATH)
    def slack_events() -> Response:
        # Bolt checks the signature and timestamp (401 otherwise) before any listener runs.
        with runtime.ack_first.answering():
            return handler.handle(request)

    return runtime


def warm_authorization(bolt: App) -> None:
    """Call auth.test once, now. Bolt calls it lazily inside the first request, and every
    command of a first burst would wait for its own call before being acknowledged."""
    for middleware in bolt._middleware_list:  # where Bolt keeps the result (no public hook)
        if isinstance(middleware, SingleTeamAuthorization) and not middleware.auth_test_result:
            middleware.auth_test_result = bolt.client.auth_test()
