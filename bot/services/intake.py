"""Intake use cases: store stakeholder requests and record each PO decision exactly once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.services.owners import REFUSAL as OWNERS_REFUSAL
from bot.services.owners import project_uid
from bot.store import Store
from bot.store.errors import DatabaseError, DatabaseUnavailable
from bot.store.requests import Claim, Decision, DuplicateOrigin, Request, Requests
from bot.store.store import utcnow
from bot.store.triage import TriageItems
from connectors import registry
from connectors.base import ConnectorError, IntakeTarget, IssueDraft
from connectors.item import Item, Person

log = logging.getLogger(__name__)

PENDING = "pending"
NEED_INFO = "need_info"
# A claim holds the request while the tracker is called, so a second click cannot act too.
CLAIMS = {"accept": "accepting", "decline": "declining"}
FINAL = {
    "accept": "accepted",
    "decline": "declined",
    "need_info": NEED_INFO,
    "duplicate": "duplicate",
}
STATUSES = (PENDING, "accepting", "declining", "accepted", "declined", NEED_INFO, "duplicate")

TrackerFor = Callable[[str], IntakeTarget]
RequesterOf = Callable[[Person | None], str]
# Likely duplicates of a new request: [{"key", "title", "url", "score"}], best first.
SuggestFor = Callable[[Request], list[dict[str, Any]]]
# What a tracker call can raise: the connectors turn every HTTP and transport failure into a
# ConnectorError; a source with no (or a broken) configuration raises ValueError on first use.
TRACKER_ERRORS = (ConnectorError, ValueError)
NOT_A_PO = "Only product owners can decide on requests. Nothing was changed."


class Authoriser(Protocol):
    """Who may decide: bot.services.owners.ProductOwners, injected by the composition root."""

    def is_any(self, user: str) -> bool:
        """A product owner of something: may see the queue and open the decision forms."""
        ...

    def may_decide(self, user: str, projects: Iterable[str]) -> bool:
        """May decide a request of these project uids (none: any product owner may)."""
        ...


class IntakeError(Exception):
    """A decision that cannot be made, phrased for the person who tried."""


class Conflict(IntakeError):
    """Someone else decided (or the request changed) first; `current` is the request now."""

    def __init__(self, message: str, current: Request | None) -> None:
        super().__init__(message)
        self.current = current


class NotAllowed(IntakeError):
    """The actor is not a product owner of this request (or of its destination)."""


class TrackerFailed(IntakeError):
    """The tracker refused the write; the request is pending again."""


@dataclass
class RequestInput:
    """What a stakeholder fills in on the intake form."""

    title: str
    why: str
    requester: str
    affected: str = ""
    outcome: str = ""
    urgency: str = ""
    links: str = ""


@dataclass(frozen=True)
class Destination:
    """Where an accepted request becomes a ticket: a Jira project (+ type) or a GitHub repo."""

    source: str  # a connector's name: "jira", "github"
    project: str
    issue_type: str = ""


@dataclass
class Decided:
    """A decision that was stored, and the request as it is now."""

    request: Request
    decision: Decision


class Intake:
    """The intake queue. Knows the store and the trackers, nothing of Slack or HTTP."""

    def __init__(
        self,
        store: Store,
        tracker_for: TrackerFor,
        triage_labels: Mapping[str, str],
        triage_statuses: Mapping[str, str] | None = None,
        accepted_statuses: Mapping[str, str] | None = None,
        suggest: SuggestFor | None = None,
        owners: Authoriser | None = None,
    ) -> None:
        self.store = store
        self.rows = Requests(store)
        self.suggest = suggest
        # Asked before every accept, decline, need-info and duplicate, whoever calls (Slack,
        # the CLI, a test). None: no check, for callers that take no decisions (listing,
        # releasing a stuck claim) and for tests of the decisions themselves.
        self.owners = owners
        self.tracker_for = tracker_for
        self.triage_labels = {src: label for src, label in triage_labels.items() if label}
        self.triage_statuses = {
            src: status for src, status in (triage_statuses or {}).items() if status.strip()
        }
        self.accepted_statuses = dict(accepted_statuses or {})

    # -- who may decide ---------------------------------------------------------------------

    def may_see_queue(self, actor: str) -> bool:
        return self.owners is None or self.owners.is_any(actor)

    def may_decide(self, actor: str, row: Request, destination: Destination | None) -> bool:
        """Global POs decide all; a team's POs decide requests of that team's projects."""
        if self.owners is None:
            return True
        projects = []
        if row.origin in registry.CONNECTORS and row.origin_key:
            projects.append(project_uid(row.origin, _project_of(row.origin, row.origin_key)))
        elif destination is not None and destination.project:
            projects.append(project_uid(destination.source, destination.project))
        return self.owners.may_decide(actor, projects)

    def _authorise(self, request_id: int, actor: str, destination: Destination | None) -> None:
        """Raise NotAllowed, before anything is claimed or called, when `actor` may not decide."""
        if not self.may_see_queue(actor):
            log.warning("request %s: %s is no product owner; refused", request_id, actor)
            raise NotAllowed(NOT_A_PO)
        row = self.get(request_id)
        if row is not None and not self.may_decide(actor, row, destination):
            log.warning("request %s: %s may not decide it", request_id, actor)
            raise NotAllowed(OWNERS_REFUSAL)

    def get(self, request_id: int) -> Request | None:
        return self.rows.get(request_id)

    def requests(self, status: str | None = None) -> list[Request]:
        """Requests, oldest first; only those in `status` when given."""
        return self.rows.by_status(status)

    def decisions(self, request_id: int | None = None) -> list[Decision]:
        return self.rows.decisions(request_id)

    def find_item(self, key: str) -> Item | None:
        """The stored item a duplicate points to (keys do not collide across sources)."""
        return self.store.find_item(key.strip())

    # -- writing -------------------------------------------------------------------------------

    def release_claim(self, request_id: int) -> Request:
        """Return a request stuck mid-decision ("accepting"/"declining": the process died or
        the store failed after the tracker was called) to pending, for a person to decide again.
        """
        row = self.get(request_id)
        if row is None:
            raise IntakeError(f"There is no request #{request_id}.")
        if row.status not in CLAIMS.values():
            raise IntakeError(
                f"Request #{request_id} is {row.status}, not stuck mid-decision; "
                "nothing to release."
            )
        if not self.rows.move(request_id, row.status, row.version, PENDING):
            raise Conflict("This request changed meanwhile; try again.", self.get(request_id))
        fresh = self.get(request_id)
        assert fresh is not None
        return fresh

    def submit(self, data: RequestInput) -> Request:
        """Store a new pending request; the title and the why are required."""
        if not data.title.strip() or not data.why.strip():
            raise IntakeError("A request needs a title and a why.")
        now = utcnow()
        row = Request(
            id=0,
            status=PENDING,
            title=data.title.strip(),
            why=data.why.strip(),
            affected=data.affected.strip(),
            outcome=data.outcome.strip(),
            urgency=data.urgency.strip(),
            links=data.links.strip(),
            requester=data.requester,
            origin="slack",
            version=0,
            created_at=now,
            updated_at=now,
            extra={},
        )
        return self.rows.add(self._with_suggestions(row))

    def _with_suggestions(self, row: Request) -> Request:
        """The request with its likely duplicates remembered, for its card (before it is
        stored)."""
        if self.suggest is None:
            return row
        try:
            found = self.suggest(row)
        except DatabaseError:  # the full-text search failed: that must never lose a request
            log.exception(
                "duplicate search failed for request %r (%s)",
                row.title[:60],
                row.origin_key or "from Slack",
            )
            return row
        return row.with_extra(suggestions=found) if found else row

    def set_card(self, request_id: int, channel: str, ts: str) -> None:
        """Remember where the triage card is, so decisions can update it."""
        self.rows.set_card(request_id, channel, ts)

    def import_triage(self, requester_of: RequesterOf | None = None) -> list[Request]:
        """Queue stored items carrying a triage label or in the triage status; each once.

        `requester_of` maps the item's reporter to a Slack user id ("" when unknown).
        """
        people = requester_of or _nobody
        created: list[Request] = []
        triage = TriageItems(self.store)
        for source in dict.fromkeys([*self.triage_labels, *self.triage_statuses]):
            # key -> the item and how it was found (what Accept must undo)
            found: dict[str, tuple[Item, dict[str, str]]] = {}
            label = self.triage_labels.get(source, "")
            if label:
                for item in triage.labelled(source, label):
                    found[item.key] = (item, {"triage_label": label})
            status = self.triage_statuses.get(source, "").strip()
            if status:
                for item in triage.in_status(source, status):
                    marks = found.setdefault(item.key, (item, {}))[1]
                    marks["triage_status"] = item.status
            created.extend(self._import_items(found.values(), people))
        return created

    def _import_items(
        self, found: Iterable[tuple[Item, dict[str, str]]], people: RequesterOf
    ) -> list[Request]:
        found = list(found)
        if not found:
            return []
        known = self.rows.known_origins(item.key for item, _ in found)
        created = []
        for item, marks in found:
            if item.key in known:
                continue
            row = self._with_suggestions(_row_from_item(item, people, marks))
            try:
                created.append(self.rows.add(row))
            except DuplicateOrigin:
                continue  # a concurrent import got there first: the unique origin_key held
        return created

    def accept(
        self, request_id: int, version: int, actor: str, destination: Destination
    ) -> Decided:
        """Create the ticket once; a tracker request instead leaves triage: its label is dropped,
        and an item found by its triage status moves to the accepted status."""
        self._authorise(request_id, actor, destination)

        def act(row: Request) -> tuple[str | None, str | None]:
            if row.origin in registry.CONNECTORS and row.origin_key:
                tracker = self.tracker_for(row.origin)
                by_status = "triage_status" in row.extra
                label = self.triage_labels.get(row.origin, "")
                # Rows imported before statuses counted carry no marks: they came by label.
                # The label goes first: removing it again is harmless if the transition fails
                # and the PO retries, while a transition done twice is not.
                if label and ("triage_label" in row.extra or not by_status):
                    tracker.remove_label(row.origin_key, label)
                if by_status:
                    tracker.transition(
                        row.origin_key,
                        self.accepted_statuses.get(row.origin, ""),
                        not_to=str(row.extra["triage_status"]),
                    )
                return row.origin_key, str(row.extra.get("url") or "")
            draft = IssueDraft(
                project=destination.project,
                title=row.title,
                why=row.why,
                outcome=row.outcome,
                affected=row.affected,
                links=row.links,
                issue_type=destination.issue_type,
                requested_by=row.requester,
            )
            created = self.tracker_for(destination.source).create_issue(draft)
            return created.key, created.url

        return self._decide_with_tracker(request_id, version, actor, "accept", "", act)

    def decline(self, request_id: int, version: int, actor: str, reason: str) -> Decided:
        """Decline with a reason; a tracker request is closed with that reason as a comment."""
        self._authorise(request_id, actor, None)
        reason = reason.strip()
        if not reason:
            raise IntakeError("A decline needs a reason the requester can read.")
        row = self.get(request_id)
        if row is not None and row.origin in registry.CONNECTORS and row.origin_key:

            def act(claimed: Request) -> tuple[str | None, str | None]:
                assert claimed.origin_key is not None
                self.tracker_for(claimed.origin).close(claimed.origin_key, reason)
                return claimed.origin_key, str(claimed.extra.get("url") or "")

            return self._decide_with_tracker(request_id, version, actor, "decline", reason, act)
        return self._decide(request_id, version, actor, "decline", reason=reason)

    def need_info(self, request_id: int, version: int, actor: str, question: str) -> Decided:
        """Ask the requester a question; the request waits until they answer."""
        self._authorise(request_id, actor, None)
        question = question.strip()
        if not question:
            raise IntakeError("Say what you need to know.")
        row = self.get(request_id)
        if row is not None and not row.requester:
            raise IntakeError("This request has no Slack requester to ask; ask on the ticket.")
        return self._decide(request_id, version, actor, "need_info", reason=question)

    def duplicate(self, request_id: int, version: int, actor: str, key: str) -> Decided:
        """Close the request as a duplicate of a stored item."""
        self._authorise(request_id, actor, None)
        item = self.find_item(key)
        if item is None:
            raise IntakeError(f"No item {key.strip()} in the store.")
        return self._decide(
            request_id,
            version,
            actor,
            "duplicate",
            target=item.key,
            extra_values={"ticket_key": item.key, "ticket_url": item.url},
        )

    def add_details(self, request_id: int, author: str, details: str) -> Request:
        """The requester answers a question: the request is pending again."""
        details = details.strip()
        if not details:
            raise IntakeError("Add a few words.")
        row = self.get(request_id)
        if row is None:
            raise IntakeError("That request no longer exists.")
        if row.requester != author:
            raise IntakeError("Only the requester can add details to this request.")
        if row.status != NEED_INFO:
            raise Conflict("This request is not waiting for details.", row)
        answers = [*row.extra.get("details", []), {"by": author, "text": details}]
        extra = {**row.extra, "details": answers}
        if not self.rows.move(request_id, NEED_INFO, row.version, PENDING, extra=extra):
            raise Conflict("This request changed meanwhile; try again.", None)
        fresh = self.get(request_id)
        assert fresh is not None
        return fresh

    # -- the claim -----------------------------------------------------------------------------

    def _decide(
        self,
        request_id: int,
        version: int,
        actor: str,
        action: str,
        *,
        reason: str = "",
        target: str | None = None,
        extra_values: Mapping[str, Any] | None = None,
    ) -> Decided:
        """Claim and decide in one transaction: no outside call, so nothing to undo."""
        decision = _decision(request_id, action, actor, reason, target)
        claim = self.rows.claim(request_id, version, FINAL[action], extra_values, decision)
        _won(claim)
        assert claim.request is not None and claim.decision is not None
        return Decided(claim.request, claim.decision)

    def _decide_with_tracker(
        self,
        request_id: int,
        version: int,
        actor: str,
        action: str,
        reason: str,
        act: Callable[[Request], tuple[str | None, str | None]],
    ) -> Decided:
        """Claim first (committed), call the tracker, then finish; release the claim when the
        tracker fails, and log what the tracker created when only the final write fails."""
        claimed = _won(self.rows.claim(request_id, version, CLAIMS[action]))
        item = claimed.origin_key or "a new ticket"
        try:
            key, url = act(claimed)
        except TRACKER_ERRORS as exc:
            self._release(request_id, claimed.version, CLAIMS[action])
            detail = str(exc) if isinstance(exc, ConnectorError) else type(exc).__name__
            log.warning(
                "request %s (%s): %s failed: %s", request_id, item, action, detail, exc_info=True
            )
            raise TrackerFailed(f"The tracker refused: {detail}. Nothing was decided.") from exc
        except Exception:  # logged with the item key, then re-raised: never swallowed
            # Not a refusal the tracker reports: we cannot tell whether it acted, so the claim
            # stays (`refinery requests --status accepting`, then `--release` after a look).
            log.exception(
                "request %s (%s): %s failed unexpectedly; the request stays '%s'",
                request_id,
                item,
                action,
                CLAIMS[action],
            )
            raise
        try:
            decision = self._finish(request_id, claimed.version, action, actor, reason, key, url)
        except DatabaseUnavailable:
            # The tracker already acted; never lose what it created. The claim stays visible
            # (`refinery requests --status accepting`) for a person to finish by hand.
            log.error(
                "request %s: %s done in the tracker (%s) but the store could not record it; "
                "the request stays '%s'",
                request_id,
                action,
                key or "no ticket",
                CLAIMS[action],
            )
            raise IntakeError(
                f"The tracker acted ({key or 'no ticket'}) but the decision could not be saved; "
                "an operator has been told in the log."
            ) from None
        return self._decided(request_id, decision)

    def _finish(
        self,
        request_id: int,
        version: int,
        action: str,
        actor: str,
        reason: str,
        key: str | None,
        url: str | None,
    ) -> Decision:
        decision = self.rows.finish(
            request_id,
            CLAIMS[action],
            version,
            FINAL[action],
            _decision(request_id, action, actor, reason, key),
            {"ticket_key": key, "ticket_url": url},
        )
        if decision is None:
            raise IntakeError("The request changed while the tracker was called.")
        return decision

    def _release(self, request_id: int, version: int, claim_status: str) -> None:
        self.rows.move(request_id, claim_status, version, PENDING)

    def _decided(self, request_id: int, decision: Decision) -> Decided:
        row = self.get(request_id)
        assert row is not None
        return Decided(row, decision)


def _won(claim: Claim) -> Request:
    """The claimed request; raise Conflict, saying why, when another got there first."""
    current = claim.request
    if claim.won:
        assert current is not None
        return current
    if current is None:
        raise Conflict("That request no longer exists.", None)
    if current.status == PENDING:
        raise Conflict("This request changed since you opened it; open it again.", current)
    raise Conflict(f"This request is already {current.status.replace('_', ' ')}.", current)


def _decision(
    request_id: int, action: str, actor: str, reason: str, target: str | None
) -> Decision:
    return Decision(
        request_id=request_id,
        action=action,
        actor=actor,
        reason=reason,
        target=target,
        decided_at=utcnow(),
    )


def _nobody(person: Person | None) -> str:
    return ""


def _row_from_item(item: Item, people: RequesterOf, marks: Mapping[str, str]) -> Request:
    now = utcnow()
    return Request(
        id=0,
        status=PENDING,
        title=item.title,
        why=item.sections.get("why") or item.text[:2000],
        outcome=item.outcome or item.sections.get("outcome", ""),
        links=item.url,
        requester=people(item.reporter),
        origin=item.source,
        origin_key=item.key,
        version=0,
        created_at=now,
        updated_at=now,
        extra={
            "url": item.url,
            "reporter": item.reporter.name if item.reporter else "",
            **marks,
        },
    )


def _project_of(source: str, key: str) -> str:
    """The project of a tracker key: "PAY" of "PAY-12", "acme/shop" of "acme/shop#4"."""
    return registry.get(source).project_of(key)
