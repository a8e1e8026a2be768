"""Say-no proposals in the store: frozen records out, each decision a compare-and-set."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from bot.store.cas import swapped
from bot.store.models import ItemRow, PruneProposal
from bot.store.records import record
from bot.store.store import CHUNK, Store
from connectors.item import Item


@dataclass(frozen=True, slots=True)
class Proposal:
    """One item proposed to a team's PO for a say-no decision (id 0: not stored yet)."""

    id: int
    batch: str
    team: str
    source: str
    key: str
    title: str
    url: str
    why: str
    status: str  # proposed -> kept (snoozed) | declining -> declined; expired
    version: int
    proposed_at: datetime
    reason: str = ""
    decided_by: str | None = None
    decided_at: datetime | None = None
    snooze_until: datetime | None = None
    messages: Mapping[str, Any] = field(default_factory=dict)  # PO -> [channel, ts]


@dataclass(frozen=True, slots=True)
class Claimed:
    """A compare-and-set's outcome: `won`, and the proposal after it (or as it is now)."""

    won: bool
    proposal: Proposal | None


class Proposals:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- what may be proposed ----------------------------------------------------------------

    def quiet_todo_items(self, projects: Sequence[str] | None, cutoff: datetime) -> list[Item]:
        """Live not-started items last updated before `cutoff` (or never)."""
        query = select(ItemRow.data).where(
            ItemRow.gone_at.is_(None),
            ItemRow.status_category == "todo",
            or_(ItemRow.updated.is_(None), ItemRow.updated <= cutoff),
        )
        if projects:
            query = query.where(ItemRow.project.in_(list(projects)))
        with self.store.engine.connect() as connection:
            return [Item.from_dict(data) for (data,) in connection.execute(query)]

    def todo_items(self, projects: Sequence[str] | None, keys: Iterable[str]) -> list[Item]:
        """Live not-started items among `keys`."""
        wanted = list(keys)
        found: list[Item] = []
        for start in range(0, len(wanted), CHUNK):
            query = select(ItemRow.data).where(
                ItemRow.gone_at.is_(None),
                ItemRow.status_category == "todo",
                ItemRow.key.in_(wanted[start : start + CHUNK]),
            )
            if projects:
                query = query.where(ItemRow.project.in_(list(projects)))
            with self.store.engine.connect() as connection:
                found.extend(Item.from_dict(data) for (data,) in connection.execute(query))
        return found

    def decided_states(self) -> list[tuple[str, str, str, datetime | None]]:
        """(source, key, status, snooze_until) of every proposal ever made."""
        query = select(
            PruneProposal.source,
            PruneProposal.key,
            PruneProposal.status,
            PruneProposal.snooze_until,
        )
        with self.store.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]

    # -- proposals ---------------------------------------------------------------------------

    def add(self, drafts: Sequence[Proposal]) -> list[int]:
        """Store proposals; their ids in the same order."""
        rows = [
            PruneProposal(
                batch=d.batch,
                team=d.team,
                source=d.source,
                key=d.key,
                title=d.title,
                url=d.url,
                why=d.why,
                status=d.status,
                version=d.version,
                proposed_at=d.proposed_at,
                reason=d.reason,
                messages=dict(d.messages),
            )
            for d in drafts
        ]
        with self.store.session() as session:
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]

    def expire(self, team: str, status: str, to: str) -> list[str]:
        """Move the team's proposals in `status` to `to`; the batches they belonged to."""
        with self.store.session() as session:
            where = (PruneProposal.team == team, PruneProposal.status == status)
            batches = sorted(set(session.scalars(select(PruneProposal.batch).where(*where))))
            session.execute(
                update(PruneProposal)
                .where(*where)
                .values(status=to, version=PruneProposal.version + 1)
                .execution_options(synchronize_session=False)
            )
        return batches

    def remember_message(self, batch: str, po: str, channel: str, ts: str) -> None:
        with self.store.session() as session:
            for row in session.scalars(select(PruneProposal).where(PruneProposal.batch == batch)):
                row.messages = {**row.messages, po: [channel, ts]}

    def get(self, proposal_id: int) -> Proposal | None:
        with self.store.session() as session:
            row = session.get(PruneProposal, proposal_id)
            return _proposal(row) if row is not None else None

    def batch(self, batch_id: str) -> list[Proposal]:
        query = select(PruneProposal).where(PruneProposal.batch == batch_id)
        with self.store.session() as session:
            return [_proposal(row) for row in session.scalars(query.order_by(PruneProposal.id))]

    def decided_since(self, team: str, statuses: Sequence[str], since: datetime) -> list[Proposal]:
        query = select(PruneProposal).where(
            PruneProposal.team == team,
            PruneProposal.status.in_(list(statuses)),
            PruneProposal.decided_at > since,
        )
        with self.store.session() as session:
            return [
                _proposal(row) for row in session.scalars(query.order_by(PruneProposal.decided_at))
            ]

    def move(
        self, proposal_id: int, status: str, version: int, to: str, values: Mapping[str, Any]
    ) -> Claimed:
        """Compare-and-set `status`/`version` → `to` (version + 1), with `values`."""
        with self.store.session() as session:
            won = swapped(
                session,
                update(PruneProposal)
                .where(
                    PruneProposal.id == proposal_id,
                    PruneProposal.status == status,
                    PruneProposal.version == version,
                )
                .values(status=to, version=version + 1, **values)
                .execution_options(synchronize_session=False),
            )
            row = session.get(PruneProposal, proposal_id, populate_existing=True)
            return Claimed(won, _proposal(row) if row is not None else None)


def _proposal(row: PruneProposal) -> Proposal:
    return record(Proposal, row, messages=dict(row.messages or {}))
