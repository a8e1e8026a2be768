"""Build per-team digest and refinement-reminder data from the store (no Slack, no I/O out)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.config import Settings, TeamConfig
from bot.services import comment_ledger
from bot.services.report import ItemResult, Report, evaluate
from bot.store import Store
from bot.store.models import DecisionRow, DigestSnapshot, RequestRow
from connectors.item import Item, Person
from rules.engine import Engine

if TYPE_CHECKING:
    from bot.services.agenda import Dependency, LikelyDuplicate
    from bot.services.outcomes import OutcomeSummary

IMPLICIT_TEAM = "backlog"
SPARKS = "▁▂▃▄▅▆▇█"
DEFAULT_DECISION_WINDOW = timedelta(days=7)  # "since the last digest" when there was none


def teams(settings: Settings) -> list[TeamConfig]:
    """The configured teams; with none, one implicit team covering everything."""
    if settings.teams:
        return list(settings.teams)
    return [TeamConfig(name=IMPLICIT_TEAM, channel=settings.slack.digest_channel)]


def select_teams(settings: Settings, name: str | None) -> list[TeamConfig]:
    """All teams, or the one called `name` (ValueError naming the known teams otherwise)."""
    every = teams(settings)
    if name is None:
        return every
    chosen = [team for team in every if team.name == name]
    if not chosen:
        known = ", ".join(team.name for team in every)
        raise ValueError(f"no team {name!r} (configured: {known})")
    return chosen


def channel_for(settings: Settings, team: TeamConfig) -> str:
    return team.channel or settings.slack.digest_channel


def team_items(store: Store, team: TeamConfig) -> list[Item]:
    """The team's stored items (its Jira projects and GitHub repos; all when it names none)."""
    scope = [*team.projects, *team.repos]
    return list(store.items(projects=scope or None))


@dataclass(frozen=True)
class Mention:
    """How to name a person in Slack: `<@U…>` when the people map knows them, else their name."""

    text: str
    slack_id: str | None


def mention(person: Person | None, people: dict[str, str]) -> Mention:
    if person is None:
        return Mention("nobody", None)
    slack_id = people.get(person.id)
    if slack_id:
        return Mention(f"<@{slack_id}>", slack_id)
    return Mention(person.name or person.id, None)


@dataclass(frozen=True)
class OwnedItem:
    """An unready item with who can fix it and what it misses."""

    result: ItemResult
    owner: Mention
    missing: tuple[str, ...]


def owned(result: ItemResult, people: dict[str, str]) -> OwnedItem:
    missing = tuple(finding.message for finding in result.findings)
    return OwnedItem(result, mention(result.owner, people), missing)


@dataclass(frozen=True)
class Snapshot:
    taken_at: datetime
    items: int
    ready: int
    per_rule: dict[str, int]

    @property
    def ready_pct(self) -> float:
        return 100.0 * self.ready / self.items if self.items else 100.0


@dataclass(frozen=True)
class PendingRequest:
    id: int
    title: str
    requester: str
    age_days: int


@dataclass(frozen=True)
class StaleItem:
    key: str
    title: str
    url: str
    owner: Mention
    days: int  # since the last update by a human


@dataclass
class DigestData:
    """Everything one team's digest shows."""

    team: str
    channel: str
    taken_at: datetime
    items: int
    ready: int
    per_rule: dict[str, int]
    previous: Snapshot | None
    trend: list[float]  # ready % of the last digests, oldest first, this one last
    top_unready: list[OwnedItem]
    unready: int
    pending: list[PendingRequest]
    accepted: int
    declined: int
    other_decisions: int
    decisions_since: datetime
    stale: list[StaleItem]
    stale_days: int
    backlog_points: float
    unestimated: int
    sprint_capacity: float | None
    outcomes: OutcomeSummary | None = None  # the outcome follow-up's counts, when enabled

    @property
    def ready_pct(self) -> float:
        return 100.0 * self.ready / self.items if self.items else 100.0

    @property
    def sprints_of_work(self) -> float | None:
        if not self.sprint_capacity:
            return None
        return self.backlog_points / self.sprint_capacity

    def snapshot(self) -> Snapshot:
        return Snapshot(self.taken_at, self.items, self.ready, dict(self.per_rule))


@dataclass
class OwnerGroup:
    owner: Mention
    items: list[OwnedItem] = field(default_factory=list)


@dataclass(frozen=True)
class AgendaItem:
    """One item on the refinement agenda and the question the meeting should answer."""

    entry: OwnedItem
    question: str


