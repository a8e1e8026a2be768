"""`refinery check`: evaluate items from files (or the store) and report what is not ready."""

from __future__ import annotations

import gc
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.main import ConfigOption, console, err, fail, settings_or_exit
from bot.render.terminal import findings_table, health_summary
from bot.services.report import Report, evaluate, evaluate_store
from connectors.files import FileFormatError, load_many
from connectors.item import Item
from rules.engine import Engine, severity_at_least


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class FailOn(StrEnum):
    info = "info"
    warning = "warning"
    error = "error"


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Saved Jira search pages, GitHub issue lists or Refinery JSON files. "
            "None: every item in the store.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Table for people, JSON for tools.")
    ] = OutputFormat.table,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding of this severity or worse exists (for CI).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="Most findings rows in the table (0: all).", min=0)
    ] = 200,
    config: ConfigOption = None,
) -> None:
    """Evaluate backlog items and list the findings: missing why, outcome, estimate, ...

    With files, nothing is read from or written to the store; every file is parsed before
    any item is evaluated. Without files, every stored item is evaluated and the findings
    history is updated. Exit 0 when the check ran (whatever it found), 1 with --fail-on
    when a finding at that severity or above exists, 2 when a file or the config is broken.
    """
    settings = settings_or_exit(config)
    try:
        engine = Engine(settings.rules)
    except ValueError as exc:
        fail(f"Configuration error: {exc}")
    if paths:
        report, read = _check_files(paths, engine)
    else:
        report, read = _check_store(settings.store.url, engine), "the store"
    if output is OutputFormat.json:
        # Plain stdout, not Rich: the document must be byte-for-byte parseable JSON.
        sys.stdout.write(json.dumps(report_document(report), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        console.print(f"Checked {read}.", style="dim", highlight=False, markup=False)
        _print_table(report, limit)
    if fail_on is not None and _worst_at_least(report, fail_on.value):
        raise typer.Exit(1)


def report_document(report: Report) -> dict[str, Any]:
    """The JSON form of a check: `{"items": <int>, "findings": [{source, key, rule, ...}]}`."""
    findings = [
        {
            "source": result.source,
            "key": result.key,
            "rule": finding.rule,
            "severity": finding.severity,
            "message": finding.message,
            "hint": finding.hint,
            "url": result.url,
        }
        for result in report.unready
        for finding in result.findings
    ]
    return {"items": report.items, "findings": findings}


def load_files_or_exit(paths: list[Path]) -> tuple[list[Item], str]:
    """Parse every file (all before any evaluation); on a broken one print one line, exit 2.

    Returns the items (each once) and a short note of what was read.
    """
    try:
        loaded = load_many(paths)
    except FileFormatError as exc:
        fail(f"Error: {exc}")
    # The same item saved in two files (or two pages) counts once; the later copy wins.
    unique: dict[str, Item] = {}
    for entry in loaded:
        for item in entry.items:
            unique[item.uid] = item
    files = "1 file" if len(loaded) == 1 else f"{len(loaded)} files"
    note = f"{len(unique)} items from {files}"
    skipped = sum(entry.skipped for entry in loaded)
    if skipped:
        note += f" ({skipped} pull requests skipped)"
    return list(unique.values()), note


def _check_files(paths: list[Path], engine: Engine) -> tuple[Report, str]:
    items, note = load_files_or_exit(paths)
    # The items live until the process exits: spare the collector rescanning them.
    gc.freeze()
    report, _ = evaluate(items, engine)
    return report, note


def _check_store(url: str, engine: Engine) -> Report:
    from bot.store import open_store

    store = open_store(url)
    try:
        if store.count_items() == 0:
            err.print(
                "The store is empty: run `refinery sync`, or pass files "
                "(`refinery check export.json`). `refinery demo` shows a sample.",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        return evaluate_store(store, engine)
    finally:
        store.close()


def _print_table(report: Report, limit: int) -> None:
    console.print(health_summary(report))
    if not report.unready:
        return
    ordered = report.worst(len(report.unready))
    console.print(findings_table(ordered, limit=limit))
    if limit and report.findings > limit:
        console.print(
            f"… and {report.findings - limit} more findings "
            "(--limit 0 shows all, --format json gives them to tools).",
            highlight=False,
        )


def _worst_at_least(report: Report, threshold: str) -> bool:
    return any(
        severity_at_least(finding.severity, threshold)
        for result in report.unready
        for finding in result.findings
    )


def register(app: typer.Typer) -> None:
    app.command("check")(check)
