"""Stored verdicts: each item's open findings, and the rules fingerprint they were made under.

An item is judged when it is stored (a sync page, a webhook, an import); reports then read
the findings table with SQL instead of evaluating every item again. An item whose content
changed, or that was judged under another rules configuration, is stale until judged again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, or_, select, update

from bot.store.cas import changed
from bot.store.models import ItemRow
from bot.store.store import CHUNK, Store, content_hash, utcnow
from connectors.item import Item
from rules.engine import SEVERITIES, Finding

Judged = Sequence[tuple[Item, Sequence[Finding]]]


def _stale(fingerprint: str) -> Any:
    return or_(ItemRow.judged.is_(None), ItemRow.judged != fingerprint)


def count_stale(store: Store, fingerprint: str) -> int:
    """Live items whose stored verdicts are missing or were made under other rules."""
    query = (
        select(func.count())
        .select_from(ItemRow)
        .where(ItemRow.gone_at.is_(None), _stale(fingerprint))
    )
    with store.session() as session:
        return session.scalar(query) or 0


def stale_items(
    store: Store, fingerprint: str, after_id: int = 0, limit: int = 1000
) -> list[tuple[int, str, Item]]:
    """The next `limit` stale live items after row id `after_id` (keyset, so batches are
    cheap), each with its row id and stored content hash."""
    query = (
        select(ItemRow.id, ItemRow.content_hash, ItemRow.data)
        .where(ItemRow.gone_at.is_(None), _stale(fingerprint), ItemRow.id > after_id)
        .order_by(ItemRow.id)
        .limit(limit)
    )
    with store.session() as session:
        return [
            (row_id, digest, Item.from_dict(data))
            for row_id, digest, data in session.execute(query)
        ]


def failing(found: Sequence[Finding]) -> str | None:
    """ ",rule-a,rule-b," for the failing rules (None when none fails)."""
    rules = sorted({f.rule for f in found})
    return f",{','.join(rules)}," if rules else None


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def save_verdicts(
    store: Store,
    judged: Judged,
    fingerprint: str,
    now: datetime | None = None,
    hashes: Sequence[str] | None = None,
) -> int:
    """Record the findings history of judged items and mark them judged, in one transaction.

    An item whose stored content changed since it was read (a webhook raced this batch) keeps
    its stale mark, so it is judged again with what is stored now. `hashes` are the content
    hashes the items were read with (default: computed, as the upsert that stored them did).
    Returns the items marked.
    """
    expected = list(hashes) if hashes is not None else [content_hash(i) for i, _ in judged]
    now = now or utcnow()
    marked = 0
    table = cast(Table, ItemRow.__table__)
    statement = (
        update(table)
        .where(
            table.c.source == bindparam("b_source"),
            table.c.key == bindparam("b_key"),
            table.c.content_hash == bindparam("b_hash"),
        )
        .values(
            judged=fingerprint,
            open_findings=bindparam("b_open"),
            failing=bindparam("b_failing"),
            worst=bindparam("b_worst"),
            url=bindparam("b_url"),
            status=bindparam("b_status"),
            created=bindparam("b_created"),
            owner_id=bindparam("b_owner"),
            owner_name=bindparam("b_owner_name"),
        )
    )
    with store.session() as session:
        for start in range(0, len(judged), CHUNK):
            chunk = judged[start : start + CHUNK]
            store.record_findings(
                [(item.source, item.key, found) for item, found in chunk], now, session=session
            )
            params = []
            for offset, (item, found) in enumerate(chunk):
                owner = item.assignee or item.reporter
                params.append(
                    {
                        "b_source": item.source,
                        "b_key": item.key,
                        "b_hash": expected[start + offset],
                        "b_open": len(found),
                        "b_failing": failing(found),
                        "b_worst": max((_rank(f.severity) for f in found), default=None),
                        "b_url": item.url,
                        "b_status": item.status,
                        "b_created": item.created,
                        "b_owner": owner.id if owner else None,
                        "b_owner_name": (owner.name or owner.id)[:255] if owner else None,
                    }
                )
            marked += changed(session, statement, params)
    return marked
