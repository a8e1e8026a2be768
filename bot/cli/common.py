"""What every command module shares: the consoles, one-line setup errors, the --config option
and loading settings. Kept apart from `main` so command modules never import the module that
imports them."""

from __future__ import annotations

import logging
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
show_tracebacks: list[bool] = [False]


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
            if message is None or show_tracebacks[0]:
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
