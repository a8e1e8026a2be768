"""CLI test helpers: the registered Typer app and a runner in a clean environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from bot.cli.main import _register, app

Invoke = Callable[..., Result]


def registered_app() -> typer.Typer:
    """The `refinery` app with every command registered once (main() does this at start)."""
    names = {info.name for info in app.registered_commands}
    if "check" not in names:
        _register()
    return app


@pytest.fixture
def invoke(clean_env: Path) -> Iterator[Invoke]:
    """Run `refinery ARGS...` in an empty directory with no REFINERY_* variables."""
    runner = CliRunner()
    cli = registered_app()

    def run(
        *args: str | Path, env: dict[str, str] | None = None, input: str | None = None
    ) -> Result:
        argv: Sequence[str] = [str(arg) for arg in args]
        return runner.invoke(cli, argv, env=env, input=input, catch_exceptions=False)

    yield run