@dataclass
class ReminderData:
    """One team's refinement reminder: the agenda (the next unready items in rank order, one
    question each, their dependencies and likely duplicates), and the same items by owner."""

    team: str
    channel: str
    looked_at: int  # upcoming items considered
    groups: list[OwnerGroup]
    agenda: list[AgendaItem] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    duplicates: list[LikelyDuplicate] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(group.items) for group in self.groups)


def sparkline(values: Sequence[float]) -> str:
    """Draw values as ▁▂▃▄▅▆▇█, scaled between their own minimum and maximum."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high - low < 1e-9:
        return SPARKS[3] * len(values)
    scale = (len(SPARKS) - 1) / (high - low)
    return "".join(SPARKS[round((value - low) * scale)] for value in values)


def build_digest(
    store: Store,
    engine: Engine,
    settings: Settings,
    team: TeamConfig,
    now: datetime | None = None,
) -> DigestData:
    """Evaluate the team's items and gather everything its digest shows."""
    now = now or datetime.now(UTC)
    items = team_items(store, team)
    report, _ = evaluate(items, engine)
    history = snapshots(store, team.name, settings.digest.trend_points - 1)
    previous = history[-1] if history else None
    since = previous.taken_at if previous else now - DEFAULT_DECISION_WINDOW
    accepted, declined, other = decision_counts(store, team.name, since)
    open_items = [item for item in items if item.status_category != "done"]
    estimated = [item.estimate for item in open_items if item.estimate is not None]
    people = settings.slack.people
    return DigestData(
        team=team.name,
        channel=channel_for(settings, team),
        taken_at=now,
        items=report.items,
        ready=report.ready,
        per_rule=dict(report.per_rule),
        previous=previous,
        trend=[snap.ready_pct for snap in history] + [_pct(report)],
        top_unready=[owned(r, people) for r in report.top_by_rank(settings.digest.top_unready)],
        unready=len(report.unready),
        pending=pending_requests(store, team.name, now),
        accepted=accepted,
        declined=declined,
        other_decisions=other,
        decisions_since=since,
        stale=stale_items(store, open_items, settings.digest.stale_days, now, people),
        stale_days=settings.digest.stale_days,
        backlog_points=sum(estimated),
        unestimated=len(open_items) - len(estimated),
        sprint_capacity=team.sprint_capacity,
        outcomes=outcome_summary(store, engine, settings, team),
    )


def outcome_summary(
    store: Store, engine: Engine, settings: Settings, team: TeamConfig
) -> OutcomeSummary | None:
    """Outcomes reviewed and moved, and the share of done items that named none."""
    if not settings.outcomes.enabled:
        return None
    from bot.services.outcomes import Outcomes  # late: outcomes imports this module

    return Outcomes(store, engine, settings).summary(team.name)


def build_reminder(
    store: Store, engine: Engine, settings: Settings, team: TeamConfig
) -> ReminderData:
    """The next `refinement_items` not-started items, by rank, that fail rules, by owner."""
    upcoming = sorted(
        (item for item in team_items(store, team) if item.status_category == "todo"),
        key=lambda item: (item.rank is None, item.rank or "", item.key),
    )
    report, _ = evaluate(upcoming, engine)
    chosen = report.top_by_rank(team.refinement_items)
    groups: dict[str, OwnerGroup] = {}
    agenda: list[AgendaItem] = []
    from bot.services.agenda import dependencies, question_for  # late: agenda imports report

    for result in chosen:
        entry = owned(result, settings.slack.people)
        groups.setdefault(entry.owner.text, OwnerGroup(entry.owner)).items.append(entry)
        agenda.append(AgendaItem(entry, question_for(result)))
    by_key = {item.key: item for item in upcoming}
    on_agenda = [by_key[result.key] for result in chosen if result.key in by_key]
    return ReminderData(
        team.name,
        channel_for(settings, team),
        len(upcoming),
        list(groups.values()),
        agenda=agenda,
        dependencies=dependencies(on_agenda),
        duplicates=likely_duplicates(store, settings, on_agenda),
    )


