"""`refinery rules`: every rule, whether it runs here, its scope, parameters and explanation."""

from __future__ import annotations

import json

import typer

from bot.cli.main import ConfigOption, console, settings_or_exit
from rules.engine import Engine, load_builtin_rules


def rules_command(config: ConfigOption = None) -> None:
    """List the rules: id, on or off under this configuration, severity, default types,
    parameters (with their values here) and what each asks for.

    Switch a rule on or off and tune it in `[rules.<id>]`.
    """
    settings = settings_or_exit(config)
    active = {rule.spec.id: rule for rule in Engine(settings.rules).rules}
    for spec in load_builtin_rules().values():
        rule = active.get(spec.id)
        state = "on" if rule else ("off" if spec.enabled else "off (opt-in)")
        severity = rule.severity if rule else spec.severity
        types = ", ".join(spec.scope.types) or "all"
        console.print(
            f"{spec.id}  [{state}, {severity}]  {spec.summary}; types: {types}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        params = rule.params if rule else spec.params
        for name, value in params.items():
            console.print(
                f"    {name} = {json.dumps(value)}", highlight=False, markup=False, soft_wrap=True
            )
        for line in spec.doc.splitlines():
            console.print(f"  {line.strip()}", highlight=False, markup=False, soft_wrap=True)
        console.print("")


def register(app: typer.Typer) -> None:
    app.command("rules")(rules_command)
