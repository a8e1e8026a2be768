"""What `refinery serve` serves and what is off, and why: said once at start, at a visible level."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings

SLACK_PATH = "/slack/events"


@dataclass(frozen=True)
class Part:
    """One thing the server may serve: its name, whether it is on, and a line about it."""

    name: str
    on: bool
    detail: str

    def line(self) -> str:
        return f"{self.name}: {self.detail}"


def _missing(names: dict[str, object]) -> list[str]:
    return [env for env, value in names.items() if not value]


def slack_part(settings: Settings) -> Part:
    """Slack over HTTP, Socket Mode, or off with the variables to set."""
    slack = settings.slack
    if slack.socket_mode:
        missing = _missing(
            {
                "REFINERY_SLACK__APP_TOKEN": slack.app_token,
                "REFINERY_SLACK__BOT_TOKEN": slack.bot_token,
            }
        )
        if missing:
            return Part("Slack", False, f"off, Socket Mode needs {' and '.join(missing)}")
        return Part("Slack", True, "Socket Mode (no public URL needed)")
    missing = _missing(
        {
            "REFINERY_SLACK__BOT_TOKEN": slack.bot_token,
            "REFINERY_SLACK__SIGNING_SECRET": slack.signing_secret,
        }
    )
    if missing:
        return Part("Slack", False, f"off, set {' and '.join(missing)}")
    return Part("Slack", True, f"HTTP at POST {SLACK_PATH}")


def webhook_part(settings: Settings, source: str) -> Part:
    """A tracker's webhook endpoint, and whether its requests can be accepted."""
    secret = getattr(settings, source).webhook_secret
    name = "Jira" if source == "jira" else "GitHub"
    path = f"POST /webhooks/{source}"
    env = f"REFINERY_{source.upper()}__WEBHOOK_SECRET"
    if secret is not None and secret.get_secret_value():
        return Part(f"{name} webhooks", True, f"{path} (signed with {env})")
    if settings.server.allow_unsigned_webhooks:
        return Part(f"{name} webhooks", True, f"{path} (UNSIGNED: server.allow_unsigned_webhooks)")
    return Part(f"{name} webhooks", False, f"refused (401) until {env} is set")


def metrics_part(settings: Settings) -> Part:
    if settings.server.metrics:
        return Part("Metrics", True, "GET /metrics (Prometheus text format)")
    return Part("Metrics", False, "off, set [server] metrics = true")


def parts(settings: Settings) -> list[Part]:
    return [
        slack_part(settings),
        webhook_part(settings, "jira"),
        webhook_part(settings, "github"),
        metrics_part(settings),
    ]
