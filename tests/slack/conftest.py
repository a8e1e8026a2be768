"""A running `refinery serve` equivalent (waitress on 127.0.0.1) wired to a fake Slack API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.context import AppContext
from bot.slack.app import Runtime
from bot.store import Store, open_store
from bot.store.models import DecisionRow, RequestRow
from bot.store.requests import Request
from bot.web import create_app
from tests.fakes.slack import FakeSlack
from tests.slack.fake_tracker import FakeTracker
from tests.slack.signed import SECRET, SlackSender

PO = "UPO1"
PO2 = "UPO2"
REQUESTER = "UREQ"
STRANGER = "USTRANGER"


@dataclass
class Harness:
    ctx: AppContext
    runtime: Runtime
    slack: FakeSlack
    send: SlackSender
    jira: FakeTracker
    github: FakeTracker
    base_url: str

    def count(self, model: type[RequestRow] | type[DecisionRow]) -> int:
        with self.ctx.store.session() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    def request(self, request_id: int) -> Request:
        row = self.runtime.intake.get(request_id)
        assert row is not None
        return row


def make_settings(tmp_path: Path, slack: FakeSlack, **slack_overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": "xoxb-test-token",
        "signing_secret": SECRET,
        "api_url": slack.api_url,
        "po_users": [PO, PO2],
        "intake_channel": "CINTAKE",
    }
    values.update(slack_overrides)
    return Settings(
        store={"url": f"sqlite:///{tmp_path / 'refinery.db'}"},
        slack=values,
        jira={
            "url": "https://example.atlassian.net",
            "projects": ["PAY"],
            "triage_label": "triage",
        },
        github={"repos": ["acme/shop"], "triage_label": "needs-triage"},
        server={"threads": 8},
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store of its own, for the intake tests that need no Slack."""
    store = open_store(f"sqlite:///{tmp_path / 'intake.db'}")
    yield store
    store.close()


@pytest.fixture
def tracker() -> FakeTracker:
    return FakeTracker("jira")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    yield slack
    slack.stop()


@pytest.fixture
def harness(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[Harness]:
    from waitress.server import TcpWSGIServer, create_server

    ctx = AppContext.build(make_settings(tmp_path, fake_slack))
    jira, github = FakeTracker("jira"), FakeTracker("github")
    ctx._trackers.update({"jira": jira, "github": github})
    app = create_app(ctx)
    runtime = app.extensions["refinery.slack"]
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    assert isinstance(server, TcpWSGIServer)  # one host and port: one TCP server
    stop = threading.Event()

    def serve() -> None:
        # server.run() cannot be stopped from outside; poll in short slices instead.
        while not stop.is_set():
            # _map (the server's socket map) is set in __init__ but missing from types-waitress.
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)  # type: ignore[attr-defined]

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    # effective_port is set by BaseWSGIServer.__init__ but missing from types-waitress.
    base_url = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[attr-defined]
    yield Harness(
        ctx=ctx,
        runtime=runtime,
        slack=fake_slack,
        send=SlackSender(base_url, fake_slack),
        jira=jira,
        github=github,
        base_url=base_url,
    )
    stop.set()
    thread.join(timeout=10)
    server.close()
    runtime.close()
    ctx.close()