def likely_duplicates(store: Store, settings: Settings, items: list[Item]) -> list[LikelyDuplicate]:
    """For each agenda item, the stored item that reads most alike, above the threshold."""
    if not settings.duplicates.enabled:
        return []
    from bot.services.agenda import LikelyDuplicate
    from bot.services.duplicates import DuplicateFinder

    finder = DuplicateFinder(store, settings.duplicates.threshold, limit=1)
    found: list[LikelyDuplicate] = []
    seen: set[frozenset[str]] = set()
    for item in items:
        linked = {link.target for link in item.links} | {item.parent or ""}
        for hit in finder.suggest(item.title, item.text, exclude=[item.key, *linked]):
            other = store.get_item(item.source, hit.key) or store.find_item(hit.key)
            if other is not None and item.key in {other.parent, *(x.target for x in other.links)}:
                continue  # a child or a linked item is related work, not the same request
            pair = frozenset((item.key, hit.key))
            if pair not in seen:
                seen.add(pair)
                found.append(LikelyDuplicate(item.key, hit.key, hit.title, hit.url, hit.score))
    return found


def _pct(report: Report) -> float:
    return report.ready_pct


def snapshots(store: Store, team: str, limit: int) -> list[Snapshot]:
    """The team's last `limit` digest snapshots, oldest first."""
    query = (
        select(DigestSnapshot)
        .where(DigestSnapshot.team == team)
        .order_by(DigestSnapshot.taken_at.desc(), DigestSnapshot.id.desc())
        .limit(limit)
    )
    with store.session() as session:
        rows = list(session.scalars(query))
    return [
        Snapshot(row.taken_at, row.items, row.ready, {k: int(v) for k, v in row.per_rule.items()})
        for row in reversed(rows)
    ]


def save_snapshot(store: Store, data: DigestData) -> None:
    """Remember this digest's numbers; call only once it was really posted."""
    with store.session() as session:
        session.add(
            DigestSnapshot(
                team=data.team,
                taken_at=data.taken_at,
                items=data.items,
                ready=data.ready,
                per_rule=dict(data.per_rule),
            )
        )


def _for_team(extra: dict[str, object] | None, team: str) -> bool:
    """Requests carry no team unless intake set extra["team"]; untagged ones show everywhere."""
    tagged = (extra or {}).get("team")
    return not tagged or tagged == team


def pending_requests(store: Store, team: str, now: datetime) -> list[PendingRequest]:
    """Requests waiting for a decision, oldest first."""
    query = select(RequestRow).where(RequestRow.status == "pending").order_by(RequestRow.created_at)
    with store.session() as session:
        rows = [row for row in session.scalars(query) if _for_team(row.extra, team)]
    return [
        PendingRequest(row.id, row.title, row.requester, max(0, (now - row.created_at).days))
        for row in rows
    ]


def decision_counts(store: Store, team: str, since: datetime) -> tuple[int, int, int]:
    """(accepted, declined, other) decisions made after `since`."""
    query = (
        select(DecisionRow.action, RequestRow.extra)
        .join(RequestRow, RequestRow.id == DecisionRow.request_id, isouter=True)
        .where(DecisionRow.decided_at > since)
    )
    accepted = declined = other = 0
    with store.session() as session:
        for action, extra in session.execute(query):
            if not _for_team(extra, team):
                continue
            if action == "accept":
                accepted += 1
            elif action == "decline":
                declined += 1
            else:
                other += 1
    return accepted, declined, other


def stale_items(
    store: Store,
    items: Iterable[Item],
    stale_days: int,
    now: datetime,
    people: dict[str, str],
) -> list[StaleItem]:
    """Open items no human has updated for `stale_days`, stalest first.

    Refinery's own comments bump an item's `updated`; the comment ledger knows when Refinery
    wrote and what the item's last human update was before that (see last_human_update).
    """
    candidates = list(items)
    by_source: dict[str, list[str]] = {}
    for item in candidates:
        by_source.setdefault(item.source, []).append(item.key)
    ledger = {
        (source, key): row
        for source, keys in by_source.items()
        for key, row in comment_ledger.rows(store, source, keys).items()
    }
    cutoff = now - timedelta(days=stale_days)
    stale: list[StaleItem] = []
    for item in candidates:
        last = last_human_update(item, ledger.get((item.source, item.key)))
        if last is None or last > cutoff:
            continue
        owner = mention(item.assignee or item.reporter, people)
        stale.append(StaleItem(item.key, item.title, item.url, owner, (now - last).days))
    return sorted(stale, key=lambda s: (-s.days, s.key))


def last_human_update(item: Item, row: comment_ledger.LedgerRow | None) -> datetime | None:
    """The item's `updated`, unless that was Refinery's comment (within a minute of the
    ledger's post or edit time): then the human update the ledger saw before it wrote, or,
    when it recorded none, the item's creation (erring towards calling it stale)."""
    if item.updated is None:
        return item.created
    human = comment_ledger.human_update(item.updated, row)
    return human if human is not None else item.created
