"""Terminal rendering with Rich: a health summary and findings tables (renderables, no I/O)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.services.report import ItemResult, Report

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def health_summary(report: Report, title: str = "Backlog health") -> RenderableType:
    """Totals, ready share and per-rule counts, as one small block."""
    if report.items == 0:  # no "100% ready" about nothing
        return Group(
            Text(title, style="bold"),
            Text("No open items to judge: nothing was read, or every item is done.", "yellow"),
        )
    ready_style = (
        "green" if report.ready_pct >= 80 else "yellow" if report.ready_pct >= 50 else "red"
    )
    head = Text.assemble(
        (title, "bold"),
        "\n",
        (f"{report.items}", "bold"),
        " open items · ",
        (f"{report.ready}", "bold"),
        " ready (",
        (f"{report.ready_pct:.0f}%", f"bold {ready_style}"),
        ") · ",
        (f"{len(report.unready)}", "bold"),
        " not ready · ",
        (f"{report.findings}", "bold"),
        " findings",
    )
    if not report.per_rule:
        return Group(head, Text("No findings: every open item is ready.", style="green"))
    rules = Table(box=None, show_header=True, header_style="dim", pad_edge=False)
    rules.add_column("Rule", no_wrap=True)
    rules.add_column("Items", justify="right", no_wrap=True)
    rules.add_column("Share", justify="right", no_wrap=True)
    for rule_id, count in sorted(report.per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        share = 100.0 * count / report.items if report.items else 0.0
        rules.add_row(Text(rule_id), str(count), f"{share:.0f}%")
    return Group(head, Text(""), rules)


def findings_table(results: list[ItemResult], limit: int = 0) -> Table:
    """One row per finding: item (key, title, link), rule, severity, message and fix hint."""
    table = Table(show_lines=True, expand=True)
    table.add_column("Item", ratio=3, overflow="fold")
    table.add_column("Rule", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Problem and fix", ratio=4)
    shown = 0
    for result in results:
        for index, finding in enumerate(result.findings):
            if limit and shown >= limit:
                return table
            item = _item_cell(result) if index == 0 else Text("")
            problem = Text.assemble(finding.message, "\n", ("→ " + finding.hint, "dim italic"))
            severity = Text(finding.severity, style=SEVERITY_STYLE.get(finding.severity, ""))
            table.add_row(item, Text(finding.rule), severity, problem)
            shown += 1
    return table


def worst_items_table(results: list[ItemResult]) -> Table:
    """The items most in need of work: key, title, owner and the rules they fail."""
    table = Table(expand=True)
    table.add_column("Item", no_wrap=True)
    table.add_column("Title", ratio=3, overflow="fold")
    table.add_column("Owner", ratio=1, overflow="fold")
    table.add_column("Fails", no_wrap=True)
    for result in results:
        owner = result.owner.name or result.owner.id if result.owner else "unassigned"
        fails = Text("\n".join(f.rule for f in result.findings))
        worst = max(result.findings, key=lambda f: ("info", "warning", "error").index(f.severity))
        fails.stylize(SEVERITY_STYLE.get(worst.severity, ""))
        # Text, not str: Rich would read "[ios] crash" in a title as markup and drop "[ios]".
        table.add_row(Text(result.key), Text(result.title), Text(owner), fails)
    return table


def _item_cell(result: ItemResult) -> Text:
    cell = Text.assemble((result.key, "bold"), "\n", result.title)
    if result.url:
        cell.append("\n")
        cell.append(result.url, style=f"dim link {result.url}")
    return cell
