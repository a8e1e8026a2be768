"""Logging: INFO by default, JSON lines on request, printed above a progress bar, not through it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from rich.console import Console
from rich.progress import Progress

from bot.logs import CurrentStderr, JsonFormatter, configure
from tests.cli.conftest import Invoke


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_log_lines_go_above_the_progress_bar() -> None:
    configure("info", "text")
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80)
    with Progress(console=console, transient=True) as progress:
        progress.add_task("jira", total=10)
        logging.getLogger("bot.test").info("page 3 stored")
    # Rich printed the line through its own console (above the bar), not past it.
    assert "page 3 stored" in screen.getvalue()


@pytest.mark.usefixtures("restore_logging")
def test_info_by_default_and_one_handler(invoke: Invoke) -> None:
    run = invoke
    assert run("rules").exit_code == 0
    root = logging.getLogger()
    assert root.level == logging.INFO
    assert sum(isinstance(h, CurrentStderr) for h in root.handlers) == 1
    assert run("--log-level", "warning", "rules").exit_code == 0
    assert root.level == logging.WARNING
    assert sum(isinstance(h, CurrentStderr) for h in root.handlers) == 1


def test_json_lines_carry_extra_fields_and_exceptions() -> None:
    record = logging.LogRecord("bot.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.status = 200
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["logger"], line["message"], line["status"]) == (
        "info", "bot.access", "GET /x", 200
    )  # fmt: skip
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(failed))
    assert "ValueError: boom" in entry["exception"] and "\n" not in JsonFormatter().format(failed)
