"""The say-no proposal: find prune candidates, record proposals, and decide each exactly once.

Nothing is ever closed here without a PO's decision: `decline` runs only from a PO's click.
A decision is claimed with a conditional update (status and version) before any tracker call,
as intake does, so double clicks, Slack retries and two POs yield one decision and one close.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.config import Settings, TeamConfig
from bot.store import Store
from bot.store.backlog_read import store_backlog
from bot.store.prune import Claimed, Proposal, Proposals
from bot.store.store import utcnow
from connectors.base import ConnectorError, IntakeTarget
from connectors.item import Item
from rules.backlog import Backlog
from rules.engine import Problem, load_builtin_rules

log = logging.getLogger(__name__)

PROPOSED, KEPT, DECLINING, DECLINED = "proposed", "kept", "declining", "declined"
EXPIRED = "expired"  # left undecided until the team's next proposal replaced it


class PruneError(Exception):
    """A decision that cannot be made, phrased for the PO who tried."""


class NotAllowed(PruneError):
    """The person is not a product owner of the proposal's team: nothing was changed."""


REFUSAL = "Only this team's product owners can decide on prune proposals. Nothing was changed."


class TeamAuthoriser(Protocol):
    """Who may decide a team's proposal (bot.services.owners.ProductOwners)."""

    def may_decide_for_team(self, user: str, team: str) -> bool: ...


def authorise(store: Store, owners: TeamAuthoriser | None, proposal_id: int, actor: str) -> None:
    """Raise NotAllowed unless `actor` may decide the proposal; no authoriser: no check."""
    if owners is None:
        return
    row = Proposals(store).get(proposal_id)
    if row is not None and not owners.may_decide_for_team(actor, row.team):
        raise NotAllowed(REFUSAL)


class Conflict(PruneError):
    """Someone decided first (or the proposal changed); `current` is the proposal now."""

    def __init__(self, message: str, current: Proposal | None) -> None:
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class Candidate:
    """An item worth a say-no decision, and why."""

    source: str
    key: str
    title: str
    url: str
    project: str
    why: str
    last_human: datetime | None


@dataclass
class TeamProposal:
    team: str
    pos: list[str]
    candidates: list[Candidate]
    batch: str = ""
    posted: dict[str, str] = field(default_factory=dict)  # PO -> message ts
    failed: list[str] = field(default_factory=list)  # POs whose message Slack refused


