"""Shared by the fault tests and bench/kill_sync.py: a store snapshot, and Jira settings for
the local stub site (bench/stubs/jira_stub.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.config import Settings
from bot.store import Store
from bot.store.models import ItemRow, SyncCursor


def snapshot(store: Store) -> dict[str, Any]:
    """What a sync leaves behind: each item once (hash, gone or not), and the cursors."""
    with store.session() as session:
        rows = [
            (row.source, row.key, row.content_hash, row.gone_at is None)
            for row in session.scalars(select(ItemRow))
        ]
        cursors = {row.name: row.cursor for row in session.scalars(select(SyncCursor))}
    keys = [(source, key) for source, key, _, _ in rows]
    return {
        "items": sorted(rows),
        "duplicates": len(keys) - len(set(keys)),
        "cursors": cursors,
    }


def stub_settings(url: str, store_url: str, page_size: int = 10, **jira: Any) -> Settings:
    return Settings(
        store={"url": store_url},
        jira={
            "url": url,
            "email": "faults@example.com",
            "api_token": "not-a-secret",
            "projects": ["PAY"],
            "deployment": "cloud",
            "estimate_field": "customfield_10016",
            "page_size": page_size,
            **jira,
        },
    )
