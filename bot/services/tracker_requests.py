"""Tracker requests: queue triage-labelled or triage-status items and post a card for each."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.services.intake import Intake
from bot.services.owners import ProductOwners
from bot.services.slack_post import SlackPoster
from bot.slack import blocks
from bot.slack.people import People
from bot.store.requests import Request
from connectors import registry

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)

# Post one card: (channel, blocks, text) -> the message ts, or None when Slack refused.
PostCard = Callable[[str, list[blocks.Block], str], str | None]


def make_intake(ctx: AppContext, owners: ProductOwners | None = None) -> Intake:
    """The intake queue with the triage labels and statuses the settings name; with `owners`,
    every decision is checked against the global and per-team product owners."""
    from bot.services.duplicates import request_suggester

    settings = ctx.settings
    triage = {
        name: connector.triage(registry.section_of(settings, name))
        for name, connector in registry.CONNECTORS.items()
    }
    return Intake(
        ctx.store,
        ctx.tracker,
        {name: triage[name][0] for name in triage},
        triage_statuses={name: triage[name][1] for name in triage},
        accepted_statuses={name: triage[name][2] for name in triage},
        suggest=request_suggester(ctx.store, settings),
        owners=owners,
    )


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
    ctx: AppContext, intake: Intake | None = None, poster: SlackPoster | None = None
) -> str:
    """Import new tracker requests and post their cards to [slack] intake_channel.

    Does nothing without an intake channel and a bot token: a request imported with no card
    would sit unseen, since only newly imported requests get one.
    """
    slack = ctx.settings.slack
    if not slack.intake_channel or slack.bot_token is None:
        return "requests: no intake channel"
    intake = intake or make_intake(ctx)
    people = People(ctx.store, slack.people, lambda: ctx.slack)
    rows = intake.import_triage(people.slack_id)
    if not rows:
        return "requests: none new"
    poster = poster or SlackPoster(ctx.slack)

    def post(channel: str, found: list[blocks.Block], text: str) -> str | None:
        return poster.post(channel, text, found, what=f"triage card ({text[:60]})").ts

    posted = post_cards(intake, rows, slack.intake_channel, post)
    return f"requests: {len(rows)} new, {posted} card(s) posted"
