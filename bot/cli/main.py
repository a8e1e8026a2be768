"""`refinery`: the command line. Each command group lives in its own module and registers here."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from bot.cli.common import (
    RefineryGroup,
    console,
    package_version,
    show_tracebacks,
)

app = typer.Typer(
    name="refinery",
    cls=RefineryGroup,
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


class LogLevel(StrEnum):
    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


class LogFormat(StrEnum):
    text = "text"
    json = "json"


def _print_version(value: bool) -> None:
    if value:
        console.print(f"refinery {package_version()}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    log_level: Annotated[
        LogLevel,
        typer.Option("--log-level", "-l", help="Least severe log messages shown (on stderr)."),
    ] = LogLevel.info,
    log_format: Annotated[
        LogFormat,
        typer.Option("--log-format", help="text, or json: one JSON object a line."),
    ] = LogFormat.text,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Debug logs, and tracebacks for setup errors."),
    ] = False,
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    from bot.logs import configure

    show_tracebacks[0] = verbose
    configure("debug" if verbose else log_level.value, log_format.value)


def main() -> None:
    """Console-script entry point."""
    _register()
    app()


def _plain_flags() -> None:
    """Show no type beside flags in help: typer prints `<bool>` there (`--help` included),
    though a flag takes no value."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None:  # another typer version: nothing to fix
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    setattr(TyperOption, "display_type_rich", display_type_rich)  # noqa: B010


def _register() -> None:
    # Imported here so `refinery --help` stays quick and each module owns its commands.
    _plain_flags()
    from bot.cli import (
        check_cmd,
        comment_cmd,
        config_cmd,
        demo_cmd,
        digest_cmd,
        lean_cmd,
        outcomes_cmd,
        requests_cmd,
        rules_cmd,
        serve_cmd,
        sync_cmd,
        web_cmd,
    )

    for module in (
        config_cmd,
        sync_cmd,
        check_cmd,
        rules_cmd,
        demo_cmd,
        requests_cmd,
        serve_cmd,
        comment_cmd,
        digest_cmd,
        outcomes_cmd,
        lean_cmd,
        web_cmd,
    ):
        module.register(app)
