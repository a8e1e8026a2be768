"""`refinery`: the command line. Each command group lives in its own module and registers here."""

from __future__ import annotations

import logging
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from bot.config import ConfigError, Settings, load_settings, origin

console = Console()
err = Console(stderr=True)
log = logging.getLogger(__name__)
# The store the running command uses, and where its URL came from, so that a store error
# raised anywhere (a full disk in the middle of a sync) can name it.
_stores: list[tuple[str, str]] = []
_show_tracebacks: list[bool] = [False]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one plain line on stderr (no markup: config names look like [jira]) and exit."""
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


class RefineryGroup(TyperGroup):
    """Turns setup problems raised anywhere in a command into one line and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:  # typer's own Exit and usage errors are not setup problems
            message = setup_problem(exc)
            if message is None or _show_tracebacks[0]:
                raise
            fail(message)


def setup_problem(exc: BaseException) -> str | None:
    """One line for a mistake the user can fix (store, disk, port), else None (a bug)."""
    import errno

    from bot.store.errors import StoreError, describe

    url, where = _stores[-1] if _stores else ("", "store.url")
    if isinstance(exc, StoreError):
        return f"Store error: {where}: {exc}"
    message = describe(exc, url) if url else None
    if message:
        return f"Store error: {where}: {message}"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return f"No space left on the device: {exc.filename or 'a file Refinery writes'}"
    return None


def package_version() -> str:
    try:
        return version("backlog-refinery")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


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

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        metavar="FILE",
        help="TOML config file (default: $REFINERY_CONFIG, else ./refinery.toml; none = defaults).",
        show_default=False,
    ),
]


class LogLevel(StrEnum):
    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


class LogFormat(StrEnum):
    text = "text"
    json = "json"


def settings_or_exit(config: Path | None) -> Settings:
    """Load settings, or print each problem on one line (never a secret) and exit 2."""
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            err.print(f"Configuration error: {line}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    using_store(settings.store.url, f"store.url ({origin(settings, 'store', 'url')})")
    return settings


def using_store(url: str, where: str) -> None:
    """Remember which store the command opens, for one-line errors about it."""
    _stores.append((url, where))


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

    _show_tracebacks[0] = verbose
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
