"""`refinery sync`: bring the store up to date with Jira and GitHub, then re-evaluate."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.common import ConfigOption, console, err, fail, settings_or_exit
from bot.services.judge import Judge
from bot.services.report import stored_totals
from bot.services.sync import SyncSummary, run_stream, streams_for
from bot.store import open_store
from connectors.base import ConnectorError
from rules.engine import Engine


class SourceChoice(StrEnum):
    all = "all"
    jira = "jira"
    github = "github"


class BarProgress:
    """Feeds a Rich progress bar from the sync loop."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("", total=None, pages=0)
        self.pages = 0

    def started(self, stream: str, total: int | None) -> None:
        self.pages = 0
        self.progress.reset(self.task, total=total, description=stream, pages=0)

    def advanced(self, items: int, pages: int) -> None:
        self.pages += pages
        self.progress.update(self.task, advance=items, pages=self.pages)


def sync(
    source: Annotated[
        SourceChoice, typer.Option("--source", "-s", help="Which source to sync.")
    ] = SourceChoice.all,
    full: Annotated[
        bool, typer.Option("--full", help="Ignore the saved cursor and read everything again.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Sync items from Jira and/or GitHub into the store (incremental unless --full).

    Only items updated since the last sync are read; the cursor advances only after the items
    it covers are stored, so an interrupted sync resumes where it stopped.
    """
    settings = settings_or_exit(config)
    store = open_store(settings.store.url, settings.store.lock_timeout)
    try:
        streams = streams_for(settings, store, source.value)
    except ConnectorError as exc:
        fail(f"Cannot sync: {exc}", 1)
    if not streams:
        fail(
            "Nothing to sync: set [jira] url (and projects or jql) or [github] repos "
            "in your config. `refinery config check` shows what Refinery read."
        )
    summaries: list[SyncSummary] = []
    failed = False
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("items · {task.fields[pages]} pages"),
        TimeElapsedColumn(),
    )
    engine = Engine(settings.rules)
    judge = Judge(store, engine)
    with Progress(*columns, console=console, transient=True) as progress:
        bar = BarProgress(progress)
        for stream in streams:
            try:
                summaries.append(
                    run_stream(
                        store,
                        stream,
                        full=full,
                        progress=bar,
                        max_gone_share=settings.sync.max_gone_share,
                        judge=judge,
                    )
                )
            except ConnectorError as exc:
                failed = True
                err.print(f"{stream.name}: {exc}", markup=False, highlight=False, soft_wrap=True)
    for summary in summaries:
        console.print(summary.line(), highlight=False, markup=False)
    if failed:
        # The store still holds what earlier syncs read; a health figure now would look current.
        fail("The sync failed (see above): the store keeps the items from before.", 1)
    report = stored_totals(store, engine)
    if report.items == 0:
        console.print("No open items in the store after the sync.", highlight=False)
        return
    console.print(
        f"Evaluated {report.items} open items: {report.ready_pct:.0f}% ready, "
        f"{sum(report.per_rule.values())} findings.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
