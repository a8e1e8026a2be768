"""The say-no proposal message: plain Block Kit dicts, no Slack client (the CLI's dry run and
the scheduler build it without loading the Slack app)."""

from __future__ import annotations

from bot.render.blockkit import Block, button, context, escape, header, link, text
from bot.services import prune
from bot.store.prune import Proposal

KEEP = "refinery_prune_keep"
DECLINE = "refinery_prune_decline"
DONE_WORDS = {
    prune.KEPT: ":white_check_mark: Kept",
    prune.DECLINING: ":hourglass: Being declined…",
    prune.DECLINED: ":no_entry_sign: Declined",
    prune.EXPIRED: ":zzz: Expired: a newer proposal replaced this one",
}


def proposal_blocks(team: str, rows: list[Proposal]) -> list[Block]:
    """One PO's message: each candidate with Keep / Decline, or what was decided."""
    blocks: list[Block] = [
        header(f"Say no to keep the backlog lean · {team}"),
        context(
            "These items have not been touched by a person for months and serve no goal or "
            "sit low in rank. Keep them, or decline them with a reason (the ticket is closed "
            "with it). Nothing is closed without your click."
        ),
    ]
    for row in rows:
        line = f"*{link(row.url, row.key)}* {escape(row.title)}\n_{escape(row.why)}_"
        if row.status == prune.PROPOSED:
            blocks.append(text(line))
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"prune_{row.id}",
                    "elements": [
                        button("Keep", KEEP, str(row.id)),
                        button("Decline", DECLINE, str(row.id), "danger"),
                    ],
                }
            )
        else:
            blocks.append(text(line))
            blocks.append(context(_decided(row)))
    return blocks


def _decided(row: Proposal) -> str:
    word = DONE_WORDS.get(row.status, row.status)
    who = f" by <@{row.decided_by}>" if row.decided_by else ""
    if row.status == prune.KEPT and row.snooze_until:
        return f"{word}{who}; not proposed again before {row.snooze_until:%Y-%m-%d}."
    if row.status == prune.DECLINED:
        return f"{word}{who}: {escape(row.reason)}"
    return f"{word}{who}"


def summary(team: str, count: int) -> str:
    return f"{count} backlog items for {team} to keep or decline"
