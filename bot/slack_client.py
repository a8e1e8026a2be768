"""Slack Web API client, pointed at `slack.api_url` and retrying rate limits and dropped links."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.config import Settings


def make_web_client(settings: Settings, *, max_retries: int = 3) -> WebClient:
    """Build the one WebClient shape Refinery uses; every caller goes through here."""
    token = settings.slack.bot_token.get_secret_value() if settings.slack.bot_token else None
    api_url = settings.slack.api_url
    client = WebClient(token=token, base_url=api_url if api_url.endswith("/") else api_url + "/")
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=max_retries))
    client.retry_handlers.append(ConnectionErrorRetryHandler(max_retry_count=max_retries))
    return client
