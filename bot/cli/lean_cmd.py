"""`refinery health` (backlog health and leanness) and `refinery prune` (the say-no proposal)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli.common import ConfigOption, console, err, settings_or_exit
from bot.config import Settings
from bot.context import AppContext
from bot.render.terminal import health_summary
from bot.services.digest import outcome_summary, team_items
from bot.services.lean import team_leanness
from bot.services.report import evaluate
from bot.services.teams import select_teams

TeamOption = Annotated[
    str | None, typer.Option("--team", "-t", help="Only this team (from [[teams]]).")
]


def health(team: TeamOption = None, config: ConfigOption = None) -> None:
    """Show each team's backlog health and leanness: items by age, never-touched items,
    months of work at the team's velocity, the intake acceptance rate over 90 days, and the
    outcome follow-up's counts when it is enabled.

    Works from the store: run `refinery sync` first.
    """
    settings = settings_or_exit(config)
    try:
        chosen = select_teams(settings, team)
    except ValueError as exc:
        err.print(str(exc), highlight=False, markup=False)
        raise typer.Exit(2) from None
    ctx = AppContext.build(settings)
    try:
        for each in chosen:
            items = team_items(ctx.store, each)
            report, _ = evaluate(items, ctx.engine)
            console.print(health_summary(report, title=f"Backlog health — {each.name}"))
            for line in team_leanness(ctx.store, settings, each).lines():
                console.print(f"  {line}", highlight=False, markup=False)
            outcomes = outcome_summary(ctx.store, ctx.engine, settings, each)
            if outcomes is not None:
                console.print(f"  {outcomes.line()}", highlight=False, markup=False)
    finally:
        ctx.close()


def prune_command(
    team: TeamOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the candidates; store and post nothing.")
    ] = False,
    history: Annotated[
        bool, typer.Option("--history", help="List every Keep / Decline decision and stop.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Propose stale items that serve no goal or sit low in rank to each team's PO in Slack.

    Each PO gets one message with up to prune.candidates items, each with Keep and Decline.
    Nothing is closed until a PO clicks Decline and gives a reason.
    """
    settings = settings_or_exit(config)
    if history:
        _history(settings)
        return
    if not settings.prune.enabled and not dry_run:
        err.print(
            "Prune is off: set [prune] enabled = true, or preview with --dry-run.",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(2)
    if not dry_run and settings.slack.bot_token is None:
        err.print(
            "Prune posts to Slack: set [slack] bot_token (or use --dry-run).",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(2)
    from bot.scheduler.prune_job import send_prune

    ctx = AppContext.build(settings)
    try:
        try:
            outcome = send_prune(ctx, team=team, dry_run=dry_run)
        except ValueError as exc:
            err.print(str(exc), highlight=False, markup=False)
            raise typer.Exit(2) from None
    finally:
        ctx.close()
    for line in outcome.lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    if outcome.failed:
        raise typer.Exit(1)


def _history(settings: Settings) -> None:
    """The audit trail: who kept or declined what, when, and why."""
    from bot.services.prune import decisions_since

    ctx = AppContext.build(settings)
    try:
        for each in select_teams(settings, None):
            for row in decisions_since(ctx.store, each.name, datetime(1970, 1, 1, tzinfo=UTC)):
                when = f"{row.decided_at:%Y-%m-%d %H:%M}" if row.decided_at else "?"
                reason = f": {row.reason}" if row.reason else ""
                console.print(
                    f"{when}  {each.name}  {row.key}  {row.status} by {row.decided_by}{reason}",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
    finally:
        ctx.close()


def register(app: typer.Typer) -> None:
    app.command("health")(health)
    app.command("prune")(prune_command)
