"""A store for the page tests: the demo backlog, digest history, requests and a comment."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.services.judge import Judge
from bot.store import Store, open_store
from bot.store.models import CommentLedger, DecisionRow, DigestSnapshot, RequestRow
from connectors.files import load_many
from connectors.item import Item, Person
from rules.engine import Engine

DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo_data"
SECRETS = {
    "web": "web-secret-5f1c9e",
    "jira": "jira-token-a81d22",
    "github": "ghp_githubtoken0000000000000000000000",
    "slack_bot": "xoxb-1111-2222-slackbottoken",
    "slack_signing": "slack-signing-9d8c7b",
    "jira_hook": "jira-hook-secret-77aa",
}
EMAILS = ("maya.lindqvist@example.com", "reporter@example.org")
NOW = datetime.now(UTC)


def settings(url: str, **web: Any) -> Settings:
    """Settings with two teams, every secret set and the pages on."""
    return Settings(
        store={"url": url},
        jira={
            "url": "https://example.atlassian.net",
            "email": "bot@example.com",
            "api_token": SECRETS["jira"],
            "webhook_secret": SECRETS["jira_hook"],
        },
        github={"token": SECRETS["github"]},
        slack={"bot_token": SECRETS["slack_bot"], "signing_secret": SECRETS["slack_signing"]},
        teams=[
            {"name": "payments", "projects": ["PAY"], "sprint_capacity": 20},
            {"name": "mobile", "repos": ["acme/mobile-app"]},
        ],
        web={"enabled": True, "secret": SECRETS["web"], **web},
        schedule={"sync": "", "digest": ""},
    )


def demo_items() -> list[Item]:
    """The bundled demo backlog; the first Jira items get e-mail addresses, as Jira gives."""
    items = [item for entry in load_many(sorted(DEMO.glob("*.json"))) for item in entry.items]
    for index, email in enumerate(EMAILS):
        item = items[index]
        owner = Person(id=f"acc-mail-{index}", name=f"Mailed Person {index}", email=email)
        items[index] = dataclasses.replace(item, assignee=owner, reporter=owner)
    return items


def fill(store: Store, engine: Engine | None = None) -> list[Item]:
    """Store and judge the demo items, then add history the pages show."""
    items = demo_items()
    store.upsert_items(items)
    Judge(store, engine or Engine()).refresh()
    with store.session() as session:
        for team, base in (("payments", 40), ("mobile", 35)):
            for week in range(6, 0, -1):
                session.add(
                    DigestSnapshot(
                        team=team,
                        taken_at=NOW - timedelta(days=7 * week),
                        items=20,
                        ready=min(20, base // 5 + 6 - week + 4),
                        per_rule={"missing-why": week},
                    )
                )
        first = RequestRow(
            title="Export invoices as CSV",
            why="Finance re-types invoices by hand; write to ops@example.net for the details",
            outcome="Cut month-end close from 3 days to 1",
            requester="U0PO1",
            status="accepted",
            ticket_key="PAY-999",
            ticket_url="https://example.atlassian.net/browse/PAY-999",
            created_at=NOW - timedelta(days=20),
            updated_at=NOW - timedelta(days=19),
            extra={"team": "payments"},
        )
        second = RequestRow(
            title="Dark mode everywhere",
            why="Users ask for it",
            requester="U0STAKE",
            status="declined",
            created_at=NOW - timedelta(days=10),
            updated_at=NOW - timedelta(days=9),
        )
        third = RequestRow(
            title="Bulk refunds",
            why="Support handles 40 refunds a day one by one",
            requester="U0STAKE",
            status="pending",
            created_at=NOW - timedelta(days=2),
            updated_at=NOW - timedelta(days=2),
            extra={"team": "payments"},
        )
        session.add_all([first, second, third])
        session.flush()
        session.add_all(
            [
                DecisionRow(
                    request_id=first.id,
                    action="accept",
                    actor="U0PO1",
                    reason="Month-end pain is real",
                    target="PAY-999",
                    decided_at=NOW - timedelta(days=19),
                ),
                DecisionRow(
                    request_id=second.id,
                    action="decline",
                    actor="U0PO2",
                    reason="No outcome we can measure yet",
                    decided_at=NOW - timedelta(days=9),
                ),
            ]
        )
        unready = next(i for i in items if i.source == "jira" and Engine().evaluate(i))
        session.add(
            CommentLedger(
                source="jira",
                key=unready.key,
                comment_id="10001",
                content_hash="0" * 64,
                state="open",
                posted_at=NOW - timedelta(days=3),
            )
        )
    return items


def make_store(path: Path) -> tuple[str, Store, list[Item]]:
    url = f"sqlite:///{path / 'pages.db'}"
    store = open_store(url)
    return url, store, fill(store)
