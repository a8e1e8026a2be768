"""What each rule decided on an item and the words it decided on: JSON for tools, a table
for people. A verdict's evidence is a verbatim span of the item's own text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.table import Table
from rich.text import Text

from connectors.item import Item
from rules.engine import Engine, Verdict


def verdict_document(verdict: Verdict) -> dict[str, Any]:
    return {
        "rule": verdict.rule,
        "passed": verdict.passed,
        "evidence": verdict.evidence,
        "reason": verdict.reason,
    }


def explained_items(items: Iterable[Item], engine: Engine) -> list[dict[str, Any]]:
    """Every open item some rule looks at, with each rule's verdict and its evidence."""
    documents = []
    for item in items:
        if item.status_category == "done":
            continue
        verdicts = engine.explain(item)
        if not verdicts:
            continue
        documents.append(
            {
                "source": item.source,
                "key": item.key,
                "title": item.title,
                "url": item.url,
                "verdicts": [verdict_document(v) for v in verdicts],
            }
        )
    return documents


def quoted(verdict: Verdict | dict[str, Any], width: int = 160) -> str:
    """The evidence as a short quote, or the reason when nothing counted."""
    evidence = verdict["evidence"] if isinstance(verdict, dict) else verdict.evidence
    reason = verdict["reason"] if isinstance(verdict, dict) else verdict.reason
    if not evidence:
        return str(reason)
    text = " ".join(str(evidence).split())
    return f"“{text if len(text) <= width else text[: width - 1] + '…'}”"


def explain_table(documents: list[dict[str, Any]], limit: int = 0) -> Table:
    """One row per verdict: item, rule, passed or not, and the quote that decided it."""
    table = Table(show_lines=True, expand=True)
    table.add_column("Item", ratio=2, overflow="fold")
    table.add_column("Rule", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("What counted", ratio=5, overflow="fold")
    for shown, document in enumerate(documents):
        if limit and shown >= limit:
            break
        for index, verdict in enumerate(document["verdicts"]):
            item = Text.assemble((document["key"], "bold"), "\n", document["title"])
            mark = Text("✓", style="green") if verdict["passed"] else Text("✗", style="red")
            table.add_row(item if index == 0 else Text(""), verdict["rule"], mark, quoted(verdict))
    return table
