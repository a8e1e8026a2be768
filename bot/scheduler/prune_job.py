"""The scheduled say-no proposal: one Slack message per team PO with up to N candidates."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.render.prune import proposal_blocks, summary
from bot.services import prune
from bot.services.teams import select_teams
from bot.slack.poster import SlackPoster

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)


@dataclass
class PruneOutcome:
    run: prune.PruneRun
    dry_run: bool
    lines: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(len(team.failed) for team in self.run.teams)


def _redraw(ctx: AppContext, poster: SlackPoster, batch: str) -> None:
    """Show an expired message's items as expired, so no PO clicks a dead button."""
    rows = prune.batch(ctx.store, batch)
    if not rows:
        return
    blocks = proposal_blocks(rows[0].team, rows)
    text = summary(rows[0].team, len(rows))
    for channel, ts in sorted({tuple(place) for row in rows for place in row.messages.values()}):
        # A failure is logged by the poster; the store is right and Slack may lag.
        poster.update(channel, ts, text, blocks, what="expired prune proposal")


def send_prune(
    ctx: AppContext,
    *,
    team: str | None = None,
    dry_run: bool = False,
    poster: SlackPoster | None = None,
    now: datetime | None = None,
) -> PruneOutcome:
    """Pick each team's candidates; with dry_run, list them and write nothing, else record
    the proposals and DM each of the team's POs one message with Keep / Decline buttons."""
    chosen = select_teams(ctx.settings, team)
    expired = [] if dry_run else [b for each in chosen for b in prune.expire(ctx.store, each.name)]
    poster = poster or SlackPoster(lambda: ctx.slack)
    for batch in expired:
        _redraw(ctx, poster, batch)
    run = prune.plan(ctx.store, ctx.settings, chosen, now)
    outcome = PruneOutcome(run, dry_run)
    if expired:
        outcome.lines.append(f"{len(expired)} earlier proposal messages expired")
    for proposal in run.teams:
        outcome.lines.append(
            f"{proposal.team}: {len(proposal.candidates)} candidates for " + ", ".join(proposal.pos)
        )
        outcome.lines.extend(f"  {c.key}  {c.title}  ({c.why})" for c in proposal.candidates)
        if dry_run or not proposal.candidates:
            continue
        prune.record(ctx.store, proposal, now)
        rows = prune.batch(ctx.store, proposal.batch)
        blocks = proposal_blocks(proposal.team, rows)
        for po in proposal.pos:
            result = poster.post(
                po, summary(proposal.team, len(rows)), blocks, what=f"prune for {proposal.team}"
            )
            if result.ok and result.ts:
                prune.remember_message(
                    ctx.store, proposal.batch, po, result.posted_in or po, result.ts
                )
                proposal.posted[po] = result.ts
            else:
                proposal.failed.append(po)
    outcome.lines.extend(run.notes)
    if dry_run:
        outcome.lines.append("dry run: nothing was stored or posted")
    return outcome
