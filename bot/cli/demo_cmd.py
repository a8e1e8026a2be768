"""`refinery demo`: the whole offline pipeline on a bundled sample backlog, in a few seconds."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from bot.cli.common import console, err, using_store
from bot.config import Settings
from bot.render.terminal import health_summary, worst_items_table
from bot.services.judge import Judge
from bot.services.report import ItemResult, Report, evaluate_store
from bot.store import Store, open_store
from connectors.files import FileFormatError, Loaded, load_many
from rules.engine import Engine

DEMO_FILES = ("jira_search_page.json", "github_issues.json")


def demo_paths() -> list[Path]:
    """The bundled sample files (a Jira search page and a GitHub issue list)."""
    root = resources.files("bot") / "demo_data"
    return [Path(str(root / name)) for name in DEMO_FILES]


def demo(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Keep the demo store here (default: a temporary directory, removed after).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    worst: Annotated[int, typer.Option("--worst", help="How many items to list.", min=1)] = 8,
) -> None:
    """Run Refinery offline on a bundled sample backlog: import, store, evaluate, report.

    Uses a fresh SQLite store, the builtin rules with their defaults, and no network or
    credentials. Ends with what the Slack digest and a ticket comment would look like.
    """
    try:
        loaded = load_many(demo_paths())
    except FileFormatError as exc:  # only if the installed package is damaged
        err.print(f"Error: {exc}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    # Defaults only: the demo must not depend on a local config file or environment.
    settings = Settings.model_construct()
    with _data_dir(data_dir) as directory:
        url = f"sqlite:///{directory / 'refinery-demo.db'}"
        using_store(url, "demo store")
        store = open_store(url)
        try:
            engine = Engine(settings.rules)
            judge = Judge(store, engine)
            for entry in loaded:
                result = store.upsert_items(entry.items)
                judge.items(entry.items)  # an import is judged once, as it is stored
                console.print(
                    _import_line(entry, result.inserted, result.updated),
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
            report = evaluate_store(store, engine)
            digest = digest_preview(store, settings)
            commented = _comment_target(report)
            comment = comment_preview(store, commented, settings) if commented else ""
        finally:
            store.close()
        kept = "" if data_dir else " (temporary, removed on exit; --data-dir keeps it)"
        console.print(f"Store: {url}{kept}", style="dim", highlight=False, markup=False)
    console.print()
    console.print(health_summary(report, title="Backlog health (demo)"))
    if report.unready:
        console.print()
        console.print(Rule("Worst items", style="dim"))
        console.print(worst_items_table(report.worst(worst)))
    console.print()
    console.print(
        Panel(
            Text(digest),
            title="Slack digest preview",
            subtitle="`refinery digest` posts this, as Block Kit, to the team channel",
        )
    )
    if commented:
        console.print(
            Panel(
                Text(comment),
                title=f"Ticket comment preview: {commented.key}",
                subtitle="`refinery comment` leaves this on the ticket",
            )
        )
    console.print(
        "Next: copy config.example.toml to refinery.toml, set [jira] or [github], then run "
        "`refinery config check` and `refinery sync`.",
        highlight=False,
        markup=False,
    )


def _comment_target(report: Report) -> ItemResult | None:
    """The worst GitHub item (its Markdown comment reads well in a terminal), else the worst."""
    ranked = report.worst(len(report.unready))
    return next((r for r in ranked if r.source == "github"), ranked[0] if ranked else None)


@contextmanager
def _data_dir(path: Path | None) -> Iterator[Path]:
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        db = path / "refinery-demo.db"
        for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            stale.unlink(missing_ok=True)  # the demo always starts from a fresh store
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="refinery-demo-") as tmp:
        yield Path(tmp)


def _import_line(entry: Loaded, inserted: int, updated: int) -> str:
    skipped = f", {entry.skipped} pull requests skipped" if entry.skipped else ""
    return (
        f"Imported {len(entry.items)} {entry.shape} items from {entry.path.name} "
        f"({inserted} new, {updated} changed{skipped})"
    )


# -- previews --------------------------------------------------------------------------------


def digest_preview(store: Store, settings: Settings) -> str:
    """The team digest as `refinery digest --dry-run` prints it, dated just after the sample."""
    from bot.render.digest import digest_terminal
    from bot.services.digest import build_digest
    from bot.services.teams import teams

    # "Now" is pinned to the sample's last update, so "stale" stays meaningful as years pass.
    latest = max((item.updated for item in store.items() if item.updated), default=None)
    now = latest + timedelta(days=1) if latest else None
    data = build_digest(store, Engine(settings.rules), settings, teams(settings)[0], now=now)
    return digest_terminal(data)


def comment_preview(store: Store, result: ItemResult, settings: Settings) -> str:
    """The Markdown comment Refinery would leave on the item (as on GitHub)."""
    from bot.services.comment_body import render_findings

    item = store.get_item(result.source, result.key)
    if item is None:  # cannot happen: the result came from this store
        return ""
    body = render_findings(item, list(result.findings), "markdown", settings).body
    return str(body)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
