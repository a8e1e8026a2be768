"""Outcome follow-up listeners: an answer button opens the form, the form stores the answer.

Who may answer is checked on the click and again on the submit; the answer is claimed with
the review's version, so a double click or a second person answers once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.services.outcomes import ASKED, AlreadyAnswered, Answered, OutcomeError
from bot.slack import blocks, modals, outcome_views

if TYPE_CHECKING:
    from bot.slack.app import Runtime

log = logging.getLogger(__name__)

REFUSAL = "Only the item's owner or a product owner can answer this. Nothing was changed."


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def on_answer_button(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    ack()
    rt.spawn(_open_answer_form, rt, body, lane="urgent")


def _open_answer_form(rt: Runtime, body: dict[str, Any]) -> None:
    user = _user(body)
    url = str(body.get("response_url") or "")
    action = (body.get("actions") or [{}])[0]
    answer = outcome_views.ACTIONS.get(str(action.get("action_id")), "")
    try:
        row = rt.outcomes.get(int(action.get("value") or 0))
    except ValueError:
        row = None
    if row is None or not answer:
        rt.respond(url, [blocks.text("That outcome check no longer exists.")])
        return
    if not rt.outcomes.may_answer(row, user, rt.po.is_po(user)):
        rt.respond(url, [blocks.text(REFUSAL)])
        return
    if row.status != ASKED:
        rt.respond(url, [blocks.text(f"{row.key}'s outcome was already answered.")])
        return
    rt.open_view(str(body.get("trigger_id") or ""), outcome_views.answer_modal(row, answer))


def on_answer_submit(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    ack()
    rt.spawn(_take_answer, rt, body)


def _take_answer(rt: Runtime, body: dict[str, Any]) -> None:
    user = _user(body)
    view = body.get("view") or {}
    meta = modals.metadata(view)
    form = modals.values(view)
    try:
        review_id, version = int(meta.get("review", 0)), int(meta.get("version", -1))
    except (TypeError, ValueError):
        return
    try:
        answered = rt.outcomes.answer(
            review_id,
            version,
            user,
            str(meta.get("answer") or ""),
            is_po=rt.po.is_po(user),
            observed=form.get("observed", ""),
            note=form.get("note", ""),
        )
    except AlreadyAnswered as exc:
        rt.tell(user, str(exc))
        return
    except OutcomeError as exc:
        rt.tell(user, f"{exc} Nothing was changed.")
        return
    _show_answer(rt, answered)


def _show_answer(rt: Runtime, answered: Answered) -> None:
    row = answered.review
    if row.channel and row.ts:
        rt.update(
            row.channel,
            row.ts,
            outcome_views.answered_blocks(row, answered.answer, answered.asks_again),
            f"{row.key}: {answered.answer.answer}",
        )
    if rt.ctx.settings.outcomes.comment:
        from bot.services.outcome_comment import add_to_comment

        try:
            add_to_comment(rt.ctx, row, answered.answer)
        except Exception:  # the answer is stored; a tracker hiccup must not hide that
            log.exception("outcome of %s: could not update the ticket comment", row.key)
