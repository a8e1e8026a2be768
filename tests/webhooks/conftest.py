"""A real `refinery serve` app on waitress (127.0.0.1, any free port), a SQLite store in
tmp_path, and `responses` standing in for the Jira and GitHub REST APIs."""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import responses
from sqlalchemy import func, select
from waitress.server import TcpWSGIServer, create_server

from bot.config import Settings
from bot.store.models import CommentLedger, FindingRow, ItemRow, WebhookDelivery
from bot.web import create_app
from bot.webhooks.http import EXTENSION
from bot.webhooks.signatures import sign
from bot.webhooks.worker import Dispatcher
from tests.comments.trackers import (
    GITHUB_URL,
    JIRA_URL,
    build_ctx,
    real_github_tracker,
    real_jira_tracker,
)
from tests.fakes.github import FakeGithub
from tests.fakes.jira import FakeJira

FIXTURES = Path(__file__).resolve().parent / "fixtures"
JIRA_SECRET = "jira-webhook-secret"
GITHUB_SECRET = "github-webhook-secret"


def fixture(source: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / source / name).read_text())
    return data


@dataclass
class Hook:
    """The running server and what stands behind it."""

    base: str
    ctx: Any
    jira: FakeJira
    github: FakeGithub
    dispatcher: Dispatcher
    mock: Any = None  # the `responses` mock standing in for both APIs
    sent: int = 0
    deliveries: list[str] = field(default_factory=list)

    def post(
        self, path: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.base + path,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read()
        self.dispatcher.drain(timeout=30)
        return status, json.loads(text) if text.startswith(b"{") else {}

    def jira_event(
        self, payload: Any, delivery: str | None = None, secret: str = JIRA_SECRET
    ) -> tuple[int, dict[str, Any]]:
        body = json.dumps(payload).encode()
        self.sent += 1
        headers = {"X-Hub-Signature": sign(secret, body)}
        headers["X-Atlassian-Webhook-Identifier"] = delivery or f"jira-{self.sent}"
        return self.post("/webhooks/jira", body, headers)

    def github_event(
        self, name: str, payload: Any, delivery: str | None = None, secret: str = GITHUB_SECRET
    ) -> tuple[int, dict[str, Any]]:
        body = json.dumps(payload).encode()
        self.sent += 1
        headers = {
            "X-Hub-Signature-256": sign(secret, body),
            "X-GitHub-Event": name,
            "X-GitHub-Delivery": delivery or f"gh-{self.sent}",
        }
        return self.post("/webhooks/github", body, headers)

    def snapshot(self) -> dict[str, Any]:
        """Everything a webhook could change in the store, and every API request so far."""
        with self.ctx.store.session() as session:
            items = sorted(
                (row.source, row.key, row.content_hash, row.gone_at)
                for row in session.scalars(select(ItemRow))
            )
            counts = {
                model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (FindingRow, CommentLedger, WebhookDelivery)
            }
        return {"items": items, **counts, "api_calls": len(self.jira.calls + self.github.calls)}


HookFactory = Callable[..., Hook]


@pytest.fixture
def make_hook(tmp_path: Path) -> Iterator[HookFactory]:
    """Start the server with settings overrides: make_hook(server={...}, github={...})."""
    servers: list[tuple[Any, threading.Thread, Any]] = []
    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    mock.start()

    def start(**overrides: Any) -> Hook:
        sections: dict[str, Any] = {
            "store": {"url": f"sqlite:///{tmp_path / 'refinery.db'}"},
            "jira": {
                "url": JIRA_URL,
                "deployment": "cloud",
                "webhook_secret": JIRA_SECRET,
                "jql": "project in (KAN, API, SB)",
            },
            "github": {
                "api_url": GITHUB_URL,
                "token": "ghp_test",
                "webhook_secret": GITHUB_SECRET,
                "repos": ["Codertocat/Hello-World", "Pritesh-30/test-repo"],
            },
            "server": {"max_body_bytes": 65536},
            "comments": {"enabled": True, "min_interval": 0},
        }
        for name, values in overrides.items():
            sections[name] = {**sections.get(name, {}), **values}
        settings = Settings(**sections)
        jira, github = FakeJira(mock, site=JIRA_URL), FakeGithub(mock, api=GITHUB_URL)
        ctx = build_ctx(
            settings, jira=real_jira_tracker(settings), github=real_github_tracker(settings)
        )
        app = create_app(ctx)
        # A short loop timeout lets close() stop the server promptly at teardown.
        server = create_server(app, host="127.0.0.1", port=0, threads=4, asyncore_loop_timeout=0.05)
        assert isinstance(server, TcpWSGIServer)  # one host and port: one TCP server
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread, ctx))
        # effective_port is set by BaseWSGIServer.__init__ but missing from types-waitress.
        base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[attr-defined]
        return Hook(base, ctx, jira, github, app.extensions[EXTENSION], mock)

    yield start
    for server, thread, ctx in servers:
        # Close from the server's own loop thread, so its select() never sees a closed socket.
        # An OSError: the trigger is already closed, the loop has ended (seen under load).
        # Joining below still proves the server stopped.
        with contextlib.suppress(OSError):
            server.trigger.pull_trigger(server.close)
        thread.join(timeout=10)
        ctx.close()
        assert not thread.is_alive(), "the test server did not stop"
    mock.stop()
    mock.reset()
