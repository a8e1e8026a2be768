"""Evaluate items and summarize backlog health: what every renderer (CLI, Slack, digest) shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.services.judge import Judge
from bot.store import Store, readiness
from connectors.item import Item, Person
from rules.backlog import Backlog
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
    # Set instead of assignee/reporter when read from stored verdicts (which keep only this).
    owned_by: Person | None = None

    @property
    def uid(self) -> str:
        return f"{self.source}:{self.key}"

    @property
    def owner(self) -> Person | None:
        """Who can fix it: the assignee, else the reporter."""
        return self.owned_by or self.assignee or self.reporter

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


def evaluate(
    items: Iterable[Item], engine: Engine, backlog: Backlog | None = None
) -> tuple[Report, Evaluated]:
    """Evaluate items; return the report and every (source, key, findings) for history.

    Rules that compare items (rank, links, clock) see `backlog`; without one, the items
    themselves are the backlog (read once, only when such a rule is enabled)."""
    if backlog is None and engine.needs_backlog:
        items = list(items)
        backlog = Backlog.of(items)
    report = Report()
    evaluated: Evaluated = []
    for item in items:
        findings = engine.evaluate(item, backlog)
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
    """The report of the stored items (optionally one source or some projects), read from
    stored verdicts; items not yet judged under the current rules are judged first, once.
    With record=False nothing is written: stale items are evaluated, not stored."""
    scope = readiness.Scope(source=source, projects=tuple(projects) if projects else None)
    if not record:
        judge = Judge(store, engine)
        if judge.stale():
            backlog = None
            if engine.needs_backlog:
                # the whole store: blockers may lie outside the report's scope
                from bot.store.backlog_read import store_backlog

                backlog = store_backlog(store)
            items = store.items(source=source, projects=projects)
            return evaluate(items, engine, backlog)[0]
    else:
        Judge(store, engine).refresh()
    return stored_report(store, scope)


def stored_totals(store: Store, engine: Engine) -> readiness.Totals:
    """Items, ready items and findings per rule of the whole store (judging stale items first)."""
    Judge(store, engine).refresh()
    return readiness.totals(store, readiness.Scope())


def stored_report(store: Store, scope: readiness.Scope, *, worst: int | None = None) -> Report:
    """The unready items of `scope` with their stored findings, plus totals, by SQL. With
    `worst`, only that many unready items, the worst first (the totals still cover all)."""
    totals = readiness.totals(store, scope)
    report = Report(items=totals.items, ready=totals.ready, per_rule=Counter(totals.per_rule))
    cards = readiness.unready(store, scope, order="worst" if worst else "rank", limit=worst)
    report.unready = [card_result(card) for card in cards]
    return report


def stored_document(store: Store, scope: readiness.Scope) -> dict[str, Any]:
    """`refinery check --format json` from stored verdicts: one SQL query, no items built."""
    fields = ("source", "key", "rule", "severity", "message", "hint", "evidence", "url")
    findings = [dict(zip(fields, row, strict=True)) for row in readiness.finding_rows(store, scope)]
    return {"items": readiness.totals(store, scope).items, "findings": findings}


def card_result(card: readiness.Card) -> ItemResult:
    """A stored card as the ItemResult renderers take."""
    return ItemResult(
        source=card.source,
        key=card.key,
        title=card.title,
        url=card.url,
        project=card.project,
        kind=card.kind,
        status=card.status,
        rank=card.rank,
        assignee=None,
        reporter=None,
        owned_by=card.owner,
        findings=tuple(
            Finding(f.rule, f.severity, f.message, f.hint, f.evidence)  # type: ignore[arg-type]
            for f in card.findings
        ),
    )


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
