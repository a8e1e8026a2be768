"""`refinery digest`, `refinery remind` and `refinery schedule` (a scheduler-only process)."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import ConfigOption, console, err, fail, settings_or_exit

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.scheduler.jobs import Outbox

TeamOption = Annotated[
    str | None, typer.Option("--team", "-t", help="Only this team (a [[teams]] name).")
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Print the Block Kit JSON and a text rendering; post nothing."),
]


def _context(config: Path | None) -> AppContext:
    from bot.context import AppContext

    return AppContext.build(settings_or_exit(config))


def _show(outbox: Outbox) -> None:
    for outgoing in outbox.messages:
        console.rule(outgoing.what)
        body = json.dumps(outgoing.message, indent=2, ensure_ascii=False)
        # soft_wrap: no line breaks inserted into JSON or URLs, so both can be copied
        console.print(body, markup=False, highlight=False, soft_wrap=True)
        console.print(outgoing.text, markup=False, highlight=False, soft_wrap=True)


def digest(
    team: TeamOption = None, dry_run: DryRunOption = False, config: ConfigOption = None
) -> None:
    """Post each team's backlog-health digest to its channel (or print it with --dry-run).

    A digest shows items, ready %, per-rule counts and their change since the last digest, a
    trend, the top unready items with owners, pending requests, decisions and stale items.
    """
    from bot.scheduler.jobs import send_digests

    _run(config, dry_run, lambda ctx: send_digests(ctx, team=team, dry_run=dry_run))


def remind(
    team: TeamOption = None, dry_run: DryRunOption = False, config: ConfigOption = None
) -> None:
    """Post each team's refinement reminder: the next unready items, grouped by owner."""
    from bot.scheduler.jobs import send_reminders

    _run(config, dry_run, lambda ctx: send_reminders(ctx, team=team, dry_run=dry_run))


def _run(config: Path | None, dry_run: bool, send: Callable[[AppContext], Outbox]) -> None:
    ctx = _context(config)
    try:
        outbox = send(ctx)
    except ValueError as exc:
        fail(str(exc))
    finally:
        ctx.close()
    for note in outbox.skipped:
        console.print(note, markup=False, highlight=False, soft_wrap=True)
    if dry_run:
        _show(outbox)
        return
    for outgoing, result in zip(outbox.messages, outbox.results, strict=True):
        state = "posted" if result.ok else f"not posted ({result.error})"
        console.print(
            f"{outgoing.what} → {result.channel or 'no channel'}: {state}",
            highlight=False,
            markup=False,
        )
    if outbox.failed:
        raise typer.Exit(1)


def schedule(config: ConfigOption = None) -> None:
    """Run only the scheduler (sync, digests, reminders) until interrupted.

    On PostgreSQL, run it on several machines: one leads, the others stand by and take over
    within about a minute. On SQLite one scheduler leads per database; a second one stands by
    until the first stops or its lease expires.
    """
    from bot.scheduler.jobs import start_scheduler
    from bot.scheduler.leader import SchedulerBusy

    ctx = _context(config)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        runner = start_scheduler(ctx)
    except SchedulerBusy as exc:
        ctx.close()
        fail(f"Scheduler not started: {exc}")
    except ValueError as exc:
        ctx.close()
        fail(f"Configuration error: [schedule]: {exc}")
    names = ", ".join(spec.name for spec in runner.specs) or "no jobs"
    console.print(f"Scheduler started ({names}); Ctrl-C stops it.", highlight=False)
    if not runner.is_leader and not ctx.store.is_postgres:
        from bot.scheduler.leader import current_holder

        err.print(
            f"[yellow]Standing by[/yellow]: another scheduler ({current_holder(ctx.store)}) "
            "holds this SQLite store's lease; taking over when it stops or its lease expires.",
            highlight=False,
        )
    try:
        stop.wait()
    finally:
        runner.shutdown()
        ctx.close()


def register(app: typer.Typer) -> None:
    app.command("digest")(digest)
    app.command("remind")(remind)
    app.command("schedule")(schedule)
