"""The rule registry: what a rule returns, its metadata and scope, and the `@rule` decorator.

Rule modules import this, never the engine, so the engine can import the rule modules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from connectors.item import Item
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
