"""`refinery requests`: the intake queue and every decision taken on it."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer
from rich.table import Table
from rich.text import Text

from bot.cli.common import ConfigOption, console, fail, settings_or_exit
from bot.services.intake import STATUSES, Intake, IntakeError
from bot.store import open_store
from bot.store.requests import Decision


def requests(
    status: Annotated[
        str | None,
        typer.Option("--status", help=f"Only requests in this status ({', '.join(STATUSES)})."),
    ] = None,
    release: Annotated[
        int | None,
        typer.Option(
            "--release",
            metavar="ID",
            help="Return a request stuck in accepting/declining to pending. Check the tracker "
            "first: the log names any ticket that was created before the failure.",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """List intake requests and the decisions on them (who, when, what, why)."""
    if status is not None and status not in STATUSES:
        fail(f"Unknown status {status!r}; use one of: {', '.join(STATUSES)}")
    settings = settings_or_exit(config)
    store = open_store(settings.store.url, settings.store.lock_timeout)
    try:
        intake = Intake(store, _no_tracker, {})
        if release is not None:
            try:
                row = intake.release_claim(release)
            except IntakeError as exc:
                fail(str(exc), 1)
            console.print(
                f"Request #{row.id} is pending again: {row.title}", highlight=False, markup=False
            )
            return
        rows = intake.requests(status)
        decisions: dict[int, list[Decision]] = {}
        for decision in intake.decisions():
            decisions.setdefault(decision.request_id, []).append(decision)
    finally:
        store.close()
    if not rows:
        console.print("No requests" + (f" with status {status}." if status else "."))
        return
    table = Table(title=f"Requests ({len(rows)})")
    for name in ("#", "status", "title", "from", "ticket", "decisions"):
        table.add_column(name, overflow="fold")
    for row in rows:
        origin = row.origin_key if row.origin != "slack" else row.requester
        # Text cells: titles and reasons are people's words, not Rich markup.
        table.add_row(
            str(row.id),
            row.status,
            Text(row.title),
            Text(f"{row.origin}: {origin or '-'}"),
            Text(row.ticket_key or ""),
            Text("\n".join(_decision_line(d) for d in decisions.get(row.id, []))),
        )
    console.print(table)


def _decision_line(decision: Decision) -> str:
    when = decision.decided_at.strftime("%Y-%m-%d %H:%M")
    what = f"{decision.action} by {decision.actor} at {when}"
    if decision.target:
        what += f" → {decision.target}"
    return f"{what}: {decision.reason}" if decision.reason else what


def _no_tracker(source: str) -> NoReturn:
    raise RuntimeError("listing requests never writes to a tracker")


def register(app: typer.Typer) -> None:
    app.command("requests")(requests)
