"""Receive Slack's requests over Socket Mode, for workspaces without a public URL."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.slack.app import Runtime, build_bolt_app

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)


@dataclass
class SocketMode:
    handler: SocketModeHandler
    runtime: Runtime

    def close(self) -> None:
        self.handler.close()  # type: ignore[no-untyped-call]
        self.runtime.close()


def wants_socket_mode(ctx: AppContext) -> bool:
    slack = ctx.settings.slack
    return bool(slack.socket_mode and slack.app_token and slack.bot_token)


def start_socket_mode(ctx: AppContext) -> SocketMode:
    """Connect to Slack (non-blocking); requests arrive over the socket, already authenticated."""
    app_token = ctx.settings.slack.app_token
    if app_token is None:
        raise ValueError("slack.app_token is not set")
    runtime = Runtime.build(ctx)
    # Socket Mode messages are not signed: the app-level token authenticates the socket.
    app = build_bolt_app(ctx, runtime, verify_requests=False)
    handler = SocketModeHandler(app, app_token.get_secret_value())
    handler.connect()  # type: ignore[no-untyped-call]
    log.info("connected to Slack over Socket Mode")
    return SocketMode(handler, runtime)
