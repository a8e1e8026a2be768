"""What each page shows, read from stored verdicts, snapshots and the intake tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.config import TeamConfig
from bot.pages import charts
from bot.services.digest import (
    DEFAULT_DECISION_WINDOW,
    decision_counts,
    pending_requests,
    team_scope,
)
from bot.services.teams import teams
from bot.store import comment_ledger, readiness
from bot.store.intake_read import RequestView, requests_with_decisions
from bot.store.snapshots import snapshots
from connectors.item import Item

if TYPE_CHECKING:
    from bot.context import AppContext

OLDEST = 5
INTAKE_WINDOW = timedelta(days=90)
TEAM_PAGE_ITEMS = 200


@dataclass(frozen=True)
class TeamSummary:
    name: str
    totals: readiness.Totals
    trend: charts.Chart
    rules: charts.Chart
    sprint_capacity: float | None
    oldest: list[readiness.Card]
    pending: int
    accepted: int
    declined: int
    outcomes: str = ""  # the outcome follow-up's line, when it is enabled

    @property
    def sprints(self) -> float | None:
        if not self.sprint_capacity:
            return None
        return self.totals.points / self.sprint_capacity

    @property
    def acceptance_rate(self) -> float | None:
        decided = self.accepted + self.declined
        return 100.0 * self.accepted / decided if decided else None


def _trend(ctx: AppContext, team: str, current: float, chart_id: str) -> charts.Chart:
    history = snapshots(ctx.store, team, ctx.settings.digest.trend_points - 1)
    values = [snap.ready_pct for snap in history] + [current]
    labels = [snap.taken_at.strftime("%d %b") for snap in history] + ["now"]
    return charts.trend(chart_id, values, labels)


def _rule_chart(totals: readiness.Totals, chart_id: str) -> charts.Chart:
    pairs = sorted(totals.per_rule.items(), key=lambda pair: (-pair[1], pair[0]))
    return charts.bars(chart_id, pairs)


def _team_projects(team: TeamConfig) -> tuple[str, ...] | None:
    return team_scope(team).projects


def overview(ctx: AppContext, only: str | None = None) -> list[TeamSummary]:
    """Every team (or only one), from one grouped query over all projects plus small ones."""
    now = datetime.now(UTC)
    by_project = readiness.totals_by_project(ctx.store, readiness.Scope())
    summaries = []
    for index, team in enumerate(teams(ctx.settings)):
        if only is not None and team.name != only:
            continue
        projects = _team_projects(team)
        parts = [t for p, t in by_project.items() if projects is None or p in projects]
        totals = readiness.combine(parts)
        scope = team_scope(team)
        accepted, declined, _ = decision_counts(ctx.store, team.name, now - INTAKE_WINDOW)
        summaries.append(
            TeamSummary(
                name=team.name,
                totals=totals,
                trend=_trend(ctx, team.name, totals.ready_pct, f"trend-{index}"),
                rules=_rule_chart(totals, f"rules-{index}"),
                sprint_capacity=team.sprint_capacity,
                oldest=readiness.unready(ctx.store, scope, order="oldest", limit=OLDEST),
                pending=len(pending_requests(ctx.store, team.name, now)),
                accepted=accepted,
                declined=declined,
                outcomes=_outcomes_line(ctx, team),
            )
        )
    return summaries


def _outcomes_line(ctx: AppContext, team: TeamConfig) -> str:
    """ "Outcomes reviewed: N, moved: M; outputs: …" for the team, or "" when it is off."""
    from bot.services.digest import outcome_summary  # late: digest reads the store widely

    summary = outcome_summary(ctx.store, ctx.engine, ctx.settings, team)
    return summary.line() if summary is not None else ""


@dataclass(frozen=True)
class Filters:
    rule: str | None = None
    owner: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class TeamPage:
    summary: TeamSummary
    filters: Filters
    cards: list[readiness.Card]
    matching: int
    owners: list[tuple[str, str, int]]
    rules: list[str]
    kinds: list[str]
    became_ready: list[readiness.Card]
    since: datetime


def find_team(ctx: AppContext, name: str) -> TeamConfig | None:
    return next((team for team in teams(ctx.settings) if team.name == name), None)


def team_page(ctx: AppContext, team: TeamConfig, filters: Filters) -> TeamPage:
    summary = overview(ctx, only=team.name)[0]
    base = team_scope(team)
    scope = readiness.Scope(
        projects=base.projects, rule=filters.rule, owner=filters.owner, kind=filters.kind
    )
    history = snapshots(ctx.store, team.name, 1)
    since = history[-1].taken_at if history else datetime.now(UTC) - DEFAULT_DECISION_WINDOW
    return TeamPage(
        summary=summary,
        filters=filters,
        cards=readiness.unready(ctx.store, scope, order="rank", limit=TEAM_PAGE_ITEMS),
        matching=readiness.count_unready(ctx.store, scope),
        owners=readiness.owners(ctx.store, base),
        rules=list(getattr(ctx.engine, "rule_ids", [])) or sorted(summary.totals.per_rule),
        kinds=["story", "task", "bug", "epic", "feature", "subtask", "other"],
        became_ready=readiness.became_ready(ctx.store, base, since),
        since=since,
    )


@dataclass(frozen=True)
class VerdictView:
    rule: str
    passed: bool
    evidence: str | None
    reason: str
    hint: str = ""
    severity: str = ""


@dataclass(frozen=True)
class ItemPage:
    card: readiness.Card
    item: Item
    verdicts: list[VerdictView]
    history: tuple[readiness.StoredFinding, ...]
    comment: comment_ledger.LedgerRow | None
    links: list[tuple[str, str, bool]]  # (type, target key, in the store)


def item_page(ctx: AppContext, source: str, key: str) -> ItemPage | None:
    item = ctx.store.get_item(source, key)
    card = readiness.card(ctx.store, source, key, history=True)
    if item is None or card is None:
        return None
    open_by_rule = {f.rule: f for f in card.findings if f.resolved_at is None}
    verdicts: list[VerdictView] = []
    explain = getattr(ctx.engine, "explain", None)
    if explain is not None:  # every in-scope rule, passed or not, with its evidence
        for verdict in explain(item):
            stored = open_by_rule.get(verdict.rule)
            verdicts.append(
                VerdictView(
                    verdict.rule,
                    verdict.passed,
                    verdict.evidence,
                    verdict.reason,
                    stored.hint if stored else "",
                    stored.severity if stored else "",
                )
            )
    else:
        for finding in open_by_rule.values():
            verdicts.append(
                VerdictView(
                    finding.rule,
                    False,
                    finding.evidence,
                    finding.message,
                    finding.hint,
                    finding.severity,
                )
            )
    ledger = comment_ledger.rows(ctx.store, source, [key]).get(key)
    links = [
        (link.type, link.target, ctx.store.get_item(source, link.target) is not None)
        for link in item.links
    ]
    history = tuple(sorted(card.findings, key=lambda f: f.first_seen, reverse=True))
    return ItemPage(card, item, verdicts, history, ledger, links)


def item_team(ctx: AppContext, item: readiness.Card) -> str | None:
    """The first team whose scope holds the item (None: no team does)."""
    for team in teams(ctx.settings):
        projects = _team_projects(team)
        if projects is None or item.project in projects:
            return team.name
    return None


def item_in_team(ctx: AppContext, item: readiness.Card, team: str) -> bool:
    config = find_team(ctx, team)
    if config is None:
        return False
    projects = _team_projects(config)
    return projects is None or item.project in projects


def requests_page(ctx: AppContext, team: str | None) -> list[RequestView]:
    found = requests_with_decisions(ctx.store)
    if team is None:
        return found
    return [r for r in found if r.team is None or r.team == team]
