"""Requests and their decisions, read-only, as plain frozen records (for the web pages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.store.models import DecisionRow, RequestRow
from bot.store.store import Store


@dataclass(frozen=True, slots=True)
class DecisionView:
    action: str
    actor: str
    reason: str
    target: str | None
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class RequestView:
    id: int
    status: str
    title: str
    why: str
    outcome: str
    requester: str
    origin: str
    ticket_key: str | None
    ticket_url: str | None
    created_at: datetime
    team: str | None
    decisions: tuple[DecisionView, ...]


def requests_with_decisions(store: Store, limit: int = 200) -> list[RequestView]:
    """The newest `limit` requests, newest first, each with its decisions (oldest first)."""
    with store.session() as session:
        rows = list(session.scalars(select(RequestRow).order_by(RequestRow.id.desc()).limit(limit)))
        ids = [row.id for row in rows]
        decided: dict[int, list[DecisionView]] = {}
        if ids:
            query = (
                select(DecisionRow).where(DecisionRow.request_id.in_(ids)).order_by(DecisionRow.id)
            )
            for d in session.scalars(query):
                decided.setdefault(d.request_id, []).append(
                    DecisionView(d.action, d.actor, d.reason, d.target, d.decided_at)
                )
    return [
        RequestView(
            id=row.id,
            status=row.status,
            title=row.title,
            why=row.why,
            outcome=row.outcome,
            requester=row.requester,
            origin=row.origin,
            ticket_key=row.ticket_key,
            ticket_url=row.ticket_url,
            created_at=row.created_at,
            team=str((row.extra or {}).get("team") or "") or None,
            decisions=tuple(decided.get(row.id, ())),
        )
        for row in rows
    ]
