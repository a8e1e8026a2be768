"""Serve Slack's requests (commands, interactivity, events) at POST /slack/events."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from slack_bolt.adapter.flask import SlackRequestHandler

from bot.context import AppContext
from bot.slack.app import Runtime, build_bolt_app

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
    handler = SlackRequestHandler(build_bolt_app(ctx, runtime))
    app.extensions["refinery.slack"] = runtime

    @app.post(PATH)
    def slack_events() -> Response:
        # Bolt checks the signature and timestamp (401 otherwise) before any listener runs.
        return handler.handle(request)

    return runtime
