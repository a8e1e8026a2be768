"""`refinery web link TEAM`: print a signed share link to a team's read-only page."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import ConfigOption, console, err, settings_or_exit

web_app = typer.Typer(help="The read-only backlog-health pages ([web] in the config).")


@web_app.command("link")
def link(
    team: Annotated[
        str | None,
        typer.Argument(
            help="A [[teams]] name (with no teams configured: backlog).", show_default=False
        ),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="A link to the overview of every team instead.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Print a share link. Anyone with it can read that page (and the team's items); change
    web.secret or raise web.key_version to revoke every link at once."""
    from bot.pages.access import ALL, share_url
    from bot.services.teams import select_teams

    settings = settings_or_exit(config)
    if every == (team is not None):
        err.print("Name a team, or pass --all for the overview.", highlight=False)
        raise typer.Exit(2)
    scope = ALL
    if team is not None:
        try:
            scope = select_teams(settings, team)[0].name
        except ValueError as exc:
            err.print(f"Error: {exc}", highlight=False, markup=False)
            raise typer.Exit(2) from None
    try:
        url = share_url(settings, scope)
    except ValueError as exc:
        err.print(f"Error: {exc}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    if not settings.web.enabled:
        err.print("Note: [web] enabled is false, so `refinery serve` does not serve it yet.")
    console.print(url, highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(web_app, name="web")
