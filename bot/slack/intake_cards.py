"""Triage cards in [slack] intake_channel for requests the intake service queued."""

from __future__ import annotations

from collections.abc import Callable

from bot.services.intake import Intake, RequesterOf
from bot.slack import blocks
from bot.slack.poster import SlackPoster
from bot.store.requests import Request

# Post one card: (channel, blocks, text) -> the message ts, or None when Slack refused.
PostCard = Callable[[str, list[blocks.Block], str], str | None]


def card_text(row: Request) -> str:
    """The notification text of a request's triage card."""
    return f"Request #{row.id}: {row.title}"


def post_cards(intake: Intake, rows: list[Request], channel: str, post: PostCard) -> int:
    """Post a triage card for each request and remember where it is; return how many posted."""
    posted = 0
    for row in rows:
        ts = post(channel, blocks.triage_card(row), card_text(row))
        if ts:
            intake.set_card(row.id, channel, ts)
            posted += 1
    return posted


def import_and_announce(
    intake: Intake, requester_of: RequesterOf, poster: SlackPoster, channel: str
) -> str:
    """Queue new tracker requests and post their cards to `channel`; a summary line.

    Only newly queued requests get a card, so the caller must not import without a channel
    (a request with no card would sit unseen).
    """
    rows = intake.import_triage(requester_of)
    if not rows:
        return "requests: none new"

    def post(to: str, found: list[blocks.Block], text: str) -> str | None:
        return poster.post(to, text, found, what=f"triage card ({text[:60]})").ts

    posted = post_cards(intake, rows, channel, post)
    return f"requests: {len(rows)} new, {posted} card(s) posted"
