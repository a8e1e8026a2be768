"""Build per-team digest and refinement-reminder data from the store (no Slack, no I/O out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.config import Settings, TeamConfig
from bot.services.judge import Judge
from bot.services.lean import Leanness, team_leanness
from bot.services.report import ItemResult, card_result
from bot.services.teams import channel_for
from bot.store import Store, comment_ledger, readiness
from bot.store import snapshots as snapshot_store
from bot.store.backlog_read import store_backlog
from bot.store.prune import Proposal
from bot.store.requests import Requests
from bot.store.snapshots import Snapshot, snapshots
from connectors.item import Item, Person
from rules.backlog import Backlog
from rules.engine import Engine

if TYPE_CHECKING:
    from bot.services.agenda import Dependency, LikelyDuplicate
    from bot.services.outcomes import OutcomeSummary

SPARKS = "▁▂▃▄▅▆▇█"
DEFAULT_DECISION_WINDOW = timedelta(days=7)  # "since the last digest" when there was none
STALE_LISTED = 200  # more than a digest can show (Slack cuts the list at its text limit)


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
    stale: list[StaleItem]  # the stalest STALE_LISTED, stalest first
    stale_count: int  # all of them
    stale_days: int
    backlog_points: float
    unestimated: int
    sprint_capacity: float | None
    outcomes: OutcomeSummary | None = None  # the outcome follow-up's counts, when enabled
    # The leanness report and the say-no decisions since the last digest (bot.services.lean).
    leanness: Leanness | None = None
    pruned: list[Proposal] = field(default_factory=list)

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


def team_items(store: Store, team: TeamConfig) -> list[Item]:
    """The team's stored items (its Jira projects and GitHub repos; all when it names none)."""
    scope = [*team.projects, *team.repos]
    return list(store.items(projects=scope or None))


def team_scope(team: TeamConfig, statuses: tuple[str, ...] = readiness.OPEN) -> readiness.Scope:
    """The team's items (its Jira projects and GitHub repos; all when it names none)."""
    scope = (*team.projects, *team.repos)
    return readiness.Scope(projects=scope or None, statuses=statuses)


def build_digest(
    store: Store,
    engine: Engine,
    settings: Settings,
    team: TeamConfig,
    now: datetime | None = None,
) -> DigestData:
    """Gather everything the team's digest shows, from stored verdicts (SQL aggregations)."""
    now = now or datetime.now(UTC)
    Judge(store, engine).refresh()  # only what is stale: usually nothing
    scope = team_scope(team)
    totals = readiness.totals(store, scope)
    top = readiness.unready(store, scope, order="rank", limit=settings.digest.top_unready)
    history = snapshots(store, team.name, settings.digest.trend_points - 1)
    previous = history[-1] if history else None
    since = previous.taken_at if previous else now - DEFAULT_DECISION_WINDOW
    accepted, declined, other = decision_counts(store, team.name, since)
    people = settings.slack.people
    stale, stale_count = stale_items(store, scope, settings.digest.stale_days, now, people)
    return DigestData(
        team=team.name,
        channel=channel_for(settings, team),
        taken_at=now,
        items=totals.items,
        ready=totals.ready,
        per_rule=dict(totals.per_rule),
        previous=previous,
        trend=[snap.ready_pct for snap in history] + [totals.ready_pct],
        top_unready=[owned(card_result(card), people) for card in top],
        unready=totals.unready,
        pending=pending_requests(store, team.name, now),
        accepted=accepted,
        declined=declined,
        other_decisions=other,
        decisions_since=since,
        stale=stale,
        stale_count=stale_count,
        stale_days=settings.digest.stale_days,
        backlog_points=totals.points,
        unestimated=totals.unestimated,
        sprint_capacity=team.sprint_capacity,
        outcomes=outcome_summary(store, engine, settings, team),
        leanness=team_leanness(store, settings, team, now),
        pruned=_prune_decisions(store, team.name, since),
    )


def outcome_summary(
    store: Store, engine: Engine, settings: Settings, team: TeamConfig
) -> OutcomeSummary | None:
    """Outcomes reviewed and moved, and the share of done items that named none."""
    if not settings.outcomes.enabled:
        return None
    from bot.services.outcomes import Outcomes  # late: outcomes imports this module

    return Outcomes(store, engine, settings).summary(team.name)


def _backlog(
    store: Store, engine: Engine, team: TeamConfig, now: datetime | None = None
) -> Backlog | None:
    """The whole store as the backlog rules' batch (blockers may sit in another project), with
    Refinery's own writes; None when no such rule is enabled."""
    return store_backlog(store, now=now) if engine.needs_backlog else None


