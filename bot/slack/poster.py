"""The one way Refinery talks to Slack's Web API, with one error policy.

Error policy (every caller, scheduled or interactive, gets the same):
- Rate limits are honoured: the WebClient retries HTTP 429 after Slack's Retry-After (up to
  `max_retries` times), and `SlackPoster.post` paces bulk messages to about one per second per
  channel, which is Slack's documented limit, so bursts do not hit 429 in the first place.
- Dropped connections are retried the same way; nothing here raises for a Slack or network
  error: a failed call is logged once and returned as a result (a lost message must never lose
  data or stop a job).
- Each failure is one log line: `slack: <what> failed in|not posted to <channel>: <code> (<what
  it means>)`.
  Only Slack's error code and our own explanation are logged, never the request, the response
  body or the token.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.config import Settings

log = logging.getLogger(__name__)

# Web API methods that take form arguments only (Slack documents no JSON body for them).
FORM_ONLY = frozenset({"chat.getPermalink"})
# Retry handlers keep no state between calls, so every response URL call can share them.
RESPOND_RETRIES: list[RetryHandler] = [
    ConnectionErrorRetryHandler(max_retry_count=3),
    RateLimitErrorRetryHandler(max_retry_count=3),
]
respond_log = logging.getLogger("bot.slack.respond")  # built once: getLogger takes a lock

# What each Slack error means for the person running Refinery.
EXPLAIN = {
    "ratelimited": "Slack kept rate-limiting this channel after 3 retries; post it again later",
    "channel_not_found": (
        "no such channel (or a private one Refinery cannot see): check the team's `channel` / "
        "[slack] digest_channel; a channel ID like C0123ABCD is safest"
    ),
    "not_in_channel": "Refinery is not a member of this channel: /invite the app there",
    "is_archived": "the channel is archived",
    "invalid_auth": "Slack rejected the bot token: check [slack] bot_token",
    "not_authed": "no bot token was sent: set [slack] bot_token",
    "token_revoked": "the bot token was revoked: reinstall the app and update [slack] bot_token",
    "account_inactive": "the bot token belongs to a deactivated app or user",
    "missing_scope": "the app lacks the scope this call needs: add it and reinstall",
    "user_not_found": "no such Slack user (check the [slack] people map)",
    "cannot_dm_bot": "that Slack user is a bot and cannot get DMs",
    "msg_too_long": "the message is too long for Slack",
    "invalid_blocks": "Slack rejected the blocks (a Refinery bug: please report it)",
    "message_not_found": "the message to update is gone (deleted in Slack?)",
    "expired_trigger_id": "the form was opened too late (trigger ids last 3 s)",
    "connection": "cannot reach Slack (check [slack] api_url and the network)",
}


def make_web_client(settings: Settings, *, max_retries: int = 3) -> WebClient:
    """Build the one WebClient shape Refinery uses, pointed at `slack.api_url`, retrying rate
    limits (after Retry-After) and dropped connections; every caller goes through here."""
    token = settings.slack.bot_token.get_secret_value() if settings.slack.bot_token else None
    api_url = settings.slack.api_url
    client = WebClient(token=token, base_url=api_url if api_url.endswith("/") else api_url + "/")
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=max_retries))
    client.retry_handlers.append(ConnectionErrorRetryHandler(max_retry_count=max_retries))
    return client


@dataclass(frozen=True)
class PostResult:
    """What happened to one message: posted (with its ts) or the Slack error code."""

    channel: str
    ok: bool
    ts: str | None = None
    error: str | None = None
    # The channel Slack says it posted in: a DM's D… id when `channel` was a user id, which
    # chat.update needs.
    posted_in: str | None = None


def error_code(exc: Exception) -> str:
    """Slack's error code for a failed call ("connection" when Slack was not reached)."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or f"http_{exc.response.status_code}")
    return "connection"


def log_failure(what: str, channel: str, exc: Exception, *, verb: str = "failed in") -> str:
    """The one log line of a failed Slack call; returns the error code."""
    code = error_code(exc)
    reason = EXPLAIN.get(code, "Slack refused the call")
    if code == "connection":  # which network error, never its message (it may hold a URL)
        reason = f"{reason}; {type(exc).__name__}"
    log.error("slack: %s %s %s: %s (%s)", what, verb, channel or "-", code, reason)
    return code


class SlackPoster:
    """Every Slack Web API call Refinery makes, under the policy in this module's docstring.

    `post` is for bulk messages (digests, reminders, cards, proposals) and waits so one channel
    gets at most one per `interval`; `call` is for one interactive call (a form, an ephemeral
    answer, a card update) and does not wait. The clock and sleep are injectable so tests check
    the pacing without waiting.
    """

    def __init__(
        self,
        client: WebClient | Callable[[], WebClient],
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # A callable defers building the client (and reading the token) until the first call.
        self._client = client
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def client(self) -> WebClient:
        return self._client if isinstance(self._client, WebClient) else self._client()

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], *, what: str
    ) -> PostResult:
        """Post one message, paced per channel; Slack and network errors are returned."""
        if not channel:
            log.error("slack: %s not posted: no channel configured", what)
            return PostResult(channel, False, error="no_channel")
        self._pace(channel)
        try:
            response = self.client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
        except (SlackApiError, SlackClientError, OSError) as exc:
            code = log_failure(what, channel, exc, verb="not posted to")
            return PostResult(channel, False, error=code)
        finally:
            with self._lock:
                self._last[channel] = self.clock()
        ts = response.get("ts")
        log.info("slack: posted %s to %s", what, channel)
        posted_in = response.get("channel")
        return PostResult(
            channel, True, ts=str(ts) if ts else None, posted_in=str(posted_in or channel)
        )

    def call(self, method: str, *, what: str = "", **kwargs: Any) -> dict[str, Any] | None:
        """One Web API call, not paced; its answer, or None when it failed (logged)."""
        try:
            if method in FORM_ONLY:
                response = self.client.api_call(method, data=kwargs)
            else:
                response = self.client.api_call(method, json=kwargs)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log_failure(what or method, str(kwargs.get("channel") or ""), exc)
            return None
        return dict(response.data) if isinstance(response.data, dict) else {}

    def update(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]], *, what: str
    ) -> bool:
        """Redraw a posted message; False when Slack refused (logged)."""
        found = self.call(
            "chat.update", what=what, channel=channel, ts=ts, text=text, blocks=blocks
        )
        return found is not None

    def _pace(self, channel: str) -> None:
        with self._lock:
            last = self._last.get(channel)
        if last is None:
            return
        wait = self.interval - (self.clock() - last)
        if wait > 0:
            self.sleep(wait)


def respond(url: str, text: str, blocks: list[dict[str, Any]]) -> bool:
    """Answer through a response_url, ephemerally, under the same policy; False on failure.

    The URL itself is a credential of sorts (anyone holding it may answer): it is not logged.
    """
    if not url:
        return False
    client = WebhookClient(url, retry_handlers=RESPOND_RETRIES, logger=respond_log)
    try:
        answer = client.send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )
    except (SlackClientError, OSError) as exc:
        log_failure("answer through the response URL", "-", exc)
        return False
    if answer.status_code >= 400:  # an expired (30 min) or unknown URL: Slack says no_service
        log.error(
            "slack: answer through the response URL failed: http_%s (%s)",
            answer.status_code,
            "the response URL expired or is unknown; the user must ask again",
        )
        return False
    return True
