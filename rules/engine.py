"""Rule registry, per-rule configuration and scope, and evaluation of items."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import rules.builtin  # noqa: F401  (the builtin rules register on import)
from connectors.item import STATUS_CATEGORIES, Item
from rules.backlog import Backlog
from rules.registry import (
    COMMON_KEYS,
    REGISTRY,
    RULESET_VERSION,
    SCOPE_KEYS,
    SEVERITIES,
    Finding,
    Passed,
    Problem,
    RuleSpec,
    Scope,
    Severity,
    Verdict,
)

# What the rest of Refinery imports from here: the engine, and the result types it returns
# (defined with the registry, which rule modules import instead of the engine).
__all__ = [
    "REGISTRY",
    "SEVERITIES",
    "ActiveRule",
    "Engine",
    "Finding",
    "Passed",
    "Problem",
    "RuleSpec",
    "Severity",
    "Verdict",
    "load_builtin_rules",
    "severity_at_least",
    "validate_rule_config",
]


def load_builtin_rules() -> dict[str, RuleSpec]:
    """The registered rules (the builtin modules are imported with this module)."""
    return REGISTRY


def validate_rule_config(config: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Return one message per problem in the [rules.*] tables; empty when all is well."""
    registry = load_builtin_rules()
    problems: list[str] = []
    for rule_id, table in config.items():
        spec = registry.get(rule_id)
        if spec is None:
            known = ", ".join(sorted(registry))
            problems.append(f"unknown rule 'rules.{rule_id}' (known rules: {known})")
            continue
        if not isinstance(table, Mapping):
            problems.append(f"'rules.{rule_id}' must be a table")
            continue
        for key, value in table.items():
            where = f"rules.{rule_id}.{key}"
            if key not in COMMON_KEYS and key not in spec.params:
                allowed = ", ".join([*COMMON_KEYS, *spec.params])
                problems.append(f"unknown key '{where}' (allowed: {allowed})")
            elif key == "enabled" and not isinstance(value, bool):
                problems.append(f"'{where}' must be true or false")
            elif key == "severity" and value not in SEVERITIES:
                problems.append(f"'{where}' must be one of {', '.join(SEVERITIES)}")
            elif key in SCOPE_KEYS and not _is_str_list(value):
                problems.append(f"'{where}' must be a list of strings")
            elif key == "status_categories" and not set(value) <= set(STATUS_CATEGORIES):
                problems.append(f"'{where}' may hold only {', '.join(STATUS_CATEGORIES)}")
            elif key in spec.params and not _same_kind(value, spec.params[key]):
                kind = type(spec.params[key]).__name__
                problems.append(f"'{where}' must be a {kind}")
        if spec.check is not None:
            problems.extend(spec.check(table))
    return problems


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _same_kind(value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, type(default))


@dataclass(frozen=True)
class ActiveRule:
    spec: RuleSpec
    severity: Severity
    scope: Scope
    params: Mapping[str, Any]


class Engine:
    """Evaluates items against the enabled rules, configured from the [rules.*] tables."""

    def __init__(self, config: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        config = config or {}
        problems = validate_rule_config(config)
        if problems:
            raise ValueError("; ".join(problems))
        self.rules: list[ActiveRule] = []
        for spec in load_builtin_rules().values():
            table = config.get(spec.id, {})
            if not table.get("enabled", spec.enabled):
                continue
            scope = Scope(
                types=_lower(table.get("types"), spec.scope.types),
                projects=tuple(table.get("projects", spec.scope.projects)),
                labels=_lower(table.get("labels"), spec.scope.labels),
                exclude_labels=_lower(table.get("exclude_labels"), spec.scope.exclude_labels),
                status_categories=tuple(
                    table.get("status_categories", spec.scope.status_categories)
                ),
            )
            params = {**spec.params, **{k: v for k, v in table.items() if k in spec.params}}
            severity = table.get("severity", spec.severity)
            self.rules.append(ActiveRule(spec, severity, scope, params))

    @property
    def rule_ids(self) -> list[str]:
        return [active.spec.id for active in self.rules]

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the active rules and their configuration: stored verdicts made
        under another fingerprint are out of date."""
        config = [
            [a.spec.id, a.severity, _scope_dict(a.scope), _jsonable(a.params)] for a in self.rules
        ]
        blob = json.dumps([RULESET_VERSION, config], sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def needs_backlog(self) -> bool:
        """True when an active rule judges items against the batch (build a Backlog once)."""
        return any(active.spec.uses_backlog for active in self.rules)

    def evaluate(self, item: Item, backlog: Backlog | None = None) -> list[Finding]:
        """Return the findings for one item (empty: the item is ready); `backlog` is the
        evaluation batch the backlog rules compare it with."""
        findings = []
        labels = frozenset(label.lower() for label in item.labels) if item.labels else frozenset()
        for active in self.rules:
            if not active.scope.covers(item, labels):
                continue
            result = active.spec.run(item, active.params, backlog)
            if isinstance(result, Problem):
                findings.append(_finding(active, result))
        return findings

    def explain(self, item: Item, backlog: Backlog | None = None) -> list[Verdict]:
        """Return every in-scope rule's verdict on one item, passed or not, with evidence."""
        return self.assess(item, backlog)[1]

    def assess(
        self, item: Item, backlog: Backlog | None = None
    ) -> tuple[list[Finding], list[Verdict]]:
        """The findings and every verdict of one item, each rule run once (what a person asks
        for when checking one item: what to fix and what already counts)."""
        findings = []
        verdicts = []
        labels = frozenset(label.lower() for label in item.labels) if item.labels else frozenset()
        for active in self.rules:
            if not active.scope.covers(item, labels):
                continue
            result = active.spec.run(item, active.params, backlog)
            if isinstance(result, Problem):
                findings.append(_finding(active, result))
                verdicts.append(Verdict(active.spec.id, False, result.evidence, result.message))
            elif isinstance(result, Passed):
                verdicts.append(Verdict(active.spec.id, True, result.evidence, result.reason))
            else:
                verdicts.append(Verdict(active.spec.id, True, None, "passed"))
        return findings, verdicts

    def in_scope(self, item: Item) -> bool:
        """True when at least one enabled rule looks at this item."""
        return any(active.scope.covers(item) for active in self.rules)


def _finding(active: ActiveRule, problem: Problem) -> Finding:
    return Finding(active.spec.id, active.severity, problem.message, problem.hint, problem.evidence)


def _scope_dict(scope: Scope) -> dict[str, list[str]]:
    return {key: sorted(getattr(scope, key)) for key in SCOPE_KEYS}


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {key: list(v) if isinstance(v, tuple) else v for key, v in sorted(params.items())}


def _lower(value: list[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    return default if value is None else tuple(v.lower() for v in value)


def severity_at_least(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)
