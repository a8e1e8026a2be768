"""Intake requests and their decisions: frozen records out, compare-and-set writes in.

A decision is claimed with `status=? AND version=?`, so double clicks, retries and two
product owners yield one decision; the rules of what may follow what stay in the intake
service (`bot.services.intake`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.cas import swapped
from bot.store.models import DecisionRow, RequestRow
from bot.store.records import record
from bot.store.store import CHUNK, Store, utcnow


@dataclass(frozen=True, slots=True)
class Request:
    """A stakeholder request in the intake queue (id 0: not stored yet)."""

    id: int
    status: str
    title: str
    why: str
    requester: str  # Slack user id ("" when unknown)
    origin: str  # slack | jira | github
    created_at: datetime
    updated_at: datetime
    affected: str = ""
    outcome: str = ""
    urgency: str = ""
    links: str = ""
    origin_key: str | None = None
    ticket_key: str | None = None
    ticket_url: str | None = None
    card_channel: str | None = None
    card_ts: str | None = None
    version: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_extra(self, **values: Any) -> Request:
        return dataclasses.replace(self, extra={**self.extra, **values})


@dataclass(frozen=True, slots=True)
class Decision:
    """Who decided what on a request, when and why. Never edited, only appended."""

    request_id: int
    action: str  # accept | decline | need_info | duplicate
    actor: str
    reason: str
    target: str | None  # the ticket or duplicate key
    decided_at: datetime
    id: int = 0


@dataclass(frozen=True, slots=True)
class Claim:
    """What a compare-and-set on a request found: `won`, and the request after the write
    (won) or as it is now (lost; None when it no longer exists)."""

    won: bool
    request: Request | None
    decision: Decision | None = None


class Requests:
    """The intake queue's rows."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reading -------------------------------------------------------------------------------

    def get(self, request_id: int) -> Request | None:
        with self.store.session() as session:
            row = session.get(RequestRow, request_id)
            return _request(row) if row is not None else None

    def by_status(self, status: str | None = None) -> list[Request]:
        """Requests, oldest first; only those in `status` when given."""
        query = select(RequestRow).order_by(RequestRow.id)
        if status:
            query = query.where(RequestRow.status == status)
        with self.store.session() as session:
            return [_request(row) for row in session.scalars(query)]

    def pending(self) -> list[Request]:
        """Requests waiting for a decision, oldest first."""
        query = (
            select(RequestRow)
            .where(RequestRow.status == "pending")
            .order_by(RequestRow.created_at, RequestRow.id)
        )
        with self.store.session() as session:
            return [_request(row) for row in session.scalars(query)]

    def decisions(self, request_id: int | None = None) -> list[Decision]:
        query = select(DecisionRow).order_by(DecisionRow.id)
        if request_id is not None:
            query = query.where(DecisionRow.request_id == request_id)
        with self.store.session() as session:
            return [_decision(row) for row in session.scalars(query)]

    def decided_since(
        self, since: datetime, actions: Iterable[str] | None = None
    ) -> list[tuple[str, Mapping[str, Any]]]:
        """(action, the request's extra) of each decision made after `since`."""
        query = (
            select(DecisionRow.action, RequestRow.extra)
            .join(RequestRow, RequestRow.id == DecisionRow.request_id, isouter=True)
            .where(DecisionRow.decided_at > since)
        )
        if actions is not None:
            query = query.where(DecisionRow.action.in_(list(actions)))
        with self.store.session() as session:
            return [(action, dict(extra or {})) for action, extra in session.execute(query)]

    def known_origins(self, keys: Iterable[str]) -> set[str]:
        """Which of these tracker keys already became requests."""
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        with self.store.session() as session:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                query = select(RequestRow.origin_key).where(RequestRow.origin_key.in_(chunk))
                found.update(key for key in session.scalars(query) if key)
        return found

    # -- writing -------------------------------------------------------------------------------

    def add(self, draft: Request) -> Request:
        """Store a new request; raise DuplicateOrigin when its tracker key is queued already."""
        row = RequestRow(**_values(draft))
        try:
            with self.store.session() as session:
                session.add(row)
        except IntegrityError as exc:
            raise DuplicateOrigin(draft.origin_key or "") from exc
        return _request(row)

    def set_card(self, request_id: int, channel: str, ts: str) -> None:
        with self.store.session() as session:
            session.execute(
                update(RequestRow)
                .where(RequestRow.id == request_id)
                .values(card_channel=channel, card_ts=ts)
            )

    def move(self, request_id: int, status: str, version: int, to: str, **values: Any) -> bool:
        """Compare-and-set: `status`/`version` → `to` (version + 1); False when it changed."""
        with self.store.session() as session:
            return _swap(session, request_id, status, version, to, values)

    def claim(
        self,
        request_id: int,
        version: int,
        to: str,
        values: Mapping[str, Any] | None = None,
        decision: Decision | None = None,
    ) -> Claim:
        """Move a pending request at `version` to `to`, storing `decision` in the same
        transaction; when another got there first, nothing is written."""
        with self.store.session() as session:
            if not _swap(session, request_id, "pending", version, to, values or {}):
                current = session.get(RequestRow, request_id)
                return Claim(False, _request(current) if current is not None else None)
            stored = _add_decision(session, decision) if decision is not None else None
            row = session.get(RequestRow, request_id, populate_existing=True)
            assert row is not None
            return Claim(True, _request(row), stored)

    def finish(
        self,
        request_id: int,
        claimed: str,
        version: int,
        to: str,
        decision: Decision,
        values: Mapping[str, Any] | None = None,
    ) -> Decision | None:
        """Turn a claim (`claimed` at `version`) into its final status with its decision, in
        one transaction; None when the request changed meanwhile."""
        with self.store.session() as session:
            if not _swap(session, request_id, claimed, version, to, values or {}):
                return None
            return _add_decision(session, decision)


class DuplicateOrigin(Exception):
    """A tracker item is queued already (the unique origin key held under a race)."""


def _swap(
    session: Session,
    request_id: int,
    status: str,
    version: int,
    to: str,
    values: Mapping[str, Any],
) -> bool:
    return swapped(
        session,
        update(RequestRow)
        .where(
            RequestRow.id == request_id,
            RequestRow.status == status,
            RequestRow.version == version,
        )
        .values(status=to, version=version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False),
    )


def _add_decision(session: Session, decision: Decision) -> Decision:
    row = DecisionRow(
        request_id=decision.request_id,
        action=decision.action,
        actor=decision.actor,
        reason=decision.reason,
        target=decision.target,
        decided_at=decision.decided_at,
    )
    session.add(row)
    session.flush()
    return _decision(row)


def _values(draft: Request) -> dict[str, Any]:
    values = {f.name: getattr(draft, f.name) for f in dataclasses.fields(draft) if f.name != "id"}
    values["extra"] = dict(draft.extra)
    return values


def _request(row: RequestRow) -> Request:
    return record(Request, row, extra=dict(row.extra or {}))


def _decision(row: DecisionRow) -> Decision:
    return record(Decision, row)