@dataclass
class PruneRun:
    teams: list[TeamProposal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def proposed(self) -> int:
        return sum(len(team.candidates) for team in self.teams)


def team_pos(settings: Settings, team: TeamConfig) -> list[str]:
    """Who decides for the team: its own po_users, else [slack] po_users."""
    return list(team.po_users or settings.slack.po_users)


def find_candidates(
    store: Store,
    settings: Settings,
    team: TeamConfig,
    now: datetime | None = None,
    items: Sequence[Item] | None = None,
    backlog: Backlog | None = None,
) -> list[Candidate]:
    """Open, not-started items untouched by a person for `prune.stale_days` that serve no goal
    or sit low in rank; oldest first. Items kept recently or already proposed are left out."""
    config = settings.prune
    now = now or datetime.now(UTC)
    scope = [*team.projects, *team.repos] or None
    if backlog is None:
        backlog = store_backlog(store, scope, now)
    if items is None:
        items = _maybe_stale(store, scope, now - timedelta(days=config.stale_days), backlog)
    skip = _not_now(store, now)
    ranked: dict[str, int] = {}
    for entry in backlog.entries.values():
        if entry.position is not None:
            ranked[entry.project] = max(ranked.get(entry.project, 0), entry.position)
    goal = _no_goal(settings)
    opt_out = config.opt_out_label.lower()
    found: list[tuple[datetime, str, Candidate]] = []
    for item in items:
        if item.status_category != "todo" or (item.source, item.key) in skip:
            continue
        if opt_out and any(label.lower() == opt_out for label in item.labels):
            continue
        last = backlog.last_human_update(item)
        if last is None or (now - last).days < config.stale_days:
            continue
        reasons = [f"no update by a person for {(now - last).days} days"]
        if goal(item):
            reasons.append("no goal")
        place = backlog.get(item.key)
        size = ranked.get(item.project, 0)
        if place is None or place.position is None:
            reasons.append("unranked")
        elif place.position > size * (1 - config.low_rank_share):
            reasons.append(f"ranked #{place.position} of {size}")
        if len(reasons) < 2:
            continue  # stale alone is not enough: it must also serve no goal or sit low
        candidate = Candidate(
            item.source, item.key, item.title, item.url, item.project, "; ".join(reasons), last
        )
        found.append((last, item.key, candidate))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [candidate for _, _, candidate in found]


def _maybe_stale(
    store: Store, scope: list[str] | None, cutoff: datetime, backlog: Backlog
) -> list[Item]:
    """Not-started items updated before `cutoff`, or written to by Refinery since (their last
    human update may be older): filtered in SQL, so only these are decoded."""
    proposals = Proposals(store)
    found = proposals.quiet_todo_items(scope, cutoff)
    seen = {item.key for item in found}
    written = [key for key in backlog.own_writes if key not in seen]
    found.extend(proposals.todo_items(scope, written))
    return found


def _no_goal(settings: Settings) -> Callable[[Item], bool]:
    """The no-goal rule with its [rules.no-goal] parameters (whether or not it is enabled)."""
    spec = load_builtin_rules()["no-goal"]
    table = settings.rules.get("no-goal", {})
    params = {**spec.params, **{k: v for k, v in table.items() if k in spec.params}}
    kinds = tuple(table.get("types", spec.scope.types))

    def check(item: Item) -> bool:
        if kinds and item.kind not in kinds and item.type.lower() not in kinds:
            return False
        return isinstance(spec.run(item, params), Problem)

    return check


def _not_now(store: Store, now: datetime) -> set[tuple[str, str]]:
    """Items being declined or declined, or kept and still snoozed. Undecided proposals do
    not count: each run replaces them (`expire`)."""
    skip: set[tuple[str, str]] = set()
    for source, key, status, until in Proposals(store).decided_states():
        snoozed = status == KEPT and until is not None and _aware(until) > now
        if snoozed or status in (DECLINING, DECLINED):
            skip.add((source, key))
    return skip


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def plan(
    store: Store, settings: Settings, teams: Sequence[TeamConfig], now: datetime | None = None
) -> PruneRun:
    """Who gets which candidates this run, within `prune.candidates` and `prune.max_per_run`."""
    run = PruneRun()
    budget = settings.prune.max_per_run
    for team in teams:
        pos = team_pos(settings, team)
        if not pos:
            run.notes.append(f"{team.name}: no product owner configured (po_users); skipped")
            continue
        take = min(settings.prune.candidates, budget)
        chosen = find_candidates(store, settings, team, now)[:take] if take else []
        budget -= len(chosen)
        run.teams.append(TeamProposal(team.name, pos, chosen))
        if take < settings.prune.candidates:
            run.notes.append(f"{team.name}: prune.max_per_run reached; the rest waits")
    return run


def expire(store: Store, team: str) -> list[str]:
    """Retire the team's undecided proposals (a new message replaces them); their buttons then
    answer that they expired, and the items may be proposed again. Returns the batches hit."""
    return Proposals(store).expire(team, PROPOSED, EXPIRED)


def record(store: Store, proposal: TeamProposal, now: datetime | None = None) -> list[int]:
    """Store a team's proposals under one batch id; return their ids in candidate order."""
    now = now or utcnow()
    proposal.batch = uuid.uuid4().hex[:16]
    drafts = [
        Proposal(
            id=0,
            batch=proposal.batch,
            team=proposal.team,
            source=c.source,
            key=c.key,
            title=c.title,
            url=c.url,
            why=c.why,
            status=PROPOSED,
            version=0,
            proposed_at=now,
        )
        for c in proposal.candidates
    ]
    return Proposals(store).add(drafts)


def remember_message(store: Store, batch: str, po: str, channel: str, ts: str) -> None:
    """Note where a PO's message is, so decisions can update it."""
    Proposals(store).remember_message(batch, po, channel, ts)


def get(store: Store, proposal_id: int) -> Proposal | None:
    return Proposals(store).get(proposal_id)


def batch(store: Store, batch_id: str) -> list[Proposal]:
    return Proposals(store).batch(batch_id)


def decisions_since(store: Store, team: str, since: datetime) -> list[Proposal]:
    """Keep and Decline decisions on the team's proposals after `since` (the digest's list)."""
    return Proposals(store).decided_since(team, (KEPT, DECLINED), since)


def keep(
    store: Store,
    proposal_id: int,
    version: int,
    actor: str,
    snooze_days: int,
    owners: TeamAuthoriser | None = None,
) -> Proposal:
    """Keep the item: not proposed again for `snooze_days` days. No tracker call. With
    `owners`, only the proposal's team's product owners may (whoever calls)."""
    authorise(store, owners, proposal_id, actor)
    now = utcnow()
    row = _claim(
        store,
        proposal_id,
        version,
        KEPT,
        {
            "decided_by": actor,
            "decided_at": now,
            "snooze_until": now + timedelta(days=snooze_days),
        },
    )
    log.warning("prune: %s kept by %s (not proposed before %s)", row.key, actor, row.snooze_until)
    return row


def decline(
    store: Store,
    tracker_for: Callable[[str], IntakeTarget],
    proposal_id: int,
    version: int,
    actor: str,
    reason: str,
    jira_transition: str = "",
    owners: TeamAuthoriser | None = None,
) -> Proposal:
    """Close the item in its tracker with the reason as a comment, exactly once. With
    `owners`, only the proposal's team's product owners may (whoever calls)."""
    authorise(store, owners, proposal_id, actor)
    reason = reason.strip()
    if not reason:
        raise PruneError("A decline needs a reason: it goes on the ticket.")
    claimed = _claim(store, proposal_id, version, DECLINING, {"reason": reason})
    try:
        to_status = jira_transition if claimed.source == "jira" else ""
        tracker_for(claimed.source).close(claimed.key, _comment(reason), to_status=to_status)
    except Exception as exc:
        _release(store, proposal_id, claimed.version)
        detail = str(exc) if isinstance(exc, ConnectorError) else type(exc).__name__
        log.warning("prune: closing %s failed: %s", claimed.key, detail)
        raise PruneError(f"The tracker refused: {detail}. Nothing was decided.") from exc
    done = Proposals(store).move(
        proposal_id,
        DECLINING,
        claimed.version,
        DECLINED,
        {"decided_by": actor, "decided_at": utcnow()},
    )
    row = done.proposal or claimed
    log.warning("prune: %s declined and closed by %s: %s", row.key, actor, reason)
    return row


def _comment(reason: str) -> str:
    return f"Declined by the product owner at the backlog prune: {reason}"


def _claim(
    store: Store, proposal_id: int, version: int, status: str, values: Mapping[str, Any]
) -> Proposal:
    return _won(Proposals(store).move(proposal_id, PROPOSED, version, status, values))


def _won(claimed: Claimed) -> Proposal:
    """The claimed proposal; raise Conflict, saying why, when another got there first."""
    current = claimed.proposal
    if current is None:
        raise Conflict("That proposal no longer exists.", None)
    if claimed.won:
        return current
    if current.status == PROPOSED:
        raise Conflict("This proposal changed since you opened it; open it again.", current)
    raise Conflict(f"{current.key} is already {current.status}.", current)


def _release(store: Store, proposal_id: int, version: int) -> None:
    Proposals(store).move(proposal_id, DECLINING, version, PROPOSED, {"reason": ""})
