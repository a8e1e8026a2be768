"""Send one outcome question to its owner as a direct message."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.store.outcomes import Review

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)


def ask_in_slack(ctx: AppContext, row: Review) -> tuple[str, str] | None:
    """Post the question; return (DM channel, ts) for later updates, None when Slack refused."""
    from bot.slack.outcome_views import ask_blocks, ask_text

    try:
        response = ctx.slack.chat_postMessage(
            channel=row.owner, text=ask_text(row), blocks=ask_blocks(row), unfurl_links=False
        )
    except SlackApiError as exc:
        log.error("outcome check of %s not sent: %s", row.key, exc.response.get("error"))
        return None
    except (SlackClientError, OSError) as exc:
        log.error("outcome check of %s not sent: %s", row.key, type(exc).__name__)
        return None
    channel, ts = response.get("channel"), response.get("ts")
    return (str(channel or row.owner), str(ts or ""))
