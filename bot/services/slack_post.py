"""Post messages to Slack about one per second per channel, reporting each failure clearly."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

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
    "missing_scope": "the app lacks the chat:write scope: add it and reinstall",
    "user_not_found": "no such Slack user (check the [slack] people map)",
    "cannot_dm_bot": "that Slack user is a bot and cannot get DMs",
    "msg_too_long": "the message is too long for Slack",
    "invalid_blocks": "Slack rejected the blocks (a Refinery bug: please report it)",
}


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


class SlackPoster:
    """Send chat.postMessage calls, waiting so one channel gets at most one per `interval`.

    Slack allows about one message per second per channel; bursts beyond that get HTTP 429.
    The clock and sleep are injectable so tests check the pacing without waiting.
    """

    def __init__(
        self,
        client: WebClient,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], *, what: str
    ) -> PostResult:
        """Post one message; never raises for Slack or network errors, returns them instead."""
        if not channel:
            log.error("slack: %s not posted: no channel configured", what)
            return PostResult(channel, False, error="no_channel")
        self._pace(channel)
        try:
            response = self.client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
        except SlackApiError as exc:
            code = str(exc.response.get("error") or f"http_{exc.response.status_code}")
            reason = EXPLAIN.get(code, "Slack refused the message")
            log.error("slack: %s not posted to %s: %s (%s)", what, channel, code, reason)
            return PostResult(channel, False, error=code)
        except (SlackClientError, OSError) as exc:
            log.error(
                "slack: %s not posted to %s: cannot reach Slack (%s)",
                what,
                channel,
                type(exc).__name__,
            )
            return PostResult(channel, False, error="connection")
        finally:
            with self._lock:
                self._last[channel] = self.clock()
        ts = response.get("ts")
        log.info("slack: posted %s to %s", what, channel)
        posted_in = response.get("channel")
        return PostResult(
            channel, True, ts=str(ts) if ts else None, posted_in=str(posted_in or channel)
        )

    def _pace(self, channel: str) -> None:
        with self._lock:
            last = self._last.get(channel)
        if last is None:
            return
        wait = self.interval - (self.clock() - last)
        if wait > 0:
            self.sleep(wait)
