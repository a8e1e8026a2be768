"""`refinery requests` and `refinery serve` (with waitress replaced, to see what it is given)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from bot.cli import requests_cmd, serve_cmd
from bot.http_queue import CountingDispatcher
from bot.services.intake import Intake, RequestInput
from bot.store import open_store
from tests.fakes.slack import FakeSlack
from tests.slack.fake_tracker import FakeTracker


def cli(*commands: Any) -> typer.Typer:
    app = typer.Typer()
    for command in commands:
        command.register(app)
    app.command("noop", hidden=True)(lambda: None)  # keep typer in multi-command mode
    return app


@pytest.fixture
def config(tmp_path: Path, clean_env: Path) -> Path:
    path = tmp_path / "refinery.toml"
    path.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "r.db"}"\n')
    return path


def test_requests_lists_requests_and_decisions(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(requests_cmd, "console", Console(width=200))
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    tracker = FakeTracker("jira")
    intake = Intake(store, lambda source: tracker, {})
    first = intake.submit(RequestInput("CSV export", "Finance re-types invoices", "UREQ")).id
    intake.submit(RequestInput("Dark mode", "Night shift eyes", "UREQ"))
    intake.decline(first, 0, "UPO", "Not this quarter")
    store.close()
    runner = CliRunner()
    result = runner.invoke(cli(requests_cmd), ["requests", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "CSV export" in result.output and "Dark mode" in result.output
    assert "decline by UPO" in result.output and "Not this quarter" in result.output
    declined = runner.invoke(
        cli(requests_cmd), ["requests", "--status", "declined", "--config", str(config)]
    )
    assert "CSV export" in declined.output and "Dark mode" not in declined.output
    bad = runner.invoke(
        cli(requests_cmd), ["requests", "--status", "maybe", "--config", str(config)]
    )
    assert bad.exit_code == 2


class FakeServer:
    """Stands in for waitress's server: records what it was built with; run() returns."""

    effective_port = 4100

    def run(self) -> None:
        pass


def fake_waitress(monkeypatch: pytest.MonkeyPatch, seen: dict[str, Any]) -> None:
    def create_server(app: Any, **kwargs: Any) -> FakeServer:
        seen.update(kwargs, rules=sorted(str(r) for r in app.url_map.iter_rules()))
        return FakeServer()

    monkeypatch.setattr("waitress.server.create_server", create_server)


def test_serve_runs_waitress_with_overrides(
    config: Path, monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    seen: dict[str, Any] = {}
    fake_waitress(monkeypatch, seen)
    monkeypatch.setenv("REFINERY_SLACK__BOT_TOKEN", "xoxb-secret-token")
    monkeypatch.setenv("REFINERY_SLACK__SIGNING_SECRET", "very-secret")
    monkeypatch.setenv("REFINERY_SLACK__API_URL", fake_slack.api_url)
    result = CliRunner().invoke(
        cli(serve_cmd), ["serve", "--port", "4100", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert (seen["host"], seen["port"], seen["threads"]) == ("127.0.0.1", 4100, 16)
    assert "/slack/events" in seen["rules"] and "/healthz" in seen["rules"]
    # Follow-ups wait for requests queued in waitress, not only those in a handler.
    dispatcher = seen["_dispatcher"]
    assert isinstance(dispatcher, CountingDispatcher)
    assert not dispatcher.threads, "the serve command stops the worker threads it started"
    assert "secret" not in result.output
    assert fake_slack.to("auth.test"), "the bot token is checked at start"
    assert "Slack: HTTP at POST /slack/events" in result.output


def test_serve_without_slack_settings_still_serves_healthz(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    fake_waitress(monkeypatch, seen)
    result = CliRunner().invoke(cli(serve_cmd), ["serve", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "/healthz" in seen["rules"] and "/slack/events" not in seen["rules"]
    assert "Slack: off, set REFINERY_SLACK__BOT_TOKEN and REFINERY_SLACK__SIGNING_SECRET" in (
        result.output
    )
    assert "/slack/events" not in result.output


def test_socket_mode_serves_no_slack_endpoint(tmp_path: Path) -> None:
    from bot.config import Settings
    from bot.context import AppContext
    from bot.slack.socket import wants_socket_mode
    from bot.web import create_app

    settings = Settings(
        store={"url": f"sqlite:///{tmp_path / 's.db'}"},
        slack={
            "bot_token": "xoxb-x",
            "signing_secret": "s",
            "app_token": "xapp-x",
            "socket_mode": True,
        },
    )
    ctx = AppContext.build(settings)
    try:
        assert wants_socket_mode(ctx)
        rules = [str(r) for r in create_app(ctx).url_map.iter_rules()]
        assert "/slack/events" not in rules and "/healthz" in rules
    finally:
        ctx.close()


def test_release_returns_a_stuck_claim_to_pending(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import update

    from bot.store.models import RequestRow

    monkeypatch.setattr(requests_cmd, "console", Console(width=200))
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    intake = Intake(store, lambda source: FakeTracker(source), {})
    stuck = intake.submit(RequestInput("CSV export", "Finance re-types invoices", "UREQ")).id
    fresh = intake.submit(RequestInput("Dark mode", "Night shift eyes", "UREQ")).id
    with store.session() as session:  # as a process that died mid-accept leaves it
        session.execute(
            update(RequestRow).where(RequestRow.id == stuck).values(status="accepting", version=1)
        )
    runner = CliRunner()
    args = ["requests", "--config", str(config), "--release"]
    released = runner.invoke(cli(requests_cmd), [*args, str(stuck)])
    assert released.exit_code == 0, released.output
    assert "pending again" in released.output
    row = intake.get(stuck)
    assert row is not None and (row.status, row.version) == ("pending", 2)
    refused = runner.invoke(cli(requests_cmd), [*args, str(fresh)])
    assert refused.exit_code == 1 and "nothing to release" in refused.output
    missing = runner.invoke(cli(requests_cmd), [*args, "999"])
    assert missing.exit_code == 1 and "no request #999" in missing.output
    store.close()
