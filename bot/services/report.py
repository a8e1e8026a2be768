"""Evaluate items and summarize backlog health: what every renderer (CLI, Slack, digest) shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.store import Store
from connectors.item import Item, Person
from rules.engine import SEVERITIES, Engine, Finding


@dataclass(frozen=True, slots=True)
class ItemResult:
    """An item that failed at least one rule, trimmed to what reports show."""

    source: str
    key: str
    title: str
    url: str
    project: str
    kind: str
    status: str
    rank: str | None
    assignee: Person | None
    reporter: Person | None
    findings: tuple[Finding, ...]

    @property
    def uid(self) -> str:
        return f"{self.source}:{self.key}"

    @property
    def owner(self) -> Person | None:
        """Who can fix it: the assignee, else the reporter."""
        return self.assignee or self.reporter

    @property
    def weight(self) -> tuple[int, int]:
        """Worse first: the highest severity, then the number of findings."""
        worst = max(SEVERITIES.index(f.severity) for f in self.findings)
        return (worst, len(self.findings))


@dataclass
class Report:
    """Findings for a set of items, plus totals."""

    items: int = 0  # items looked at (not done, not gone)
    ready: int = 0  # of those, items with no finding
    per_rule: Counter[str] = field(default_factory=Counter)
    unready: list[ItemResult] = field(default_factory=list)

    @property
    def ready_pct(self) -> float:
        return 100.0 * self.ready / self.items if self.items else 100.0

    @property
    def findings(self) -> int:
        return sum(self.per_rule.values())

    def worst(self, n: int = 10) -> list[ItemResult]:
        """The n items with the most serious findings, ties broken by backlog rank."""
        ranked = sorted(self.unready, key=_rank_key)
        return sorted(ranked, key=lambda r: r.weight, reverse=True)[:n]

    def top_by_rank(self, n: int = 10) -> list[ItemResult]:
        """The n unready items nearest the top of the backlog."""
        return sorted(self.unready, key=_rank_key)[:n]

    def result_for(self, uid: str) -> ItemResult | None:
        return next((r for r in self.unready if r.uid == uid), None)


def _rank_key(result: ItemResult) -> tuple[int, str, str]:
    return (result.rank is None, result.rank or "", result.key)


Evaluated = list[tuple[str, str, list[Finding]]]


def evaluate(items: Iterable[Item], engine: Engine) -> tuple[Report, Evaluated]:
    """Evaluate items; return the report and every (source, key, findings) for history."""
    report = Report()
    evaluated: Evaluated = []
    for item in items:
        findings = engine.evaluate(item)
        evaluated.append((item.source, item.key, findings))
        if item.status_category == "done":
            continue
        report.items += 1
        if not findings:
            report.ready += 1
            continue
        report.per_rule.update(f.rule for f in findings)
        report.unready.append(_result(item, findings))
    return report, evaluated


def evaluate_store(
    store: Store,
    engine: Engine,
    *,
    record: bool = True,
    source: str | None = None,
    projects: Sequence[str] | None = None,
) -> Report:
    """Evaluate every stored item (optionally one source or some projects) and keep history."""
    report, evaluated = evaluate(store.items(source=source, projects=projects), engine)
    if record:
        store.record_findings(evaluated)
    return report


def item_result(item: Item, findings: Sequence[Finding]) -> ItemResult:
    """An unready item trimmed to what reports show (for callers that tally as they read)."""
    return _result(item, list(findings))


def _result(item: Item, findings: list[Finding]) -> ItemResult:
    return ItemResult(
        source=item.source,
        key=item.key,
        title=item.title,
        url=item.url,
        project=item.project,
        kind=item.kind,
        status=item.status,
        rank=item.rank,
        assignee=item.assignee,
        reporter=item.reporter,
        findings=tuple(findings),
    )
