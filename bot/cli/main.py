"""`refinery`: the command line. Each command group lives in its own module and registers here."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.config import ConfigError, Settings, load_settings

app = typer.Typer(
    name="refinery",
    help=(
        "Refinery keeps a backlog honest: it syncs Jira and GitHub items, flags those that "
        "do not say why they matter, name no outcome metric or carry no estimate, and "
        "nudges people through Slack and ticket comments.\n\n"
        "Start with `refinery demo` (offline), then `refinery config check`."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
console = Console()
err = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML config file (default: $REFINERY_CONFIG, else ./refinery.toml; none = defaults).",
        show_default=False,
    ),
]


def settings_or_exit(config: Path | None) -> Settings:
    """Load settings, or print the problem (never a secret) and exit 2."""
    try:
        return load_settings(config)
    except ConfigError as exc:
        err.print(f"[red]Configuration error[/red]\n{exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more detail.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def main() -> None:
    """Console-script entry point."""
    _register()
    app()


def _register() -> None:
    # Imported here so `refinery --help` stays quick and each module owns its commands.
    from bot.cli import check_cmd, config_cmd, demo_cmd, requests_cmd, serve_cmd, sync_cmd

    config_cmd.register(app)
    sync_cmd.register(app)
    check_cmd.register(app)
    demo_cmd.register(app)
    requests_cmd.register(app)
    serve_cmd.register(app)
    from bot.cli import comment_cmd  # ticket comments (issue 7)

    comment_cmd.register(app)
    from bot.cli import digest_cmd  # digests, reminders, scheduler (issue 6)

    digest_cmd.register(app)
    from bot.cli import outcomes_cmd  # the outcome follow-up (issue 17)

    outcomes_cmd.register(app)
    from bot.cli import lean_cmd  # leanness report and the say-no proposal (issue 16)

    lean_cmd.register(app)
    from bot.cli import rules_cmd

    rules_cmd.register(app)
    from bot.cli import web_cmd  # the read-only pages

    web_cmd.register(app)
