"""`refinery comment`: post, edit or clear Refinery's comment on each unready ticket."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import ConfigOption, console, fail, settings_or_exit
from bot.context import AppContext
from bot.services.comments import Action, run_comment_pass
from connectors import registry
from connectors.base import ConnectorError

if TYPE_CHECKING:

    class CommentSource(StrEnum):
        all = "all"

else:
    # "all" and every connector's name, so a new source is a choice without an edit here.
    CommentSource = StrEnum("CommentSource", {"all": "all"} | {n: n for n in registry.names()})


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
        empty = _empty_state(ctx)
        if empty:
            console.print(empty, highlight=False, markup=False, soft_wrap=True)
            return
        name = None if source is CommentSource.all else source.value
        summary = run_comment_pass(ctx, source=name, dry_run=dry_run)
    except ConnectorError as exc:
        fail(f"Cannot comment: {exc}", 1)
    finally:
        ctx.close()
    for line in summary.lines():
        console.print(line, highlight=False, markup=False, soft_wrap=True)
        if summary.dry_run and line.startswith("would "):
            action = next(a for a in summary.planned if line == "would " + a.describe())
            console.print(_indented(action), highlight=False, markup=False, soft_wrap=True)
    if summary.failed or summary.stopped:
        raise typer.Exit(1)


def _empty_state(ctx: AppContext) -> str | None:
    """Say why there is nothing to plan, instead of "0 planned"."""
    from bot.store.jobs import JobRuns

    last_sync = JobRuns(ctx.store).last("sync")
    failed = last_sync is not None and last_sync.status == "error"
    detail = last_sync.detail if last_sync is not None else ""
    if ctx.store.count_items() == 0:
        return "The store is empty: run `refinery sync` first (this command works from the store)."
    if failed:
        return f"The last sync failed ({detail or 'see the log'}): fix it and sync again first."
    return None


def _indented(action: Action) -> str:
    """The text a planned comment would have, indented under its line."""
    body = action.rendered.body if action.rendered is not None else "(the comment is deleted)"
    if not isinstance(body, str):  # ADF (Jira Cloud): show the words, not the JSON
        from connectors.text import analyze

        body = analyze(body, "adf").plain
    return "\n".join("    " + line for line in str(body).splitlines())


def register(app: typer.Typer) -> None:
    app.command("comment")(comment)
