"""The HTTP app `refinery serve` runs: Slack events, tracker webhooks and a health check."""

from __future__ import annotations

from flask import Flask, Response, jsonify

from bot.access_log import install_access_log
from bot.context import AppContext
from bot.metrics import register_metrics
from bot.pages import register_pages
from bot.slack.http import register_slack
from bot.webhooks import register_webhooks


def create_app(ctx: AppContext) -> Flask:
    """Build the WSGI app. Each feature registers its own routes here."""
    app = Flask("refinery")
    app.config["MAX_CONTENT_LENGTH"] = ctx.settings.server.max_body_bytes

    @app.get("/healthz")
    def healthz() -> Response:
        ctx.store.count_items()  # proves the store answers
        return jsonify(status="ok")

    register_slack(app, ctx)  # POST /slack/events (when Slack is configured for HTTP)
    dispatcher = register_webhooks(app, ctx)  # POST /webhooks/jira, /webhooks/github
    register_pages(app, ctx)  # GET /web/... when [web] enabled = true
    register_metrics(app, ctx, inbox=lambda: dispatcher.inbox.counts().get("pending", 0))
    install_access_log(app)
    return app