def _prune_decisions(store: Store, team: str, since: datetime) -> list[Proposal]:
    from bot.services.prune import decisions_since  # late: prune imports this module's helpers

    return decisions_since(store, team, since)


def build_reminder(
    store: Store, engine: Engine, settings: Settings, team: TeamConfig
) -> ReminderData:
    """The next `refinement_items` not-started items, by rank, that fail rules, by owner."""
    Judge(store, engine).refresh()
    scope = team_scope(team, statuses=("todo",))
    looked_at = readiness.totals(store, scope).items
    chosen = [
        card_result(card)
        for card in readiness.unready(store, scope, order="rank", limit=team.refinement_items)
    ]
    groups: dict[str, OwnerGroup] = {}
    agenda: list[AgendaItem] = []
    from bot.services.agenda import dependencies, question_for  # late: agenda imports report

    for result in chosen:
        entry = owned(result, settings.slack.people)
        groups.setdefault(entry.owner.text, OwnerGroup(entry.owner)).items.append(entry)
        agenda.append(AgendaItem(entry, question_for(result)))
    on_agenda = [
        item for result in chosen if (item := store.get_item(result.source, result.key)) is not None
    ]
    return ReminderData(
        team.name,
        channel_for(settings, team),
        looked_at,
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


def save_snapshot(store: Store, data: DigestData) -> None:
    """Remember this digest's numbers; call only once it was really posted."""
    snapshot_store.save_snapshot(
        store, data.team, data.taken_at, data.items, data.ready, dict(data.per_rule)
    )


def _for_team(extra: Mapping[str, object] | None, team: str) -> bool:
    """Requests carry no team unless intake set extra["team"]; untagged ones show everywhere."""
    tagged = (extra or {}).get("team")
    return not tagged or tagged == team


def pending_requests(store: Store, team: str, now: datetime) -> list[PendingRequest]:
    """Requests waiting for a decision, oldest first."""
    rows = [row for row in Requests(store).pending() if _for_team(row.extra, team)]
    return [
        PendingRequest(row.id, row.title, row.requester, max(0, (now - row.created_at).days))
        for row in rows
    ]


def decision_counts(store: Store, team: str, since: datetime) -> tuple[int, int, int]:
    """(accepted, declined, other) decisions made after `since`."""
    accepted = declined = other = 0
    for action, extra in Requests(store).decided_since(since):
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
    scope: readiness.Scope,
    stale_days: int,
    now: datetime,
    people: dict[str, str],
    limit: int = STALE_LISTED,
) -> tuple[list[StaleItem], int]:
    """The `limit` open items no human has updated for longest (over `stale_days`), stalest
    first, and how many such items there are.

    Refinery's own comments bump an item's `updated`; the comment ledger knows when Refinery
    wrote and what the item's last human update was before that (see last_human_update).
    """
    cutoff = now - timedelta(days=stale_days)
    quietest, count, commented = readiness.quiet_candidates(store, scope, cutoff, limit)
    stale: list[StaleItem] = []
    for quiet in [*quietest, *commented]:
        last = _last_human(quiet.updated, quiet.created, _ledger_times(quiet.ledger))
        if last is None or last > cutoff:
            continue
        owner = mention(quiet.owner, people)
        stale.append(StaleItem(quiet.key, quiet.title, quiet.url, owner, (now - last).days))
    total = count + len(stale) - len(quietest)  # quietest were all stale (SQL decided)
    return sorted(stale, key=lambda s: (-s.days, s.key))[:limit], total


def last_human_update(item: Item, row: comment_ledger.LedgerRow | None) -> datetime | None:
    """The item's `updated`, unless that was Refinery's comment (within a minute of the
    ledger's post or edit time): then the human update the ledger saw before it wrote, or,
    when it recorded none, the item's creation (erring towards calling it stale)."""
    return _last_human(item.updated, item.created, row)


def _last_human(
    updated: datetime | None, created: datetime | None, row: comment_ledger.LedgerRow | None
) -> datetime | None:
    if updated is None:
        return created
    human = comment_ledger.human_update(updated, row)
    return human if human is not None else created


def _ledger_times(times: dict[str, Any] | None) -> comment_ledger.LedgerRow | None:
    """The ledger times a staleness check reads, as a row (the rest does not matter here)."""
    if times is None:
        return None
    return comment_ledger.LedgerRow(
        None, "open", "", times["posted_at"], times["edited_at"], None, None, times["human_updated"]
    )
