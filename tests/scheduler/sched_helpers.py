"""Load the stored backlog fixture into a store, and build settings around it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.store import Store
from bot.store.models import CommentLedger, DecisionRow, DigestSnapshot, RequestRow
from connectors.item import Item

BACKLOG = Path(__file__).resolve().parents[1] / "fixtures" / "backlog"


def state() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BACKLOG / "state.json").read_text())
    return data


def now() -> datetime:
    return datetime.fromisoformat(state()["now"])


def backlog_items() -> list[Item]:
    return [Item.from_dict(d) for d in json.loads((BACKLOG / "items.json").read_text())]


def settings(**overrides: Any) -> Settings:
    fixture = state()
    values: dict[str, Any] = {
        "teams": fixture["teams"],
        "slack": {"people": fixture["people"], "digest_channel": "C0DIGEST"},
        "digest": {"stale_days": 21},
    }
    values.update(overrides)
    return Settings(**values)


def load_backlog(store: Store, *, history: bool = True) -> None:
    """Items, and (with history) snapshots, requests, decisions and Refinery's comments."""
    store.upsert_items(backlog_items())
    if not history:
        return
    fixture = state()
    with store.session() as session:
        for snap in fixture["snapshots"]:
            session.add(
                DigestSnapshot(
                    team=snap["team"],
                    taken_at=datetime.fromisoformat(snap["taken_at"]),
                    items=snap["items"],
                    ready=snap["ready"],
                    per_rule=snap["per_rule"],
                )
            )
        for number, req in enumerate(fixture["requests"], start=1):
            created = datetime.fromisoformat(req["created_at"])
            session.add(
                RequestRow(
                    id=number,
                    title=req["title"],
                    requester=req["requester"],
                    status=req["status"],
                    created_at=created,
                    updated_at=created,
                    extra={},
                )
            )
        for dec in fixture["decisions"]:
            session.add(
                DecisionRow(
                    request_id=dec["request"],
                    action=dec["action"],
                    actor=dec["actor"],
                    reason=dec["reason"],
                    decided_at=datetime.fromisoformat(dec["decided_at"]),
                )
            )
        for entry in fixture["ledger"]:
            session.add(
                CommentLedger(
                    source=entry["source"],
                    key=entry["key"],
                    comment_id="10001",
                    content_hash="x" * 64,
                    posted_at=datetime.fromisoformat(entry["posted_at"]),
                    edited_at=_when(entry["edited_at"]),
                    human_updated=_when(entry["human_updated"]),
                )
            )


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
