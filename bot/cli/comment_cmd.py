"""`refinery comment`: post, edit or clear Refinery's comment on each unready ticket."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from bot.cli.main import ConfigOption, console, fail, settings_or_exit
from bot.context import AppContext
from bot.services.comments import run_comment_pass
from connectors.base import ConnectorError


class CommentSource(StrEnum):
    all = "all"
    jira = "jira"
    github = "github"


def comment(
    source: Annotated[
        CommentSource, typer.Option("--source", "-s", help="Which tracker to comment on.")
    ] = CommentSource.all,
    dry_run: Annotated[
        bool | None,
        typer.Option(
            "--dry-run/--no-dry-run",
            help="Print the plan and write nothing (default: comments.dry_run).",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Comment on stored items that fail the comment rules; edit or clear earlier comments.

    Run `refinery sync` first: this works from the store. At most comments.max_per_run writes
    are made; the rest waits for the next run, oldest first.
    """
    settings = settings_or_exit(config)
    if not settings.comments.enabled and not dry_run:
        fail("Comments are off: set [comments] enabled = true, or preview with --dry-run.")
    ctx = AppContext.build(settings)
    try:
        name = None if source is CommentSource.all else source.value
        summary = run_comment_pass(ctx, source=name, dry_run=dry_run)
    except ConnectorError as exc:
        fail(f"Cannot comment: {exc}", 1)
    finally:
        ctx.close()
    for line in summary.lines():
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    if summary.failed or summary.stopped:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("comment")(comment)
