"""`refinery check`: evaluate items from files (or the store) and report what is not ready."""

from __future__ import annotations

import gc
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.main import ConfigOption, console, err, settings_or_exit
from bot.render.terminal import findings_table, health_summary
from bot.services.report import ItemResult, Report, evaluate_store, item_result
from connectors.files import FileFormatError
from connectors.filestream import stream_file
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

    With files, nothing is read from or written to the store; they are read page by page
    (big exports in little memory), and a broken one stops the check before any output.
    Without files, every stored item is evaluated and the findings history is updated.
    Exit 0 when the check ran (whatever it found), 1 with --fail-on when a finding at that
    severity or above exists, 2 when a file or the config is broken.
    """
    settings = settings_or_exit(config)
    try:
        engine = Engine(settings.rules)
    except ValueError as exc:
        err.print(f"Configuration error: {exc}", highlight=False, markup=False)
        raise typer.Exit(2) from None
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


def _check_files(paths: list[Path], engine: Engine) -> tuple[Report, str]:
    """Evaluate each file's items page by page as they are read, keeping only the verdicts
    (so memory does not grow with the file); a broken file still stops before any output."""
    latest: dict[str, ItemResult | bool] = {}  # uid -> unready result; True ready; False done
    skipped = 0
    try:
        for path in paths:
            for chunk in stream_file(path):
                skipped += chunk.skipped
                for item in chunk.items:
                    # The same item in two files (or pages) counts once; the later copy wins.
                    if item.status_category == "done":
                        latest[item.uid] = False  # not judged: reports leave done items out
                        continue
                    findings = engine.evaluate(item)
                    latest[item.uid] = item_result(item, findings) if findings else True
    except FileFormatError as exc:
        err.print(f"Error: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    # The verdicts live until the process exits: spare the collector rescanning them while
    # the output is built (with the collector on, that alone took seconds on 100,000 items).
    gc.freeze()
    report = Report()
    for verdict in latest.values():
        if verdict is False:
            continue
        report.items += 1
        if verdict is True:
            report.ready += 1
        else:
            report.per_rule.update(finding.rule for finding in verdict.findings)
            report.unready.append(verdict)
    files = "1 file" if len(paths) == 1 else f"{len(paths)} files"
    note = f"{len(latest)} items from {files}"
    if skipped:
        note += f" ({skipped} pull requests skipped)"
    return report, note


def _check_store(url: str, engine: Engine) -> Report:
    from bot.store import open_store

    store = open_store(url)
    try:
        if store.count_items() == 0:
            err.print(
                "The store holds no items yet: run `refinery sync`, or pass files "
                "(`refinery check export.json`). `refinery demo` shows a sample.",
                highlight=False,
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
