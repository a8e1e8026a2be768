"""Digest snapshots: each posted digest's numbers, so the next one can show the trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.store.models import DigestSnapshot
from bot.store.store import Store


@dataclass(frozen=True)
class Snapshot:
    taken_at: datetime
    items: int
    ready: int
    per_rule: dict[str, int]

    @property
    def ready_pct(self) -> float:
        return 100.0 * self.ready / self.items if self.items else 100.0


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


def save_snapshot(
    store: Store, team: str, taken_at: datetime, items: int, ready: int, per_rule: dict[str, Any]
) -> None:
    with store.session() as session:
        session.add(
            DigestSnapshot(
                team=team, taken_at=taken_at, items=items, ready=ready, per_rule=dict(per_rule)
            )
        )
