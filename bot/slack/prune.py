"""The say-no proposal in Slack: each PO's message, Keep, and Decline with a required reason.

Listeners ack at once and hand the work to the runtime's pools; only a PO of the proposal's
team changes anything, and every decision is claimed once in the store (bot.services.prune).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.render import prune as render
from bot.render.blockkit import Block, escape, link, text
from bot.render.prune import proposal_blocks, summary
from bot.services import prune
from bot.store.prune import Proposal

if TYPE_CHECKING:
    from bot.slack.app import Runtime

log = logging.getLogger(__name__)

KEEP, DECLINE = render.KEEP, render.DECLINE
DECLINE_VIEW = "refinery_prune_decline_view"
ACTIONS = (KEEP, DECLINE)


# -- the decline form -----------------------------------------------------------------------


def decline_modal(row: Proposal) -> Block:
    return {
        "type": "modal",
        "callback_id": DECLINE_VIEW,
        "title": {"type": "plain_text", "text": "Decline item"},
        "submit": {"type": "plain_text", "text": "Decline"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"proposal": row.id, "version": row.version}),
        "blocks": [
            text(f"*{link(row.url, row.key)}* {escape(row.title)}\n_{escape(row.why)}_"),
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Reason (posted on the ticket)"},
                "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
                "hint": {
                    "type": "plain_text",
                    "text": "Say why it does not serve the goal now; the item is closed with it.",
                },
            },
        ],
    }


# -- listeners ------------------------------------------------------------------------------


def on_keep(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    ack()
    rt.spawn(_keep, rt, body)


def on_decline_button(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    ack()
    rt.spawn(_open_decline, rt, body, lane="urgent")


def on_decline_submit(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    view = body.get("view") or {}
    reason = _reason(view)
    if not reason:
        ack(response_action="errors", errors={"reason": "Say why: it goes on the ticket."})
        return
    ack()
    rt.spawn(_decline, rt, body, reason)


def _keep(rt: Runtime, body: dict[str, Any]) -> None:
    user, url = _user(body), str(body.get("response_url") or "")
    row = _clicked(rt, body, url)
    if row is None:
        return
    try:
        kept = prune.keep(
            rt.ctx.store,
            row.id,
            row.version,
            user,
            rt.ctx.settings.prune.snooze_days,
            owners=rt.owners,
        )
    except prune.NotAllowed as exc:
        rt.respond(url, [text(str(exc))])
        return
    except prune.PruneError as exc:
        rt.respond(url, [text(f"{row.key}: {exc}")])
        return
    refresh(rt, kept.batch)


def _open_decline(rt: Runtime, body: dict[str, Any]) -> None:
    user, url = _user(body), str(body.get("response_url") or "")
    row = _clicked(rt, body, url)
    if row is None:
        return
    if not may_decide(rt, row.team, user):  # before the form opens; the service checks again
        rt.respond(url, [text(prune.REFUSAL)])
        return
    if row.status != prune.PROPOSED:
        rt.respond(url, [text(f"{row.key} is already {row.status}.")])
        return
    rt.open_view(str(body.get("trigger_id") or ""), decline_modal(row))


def _decline(rt: Runtime, body: dict[str, Any], reason: str) -> None:
    user = _user(body)
    meta = _meta(body.get("view") or {})
    proposal_id, version = int(meta.get("proposal", 0)), int(meta.get("version", -1))
    row = prune.get(rt.ctx.store, proposal_id)
    if row is None:
        rt.tell(user, "That proposal no longer exists.")
        return
    try:
        done = prune.decline(
            rt.ctx.store,
            rt.ctx.tracker,
            proposal_id,
            version,
            user,
            reason,
            rt.ctx.settings.prune.jira_transition,
            owners=rt.owners,
        )
    except prune.NotAllowed as exc:
        rt.tell(user, str(exc))
        return
    except prune.PruneError as exc:
        rt.tell(user, f"{row.key}: {exc}")
        refresh(rt, row.batch)
        return
    refresh(rt, done.batch)


def may_decide(rt: Runtime, team: str, user: str) -> bool:
    """A PO of the proposal's team (its po_users or po_usergroup), else a global PO: the
    service's own check, asked early so a stranger never sees the Decline form."""
    return rt.owners.may_decide_for_team(user, team)


def refresh(rt: Runtime, batch: str) -> None:
    """Redraw every PO's message of the batch from the stored proposals."""
    rows = prune.batch(rt.ctx.store, batch)
    if not rows:
        return
    blocks = proposal_blocks(rows[0].team, rows)
    places = {tuple(place) for row in rows for place in row.messages.values()}
    for channel, ts in sorted(places):
        rt.update(channel, ts, blocks, summary(rows[0].team, len(rows)))


def _clicked(rt: Runtime, body: dict[str, Any], url: str) -> Proposal | None:
    action = (body.get("actions") or [{}])[0]
    try:
        row = prune.get(rt.ctx.store, int(action.get("value") or 0))
    except ValueError:
        row = None
    if row is None:
        rt.respond(url, [text("That proposal no longer exists.")])
    return row


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _reason(view: dict[str, Any]) -> str:
    block: dict[str, Any] = ((view.get("state") or {}).get("values") or {}).get("reason") or {}
    for action in block.values():
        if isinstance(action, dict):
            return str(action.get("value") or "").strip()
    return ""


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}
