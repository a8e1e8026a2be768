"""`refinery health`: each team's backlog health in the terminal, as the digest counts it."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.main import ConfigOption, console, err, settings_or_exit


def health(
    team: Annotated[str | None, typer.Option("--team", "-t", help="Only this team.")] = None,
    config: ConfigOption = None,
) -> None:
    """Print each team's items, ready %, findings per rule and outcome follow-up counts."""
    from bot.context import AppContext
    from bot.render.digest import digest_summary
    from bot.services.digest import build_digest, select_teams

    ctx = AppContext.build(settings_or_exit(config))
    try:
        try:
            chosen = select_teams(ctx.settings, team)
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]", highlight=False)
            raise typer.Exit(2) from None
        for config_team in chosen:
            data = build_digest(ctx.store, ctx.engine, ctx.settings, config_team)
            console.print(digest_summary(data), highlight=False, markup=False)
            for rule_id, count in sorted(data.per_rule.items(), key=lambda p: (-p[1], p[0])):
                console.print(f"  {rule_id:<24} {count}", highlight=False, markup=False)
            if data.outcomes is not None:
                console.print(f"  {data.outcomes.line()}", highlight=False, markup=False)
    finally:
        ctx.close()


def register(app: typer.Typer) -> None:
    app.command("health")(health)
