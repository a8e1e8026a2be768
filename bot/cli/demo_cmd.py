"""`refinery demo`: the whole offline pipeline on a bundled sample backlog, in a few seconds."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from bot.cli.main import console, err
from bot.render.terminal import health_summary, worst_items_table
from bot.services.report import ItemResult, Report, evaluate_store
from bot.store import open_store
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
    with _data_dir(data_dir) as directory:
        url = f"sqlite:///{directory / 'refinery-demo.db'}"
        store = open_store(url)
        try:
            for entry in loaded:
                result = store.upsert_items(entry.items)
                console.print(
                    _import_line(entry, result.inserted, result.updated),
                    highlight=False,
                    soft_wrap=True,
                )
            report = evaluate_store(store, Engine())
        finally:
            store.close()
        console.print(f"[dim]Store: {url}[/dim]", highlight=False)
    console.print()
    console.print(health_summary(report, title="Backlog health (demo)"))
    if report.unready:
        console.print()
        console.print(Rule("Worst items", style="dim"))
        console.print(worst_items_table(report.worst(worst)))
    console.print()
    console.print(
        Panel(
            Text(digest_preview(report)),
            title="Slack digest preview",
            subtitle="what `refinery` would post to the team channel",
        )
    )
    top = report.worst(1)
    if top:
        console.print(
            Panel(
                Text(comment_preview(top[0])),
                title=f"Ticket comment preview: {top[0].key}",
                subtitle="what Refinery would comment on the ticket",
            )
        )
    console.print(
        "Next: copy config.example.toml to refinery.toml, set [jira] or [github], then run "
        "`refinery config check` and `refinery sync`.",
        highlight=False,
        markup=False,
    )


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
# Stand-ins until the digest and comment renderers land; the demo only needs their text.


def digest_blocks(report: Report, top: int = 5) -> list[dict[str, Any]]:
    """Build a Block Kit digest for `report`: headline, per-rule counts, the top unready items."""
    rules = " · ".join(f"`{rule}` {count}" for rule, count in report.per_rule.most_common())
    lines = [
        f"• <{r.url}|{r.key}> {r.title} — {', '.join(f.rule for f in r.findings)}"
        for r in report.top_by_rank(top)
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Backlog health"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*{report.ready_pct:.0f}% ready* · {report.ready} of {report.items} "
                f"open items · {report.findings} findings",
            },
        },
    ]
    if rules:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": rules}]})
    if lines:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*Top of the backlog, not ready:*\n" + "\n".join(lines),
                },
            }
        )
    return blocks


def digest_preview(report: Report) -> str:
    """The digest's blocks flattened to the text a person would read in Slack."""
    parts: list[str] = []
    for block in digest_blocks(report):
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", ()):
            parts.append(element["text"])
    return "\n\n".join(parts)


def comment_preview(result: ItemResult) -> str:
    """The Markdown comment Refinery would leave on an item that is not ready."""
    lines = ["Refinery found this item is not ready for the team yet.", ""]
    for finding in result.findings:
        lines.append(f"- **{finding.message}** {finding.hint}")
    lines += ["", "_Edit the item and this comment updates itself._"]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
