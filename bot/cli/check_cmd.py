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
from bot.render.explain import explain_table, explained_items
from bot.render.terminal import findings_table, health_summary
from bot.services.judge import Judge
from bot.services.report import Report, evaluate, stored_document, stored_report
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
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Show every rule's verdict on each item with the words it counted.",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Evaluate backlog items and list the findings: missing why, outcome, estimate, ...

    With files, nothing is read from or written to the store; every file is parsed before
    any item is evaluated. Without files, the stored verdicts are read (items not yet judged
    under the current rules are judged first, once, and their history updated). Exit 0
    when the check ran (whatever it found), 1 with --fail-on when a finding at that severity
    or above exists, 2 when a file or the config is broken.
    """
    settings = settings_or_exit(config)
    try:
        engine = Engine(settings.rules)
    except ValueError as exc:
        err.print(f"Configuration error: {exc}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    explained: list[dict[str, Any]] | None = [] if explain else None
    if not paths:
        _check_store(settings.store.url, engine, output, limit, fail_on, explained)
        return
    report, read = _check_files(paths, engine, explained)
    if output is OutputFormat.json:
        document = report_document(report)
        if explained is not None:
            document["evaluated"] = explained
        _write_json(document)
    else:
        console.print(f"Checked {read}.", style="dim", highlight=False, markup=False)
        _print_table(report, limit)
        if explained:
            console.print(explain_table(explained, limit=limit))
    if fail_on is not None and _worst_at_least(report, fail_on.value):
        raise typer.Exit(1)


def _write_json(document: dict[str, Any]) -> None:
    # Plain stdout, not Rich: the document must be byte-for-byte parseable JSON.
    sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
    sys.stdout.flush()


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
            "evidence": finding.evidence,
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
        err.print(f"Error: {exc}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
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


def _check_files(
    paths: list[Path], engine: Engine, explained: list[dict[str, Any]] | None = None
) -> tuple[Report, str]:
    items, note = load_files_or_exit(paths)
    # The items live until the process exits: spare the collector rescanning them.
    gc.freeze()
    report, _ = evaluate(items, engine)
    if explained is not None:
        explained.extend(explained_items(items, engine))
    return report, note


def _check_store(
    url: str,
    engine: Engine,
    output: OutputFormat,
    limit: int,
    fail_on: FailOn | None,
    explained: list[dict[str, Any]] | None = None,
) -> None:
    """Check from stored verdicts: JSON from one SQL query; the table needs only the worst.
    --explain still evaluates every item (it shows verdicts that passed, which are not kept)."""
    from bot.store import open_store, readiness

    store = open_store(url)
    try:
        if store.count_items() == 0:
            err.print(
                "The store holds no items yet: run `refinery sync`, or pass files "
                "(`refinery check export.json`). `refinery demo` shows a sample.",
                highlight=False,
            )
        from bot.services.lean import store_backlog  # the backlog rules' batch

        backlog = store_backlog(store) if explained is not None and engine.needs_backlog else None
        stale = Judge(store, engine).stale()
        if stale:
            err.print(
                f"Evaluating {stale} stored items under the current rules (once; later "
                "checks read the stored verdicts).",
                highlight=False,
            )
        Judge(store, engine).refresh()
        scope = readiness.Scope()
        if output is OutputFormat.json:
            document = stored_document(store, scope)
            if explained is not None:
                document["evaluated"] = explained_items(store.items(), engine, backlog)
            _write_json(document)
            severities = {finding["severity"] for finding in document["findings"]}
        else:
            report = stored_report(store, scope, worst=limit or None)
            console.print("Checked the store.", style="dim", highlight=False, markup=False)
            _print_table(report, limit)
            if explained is not None:
                explained.extend(explained_items(store.items(), engine, backlog))
                if explained:
                    console.print(explain_table(explained, limit=limit))
            severities = {f.severity for r in report.unready for f in r.findings}
    finally:
        store.close()
    # The worst items come first, so their severities include the worst in the store.
    if fail_on is not None and any(severity_at_least(s, fail_on.value) for s in severities):
        raise typer.Exit(1)


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
