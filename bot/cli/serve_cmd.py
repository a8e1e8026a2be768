"""`refinery serve`: Slack (HTTP or Socket Mode), webhooks and /healthz in one process."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Annotated

import typer

from bot.cli.main import ConfigOption, console, err, settings_or_exit
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

    from bot.scheduler.leader import SchedulerBusy
    from bot.scheduler.runner import start_scheduler
    from bot.slack.http import warm_authorization
    from bot.slack.socket import start_socket_mode, wants_socket_mode

    settings = settings_or_exit(config)
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
        runtime = app.extensions.get("refinery.slack") or (socket.runtime if socket else None)
        if runtime is not None:
            runtime.spawn(runtime.answers.health)  # warm up: the first /refinery health is quick
        bolt = app.extensions.get("refinery.bolt")
        if runtime is not None and bolt is not None:
            runtime.spawn(warm_authorization, bolt)  # auth.test once, not in the first acks
        if scheduler:
            try:
                jobs = start_scheduler(ctx)
            except SchedulerBusy as exc:
                # HTTP is stateless across processes: keep serving, just without the schedule.
                err.print(f"[yellow]Scheduler not started[/yellow]: {exc}", highlight=False)
            except ValueError as exc:
                err.print(f"[red]Scheduler configuration error[/red]: {exc}", highlight=False)
                raise typer.Exit(2) from None
        bind_host = host or settings.server.host
        bind_port = port or settings.server.port
        # waitress logs a warning for every request that waits for a thread: under a burst
        # that is a log line per request, written while acks wait. Errors still show.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
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
