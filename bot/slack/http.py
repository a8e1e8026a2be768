"""Serve Slack's requests (commands, interactivity, events) at POST /slack/events."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from slack_bolt.adapter.flask import SlackRequestHandler
from werkzeug.exceptions import RequestEntityTooLarge

from bot.context import AppContext
from bot.slack.app import Runtime, build_bolt_app
from bot.slack.verify import refusal

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

    secret = slack.signing_secret.get_secret_value()
    limit = ctx.settings.server.max_body_bytes

    @app.post(PATH)
    def slack_events() -> Response | tuple[Response, int]:
        # The signature is checked on the raw bytes, capped, before anything parses them:
        # an unsigned body costs its size and nothing more. Bolt checks it again.
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
        return handler.handle(request)

    return runtime


def _values(name: str) -> list[str]:
    """Every value of a header: a repeated header is joined with commas by the WSGI server."""
    return [part for value in request.headers.getlist(name) for part in value.split(",")]
