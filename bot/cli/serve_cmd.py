"""`refinery serve`: Slack (HTTP or Socket Mode), webhooks and /healthz in one process."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Annotated

import typer

from bot.cli.main import ConfigOption, console, err, settings_or_exit
from bot.context import AppContext

log = logging.getLogger(__name__)


def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Interface to listen on (default: server.host).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port to listen on (default: server.port).")
    ] = None,
    scheduler: Annotated[
        bool,
        typer.Option(
            "--scheduler/--no-scheduler",
            help="Also run the [schedule] jobs (one replica runs them at a time).",
        ),
    ] = True,
    config: ConfigOption = None,
) -> None:
    """Serve Slack at POST /slack/events, the webhooks and GET /healthz, under waitress.

    With slack.socket_mode = true and slack.app_token set, Slack's requests arrive over
    Socket Mode instead (no public URL needed); /healthz and the webhooks are still served.
    The scheduled jobs (sync, digests, reminders, comments) run in the same process; on
    PostgreSQL only the elected replica runs them, the others stand by.
    """
    from waitress import serve as waitress_serve

    from bot.scheduler.runner import start_scheduler
    from bot.slack.socket import start_socket_mode, wants_socket_mode
    from bot.web import create_app  # Flask and Bolt: only the server needs them

    settings = settings_or_exit(config)
    web = settings.web
    if (
        web.enabled
        and not (web.secret and web.secret.get_secret_value())
        and not (web.trusted_user_header)
    ):
        err.print(
            "Configuration error: [web] enabled = true needs web.secret (for share links) "
            "or web.trusted_user_header.",
            highlight=False,
        )
        raise typer.Exit(2)
    ctx = AppContext.build(settings)
    # `docker stop` and systemd send SIGTERM: stop like Ctrl-C, so the finally below runs.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    socket = None
    app = None
    jobs = None
    try:
        if wants_socket_mode(ctx):
            socket = start_socket_mode(ctx)
        app = create_app(ctx)
        # Verdicts made under other rules (or never made) are redone once, in the background.
        ctx.judge.start_background()
        runtime = app.extensions.get("refinery.slack") or (socket.runtime if socket else None)
        if runtime is not None:
            runtime.spawn(runtime.answers.health)  # warm up: the first /refinery health is quick
        if scheduler:
            try:
                # Another leader (or SQLite lease holder): this one stands by and retries.
                jobs = start_scheduler(ctx)
            except ValueError as exc:
                err.print(f"[red]Scheduler configuration error[/red]: {exc}", highlight=False)
                raise typer.Exit(2) from None
        bind_host = host or settings.server.host
        bind_port = port or settings.server.port
        mode = "Socket Mode" if socket else "HTTP at /slack/events"
        pages = ", pages at /web/ (`refinery web link`)" if web.enabled else ""
        console.print(
            f"Refinery serving on http://{bind_host}:{bind_port} (Slack: {mode}{pages})",
            highlight=False,
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
        if jobs is not None:
            jobs.shutdown()
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
