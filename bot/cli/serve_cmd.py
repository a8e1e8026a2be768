"""`refinery serve`: Slack (HTTP or Socket Mode), webhooks and /healthz in one process."""

from __future__ import annotations

import errno
import logging
import signal
from types import FrameType
from typing import Annotated

import typer

from bot import serve_status
from bot.cli.common import ConfigOption, console, err, fail, settings_or_exit
from bot.config import Settings, origin
from bot.context import AppContext

log = logging.getLogger(__name__)


def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Interface to listen on (default: server.host).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", help="Port to listen on (default: server.port; 0: any free)."),
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

    At start it says what is served and what is off, and why; a bot token Slack refuses
    (auth.test) stops it with one line.

    With slack.socket_mode = true and slack.app_token set, Slack's requests arrive over
    Socket Mode instead (no public URL needed); /healthz and the webhooks are still served.
    The scheduled jobs (sync, digests, reminders, comments) run in the same process; on
    PostgreSQL only the elected replica runs them, the others stand by.
    """
    from waitress.server import create_server

    from bot.http_queue import CountingDispatcher
    from bot.scheduler.jobs import start_scheduler
    from bot.scheduler.leader import SchedulerBusy
    from bot.slack.http import warm_authorization
    from bot.slack.socket import start_socket_mode
    from bot.web import create_app  # Flask and Bolt: only the server needs them

    settings = settings_or_exit(config)
    web = settings.web
    if (
        web.enabled
        and not (web.secret and web.secret.get_secret_value())
        and not (web.trusted_user_header)
    ):
        fail(
            "Configuration error: [web] enabled = true needs web.secret (REFINERY_WEB__SECRET, "
            "for share links) or web.trusted_user_header"
        )
    status = serve_status.parts(settings)
    slack = status[0]
    if slack.on:
        _check_slack_token(settings)
    ctx = AppContext.build(settings)
    # `docker stop` and systemd send SIGTERM: stop like Ctrl-C, so the finally below runs.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    socket = None
    app = None
    jobs = None
    dispatcher = None
    try:
        app = create_app(ctx)
        # Verdicts made under other rules (or never made) are redone once, in the background.
        ctx.judge.start_background()
        bind_host = host or settings.server.host
        bind_port = settings.server.port if port is None else port
        runtime = app.extensions.get("refinery.slack")
        # Follow-ups wait while any request is queued or being answered (bot.http_queue).
        if runtime is not None:
            dispatcher = CountingDispatcher(runtime.ack_first)
            dispatcher.set_thread_count(settings.server.threads)  # waitress leaves it to us
        try:
            server = create_server(
                app,
                host=bind_host,
                port=bind_port,
                threads=settings.server.threads,
                ident="refinery",
                max_request_body_size=settings.server.max_body_bytes,
                _dispatcher=dispatcher,  # waitress's own hook for its thread pool
            )
        except OSError as exc:
            fail(_bind_problem(exc, bind_host, bind_port, settings, port is not None))
        if slack.on and settings.slack.socket_mode:
            socket = start_socket_mode(ctx)
        runtime = app.extensions.get("refinery.slack") or (socket.runtime if socket else None)
        if runtime is not None:
            runtime.spawn(runtime.answers.health)  # warm up: the first /refinery health is quick
        bolt = app.extensions.get("refinery.bolt")
        if runtime is not None and bolt is not None:
            runtime.spawn(warm_authorization, bolt)  # auth.test once, not in the first acks
        schedule_line = "off (--no-scheduler)"
        if scheduler:
            try:
                jobs = start_scheduler(ctx)
            except SchedulerBusy as exc:
                # HTTP is stateless across processes: keep serving, just without the schedule.
                schedule_line = f"off, {exc}"
            except ValueError as exc:
                fail(f"Configuration error: [schedule]: {exc}")
            else:
                names = ", ".join(spec.name for spec in jobs.specs)
                schedule_line = names if names else "no jobs ([schedule] sets none)"
        # waitress logs a warning for every request that waits for a thread: under a burst
        # that is a log line per request, written while acks wait. Errors still show.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        effective = getattr(server, "effective_port", bind_port)
        console.print(
            f"Refinery serving on http://{bind_host}:{effective} (GET /healthz)",
            highlight=False,
            markup=False,
        )
        for part in status:
            console.print(f"  {part.line()}", highlight=False, markup=False, soft_wrap=True)
        console.print(f"  Scheduler: {schedule_line}", highlight=False, markup=False)
        pages = (
            "on at /web/ (share links: refinery web link TEAM)"
            if web.enabled
            else "off ([web] enabled = false)"
        )
        console.print(f"  Pages: {pages}", highlight=False, markup=False)
        server.run()
    finally:
        if dispatcher is not None:
            dispatcher.shutdown()  # the HTTP worker threads: finish what they serve, then stop
        if jobs is not None:
            jobs.shutdown()
        runtime = app.extensions.get("refinery.slack") if app is not None else None
        if runtime is not None:
            runtime.close()
        if socket is not None:
            socket.close()
        ctx.close()
        signal.signal(signal.SIGTERM, previous)


def _check_slack_token(settings: Settings) -> None:
    """Ask Slack whether the bot token works (auth.test) before claiming Slack is served."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.slack.poster import make_web_client

    client = make_web_client(settings, max_retries=1)
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "refused")
        fail(f"Slack refused REFINERY_SLACK__BOT_TOKEN (auth.test: {error}): set a valid token")
    except (SlackClientError, OSError) as exc:
        # Slack unreachable is not a setup mistake here: serve, and let requests retry later.
        err.print(
            f"Slack: cannot check the bot token now (auth.test: {type(exc).__name__})",
            markup=False,
            highlight=False,
        )
        return
    console.print(
        "Slack: bot token accepted by auth.test "
        f"(team {answer.get('team') or answer.get('team_id')}, "
        f"bot {answer.get('user') or answer.get('user_id')})",
        markup=False,
        highlight=False,
    )


def _bind_problem(exc: OSError, host: str, port: int, settings: Settings, from_option: bool) -> str:
    where = "--port" if from_option else f"server.port ({origin(settings, 'server', 'port')})"
    if exc.errno == errno.EADDRINUSE:
        return f"Cannot listen on {host}:{port}: the port is in use; choose another with {where}"
    if exc.errno == errno.EACCES:
        return f"Cannot listen on {host}:{port}: permission denied (a port below 1024?); {where}"
    return f"Cannot listen on {host}:{port}: {exc.strerror or exc} (server.host, {where})"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
