"""Counts for the metrics endpoint: one GROUP BY each, nothing decoded."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.store.models import FindingRow, ItemRow
from bot.store.store import Store


def items_by_source(store: Store) -> dict[str, int]:
    """Stored items that are not gone, per source."""
    query = select(ItemRow.source, func.count()).where(ItemRow.gone_at.is_(None))
    with store.session() as session:
        return {source: int(n) for source, n in session.execute(query.group_by(ItemRow.source))}


def open_findings_by_rule(store: Store) -> dict[str, int]:
    """Open findings per rule id."""
    query = select(FindingRow.rule, func.count()).where(FindingRow.resolved_at.is_(None))
    with store.session() as session:
        return {rule: int(n) for rule, n in session.execute(query.group_by(FindingRow.rule))}


def version(store: Store) -> tuple[int, str, str]:
    """What changes whenever a sync writes: item count, last write, last removal (as text)."""
    query = select(func.count(ItemRow.id), func.max(ItemRow.synced_at), func.max(ItemRow.gone_at))
    with store.session() as session:
        row = session.execute(query).one()
    return (int(row[0]), str(row[1]), str(row[2]))
