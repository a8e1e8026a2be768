"""Backlog-wide facts: the Backlog the rules compare items with, and the leanness report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.config import Settings, TeamConfig
from bot.store import Store
from bot.store.backlog_read import Commented, lean_facts
from bot.store.requests import Requests
from rules.backlog import OWN_WRITE_SLACK, Backlog

AGE_BUCKETS: tuple[tuple[str, int], ...] = (
    ("under 1 month", 30),
    ("1-3 months", 91),
    ("3-6 months", 182),
    ("6-12 months", 365),
)
OLDEST_BUCKET = "over a year"
WEEKS_PER_MONTH = 52 / 12
VELOCITY_SPRINTS = 3  # done points are averaged over the last few sprints
ACCEPTANCE_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class Leanness:
    """How lean a team's backlog is: age, untouched items, months of work, intake rate."""

    open_items: int
    by_age: tuple[tuple[str, int], ...]
    never_touched: int  # open items no person updated after creating them
    backlog_points: float
    unestimated: int
    velocity: float | None  # points per sprint
    velocity_from: str  # where the velocity comes from, for the reader
    months_of_work: float | None
    accepted: int  # intake decisions in the last 90 days
    declined: int

    @property
    def acceptance_rate(self) -> float | None:
        decided = self.accepted + self.declined
        return 100.0 * self.accepted / decided if decided else None

    def lines(self) -> list[str]:
        """The report as short lines, for the terminal, Slack and the digest."""
        ages = ", ".join(f"{name}: {count}" for name, count in self.by_age if count)
        lines = [f"{self.open_items} open items by age: {ages or 'none'}"]
        lines.append(f"Never touched since created: {self.never_touched}")
        if self.months_of_work is not None:
            lines.append(
                f"Work in the backlog: {self.months_of_work:.1f} months "
                f"({self.backlog_points:g} points at {self.velocity:g} points a sprint, "
                f"{self.velocity_from}; {self.unestimated} items unestimated)"
            )
        else:
            lines.append(
                f"Work in the backlog: {self.backlog_points:g} points "
                f"({self.unestimated} unestimated); no velocity known: set the team's "
                "sprint_capacity"
            )
        rate = self.acceptance_rate
        if rate is None:
            lines.append("Intake, last 90 days: no decisions")
        else:
            lines.append(
                f"Intake, last 90 days: {rate:.0f}% accepted ({self.accepted} accepted, "
                f"{self.declined} declined)"
            )
        return lines


def stored_leanness(
    store: Store,
    source: str | None,
    projects: Sequence[str] | None,
    *,
    now: datetime,
    capacity: float | None,
    sprint_weeks: float,
    accepted: int,
    declined: int,
) -> Leanness:
    """The report of the live items in scope (open and done) and the intake decisions: the
    database counts; only the items Refinery commented on are looked at one by one."""
    cutoffs = [now - timedelta(days=days) for _, days in AGE_BUCKETS]
    facts = lean_facts(store, source, projects, cutoffs, OWN_WRITE_SLACK)
    # Refinery's comment bumps `updated`: for those items the ledger tells a person's update
    # from its own (Backlog.last_human_update).
    ours = Backlog.build([], now, {row.key: row.own for row in facts.commented})
    never = facts.untouched + sum(_never_touched(row, ours) for row in facts.commented)
    done_by_sprint = {name: (points, last or _EPOCH) for name, points, last in facts.done_sprints}
    velocity, velocity_from = _velocity(done_by_sprint, capacity)
    months = None
    if velocity:
        months = facts.points / velocity * sprint_weeks / WEEKS_PER_MONTH
    names = [name for name, _ in AGE_BUCKETS] + [OLDEST_BUCKET]
    return Leanness(
        open_items=facts.open_items,
        by_age=tuple(zip(names, facts.by_age, strict=True)),
        never_touched=never,
        backlog_points=facts.points,
        unestimated=facts.unestimated,
        velocity=velocity,
        velocity_from=velocity_from,
        months_of_work=months,
        accepted=accepted,
        declined=declined,
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _never_touched(item: Commented, backlog: Backlog) -> bool:
    last = backlog.last_human_update(item)
    if last is None or item.created is None:
        return last is None
    return last - item.created <= OWN_WRITE_SLACK


def _velocity(
    done_by_sprint: dict[str, tuple[float, datetime]], capacity: float | None
) -> tuple[float | None, str]:
    """Done points per sprint over the last sprints seen, else the configured capacity."""
    if done_by_sprint:
        recent = sorted(done_by_sprint.values(), key=lambda pair: pair[1])[-VELOCITY_SPRINTS:]
        average = sum(total for total, _ in recent) / len(recent)
        if average > 0:
            return average, f"done points of the last {len(recent)} sprints"
    if capacity:
        return capacity, "the team's sprint_capacity"
    return None, ""


def scope_leanness(
    store: Store,
    source: str | None,
    projects: Sequence[str] | None,
    sprint_weeks: float = 2.0,
) -> Leanness:
    """The leanness report of a source, some projects, or (both None) the whole store."""
    now = datetime.now(UTC)
    accepted, declined = intake_decisions(store, None, now - ACCEPTANCE_WINDOW)
    return stored_leanness(
        store,
        source,
        projects,
        now=now,
        capacity=None,
        sprint_weeks=sprint_weeks,
        accepted=accepted,
        declined=declined,
    )


def team_leanness(
    store: Store, settings: Settings, team: TeamConfig, now: datetime | None = None
) -> Leanness:
    """The leanness report of one team (its projects and repos; everything when it names none)."""
    now = now or datetime.now(UTC)
    accepted, declined = intake_decisions(store, team.name, now - ACCEPTANCE_WINDOW)
    return stored_leanness(
        store,
        None,
        [*team.projects, *team.repos] or None,
        now=now,
        capacity=team.sprint_capacity,
        sprint_weeks=settings.prune.sprint_weeks,
        accepted=accepted,
        declined=declined,
    )


def intake_decisions(store: Store, team: str | None, since: datetime) -> tuple[int, int]:
    """(accepted, declined) intake decisions after `since`: a team's (untagged requests count
    for every team), or all of them with `team` None."""
    accepted = declined = 0
    for action, extra in Requests(store).decided_since(since, ("accept", "decline")):
        tagged = extra.get("team")
        if team is not None and tagged and tagged != team:
            continue
        if action == "accept":
            accepted += 1
        else:
            declined += 1
    return accepted, declined
