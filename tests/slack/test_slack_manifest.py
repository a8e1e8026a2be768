"""The Slack app manifests agree with the code: command, shortcut, endpoints, Socket Mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import SlackConfig
from bot.slack.app import SEND_TO_BACKLOG

ROOT = Path(__file__).resolve().parents[2]


def manifest(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())
    return data


@pytest.mark.parametrize("name", ["slack_manifest.yml", "slack_manifest_socket.yml"])
def test_manifest_matches_the_code(name: str) -> None:
    data = manifest(name)
    features = data["features"]
    assert [c["command"] for c in features["slash_commands"]] == [SlackConfig().command]
    assert [s["callback_id"] for s in features["shortcuts"]] == [SEND_TO_BACKLOG]
    assert features["shortcuts"][0]["type"] == "message"
    scopes = set(data["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "usergroups:read", "app_mentions:read"} <= scopes
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["settings"]["event_subscriptions"]["bot_events"] == ["app_mention"]


def test_http_manifest_points_everything_at_slack_events() -> None:
    data = manifest("slack_manifest.yml")
    settings = data["settings"]
    urls = [
        data["features"]["slash_commands"][0]["url"],
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    ]
    assert all(url.endswith("/slack/events") for url in urls)
    assert settings["socket_mode_enabled"] is False


def test_socket_manifest_has_no_urls() -> None:
    data = manifest("slack_manifest_socket.yml")
    assert data["settings"]["socket_mode_enabled"] is True
    assert "url" not in data["features"]["slash_commands"][0]
    assert "request_url" not in data["settings"]["interactivity"]
