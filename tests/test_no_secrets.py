"""Every CLI command and the server, run with distinctive secret values set: no secret (nor the
base64 of Jira's basic-auth pair) appears in stdout, stderr, exceptions or any log record.

All traffic goes to stub servers on 127.0.0.1 (the bench stubs and the fake Slack Web API)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

from bench.stubs.github_stub import Canned, GithubStub, make_issues
from bench.stubs.jira_stub import JiraStub
from bot.cli.main import _register, app
from bot.config import load_settings
from bot.context import AppContext
from bot.web import create_app
from tests.fakes.slack import FakeSlack

EMAIL = "po@example.com"
SECRETS = {
    "REFINERY_JIRA__API_TOKEN": "jiraTOKEN-7f3a9c1e5b2d",
    "REFINERY_GITHUB__TOKEN": "ghp_SECRETgithub9d8c7b6a5f",
    "REFINERY_SLACK__BOT_TOKEN": "xoxb-SECRET-bot-1a2b3c4d",
    "REFINERY_SLACK__SIGNING_SECRET": "SIGNsecret5e6f7a8b9c0d",
    "REFINERY_SLACK__APP_TOKEN": "xapp-SECRET-app-4c5d6e7f",
    "REFINERY_JIRA__WEBHOOK_SECRET": "JIRAhook-SECRET-2b3c4d5e",
    "REFINERY_GITHUB__WEBHOOK_SECRET": "GHhook-SECRET-6d7e8f9a",
}
LOGGERS = ("", "urllib3", "requests", "slack_sdk", "slack_bolt", "jira", "github", "waitress")
CHECK_FILE = (
    Path(__file__).resolve().parent / "fixtures" / "jira" / "search_v3_legacy_real.trimmed.json"
)


def forbidden() -> list[str]:
    values = list(SECRETS.values())
    pair = f"{EMAIL}:{SECRETS['REFINERY_JIRA__API_TOKEN']}".encode()
    values.append(base64.b64encode(pair).decode())  # Jira basic auth
    values.append(base64.b64encode(SECRETS["REFINERY_GITHUB__TOKEN"].encode()).decode())
    return values


class DeniedJira(JiraStub):
    """A Jira site that refuses the credentials."""

    def _route(self, path: str, args: dict[str, Any]) -> tuple[int, Any]:
        return 401, {"errorMessages": ["Client must be authenticated to access this resource."]}


class Seen:
    """Everything written anywhere during the test, to search for secrets at the end."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, where: str, text: object) -> None:
        self.texts.append(f"[{where}] {text}")

    def leaks(self) -> list[str]:
        return [
            f"{secret!r} in {text[:200]!r}"
            for text in self.texts
            for secret in forbidden()
            if secret in text
        ]


@pytest.fixture
def stubs() -> Iterator[dict[str, Any]]:
    jira, denied = JiraStub(issues=40, delay=0.0), DeniedJira(issues=1, delay=0.0)
    github = GithubStub(make_issues(25, pulls=2), latency=0.0)
    slack = FakeSlack().start()
    urls = {"jira": jira.start(), "denied": denied.start()}
    with github:
        yield {**urls, "github": github, "slack": slack}
    jira.stop()
    denied.stop()
    slack.stop()


def write_config(path: Path, stubs: dict[str, Any], jira_url: str) -> Path:
    slack: FakeSlack = stubs["slack"]
    path.write_text(
        f"""
[store]
url = "sqlite:///{path.parent / "refinery.db"}"
[jira]
url = "{jira_url}"
email = "{EMAIL}"
projects = ["PAY"]
deployment = "cloud"
[github]
api_url = "{stubs["github"].base_url}"
repos = ["{stubs["github"].repo}"]
[slack]
api_url = "{slack.api_url}"
intake_channel = "CINTAKE"
digest_channel = "CDIGEST"
po_users = ["UPO"]
[comments]
enabled = true
dry_run = true
[[teams]]
name = "Payments"
projects = ["PAY"]
repos = ["{stubs["github"].repo}"]
channel = "CPAY"
"""
    )
    return path


def run_cli(seen: Seen, *args: str) -> int:
    runner = CliRunner()
    result = runner.invoke(app, list(args), catch_exceptions=True)
    seen.add(f"stdout {args}", result.stdout)
    seen.add(f"stderr {args}", result.stderr)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        seen.add(f"exception {args}", "".join(traceback.format_exception(exc)))
    return result.exit_code


