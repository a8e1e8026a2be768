"""`refinery rules` and `refinery rules explain ID`: what each rule asks for, from its registry."""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from bot.cli.common import ConfigOption, console, fail, settings_or_exit
from rules.engine import RuleSpec, load_builtin_rules

rules_app = typer.Typer(
    help="List the rules, or explain one: what it asks for, its parameters and examples.",
    invoke_without_command=True,
)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Text for people, JSON for tools.")
]


def rule_document(spec: RuleSpec, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A rule's metadata as plain data; `config` ([rules.<id>]) overrides the defaults shown."""
    table = dict(config or {})
    return {
        "id": spec.id,
        "summary": spec.summary,
        "enabled": bool(table.get("enabled", spec.enabled)),
        "severity": table.get("severity", spec.severity),
        "default_severity": spec.severity,
        "types": list(table.get("types", spec.scope.types)),
        "status_categories": list(table.get("status_categories", spec.scope.status_categories)),
        "explanation": inspect.cleandoc(spec.doc),
        "params": {name: table.get(name, default) for name, default in spec.params.items()},
        "good": [dict(example) for example in spec.good],
        "bad": [dict(example) for example in spec.bad],
    }


@rules_app.callback()
def list_rules(
    ctx: typer.Context, output: FormatOption = Format.table, config: ConfigOption = None
) -> None:
    """List every rule with its summary, scope and severity (as configured)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_or_exit(config)
    docs = [
        rule_document(spec, settings.rules.get(spec.id)) for spec in load_builtin_rules().values()
    ]
    if output is Format.json:
        sys.stdout.write(json.dumps({"rules": docs}, ensure_ascii=False, default=str) + "\n")
        return
    table = Table(title=f"Rules ({len(docs)})", expand=True)
    table.add_column("Rule", no_wrap=True)  # ids are what people type: never folded
    for name in ("Checks", "Severity", "Applies to"):
        table.add_column(name, overflow="fold")
    for doc in docs:
        severity = doc["severity"] if doc["enabled"] else f"{doc['severity']} (disabled)"
        scope = ", ".join(doc["types"]) or "every kind"
        table.add_row(Text(doc["id"]), Text(doc["summary"]), severity, Text(scope))
    console.print(table)
    console.print(
        "`refinery rules explain ID` says what a rule asks for and shows examples; "
        "[rules.ID] in refinery.toml changes severity, scope and parameters.",
        markup=False,
        highlight=False,
    )


@rules_app.command("explain")
def explain(
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="A rule id, e.g. missing-why.")],
    output: FormatOption = Format.table,
    config: ConfigOption = None,
) -> None:
    """Explain one rule: why it exists, what passes, its parameters and examples."""
    registry = load_builtin_rules()
    spec = registry.get(rule_id)
    if spec is None:
        fail(f"Unknown rule '{rule_id}'; the rules are: {', '.join(sorted(registry))}")
    settings = settings_or_exit(config)
    doc = rule_document(spec, settings.rules.get(spec.id))
    if output is Format.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=str) + "\n")
        return
    scope = ", ".join(doc["types"]) or "every kind"
    out = Text()
    out.append(f"{doc['id']}", style="bold")
    out.append(f": {doc['summary']}\n")
    out.append(f"Severity {doc['severity']}; applies to {scope} ")
    out.append(f"in {', '.join(doc['status_categories']) or 'any status'}.\n\n")
    out.append(doc["explanation"] + "\n")
    if doc["params"]:
        out.append("\nParameters ([rules." + doc["id"] + "]):\n", style="bold")
        for name, value in doc["params"].items():
            out.append(f"  {name} = {json.dumps(value, ensure_ascii=False, default=str)}\n")
    for label, examples in (("Passes", doc["good"]), ("Fails", doc["bad"])):
        if examples:
            out.append(f"\n{label}:\n", style="bold")
            for example in examples:
                out.append(f"  {_example_line(example)}\n")
    console.print(out, highlight=False, soft_wrap=True)


def _example_line(example: Mapping[str, Any]) -> str:
    """An example item as one line: its title, then the fields that make it pass or fail."""
    title = example.get("title", "")
    rest = {key: value for key, value in example.items() if key != "title"}
    fields = "; ".join(f"{key}: {_short(value)}" for key, value in rest.items())
    return f"{title!r}" + (f" ({fields})" if fields else "")


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(str(text).split())
    return text if len(text) <= 160 else text[:157] + "..."


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
