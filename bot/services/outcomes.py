"""Outcome follow-up: after an item with an outcome target is done, ask whether it moved.

Every done item gets one review row the first time a pass sees it. Items that named a target
are scheduled `review_after_days` (per team) after they were done; on the day the owner (the
team's PO, else the reporter) is asked, and each answer is stored once ("Not yet" asks again,
at most twice). Knows the store and the rules engine, nothing of Slack.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config import Settings, TeamConfig
from bot.services.outcome_target import judged_items, outcome_target
from bot.services.teams import teams
from bot.store import Store
from bot.store.outcomes import Answer, Review, Reviews
from bot.store.store import utcnow
from connectors.item import Item
from rules.engine import Engine

log = logging.getLogger(__name__)

ANSWERS = {
    "moved": "Moved",
    "not_yet": "Not yet",
    "did_not_move": "Did not move",
    "cant_tell": "Can't tell",
}
ASKS_AGAIN = 2  # "Not yet" asks again at most this many times
STARTED_KEY = "outcomes:started_at"
# Row statuses: never asked (output, baseline, out_of_scope), or on the way to reviewed.
SCHEDULED, ASKED, REVIEWED, NO_OWNER = "scheduled", "asked", "reviewed", "no_owner"
OUTPUT, BASELINE, OUT_OF_SCOPE = "output", "baseline", "out_of_scope"

Post = Callable[[Review], tuple[str, str] | None]  # -> (channel, ts) when posted


class OutcomeError(Exception):
    """An answer that cannot be taken, phrased for the person who tried."""


class AlreadyAnswered(OutcomeError):
    """Someone (or an earlier click) answered first."""


@dataclass
class Answered:
    review: Review
    answer: Answer
    asks_again: bool


@dataclass
class OutcomeSummary:
    """What the digest and `refinery health` show for one team."""

    team: str
    reviewed: int = 0
    moved: int = 0
    did_not_move: int = 0
    cant_tell: int = 0
    waiting: int = 0  # scheduled or asked
    done: int = 0  # done items the outcome rule looks at
    outputs: int = 0  # of those, items that named no outcome at all

    @property
    def outputs_pct(self) -> float | None:
        return 100.0 * self.outputs / self.done if self.done else None

    def line(self) -> str:
        share = self.outputs_pct
        outputs = (
            f"; outputs: {share:.0f}% of {self.done} done items named no outcome"
            if share is not None
            else ""
        )
        return f"outcomes reviewed: {self.reviewed}, moved: {self.moved}{outputs}"


@dataclass
class PassResult:
    scheduled: int = 0
    recorded: int = 0
    asked: int = 0
    failed: int = 0
    no_owner: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"outcomes: {self.recorded} done items recorded, {self.asked} reviews asked" + (
            f", {self.failed} not posted" if self.failed else ""
        )


class Outcomes:
    """The follow-up: record done items, ask the due reviews, take answers, count them."""

    def __init__(self, store: Store, engine: Engine, settings: Settings) -> None:
        self.store = store
        self.reviews_store = Reviews(store)
        self.engine = engine
        self.settings = settings

    # -- recording done items ------------------------------------------------------------------

    def team_of(self, item: Item) -> TeamConfig | None:
        for team in teams(self.settings):
            scope = [*team.projects, *team.repos]
            if not scope or item.project in scope:
                return team
        return None

    def _team_po(self, team_name: str) -> str:
        team = next((t for t in teams(self.settings) if t.name == team_name), None)
        pos = (team.po_users if team else []) or self.settings.slack.po_users
        return pos[0] if pos else ""

    def owner_of(self, item: Item, team: TeamConfig) -> str:
        """The team's PO, else the reporter's Slack id, else "" (nobody to ask)."""
        pos = team.po_users or self.settings.slack.po_users
        if pos:
            return pos[0]
        if item.reporter is not None:
            return self.settings.slack.people.get(item.reporter.id, "")
        return ""

    def record_done(self, now: datetime | None = None) -> PassResult:
        """Give every done item not seen before its review row (one each, whatever the pass)."""
        now = now or utcnow()
        result = PassResult()
        started = self._started(now)
        found = self.reviews_store.done_items_unseen()
        rows = [self._new_row(item, started, now) for item in found]
        for start in range(0, len(rows), 500):
            done = self.reviews_store.add(rows[start : start + 500])
            result.recorded += len(done)
            result.scheduled += sum(row.status == SCHEDULED for row in done)
        return result

    def _started(self, now: datetime) -> datetime:
        """When the follow-up first ran: items done before then are history, never asked."""
        stored = self.store.get_kv(STARTED_KEY)
        if stored:
            return datetime.fromisoformat(str(stored["at"]))
        self.store.set_kv(STARTED_KEY, {"at": now.isoformat()})
        return now

    def _new_row(self, item: Item, started: datetime, now: datetime) -> Review:
        team = self.team_of(item)
        done_at = min(item.updated, now) if item.updated else now
        row = Review(
            id=0,
            source=item.source,
            key=item.key,
            team=team.name if team else "",
            title=item.title,
            url=item.url,
            target=None,
            owner="",
            status=OUT_OF_SCOPE,
            asks=0,
            version=0,
            done_at=done_at,
            due_at=None,
            created_at=now,
            updated_at=now,
        )
        if team is None or not judged_items(self.engine, item):
            return row
        target = outcome_target(self.engine, item)
        owner = self.owner_of(item, team)
        if target is None:
            return dataclasses.replace(row, target=target, owner=owner, status=OUTPUT)
        if done_at < started:
            return dataclasses.replace(row, target=target, owner=owner, status=BASELINE)
        due_at = done_at + timedelta(days=team.review_after_days)
        return dataclasses.replace(row, target=target, owner=owner, status=SCHEDULED, due_at=due_at)

    # -- asking --------------------------------------------------------------------------------

    def due(self, now: datetime | None = None) -> list[Review]:
        return self.reviews_store.due([SCHEDULED, NO_OWNER], now or utcnow())

    def ask_due(self, post: Post, now: datetime | None = None) -> PassResult:
        """Ask every due review once: claim it, post, remember where (or release on failure)."""
        now = now or utcnow()
        result = PassResult()
        for row in self.due(now):
            owner = row.owner or self._team_po(row.team)  # a PO may have been configured since
            if not owner:
                if row.status != NO_OWNER:
                    self._set(row.id, row.version, row.status, status=NO_OWNER)
                    log.warning("outcome review of %s is due, but nobody to ask", row.key)
                result.no_owner.append(row.key)
                continue
            claimed = self._set(
                row.id,
                row.version,
                row.status,
                status=ASKED,
                asks=row.asks + 1,
                owner=owner,
                updated_at=now,
            )
            if not claimed:
                continue  # another replica asked
            row = dataclasses.replace(
                row, status=ASKED, asks=row.asks + 1, version=row.version + 1, owner=owner
            )
            where = post(row)
            if where is None:
                self._set(row.id, row.version, ASKED, status=SCHEDULED, asks=row.asks - 1)
                result.failed += 1
                continue
            self._set(row.id, row.version, ASKED, channel=where[0], ts=where[1], bump=False)
            result.asked += 1
        return result

    def _set(
        self, review_id: int, version: int, current: str, *, bump: bool = True, **values: object
    ) -> bool:
        """Conditional update: only the row still at `version` and status `current` changes."""
        if bump:
            values["version"] = version + 1
        return self.reviews_store.move(review_id, version, current, values)

    # -- answering -----------------------------------------------------------------------------

    def get(self, review_id: int) -> Review | None:
        return self.reviews_store.get(review_id)

    def may_answer(self, row: Review, user: str, is_po: bool) -> bool:
        team = next((t for t in teams(self.settings) if t.name == row.team), None)
        team_pos = team.po_users if team else []
        return bool(user) and (user == row.owner or is_po or user in team_pos)

    def answer(
        self,
        review_id: int,
        version: int,
        actor: str,
        answer: str,
        *,
        is_po: bool,
        observed: str = "",
        note: str = "",
        now: datetime | None = None,
    ) -> Answered:
        """Store one answer; a second one for the same ask raises AlreadyAnswered."""
        now = now or utcnow()
        if answer not in ANSWERS:
            raise OutcomeError(f"Unknown answer {answer!r}.")
        row = self.get(review_id)
        if row is None:
            raise OutcomeError("That outcome review no longer exists.")
        if not self.may_answer(row, actor, is_po):
            raise OutcomeError("Only the item's owner or a product owner can answer this.")
        if row.status != ASKED or row.version != version:
            raise AlreadyAnswered(f"{row.key}'s outcome was already answered.")
        again = answer == "not_yet" and row.asks <= ASKS_AGAIN
        values: dict[str, object] = {"answer": answer, "updated_at": now}
        if again:
            days = self.settings.outcomes.ask_again_days
            values.update(status=SCHEDULED, due_at=now + timedelta(days=days))
        else:
            values.update(status=REVIEWED, due_at=None)
        stored = self.reviews_store.answer(
            review_id,
            version,
            ASKED,
            {"version": version + 1, **values},
            Answer(
                review_id=review_id,
                answer=answer,
                observed=observed.strip()[:500],
                note=note.strip()[:2000],
                actor=actor,
                answered_at=now,
            ),
        )
        if stored is None:
            raise AlreadyAnswered(f"{row.key}'s outcome was already answered.")
        fresh = self.get(review_id)
        assert fresh is not None
        return Answered(fresh, stored, again)

    # -- reading -------------------------------------------------------------------------------

    def reviews(self, team: str | None = None) -> list[Review]:
        """Reviews of items that named a target, newest done first."""
        return self.reviews_store.with_target(team)

    def answers(self, review_ids: list[int]) -> dict[int, list[Answer]]:
        return self.reviews_store.answers(review_ids)

    def summary(self, team: str) -> OutcomeSummary:
        """Counts for one team, in one grouped query."""
        summary = OutcomeSummary(team)
        for status, answer, count in self.reviews_store.counts(team, OUT_OF_SCOPE):
            summary.done += count
            if status == OUTPUT:
                summary.outputs += count
            elif status in (SCHEDULED, ASKED):
                summary.waiting += count
            elif status == REVIEWED:
                summary.reviewed += count
                if answer == "moved":
                    summary.moved += count
                elif answer == "did_not_move":
                    summary.did_not_move += count
                elif answer == "cant_tell":
                    summary.cant_tell += count
        return summary
