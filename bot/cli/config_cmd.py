"""`refinery config check`: what is set up, what is missing, and what would fail later."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from bot.cli.common import ConfigOption, console, err, settings_or_exit
from bot.config import masked
from bot.config_check import problems, summary

config_app = typer.Typer(help="Inspect Refinery's configuration.", no_args_is_help=True)


class Format(StrEnum):
    text = "text"
    json = "json"


@config_app.command("check")
def check(
    output: Annotated[
        Format,
        typer.Option("--format", "-f", help="A short summary, or JSON with every setting."),
    ] = Format.text,
    config: ConfigOption = None,
) -> None:
    """Check the config file and environment: each part, what is missing, what would fail.

    Catches cron expressions, time zones, token pairs, repository names, URL schemes, store
    URLs and empty comment templates as well as unknown keys and wrong types. Exit 0 when
    all is well, 2 with one line per problem. Secrets are never shown.
    """
    settings = settings_or_exit(config)
    found = problems(settings)
    where = str(settings.path) if settings.path else "no config file (defaults and environment)"
    if output is Format.json:
        document = {
            "file": str(settings.path) if settings.path else None,
            "valid": not found,
            "problems": [{"key": p.key, "message": p.line(settings)} for p in found],
            "settings": masked(settings),
        }
        sys.stdout.write(json.dumps(document, default=str, ensure_ascii=False) + "\n")
    else:
        console.print(f"Config: {where}", markup=False, highlight=False, soft_wrap=True)
        for line in summary(settings):
            console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
        if not found:
            console.print("No problems found.", style="green", markup=False, highlight=False)
    for problem in found:
        err.print(
            f"Configuration error: {problem.line(settings)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if found:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
