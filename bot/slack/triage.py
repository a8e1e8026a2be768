"""Intake listeners: the request form, the message shortcut, and the PO decision buttons.

Each listener validates what it must (form errors go back in the ack), acks, and hands the
rest to the runtime's worker pool: the HTTP answer to Slack never waits for a Web API call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.services.intake import (
    NEED_INFO,
    PENDING,
    Decided,
    Destination,
    IntakeError,
    NotAllowed,
    RequestInput,
)
from bot.services.intake import NOT_A_PO as REFUSAL
from bot.services.owners import REFUSAL as OWNERS_REFUSAL
from bot.slack import blocks, modals
from bot.slack.intake_cards import post_cards
from bot.store.requests import Request

if TYPE_CHECKING:
    from bot.slack.app import Runtime

log = logging.getLogger(__name__)


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


# -- the request form -----------------------------------------------------------------------


def on_message_shortcut(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    """Open the request form prefilled from a message ("Send to backlog" shortcut)."""
    ack()
    rt.spawn(_prefill_from_message, rt, body, lane="urgent")


def _prefill_from_message(rt: Runtime, body: dict[str, Any]) -> None:
    message = body.get("message") or {}
    words = str(message.get("text") or "").strip()
    first_line = words.splitlines()[0] if words else ""
    permalink = ""
    channel = str((body.get("channel") or {}).get("id") or "")
    if channel and message.get("ts"):
        response = rt.call("chat.getPermalink", channel=channel, message_ts=message["ts"])
        permalink = str((response or {}).get("permalink") or "")
    prefill = modals.Prefill(title=first_line[:150], why=words, links=permalink)
    rt.open_view(str(body.get("trigger_id") or ""), modals.intake_modal(prefill))


def on_intake_submit(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    """Store the request as pending, confirm to the requester, post the triage card."""
    form = modals.values(body.get("view") or {})
    errors = {block: "Required." for block in ("title", "why") if not form.get(block, "").strip()}
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    if not rt.first_submission(body.get("view") or {}):
        log.warning("intake form %s submitted again; ignored", (body.get("view") or {}).get("id"))
        return
    rt.spawn(_file_request, rt, body, form)


def _file_request(rt: Runtime, body: dict[str, Any], form: dict[str, str]) -> None:
    user = _user(body)
    urgency = ", ".join(
        part for part in (form.get("urgency", ""), _by(form.get("date", ""))) if part
    )
    row = rt.intake.submit(
        RequestInput(
            title=form["title"],
            why=form["why"],
            requester=user,
            affected=form.get("affected", ""),
            outcome=form.get("outcome", ""),
            urgency=urgency,
            links=form.get("links", ""),
        )
    )
    rt.tell(
        user,
        f"Thanks! Request #{row.id} “{blocks.escape(row.title)}” is with the product owners. "
        "I'll tell you what they decide.",
    )
    channel = rt.ctx.settings.slack.intake_channel
    if not channel:
        log.warning("request %s stored, but slack.intake_channel is not set", row.id)
        return
    post_cards(rt.intake, [row], channel, rt.post)


def _by(date: str) -> str:
    return f"by {date}" if date else ""


# -- the PO's buttons -----------------------------------------------------------------------


def on_triage_button(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    """Accept / Decline / Need info / Duplicate: check the PO, then open the matching form."""
    ack()
    rt.spawn(_open_decision_form, rt, body, lane="urgent")


def _open_decision_form(rt: Runtime, body: dict[str, Any]) -> None:
    user = _user(body)
    url = str(body.get("response_url") or "")
    action = (body.get("actions") or [{}])[0]
    if not rt.intake.may_see_queue(user):
        rt.respond(url, [blocks.text(REFUSAL)])
        return
    try:
        row = rt.intake.get(int(action.get("value") or 0))
    except ValueError:
        row = None
    if row is None:
        rt.respond(url, [blocks.text("That request no longer exists.")])
        return
    # A Slack request's Accept is checked again against the destination the PO picks.
    if row.origin != "slack" and not rt.intake.may_decide(user, row, None):
        rt.respond(url, [blocks.text(OWNERS_REFUSAL)])
        return
    if row.status != PENDING:
        word = blocks.STATUS_WORDS.get(row.status, row.status)
        rt.respond(url, [blocks.text(f"Request #{row.id} is already decided: {word}.")])
        return
    view = _decision_view(rt, str(action.get("action_id")), row)
    if isinstance(view, str):
        rt.respond(url, [blocks.text(view)])
        return
    rt.open_view(str(body.get("trigger_id") or ""), view)


def _decision_view(rt: Runtime, action_id: str, row: Request) -> dict[str, Any] | str:
    if action_id == blocks.ACCEPT:
        destinations = destinations_for(rt)
        if row.origin == "slack" and not destinations:
            return "No destination configured: set [jira] projects or [github] repos."
        issue_type = rt.ctx.settings.jira.default_issue_type
        return modals.accept_modal(row, destinations, issue_type)
    if action_id == blocks.DECLINE:
        return modals.decline_modal(row)
    if action_id == blocks.NEED_INFO:
        if not row.requester:
            return "This request has no Slack requester to ask; ask on the ticket."
        return modals.need_info_modal(row)
    return modals.duplicate_modal(row)


def destinations_for(rt: Runtime) -> list[tuple[str, str]]:
    """(value, label) pairs; the configured defaults first (Jira's first project, then repos)."""
    from connectors import registry

    found: list[tuple[str, str]] = []
    for name, connector in registry.CONNECTORS.items():
        projects = connector.destinations(registry.section_of(rt.ctx.settings, name))
        found += [(f"{name}:{p}", f"{connector.title} · {p}") for p in projects]
    return found


def on_duplicate_of_button(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    """One click on a suggested duplicate: the existing Duplicate decision, no form."""
    ack()
    rt.spawn(_mark_duplicate_of, rt, body)


def _mark_duplicate_of(rt: Runtime, body: dict[str, Any]) -> None:
    user = _user(body)
    url = str(body.get("response_url") or "")
    action = (body.get("actions") or [{}])[0]
    raw_id, _, key = str(action.get("value") or "").partition(":")
    if not rt.intake.may_see_queue(user):  # early, for a plain answer; the service decides
        rt.respond(url, [blocks.text(REFUSAL)])
        return
    row = rt.intake.get(int(raw_id)) if raw_id.isdigit() else None
    if row is None or not key:
        rt.respond(url, [blocks.text("That request no longer exists.")])
        return
    if row.status != PENDING:
        word = blocks.STATUS_WORDS.get(row.status, row.status)
        rt.respond(url, [blocks.text(f"Request #{row.id} is already decided: {word}.")])
        return
    try:
        decided = rt.intake.duplicate(row.id, row.version, user, key)
    except IntakeError as exc:
        rt.respond(url, [blocks.text(f"Request #{row.id}: {exc}")])
        return
    announce(rt, decided)


# -- the PO's forms -------------------------------------------------------------------------


def _decide(rt: Runtime, body: dict[str, Any], decide: Callable[[str, int, int], Decided]) -> None:
    """Run a decision after the ack; tell the PO when someone else was first or it failed."""
    user = _user(body)
    meta = modals.metadata(body.get("view") or {})
    request_id, version = int(meta.get("request", 0)), int(meta.get("version", -1))
    row = rt.intake.get(request_id)
    channel = row.card_channel if row else None
    try:  # the intake service checks the actor against this request's product owners
        decided = decide(user, request_id, version)
    except NotAllowed as exc:
        rt.tell(user, str(exc), channel)
        return
    except IntakeError as exc:
        rt.tell(user, f"Request #{request_id}: {exc}", channel)
        return
    announce(rt, decided)


def announce(rt: Runtime, decided: Decided) -> None:
    """Update the card and tell the requester what was decided."""
    row, decision = decided.request, decided.decision
    summary = blocks.decision_line(row, decision)
    if row.card_channel and row.card_ts:
        rt.update(row.card_channel, row.card_ts, blocks.decided_card(row, decision), summary)
    if not row.requester:
        return
    if decision.action == "need_info":
        rt.post(row.requester, blocks.details_prompt(row, decision), summary)
    else:
        rt.tell(row.requester, blocks.requester_outcome(row, decision))


def on_accept_submit(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    form = modals.values(body.get("view") or {})
    ack()
    source, _, project = form.get("destination", "").partition(":")
    destination = Destination(source, project, form.get("issue_type", "").strip())

    def accept(user: str, request_id: int, version: int) -> Decided:
        return rt.intake.accept(request_id, version, user, destination)

    rt.spawn(_decide, rt, body, accept)


def on_decline_submit(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    reason = modals.values(body.get("view") or {}).get("reason", "").strip()
    if not reason:
        ack(response_action="errors", errors={"reason": "Say why: the requester reads it."})
        return
    ack()
    rt.spawn(
        _decide, rt, body, lambda user, rid, version: rt.intake.decline(rid, version, user, reason)
    )


def on_need_info_submit(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    question = modals.values(body.get("view") or {}).get("question", "").strip()
    if not question:
        ack(response_action="errors", errors={"question": "Ask something."})
        return
    ack()
    rt.spawn(
        _decide,
        rt,
        body,
        lambda user, rid, version: rt.intake.need_info(rid, version, user, question),
    )


def on_duplicate_submit(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    key = modals.values(body.get("view") or {}).get("key", "").strip()
    if rt.intake.find_item(key) is None:
        # Checked before the ack, so the PO sees the error in the form itself.
        ack(response_action="errors", errors={"key": f"No item {key or '(empty)'} in the store."})
        return
    ack()
    rt.spawn(
        _decide, rt, body, lambda user, rid, version: rt.intake.duplicate(rid, version, user, key)
    )


# -- the requester's answer -----------------------------------------------------------------


def on_add_details(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    ack()
    rt.spawn(_open_details_form, rt, body, lane="urgent")


def _open_details_form(rt: Runtime, body: dict[str, Any]) -> None:
    user = _user(body)
    url = str(body.get("response_url") or "")
    action = (body.get("actions") or [{}])[0]
    row = rt.intake.get(int(action.get("value") or 0))
    if row is None or row.requester != user:
        rt.respond(url, [blocks.text("Only the requester can add details to this request.")])
        return
    if row.status != NEED_INFO:
        rt.respond(url, [blocks.text("This request is not waiting for details any more.")])
        return
    asked = [d for d in rt.intake.decisions(row.id) if d.action == "need_info"]
    question = asked[-1].reason if asked else ""
    rt.open_view(str(body.get("trigger_id") or ""), modals.details_modal(row, question))


def on_details_submit(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    details = modals.values(body.get("view") or {}).get("details", "").strip()
    if not details:
        ack(response_action="errors", errors={"details": "Add a few words."})
        return
    ack()
    rt.spawn(_take_details, rt, body, details)


def _take_details(rt: Runtime, body: dict[str, Any], details: str) -> None:
    user = _user(body)
    request_id = int(modals.metadata(body.get("view") or {}).get("request", 0))
    try:
        row = rt.intake.add_details(request_id, user, details)
    except IntakeError as exc:
        rt.tell(user, f"Request #{request_id}: {exc}")
        return
    rt.tell(user, f"Thanks! Request #{row.id} is back with the product owners.")
    if row.card_channel and row.card_ts:
        rt.update(row.card_channel, row.card_ts, blocks.triage_card(row), row.title)
        rt.call(
            "chat.postMessage",
            channel=row.card_channel,
            thread_ts=row.card_ts,
            text=f"<@{user}> added details: {blocks.escape(details)}",
        )
