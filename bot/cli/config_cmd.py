"""`refinery config check`: validate the configuration and show it with secrets masked."""

from __future__ import annotations

import json

import typer

from bot.cli.main import ConfigOption, console, settings_or_exit
from bot.config import masked

config_app = typer.Typer(help="Inspect Refinery's configuration.", no_args_is_help=True)


@config_app.command("check")
def check(config: ConfigOption = None) -> None:
    """Validate the config file and environment; print the effective settings, secrets masked."""
    settings = settings_or_exit(config)
    where = str(settings.path) if settings.path else "no config file (defaults and environment)"
    console.print(f"[green]Configuration is valid[/green]: {where}", highlight=False)
    console.print_json(json.dumps(masked(settings), default=str))


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
