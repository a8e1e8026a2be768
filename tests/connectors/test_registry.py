"""The connector registry: connectors stand alone, and a new source is one package plus one
registry entry (its settings, sync streams, tracker and --source choice follow)."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from bot.config import Settings, with_sections
from bot.services.sync import streams_for
from connectors import registry
from connectors.base import BodyFormat, IssueDraft, KeyValues, Page, Stream, SyncPlan
from connectors.comments import Formatter
from connectors.config import Section
from connectors.events import Comment, Event, WebhookShape
from connectors.item import Item

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_connector_module_imports_the_application_or_the_rules() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "connectors").rglob("*.py"))
        for name in imported_modules(path)
        if name.split(".")[0] in ("bot", "rules")
    ]
    assert offenders == []


def test_every_connector_has_its_section_in_the_settings() -> None:
    settings = Settings()
    for name, connector in registry.CONNECTORS.items():
        assert isinstance(registry.section_of(settings, name), connector.section)
        assert set(connector.formatters) <= set(registry.FORMATTERS)
    assert set(registry.FORMATTERS) == {"adf", "wiki", "markdown"}


def test_an_unknown_source_is_a_clear_error() -> None:
    with pytest.raises(registry.UnknownSource, match=r"'linear'.*jira, github"):
        registry.get("linear")


# -- a third source, added only to the registry ---------------------------------------------------


class LinearConfig(Section):
    team: str = ""
    webhook_secret: SecretStr | None = None


class LinearStream:
    name = "linear:acme"
    source = "linear"

    def plan(self, cursor: str | None) -> SyncPlan:
        return SyncPlan(total=0)

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        yield Page([], None)

    def live_keys(self) -> set[str] | None:
        return None


class LinearTracker:
    source = "linear"
    body_format: BodyFormat = "markdown"
    dry_run = True

    def find_own_comment(self, key: str) -> str | None:
        return None

    def add_comment(self, key: str, body: Any) -> str:
        return "1"

    def edit_comment(self, key: str, comment_id: str, body: Any) -> None: ...

    def delete_comment(self, key: str, comment_id: str) -> None: ...

    def create_issue(self, draft: IssueDraft) -> Any:
        raise NotImplementedError

    def add_label(self, key: str, label: str) -> None: ...

    def remove_label(self, key: str, label: str) -> None: ...

    def close(self, key: str, reason: str, *, to_status: str = "") -> None: ...

    def transition(self, key: str, status_name: str, *, not_to: str = "") -> None: ...


class LinearConnector:
    name = "linear"
    title = "Linear"
    section = LinearConfig
    preview_format: BodyFormat = "markdown"
    formatters: Mapping[BodyFormat, Formatter] = {}
    webhook = WebhookShape(signature_header="Linear-Signature", delivery_header="Linear-Delivery")

    def configured(self, config: LinearConfig) -> bool:
        return bool(config.team)

    def streams(self, config: LinearConfig, kv: KeyValues | None) -> list[Stream]:
        return [LinearStream()]

    def tracker(self, config: LinearConfig) -> LinearTracker:
        return LinearTracker()

    def webhook_secret(self, config: LinearConfig) -> SecretStr | None:
        return config.webhook_secret

    def webhook_unready(self, config: LinearConfig) -> str:
        return ""

    def read_event(self, name: str, payload: Any) -> Event:
        return Event("linear", "ignored", reason="not used")

    def in_scope(self, config: LinearConfig, project: str) -> bool:
        return True

    def is_own_author(self, config: LinearConfig, comment: Comment) -> bool:
        return False

    def event_item(
        self, config: LinearConfig, event: Event, kv: KeyValues | None, tracker: Any
    ) -> tuple[Item, bool]:
        raise NotImplementedError

    def event_item_offline(
        self, config: LinearConfig, event: Event, kv: KeyValues | None, tracker: Any
    ) -> tuple[Item, bool]:
        raise NotImplementedError

    def estimate_known(
        self, config: LinearConfig, event: Event, kv: KeyValues | None, tracker: Any
    ) -> bool:
        return True

    def project_of(self, key: str) -> str:
        return key.split("-")[0]

    def project_id(self, project: str) -> str:
        return project.upper()

    def estimate_where(self, config: LinearConfig) -> str:
        return "the Estimate field"

    def problems(self, config: LinearConfig) -> list[tuple[str, str]]:
        return [] if config.team else [("linear.team", "is empty")]

    def summary(self, config: LinearConfig) -> str:
        return f"Linear: team {config.team}" if config.team else "Linear: not configured"

    def destinations(self, config: LinearConfig) -> list[str]:
        return [config.team] if config.team else []

    def triage(self, config: LinearConfig) -> tuple[str, str, str]:
        return "", "", ""


LINEAR: registry.Connector = LinearConnector()


@pytest.fixture
def with_linear(monkeypatch: pytest.MonkeyPatch) -> type[Settings]:
    connectors = {**registry.CONNECTORS, "linear": LINEAR}
    monkeypatch.setattr(registry, "CONNECTORS", connectors)
    return with_sections(Settings, connectors)


def test_a_registered_source_gets_its_settings_section(
    with_linear: type[Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    team: dict[str, Any] = {"linear": {"team": "ACME"}}
    settings = with_linear(**team)
    assert registry.section_of(settings, "linear") == LinearConfig(team="ACME")
    assert settings.jira.url == ""  # the declared sections are untouched
    monkeypatch.setenv("REFINERY_LINEAR__TEAM", "WEB")
    assert registry.section_of(with_linear(), "linear").team == "WEB"
    typo: dict[str, Any] = {"linear": {"teem": "ACME"}}
    with pytest.raises(ValidationError, match=r"linear\.teem"):
        with_linear(**typo)
    assert with_sections(Settings, registry.CONNECTORS) is not Settings
    assert with_sections(Settings, {"jira": registry.get("jira")}) is Settings


def test_a_registered_source_is_synced_and_written_back(
    with_linear: type[Settings], tmp_path: Path
) -> None:
    from bot import config_check
    from bot.context import AppContext

    values: dict[str, Any] = {
        "linear": {"team": "ACME"},
        "store": {"url": f"sqlite:///{tmp_path}/r.db"},
    }
    settings = with_linear(**values)
    assert registry.configured(settings) == ["linear"]
    ctx = AppContext.build(settings)
    try:
        assert [s.name for s in streams_for(settings, ctx.store)] == ["linear:acme"]
        assert [s.name for s in streams_for(settings, ctx.store, "linear")] == ["linear:acme"]
        assert streams_for(settings, ctx.store, "jira") == []
        assert isinstance(ctx.tracker("linear"), LinearTracker)
        assert "Linear: team ACME" in config_check.summary(settings)
        assert config_check.problems(with_linear()) == [
            config_check.Problem("linear.team", "is empty")
        ]
    finally:
        ctx.close()


def test_a_registered_source_gets_its_webhook_route(
    with_linear: type[Settings], tmp_path: Path
) -> None:
    from bot.context import AppContext
    from bot.web import create_app
    from bot.webhooks.signatures import sign

    values: dict[str, Any] = {
        "linear": {"team": "ACME", "webhook_secret": "linear-secret"},
        "store": {"url": f"sqlite:///{tmp_path}/r.db"},
    }
    ctx = AppContext.build(with_linear(**values))
    try:
        client = create_app(ctx).test_client()
        body = b'{"action": "create"}'
        signed = {"Linear-Signature": sign("linear-secret", body), "Linear-Delivery": "d-1"}
        answer = client.post("/webhooks/linear", data=body, headers=signed)
        assert (answer.status_code, answer.get_json()["status"]) == (200, "ignored")
        wrong = {"Linear-Signature": sign("other-secret", body)}
        assert client.post("/webhooks/linear", data=body, headers=wrong).status_code == 401
        assert client.post("/webhooks/nothing", data=body).status_code == 404
    finally:
        ctx.close()


def test_jira_webhooks_without_a_jira_url_are_ignored_with_the_reason(tmp_path: Path) -> None:
    from bot.context import AppContext
    from bot.web import create_app
    from bot.webhooks.signatures import sign

    values: dict[str, Any] = {
        "jira": {"webhook_secret": "jira-secret"},
        "store": {"url": f"sqlite:///{tmp_path}/r.db"},
    }
    ctx = AppContext.build(Settings(**values))
    try:
        client = create_app(ctx).test_client()
        body = b'{"webhookEvent": "jira:issue_deleted", "issue": {"key": "PAY-1"}}'
        headers = {"X-Hub-Signature": sign("jira-secret", body)}
        answer = client.post("/webhooks/jira", data=body, headers=headers)
        assert answer.status_code == 200
        assert answer.get_json() == {"status": "ignored", "reason": "jira.url is not set"}
    finally:
        ctx.close()
