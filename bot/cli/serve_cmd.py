"""`refinery serve`: Slack (HTTP or Socket Mode), webhooks and /healthz in one process."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Annotated

import typer

from bot.cli.main import ConfigOption, console, settings_or_exit
from bot.context import AppContext
from bot.web import create_app

log = logging.getLogger(__name__)


def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Interface to listen on (default: server.host).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port to listen on (default: server.port).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Serve Slack at POST /slack/events, the webhooks and GET /healthz, under waitress.

    With slack.socket_mode = true and slack.app_token set, Slack's requests arrive over
    Socket Mode instead (no public URL needed); /healthz and the webhooks are still served.
    """
    from waitress import serve as waitress_serve

    from bot.slack.socket import start_socket_mode, wants_socket_mode

    settings = settings_or_exit(config)
    ctx = AppContext.build(settings)
    # `docker stop` and systemd send SIGTERM: stop like Ctrl-C, so the finally below runs.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    socket = None
    app = None
    try:
        if wants_socket_mode(ctx):
            socket = start_socket_mode(ctx)
        app = create_app(ctx)
        runtime = app.extensions.get("refinery.slack") or (socket.runtime if socket else None)
        if runtime is not None:
            runtime.spawn(runtime.answers.health)  # warm up: the first /refinery health is quick
        # Background services (the scheduler) start here, before the server blocks.
        bind_host = host or settings.server.host
        bind_port = port or settings.server.port
        mode = "Socket Mode" if socket else "HTTP at /slack/events"
        console.print(
            f"Refinery serving on http://{bind_host}:{bind_port} (Slack: {mode})", highlight=False
        )
        waitress_serve(
            app,
            host=bind_host,
            port=bind_port,
            threads=settings.server.threads,
            ident="refinery",
            max_request_body_size=settings.server.max_body_bytes,
        )
    finally:
        runtime = app.extensions.get("refinery.slack") if app is not None else None
        if runtime is not None:
            runtime.close()
        if socket is not None:
            socket.close()
        ctx.close()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