def slack_signed(body: str, secret: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def hub(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_no_secret_in_any_output_or_log(
    stubs: dict[str, Any],
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    if "check" not in {info.name for info in app.registered_commands}:
        _register()
    seen = Seen()
    config = str(write_config(clean_env / "refinery.toml", stubs, stubs["jira"]))
    denied = str(write_config(clean_env / "denied.toml", stubs, stubs["denied"]))
    denied_store = clean_env / "denied.toml"
    denied_store.write_text(denied_store.read_text().replace("refinery.db", "denied.db"))

    commands = [name for name in (c.name for c in app.registered_commands) if name]
    for name in ["", *commands]:
        assert run_cli(seen, *([name] if name else []), "--help") == 0
    assert run_cli(seen, "config", "--help") == 0
    assert run_cli(seen, "config", "check", "--help") == 0

    assert run_cli(seen, "config", "check", "-c", config) == 0
    assert run_cli(seen, "-v", "check", str(CHECK_FILE), "-c", config) in (0, 1)
    assert run_cli(seen, "-v", "check", str(CHECK_FILE), "--format", "json", "-c", config) in (0, 1)
    assert run_cli(seen, "-v", "demo", "--data-dir", str(clean_env / "demo")) == 0
    assert run_cli(seen, "-v", "sync", "-c", config) == 0
    assert run_cli(seen, "-v", "sync", "--full", "-c", config) == 0
    assert run_cli(seen, "-v", "sync", "-s", "jira", "-c", denied) == 1  # Jira answers 401
    stubs["github"].canned.append(Canned(401, {"message": "Bad credentials"}))
    assert run_cli(seen, "-v", "sync", "-s", "github", "--full", "-c", config) == 1
    assert run_cli(seen, "-v", "digest", "--dry-run", "-c", config) == 0
    assert run_cli(seen, "-v", "remind", "--dry-run", "-c", config) == 0
    assert run_cli(seen, "-v", "comment", "--dry-run", "-c", config) == 0
    assert run_cli(seen, "-v", "requests", "-c", config) == 0
    assert run_cli(seen, "-v", "health", "-c", config) == 0
    assert run_cli(seen, "-v", "outcomes", "--format", "json", "-c", config) == 0
    assert run_cli(seen, "-v", "prune", "--dry-run", "-c", config) == 0
    assert any("401" in text or "credentials" in text for text in seen.texts)

    serve(seen, config)

    out, err = capfd.readouterr()
    seen.add("process stdout", out)
    seen.add("process stderr", err)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in caplog.records:
        seen.add("log", formatter.format(record))
        seen.add("log args", repr(record.args))
    assert len(caplog.records) > 10  # DEBUG logging really ran (urllib3 connection lines...)
    assert not seen.leaks(), "\n".join(seen.leaks())


def serve(seen: Seen, config: str) -> None:
    """The app `refinery serve` runs: signed and forged Slack and webhook requests."""
    ctx = AppContext.build(load_settings(config))
    client = create_app(ctx).test_client()
    signing = SECRETS["REFINERY_SLACK__SIGNING_SECRET"]
    for text in ("health", "check PAY-1", "queue", "nonsense"):
        body = urlencode(
            {
                "command": "/refinery",
                "text": text,
                "user_id": "UPO",
                "team_id": "T111",
                "channel_id": "C1",
                "trigger_id": "1.2.3",
                "response_url": ctx.settings.slack.api_url.replace("/api/", "/respond/x"),
            }
        )
        answer = client.post("/slack/events", data=body, headers=slack_signed(body, signing))
        seen.add("slack signed", answer.get_data(as_text=True))
        assert answer.status_code == 200
        forged = client.post("/slack/events", data=body, headers=slack_signed(body, "wrong"))
        seen.add("slack forged", forged.get_data(as_text=True))
        assert forged.status_code == 401
    jira_body = json.dumps(
        {"webhookEvent": "jira:issue_deleted", "issue": {"key": "PAY-1", "fields": {}}}
    ).encode()
    github_body = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode()
    for path, secret, header, raw, event in (
        ("/webhooks/jira", "REFINERY_JIRA__WEBHOOK_SECRET", "X-Hub-Signature", jira_body, ""),
        (
            "/webhooks/github",
            "REFINERY_GITHUB__WEBHOOK_SECRET",
            "X-Hub-Signature-256",
            github_body,
            "ping",
        ),
    ):
        for key, expected in ((SECRETS[secret], (200, 202)), ("forged", (401,))):
            answer = client.post(
                path, data=raw, headers={header: hub(key, raw), "X-GitHub-Event": event}
            )
            seen.add(f"webhook {path}", answer.get_data(as_text=True))
            assert answer.status_code in expected
    runtime = client.application.extensions.get("refinery.slack")
    ctx.close()
    if runtime is not None:
        runtime.close()
