"""Rule registry, per-rule configuration and scope, and evaluation of items."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, TypeVar

from connectors.item import STATUS_CATEGORIES, Item
from rules.backlog import Backlog

Severity = Literal["info", "warning", "error"]
SEVERITIES: tuple[str, ...] = ("info", "warning", "error")
SCOPE_KEYS = ("types", "projects", "labels", "exclude_labels", "status_categories")
COMMON_KEYS = ("enabled", "severity", *SCOPE_KEYS)


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule returns when an item fails it: an actionable message and a one-line hint."""

    message: str
    hint: str
    # The verbatim span of the title or description that shows the problem (an unfilled
    # template, a so-that that restates the want), when there is one.
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class Passed:
    """What a rule may return when an item passes: the quote that satisfied it, and why."""

    evidence: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict on one item."""

    rule: str
    severity: Severity
    message: str
    hint: str
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """A rule's decision on one item, passed or not, with the evidence a person can check.

    `evidence` is a verbatim span of the item's title or description text (or of the field
    that satisfied the rule), or None when nothing counted; `reason` says in one line why.
    """

    rule: str
    passed: bool
    evidence: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Scope:
    """Which items a rule looks at. Empty tuples mean "any"."""

    types: tuple[str, ...] = ()  # kinds ("story") or tracker type names ("User Story")
    projects: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    exclude_labels: tuple[str, ...] = ()
    status_categories: tuple[str, ...] = ("todo", "in_progress")

    def covers(self, item: Item, labels: frozenset[str] | None = None) -> bool:
        """True when the rule looks at `item`; `labels` (lower-cased) may be passed in when
        the caller checks several scopes, so they are folded once per item."""
        if self.status_categories and item.status_category not in self.status_categories:
            return False
        if self.types and item.kind not in self.types and item.type.lower() not in self.types:
            return False
        if self.projects and item.project not in self.projects:
            return False
        if not (self.labels or self.exclude_labels):
            return True
        if labels is None:
            labels = frozenset(label.lower() for label in item.labels)
        if self.labels and labels.isdisjoint(self.labels):
            return False
        return labels.isdisjoint(self.exclude_labels)


RuleFunc = Callable[[Item, Mapping[str, Any]], Problem | Passed | None]
# Rules that judge an item against the rest of the backlog (ranks, links, clock) also get the
# evaluation batch's Backlog, built once per batch; `RuleFunc` rules never see it.
BacklogRuleFunc = Callable[[Item, Mapping[str, Any], Backlog], Problem | Passed | None]
AnyRuleFunc = TypeVar("AnyRuleFunc", RuleFunc, BacklogRuleFunc)
# Extra checks of a rule's own [rules.<id>] table (nested tables); one message per problem.
TableCheck = Callable[[Mapping[str, Any]], list[str]]

# Bump when a rule's judgment changes, so stored verdicts made by older code are redone.
RULESET_VERSION = "2"


@dataclass(frozen=True)
class RuleSpec:
    """A registered rule and its metadata; `doc` (the function's docstring) is user-facing."""

    id: str
    summary: str
    severity: Severity
    func: RuleFunc | BacklogRuleFunc
    scope: Scope
    params: Mapping[str, Any] = field(default_factory=dict)
    good: tuple[Mapping[str, Any], ...] = ()  # item overrides that must pass
    bad: tuple[Mapping[str, Any], ...] = ()  # item overrides that must fail
    uses_backlog: bool = False  # func takes (item, params, backlog)
    enabled: bool = True  # on unless [rules.<id>] enabled = false (opt-in rules: False)
    check: TableCheck | None = None

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or self.summary).strip()

    def run(
        self, item: Item, params: Mapping[str, Any], backlog: Backlog | None = None
    ) -> Problem | Passed | None:
        """Judge one item; a backlog rule without a batch sees a backlog of this item alone."""
        if self.uses_backlog:
            context = backlog if backlog is not None else Backlog.of([item])
            return self.func(item, params, context)  # type: ignore[call-arg]
        return self.func(item, params)  # type: ignore[call-arg]


REGISTRY: dict[str, RuleSpec] = {}


def rule(
    *,
    id: str,
    summary: str,
    severity: Severity = "warning",
    types: Iterable[str] = (),
    params: Mapping[str, Any] | None = None,
    good: Iterable[Mapping[str, Any]] = (),
    bad: Iterable[Mapping[str, Any]] = (),
    backlog: bool = False,
    enabled: bool = True,
    check: TableCheck | None = None,
) -> Callable[[AnyRuleFunc], AnyRuleFunc]:
    """Register a rule function with its id, default severity, default scope and examples.

    `backlog=True`: the function takes `(item, params, backlog)`. `enabled=False`: an opt-in
    rule, run only where `[rules.<id>] enabled = true`.
    """

    def register(func: AnyRuleFunc) -> AnyRuleFunc:
        if id in REGISTRY:
            raise ValueError(f"rule {id!r} registered twice")
        REGISTRY[id] = RuleSpec(
            id=id,
            summary=summary,
            severity=severity,
            func=func,
            scope=Scope(types=tuple(t.lower() for t in types)),
            params=dict(params or {}),
            good=tuple(good),
            bad=tuple(bad),
            uses_backlog=backlog,
            enabled=enabled,
            check=check,
        )
        return func

    return register


def load_builtin_rules() -> dict[str, RuleSpec]:
    """Import the builtin rule modules (registration happens on import)."""
    import rules.builtin  # noqa: F401

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
                findings.append(
                    Finding(
                        active.spec.id,
                        active.severity,
                        result.message,
                        result.hint,
                        result.evidence,
                    )
                )
        return findings

    def explain(self, item: Item, backlog: Backlog | None = None) -> list[Verdict]:
        """Return every in-scope rule's verdict on one item, passed or not, with evidence."""
        verdicts = []
        labels = frozenset(label.lower() for label in item.labels) if item.labels else frozenset()
        for active in self.rules:
            if not active.scope.covers(item, labels):
                continue
            result = active.spec.run(item, active.params, backlog)
            if isinstance(result, Problem):
                verdicts.append(Verdict(active.spec.id, False, result.evidence, result.message))
            elif isinstance(result, Passed):
                verdicts.append(Verdict(active.spec.id, True, result.evidence, result.reason))
            else:
                verdicts.append(Verdict(active.spec.id, True, None, "passed"))
        return verdicts

    def in_scope(self, item: Item) -> bool:
        """True when at least one enabled rule looks at this item."""
        return any(active.scope.covers(item) for active in self.rules)


def _scope_dict(scope: Scope) -> dict[str, list[str]]:
    return {key: sorted(getattr(scope, key)) for key in SCOPE_KEYS}


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {key: list(v) if isinstance(v, tuple) else v for key, v in sorted(params.items())}


def _lower(value: list[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    return default if value is None else tuple(v.lower() for v in value)


def severity_at_least(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)
